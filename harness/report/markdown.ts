// report.md: the run as Markdown, for pull requests and terminals.
import type { Summary } from "../../specs/report/summary.js";

/** Text made safe inside a Markdown table cell: no column break, no line break. */
export const markdownCell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderMarkdown(summary: Summary): string {
  const lines = [
    `# Grapevine run: ${summary.suite} — ${summary.verdict.toUpperCase()}`,
    "",
    `${new Date(summary.startedAt).toISOString()}, ${((summary.finishedAt - summary.startedAt) / 1000).toFixed(1)} s, proxies: ${summary.toxiproxy}${summary.mutant ? `, mutant: ${summary.mutant}` : ""}`,
    "",
    "| verdict | scenario | failed checks | time | seed |",
    "| --- | --- | --- | --- | --- |",
    ...summary.scenarios.map(
      (s) =>
        `| ${s.verdict.toUpperCase()} | ${s.name} | ${s.checks.filter((c) => c.verdict === "fail").length} of ${s.checks.length} | ${(s.durationMs / 1000).toFixed(1)} s | ${s.seed ?? "-"} |`,
    ),
  ];
  for (const s of summary.scenarios) {
    lines.push("", `## ${s.verdict.toUpperCase()} ${s.name}`, "", markdownCell(s.description), "");
    if (s.aborted) lines.push(`Aborted: ${s.aborted}`, "");
    lines.push("| verdict | check | result |", "| --- | --- | --- |");
    for (const c of s.checks) lines.push(`| ${c.verdict.toUpperCase()} | ${markdownCell(c.name)} | ${markdownCell(c.summary)} |`);
    const failing = s.checks.filter((c) => c.verdict === "fail" && c.evidence.length);
    for (const c of failing) {
      lines.push("", `Evidence for ${c.name}:`, "");
      for (const e of c.evidence.slice(0, 20))
        lines.push(`- ${e.atMs !== undefined ? `${(e.atMs / 1000).toFixed(2)} s ` : ""}${e.observer ? `${e.observer}: ` : ""}${e.detail}`);
      const more = c.evidence.length - Math.min(20, c.evidence.length) + (c.evidenceOmitted ?? 0);
      if (more > 0) lines.push(`- … and ${more} more`);
    }
  }
  return `${lines.join("\n")}\n`;
}
