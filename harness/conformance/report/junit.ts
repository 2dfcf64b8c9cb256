// junit.xml for conformance: a testsuite per implementation, a testcase per case, in the JUnit format
// fixtures/junit/junit.xsd describes (the same as `run`'s).
import { create } from "xmlbuilder2";
import type { ConformanceReport } from "../../../specs/conformance/result.js";

export function renderConformanceJunit(report: ConformanceReport): string {
  const all = report.implementations.flatMap((i) => i.cases);
  const root = create({ version: "1.0", encoding: "UTF-8" }).ele("testsuites", {
    name: "grapevine conformance",
    tests: all.length,
    failures: all.filter((c) => c.verdict === "FAIL").length,
    errors: 0,
    skipped: all.filter((c) => c.verdict === "SKIP").length,
    time: ((report.finishedAt - report.startedAt) / 1000).toFixed(3),
  });
  for (const impl of report.implementations) {
    const suite = root.ele("testsuite", {
      name: impl.name,
      tests: impl.cases.length,
      failures: impl.cases.filter((c) => c.verdict === "FAIL").length,
      errors: 0,
      skipped: impl.cases.filter((c) => c.verdict === "SKIP").length,
      time: (impl.durationMs / 1000).toFixed(3),
    });
    for (const c of impl.cases) {
      const testcase = suite.ele("testcase", {
        classname: `conformance.${impl.name}.${c.requirement.split("-")[0]}`,
        name: `${c.id} [${c.level}]`,
        time: (c.durationMs / 1000).toFixed(3),
      });
      const text = `expected: ${c.expected}\nactual: ${c.actual}\nwire log: ${c.wireLog ?? "-"}`;
      if (c.verdict === "FAIL") testcase.ele("failure", { message: `${c.id}: ${c.actual}` }).txt(text);
      else if (c.verdict === "SKIP") testcase.ele("skipped", { message: c.actual });
      else testcase.ele("system-out").txt(`${c.verdict}\n${text}`);
    }
  }
  return root.end({ prettyPrint: true });
}
