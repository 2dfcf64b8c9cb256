// junit.xml: a testsuite per scenario, a testcase per check, for CI systems.
import { create } from "xmlbuilder2";
import type { Summary } from "../../specs/report/summary.js";

export function renderJunit(summary: Summary): string {
  const root = create({ version: "1.0", encoding: "UTF-8" }).ele("testsuites", {
    name: `grapevine ${summary.suite}`,
    tests: summary.scenarios.reduce((n, s) => n + s.checks.length, 0),
    failures: summary.scenarios.reduce((n, s) => n + s.checks.filter((c) => c.verdict === "fail").length, 0),
    time: ((summary.finishedAt - summary.startedAt) / 1000).toFixed(3),
  });
  for (const s of summary.scenarios) {
    const suite = root.ele("testsuite", {
      name: s.name,
      tests: s.checks.length,
      failures: s.checks.filter((c) => c.verdict === "fail").length,
      time: (s.durationMs / 1000).toFixed(3),
      timestamp: new Date(s.startedAt).toISOString(),
    });
    for (const c of s.checks) {
      const testcase = suite.ele("testcase", { classname: `grapevine.${s.name}`, name: c.name });
      if (c.verdict === "fail") {
        testcase
          .ele("failure", { message: c.summary })
          .txt(
            [
              ...c.evidence.map((e) => `${e.atMs ?? ""} ${e.observer ?? ""} ${e.detail}`.trim()),
              ...(c.evidenceOmitted ? [`… and ${c.evidenceOmitted} more of the same kind (not kept)`] : []),
            ].join("\n"),
          );
      } else if (c.verdict === "skip") {
        testcase.ele("skipped", { message: c.summary });
      } else {
        testcase.ele("system-out").txt(c.summary);
      }
    }
  }
  return root.end({ prettyPrint: true });
}
