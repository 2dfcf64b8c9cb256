// Console output, h2spec-style: a line per case, and each failure with its requirement, expected and actual.
import { requirement } from "../../../specs/requirements/catalogue.js";
import type { CaseResult, ConformanceReport, Verdict } from "../../../specs/conformance/result.js";
import { judgedCases, verdictSentence } from "../verdict.js";

const MARK: Record<Verdict, string> = { PASS: "✔", FAIL: "✖", "NON-STRICT": "!", INFO: "i", SKIP: "-" };

export function caseLine(result: CaseResult): string {
  return `  ${MARK[result.verdict]} ${result.verdict.padEnd(10)} ${result.id}`;
}

export function countVerdicts(cases: CaseResult[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { PASS: 0, FAIL: 0, "NON-STRICT": 0, INFO: 0, SKIP: 0 };
  for (const c of cases) counts[c.verdict]++;
  return counts;
}

export function renderSummary(report: ConformanceReport, htmlPath: string): string {
  const out: string[] = [""];
  for (const impl of report.implementations) {
    const problems = impl.cases.filter((c) => c.verdict === "FAIL" || c.verdict === "NON-STRICT");
    if (problems.length > 0) out.push(`Failures and non-strict results for ${impl.name}:`, "");
    for (const [i, c] of problems.entries()) {
      out.push(
        `  ${i + 1}) ${c.id} [${c.level}] ${c.verdict}`,
        `     ${requirement(c.requirement).text}`,
        `     expected: ${c.expected}`,
        `       actual: ${c.actual}`,
        `     wire log: ${c.wireLog ?? "-"}`,
        "",
      );
    }
  }
  for (const impl of report.implementations) {
    const n = countVerdicts(impl.cases);
    out.push(
      `${impl.name}: ${n.PASS} passed, ${n.FAIL} failed, ${n["NON-STRICT"]} non-strict, ${n.INFO} info, ${n.SKIP} skipped (${(impl.durationMs / 1000).toFixed(1)} s)`,
    );
    if (judgedCases(impl) === 0)
      out.push(`  nothing was judged on ${impl.name}: every case was skipped or informational (the reasons are listed with each case)`);
  }
  out.push(`${verdictSentence(report)}; report: ${htmlPath}`, "");
  return out.join("\n");
}
