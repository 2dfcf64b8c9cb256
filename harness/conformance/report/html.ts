// A self-contained HTML page: the implementations × requirements matrix, each cell linking its case's wire log.
import { REQUIREMENTS } from "../../../specs/requirements/catalogue.js";
import type { CaseResult, ConformanceReport, Verdict } from "../../../specs/conformance/result.js";
import { escapeHtml as escape } from "../../report/html.js";
import { countVerdicts } from "./terminal.js";
import { verdictSentence } from "../verdict.js";

const COLOUR: Record<Verdict, string> = { PASS: "#1a7f37", FAIL: "#cf222e", "NON-STRICT": "#bf8700", INFO: "#0969da", SKIP: "#6e7781" };
const RANK: Record<Verdict, number> = { FAIL: 0, "NON-STRICT": 1, PASS: 2, INFO: 3, SKIP: 4 };

/** One requirement can have several cases (corpus files, generated inputs): the cell shows the worst. */
function worst(cases: CaseResult[]): CaseResult | undefined {
  return [...cases].sort((a, b) => RANK[a.verdict] - RANK[b.verdict])[0];
}

export function renderConformanceHtml(report: ConformanceReport): string {
  const impls = report.implementations;
  const tested = REQUIREMENTS.filter((r) => impls.some((i) => i.cases.some((c) => c.requirement === r.id)));
  const header = impls.map((i) => `<th>${escape(i.name)}</th>`).join("");
  const rows = tested
    .map((r) => {
      const cells = impls
        .map((impl) => {
          const cases = impl.cases.filter((c) => c.requirement === r.id && c.verdict !== "INFO");
          const shown = worst(cases) ?? impl.cases.find((c) => c.requirement === r.id);
          if (!shown) return "<td>—</td>";
          const title = escape(`${shown.id}\nexpected: ${shown.expected}\nactual: ${shown.actual}`);
          const more = cases.length > 1 ? ` <small>×${cases.length}</small>` : "";
          const link = shown.wireLog ? `<a href="${escape(shown.wireLog)}">${shown.verdict}</a>` : shown.verdict;
          return `<td class="v" style="background:${COLOUR[shown.verdict]}" title="${title}">${link}${more}</td>`;
        })
        .join("");
      return `<tr><td><code>${r.id}</code></td><td>${r.level}</td><td>${escape(r.text)}</td>${cells}</tr>`;
    })
    .join("\n");
  const details = impls
    .map((impl) => {
      const n = countVerdicts(impl.cases);
      const lines = impl.cases
        .map(
          (c) =>
            `<tr><td><code>${escape(c.id)}</code></td><td style="color:${COLOUR[c.verdict]}"><b>${c.verdict}</b></td><td>${escape(c.expected)}</td><td>${escape(c.actual)}</td><td>${c.wireLog ? `<a href="${escape(c.wireLog)}">wire</a>` : ""}</td></tr>`,
        )
        .join("\n");
      return `<h2>${escape(impl.name)}</h2><p>${escape(impl.protocol ?? "protocol not declared")} at ${escape(impl.wire)} — ${n.PASS} passed, ${n.FAIL} failed, ${n["NON-STRICT"]} non-strict, ${n.INFO} info, ${n.SKIP} skipped</p>
<details><summary>config</summary><pre>${escape(JSON.stringify(impl.config ?? {}, null, 2))}</pre></details>
<table><tr><th>case</th><th>verdict</th><th>expected</th><th>actual</th><th></th></tr>${lines}</table>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Grapevine conformance</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#1f2328}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #d0d7de;padding:3px 6px;vertical-align:top;text-align:left}
td.v{color:#fff;text-align:center;font-weight:bold}td.v a{color:#fff}
</style></head><body>
<h1>Grapevine conformance: ${verdictSentence(report)}</h1>
<p>${new Date(report.startedAt).toISOString()} · ${((report.finishedAt - report.startedAt) / 1000).toFixed(1)} s · ${report.generated} generated malformed inputs per implementation, seed ${report.seed}</p>
<table><tr><th>requirement</th><th>level</th><th>text</th>${header}</tr>
${rows}
</table>
${details}
</body></html>
`;
}
