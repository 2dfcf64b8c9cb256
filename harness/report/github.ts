// The `github` reporter: GitHub Actions workflow commands. Each failing check becomes an
// `::error file=…,line=…::` annotation on the scenario file, at the line of the step or check that
// failed; each SKIP a `::notice` saying why it could not judge. The summary table follows for the
// log, and the run's Markdown goes to the job's step summary ($GITHUB_STEP_SUMMARY).
import { appendFileSync } from "node:fs";
import path from "node:path";
import type { CheckResult, ScenarioResult, Summary } from "../../specs/report/summary.js";

/** Where a result's origin (steps.N, checks.N) is written in its scenario file, if it can be told. */
export type LineOf = (file: string, origin: string) => number | undefined;

// Escaping as in GitHub's actions/toolkit (command.ts): a message may not hold raw newlines or
// percent signs; a property value may not hold ':' or ',' either, which would end it early.
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** One workflow command: `::name key=value,…::message`. */
export function command(name: "error" | "warning" | "notice", properties: Record<string, string | number | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(",");
  return `::${name}${props ? ` ${props}` : ""}::${escapeData(message)}`;
}

/**
 * A file as annotations name it: relative to the checked-out repository. A file outside it (the
 * embedded defaults of Grapevine checked out beside it) is still named, relative, so the log says which.
 */
export function workspacePath(file: string, workspace: string): string {
  return path.relative(workspace, path.resolve(file)).split(path.sep).join("/");
}

function annotation(scenario: ScenarioResult, check: CheckResult, workspace: string, lineOf: LineOf): string {
  const file = workspacePath(scenario.file, workspace);
  const line = check.origin ? lineOf(scenario.file, check.origin) : undefined;
  const seed = scenario.seed === undefined ? "" : ` (seed ${scenario.seed})`;
  const title = `${scenario.name} › ${check.name}`;
  return check.verdict === "fail"
    ? command("error", { file, line, title }, `${check.summary}${seed}`)
    : command("notice", { file, line, title: `SKIP ${title}` }, check.summary);
}

/** The annotations for a run: an error per failing check, a notice per SKIP, pointed at their lines. */
export function renderAnnotations(summary: Summary, workspace: string, lineOf: LineOf): string[] {
  return summary.scenarios.flatMap((s) => s.checks.filter((c) => c.verdict === "fail" || c.verdict === "skip").map((c) => annotation(s, c, workspace, lineOf)));
}

/** Appends the Markdown to the step summary file Actions names; outside Actions, says on stderr that there is none. */
export function writeStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = env.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, `${markdown}\n`);
  else process.stderr.write("GITHUB_STEP_SUMMARY is not set: no step summary written\n");
}
