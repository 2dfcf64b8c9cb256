// What `grapevine run` prints on stdout, by --reporter: a summary table, TAP, the JSON summary, JUnit, or GitHub annotations.
import { stringify } from "yaml";
import type { CheckResult, Summary } from "../../specs/report/summary.js";
import { originLines } from "../scenario/load.js";
import { renderAnnotations, writeStepSummary } from "./github.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";
import type { ReporterName } from "./reporters.js";

function table(summary: Summary, indexHtml: string): string {
  const width = Math.max(8, ...summary.scenarios.map((s) => s.name.length));
  const lines = ["", `${"scenario".padEnd(width)}  verdict  failed    time  seed`];
  for (const s of summary.scenarios) {
    const failed = s.checks.filter((c) => c.verdict === "fail");
    const time = `${(s.durationMs / 1000).toFixed(1)}s`.padStart(6);
    lines.push(`${s.name.padEnd(width)}  ${s.verdict.toUpperCase().padEnd(7)}  ${String(failed.length).padStart(6)}  ${time}  ${s.seed ?? "-"}`);
    for (const c of failed) lines.push(`${"".padEnd(width)}    ✗ ${c.name}: ${c.summary}`);
    for (const c of s.checks.filter((c) => c.verdict === "skip")) lines.push(`${"".padEnd(width)}    - SKIP ${c.name}: ${c.summary}`);
  }
  const passed = summary.scenarios.filter((s) => s.verdict === "pass").length;
  const skipped = summary.scenarios.filter((s) => s.verdict === "skip").length;
  const tested = summary.implementation && summary.implementation !== "reference" ? ` on ${summary.implementation}` : "";
  lines.push(
    "",
    `${passed} of ${summary.scenarios.length} scenarios passed${skipped ? `, ${skipped} skipped` : ""}${tested}${summary.mutant ? ` (mutant: ${summary.mutant})` : ""}`,
    `report: ${indexHtml}`,
    "",
  );
  return lines.join("\n");
}

/** A TAP YAML diagnostic block (TAP 14: `---` … `...`, indented under its test point). */
function yamlBlock(value: object, indent: string): string[] {
  const body = stringify(value, { lineWidth: 0 }).trimEnd().split("\n");
  return [`${indent}---`, ...body.map((line) => `${indent}${line}`), `${indent}...`];
}

/** What a check's test point carries: its verdict, summary, measures and evidence (failed checks' evidence in full as kept). */
function checkDiagnostic(c: CheckResult): object {
  return {
    verdict: c.verdict,
    summary: c.summary,
    ...(Object.keys(c.metrics).length ? { metrics: c.metrics } : {}),
    ...(c.durationMs === undefined ? {} : { durationMs: c.durationMs }),
    ...(c.evidence.length ? { evidence: c.evidence } : {}),
    ...(c.evidenceOmitted ? { evidenceOmitted: c.evidenceOmitted } : {}),
  };
}

function tap(summary: Summary): string {
  const lines = ["TAP version 14", `1..${summary.scenarios.length}`];
  summary.scenarios.forEach((s, i) => {
    lines.push(`# Subtest: ${s.name}`, `    1..${s.checks.length}`);
    s.checks.forEach((c, j) => {
      lines.push(
        `    ${c.verdict === "fail" ? "not ok" : "ok"} ${j + 1} - ${c.name}: ${c.summary.replace(/#/g, "\\#")}${c.verdict === "skip" ? " # SKIP" : ""}`,
      );
      lines.push(...yamlBlock(checkDiagnostic(c), "      "));
    });
    lines.push(`${s.verdict === "fail" ? "not ok" : "ok"} ${i + 1} - ${s.name}${s.verdict === "skip" ? " # SKIP" : ""}`);
    lines.push(
      ...yamlBlock(
        { file: s.file, ...(s.seed === undefined ? {} : { seed: s.seed }), durationMs: s.durationMs, ...(s.aborted ? { aborted: s.aborted } : {}) },
        "  ",
      ),
    );
  });
  return `${lines.join("\n")}\n`;
}

/**
 * What --reporter prints for a run. github: the annotations, then the table for the log (the step
 * summary is written by writeStepSummary); annotation paths are relative to $GITHUB_WORKSPACE, else
 * to the working directory.
 */
export function renderTerminal(reporter: ReporterName, summary: Summary, indexHtml: string, env: NodeJS.ProcessEnv = process.env): string {
  switch (reporter) {
    case "default":
      return table(summary, indexHtml);
    case "github":
      return [...renderAnnotations(summary, env.GITHUB_WORKSPACE ?? process.cwd(), originLines()), table(summary, indexHtml)].join("\n");
    case "tap":
      return tap(summary);
    case "json":
      return `${JSON.stringify(summary, null, 2)}\n`;
    case "junit":
      return renderJunit(summary);
  }
}

/** Prints the run as --reporter says; under github it also appends the run's Markdown to the step summary. */
export function printReport(reporter: ReporterName, summary: Summary, indexHtml: string, env: NodeJS.ProcessEnv = process.env): void {
  process.stdout.write(renderTerminal(reporter, summary, indexHtml, env));
  if (reporter === "github") writeStepSummary(renderMarkdown(summary), env);
}
