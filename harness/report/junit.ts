// junit.xml: a testsuite per scenario, a testcase per check, for CI systems. It keeps to the JUnit
// format CI servers read (fixtures/junit/junit.xsd checks it): counts of failures, errors and
// skips on every suite, a time on every testcase, a timestamp without a zone (UTC here), SKIP as
// <skipped>, INFO as system-out saying so, and the run's seed and settings as properties.
import { create } from "xmlbuilder2";
import type { CheckResult, ScenarioResult, Summary } from "../../specs/report/summary.js";

const seconds = (ms: number) => (ms / 1000).toFixed(3);
/** JUnit's timestamp: ISO 8601 to the second, no zone (the Ant format); Grapevine's are UTC. */
const timestamp = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 19);
const count = (checks: CheckResult[], verdict: CheckResult["verdict"]) => checks.filter((c) => c.verdict === verdict).length;

function evidenceText(c: CheckResult): string {
  return [
    ...c.evidence.map((e) => `${e.atMs ?? ""} ${e.observer ?? ""} ${e.detail}`.trim()),
    ...(c.evidenceOmitted ? [`… and ${c.evidenceOmitted} more of the same kind (not kept)`] : []),
  ].join("\n");
}

/** What a scenario ran with, for the suite's properties: enough to run it again. */
function properties(summary: Summary, s: ScenarioResult): [string, string][] {
  return [
    ["file", s.file],
    ...(s.seed === undefined ? [] : [["seed", String(s.seed)] as [string, string]]),
    ...(summary.implementation ? [["implementation", summary.implementation] as [string, string]] : []),
    ...(summary.runtime ? [["runtime", summary.runtime] as [string, string]] : []),
    ...(summary.faults ? [["faults", summary.faults] as [string, string]] : []),
    ...(s.aborted ? [["aborted", s.aborted] as [string, string]] : []),
  ];
}

export function renderJunit(summary: Summary): string {
  const all = summary.scenarios.flatMap((s) => s.checks);
  const root = create({ version: "1.0", encoding: "UTF-8" }).ele("testsuites", {
    name: `grapevine ${summary.suite}`,
    tests: all.length,
    failures: count(all, "fail"),
    errors: 0,
    skipped: count(all, "skip"),
    time: seconds(summary.finishedAt - summary.startedAt),
  });
  for (const s of summary.scenarios) {
    const suite = root.ele("testsuite", {
      name: s.name,
      tests: s.checks.length,
      failures: count(s.checks, "fail"),
      errors: 0,
      skipped: count(s.checks, "skip"),
      time: seconds(s.durationMs),
      timestamp: timestamp(s.startedAt),
    });
    const props = suite.ele("properties");
    for (const [name, value] of properties(summary, s)) props.ele("property", { name, value });
    for (const c of s.checks) {
      const testcase = suite.ele("testcase", { classname: `grapevine.${s.name}`, name: c.name, time: seconds(c.durationMs ?? 0) });
      if (c.verdict === "fail") testcase.ele("failure", { message: c.summary, type: "check" }).txt(evidenceText(c));
      else if (c.verdict === "skip") testcase.ele("skipped", { message: c.summary });
      else if (c.verdict === "info") testcase.ele("system-out").txt(`INFO (reported, neither pass nor fail): ${c.summary}`);
      else testcase.ele("system-out").txt(c.summary);
    }
  }
  return root.end({ prettyPrint: true });
}
