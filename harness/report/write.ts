// Writes every report file of a run folder from one typed summary and the history.
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { HistoryRecord } from "../../specs/history/history.js";
import { Summary } from "../../specs/report/summary.js";
import { renderHtml } from "./html.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";

export interface ReportFiles {
  summary: string;
  junit: string;
  markdown: string;
  html: string;
}

export async function writeReports(runDir: string, summary: Summary, records: readonly HistoryRecord[]): Promise<ReportFiles> {
  const files: ReportFiles = {
    summary: path.join(runDir, "summary.json"),
    junit: path.join(runDir, "junit.xml"),
    markdown: path.join(runDir, "report.md"),
    html: path.join(runDir, "index.html"),
  };
  writeFileSync(files.summary, `${JSON.stringify(Summary.parse(summary), null, 2)}\n`);
  writeFileSync(files.junit, renderJunit(summary));
  writeFileSync(files.markdown, renderMarkdown(summary));
  writeFileSync(files.html, await renderHtml(summary, records));
  return files;
}
