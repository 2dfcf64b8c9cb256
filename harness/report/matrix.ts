// The matrix of one run over several implementations: scenarios × implementations, each cell the
// verdict linking to that implementation's report (as Autobahn's testsuite shows its results).
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Summary } from "../../specs/report/summary.js";
import { escapeHtml } from "./html.js";

export interface MatrixCell {
  /** The implementation, as --sut named it. */
  label: string;
  summary: Summary;
  /** Its index.html, relative to the matrix. */
  html: string;
}

export interface Matrix {
  implementations: string[];
  rows: { scenario: string; cells: { verdict: string; failed: string[]; skipped: string[]; href: string }[] }[];
}

/** The matrix as data: every scenario any implementation ran, in the order first seen. */
export function buildMatrix(cells: readonly MatrixCell[]): Matrix {
  const scenarios = [...new Set(cells.flatMap((c) => c.summary.scenarios.map((s) => s.name)))];
  return {
    implementations: cells.map((c) => c.label),
    rows: scenarios.map((scenario) => ({
      scenario,
      cells: cells.map((c) => {
        const result = c.summary.scenarios.find((s) => s.name === scenario);
        return {
          verdict: result?.verdict ?? "not run",
          failed: result?.checks.filter((k) => k.verdict === "fail").map((k) => `${k.name}: ${k.summary}`) ?? [],
          skipped: result?.checks.filter((k) => k.verdict === "skip").map((k) => `${k.name}: ${k.summary}`) ?? [],
          href: `${c.html}#${encodeURIComponent(scenario)}`,
        };
      }),
    })),
  };
}

export function renderMatrixHtml(matrix: Matrix): string {
  const head = matrix.implementations.map((i) => `<th>${escapeHtml(i)}</th>`).join("");
  const rows = matrix.rows
    .map(
      (row) =>
        `<tr><th>${escapeHtml(row.scenario)}</th>${row.cells
          .map(
            (cell) =>
              `<td class="${escapeHtml(cell.verdict)}"><a href="${escapeHtml(cell.href)}">${escapeHtml(cell.verdict.toUpperCase())}</a>${[
                ...cell.failed,
                ...cell.skipped,
              ]
                .map((line) => `<div class="why">${escapeHtml(line)}</div>`)
                .join("")}</td>`,
          )
          .join("")}</tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Grapevine: scenarios × implementations</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: .4em .6em; vertical-align: top; text-align: left; max-width: 28em; }
td.pass { background: #e6f4ea; } td.fail { background: #fce8e6; } td.skip { background: #f1f3f4; }
.why { font-size: 12px; color: #444; margin-top: .2em; }
</style></head><body>
<h1>Scenarios × implementations</h1>
<table><tr><th>scenario</th>${head}</tr>
${rows}
</table></body></html>
`;
}

/** Writes matrix.html and matrix.json into `runDir`; returns the HTML's path. */
export function writeMatrix(runDir: string, cells: readonly MatrixCell[]): string {
  const matrix = buildMatrix(cells);
  writeFileSync(path.join(runDir, "matrix.json"), `${JSON.stringify(matrix, null, 2)}\n`);
  const file = path.join(runDir, "matrix.html");
  writeFileSync(file, renderMatrixHtml(matrix));
  return file;
}
