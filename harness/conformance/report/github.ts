// `conformance --reporter github`: a workflow command per case that did not hold. A MUST that
// failed is an ::error, a SHOULD or MAY that failed, or a non-strict result, a ::warning; each on
// the adapter manifest the implementation was started from, when it came from one. The step
// summary gets the counts and the failures in Markdown. SKIPs are in the summary, not annotated:
// an implementation that lacks a capability skips dozens of cases, and Actions shows ten a step.
import { requirement } from "../../../specs/requirements/catalogue.js";
import type { ConformanceReport } from "../../../specs/conformance/result.js";
import { command, workspacePath } from "../../report/github.js";
import { countVerdicts } from "./terminal.js";
import { markdownCell } from "../../report/markdown.js";

/** The annotations; `manifests` maps an implementation's name to the manifest file it was started from. */
export function renderConformanceAnnotations(report: ConformanceReport, manifests: ReadonlyMap<string, string>, workspace: string): string[] {
  return report.implementations.flatMap((impl) => {
    const manifest = manifests.get(impl.name);
    const file = manifest ? workspacePath(manifest, workspace) : undefined;
    return impl.cases
      .filter((c) => c.verdict === "FAIL" || c.verdict === "NON-STRICT")
      .map((c) =>
        command(
          c.verdict === "FAIL" && c.level === "MUST" ? "error" : "warning",
          { file, title: `${impl.name} › ${c.id} (${c.level} ${c.verdict})` },
          `${requirement(c.requirement).text} Expected: ${c.expected}. Actual: ${c.actual}`,
        ),
      );
  });
}

export function renderConformanceMarkdown(report: ConformanceReport): string {
  const lines = [
    `# Grapevine conformance — ${report.verdict.toUpperCase()}`,
    "",
    `${new Date(report.startedAt).toISOString()}, ${((report.finishedAt - report.startedAt) / 1000).toFixed(1)} s, seed ${report.seed}`,
    "",
    "| implementation | passed | failed | non-strict | info | skipped |",
    "| --- | --- | --- | --- | --- | --- |",
    ...report.implementations.map((impl) => {
      const n = countVerdicts(impl.cases);
      return `| ${markdownCell(impl.name)} | ${n.PASS} | ${n.FAIL} | ${n["NON-STRICT"]} | ${n.INFO} | ${n.SKIP} |`;
    }),
  ];
  for (const impl of report.implementations) {
    const problems = impl.cases.filter((c) => c.verdict === "FAIL" || c.verdict === "NON-STRICT");
    if (problems.length === 0) continue;
    lines.push("", `## ${markdownCell(impl.name)}`, "", "| case | level | verdict | actual |", "| --- | --- | --- | --- |");
    for (const c of problems) lines.push(`| ${markdownCell(c.id)} | ${c.level} | ${c.verdict} | ${markdownCell(c.actual)} |`);
  }
  return `${lines.join("\n")}\n`;
}
