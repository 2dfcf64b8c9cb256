// Verdicts by level, and the reporters over one typed result: console summary, junit, HTML matrix, catalogue page.
import t from "tap";
import { renderCatalogue } from "../../../harness/conformance/report/catalogue-markdown.js";
import { renderConformanceHtml } from "../../../harness/conformance/report/html.js";
import { renderConformanceJunit } from "../../../harness/conformance/report/junit.js";
import { junitErrors } from "../report/junit-xsd.js";
import { renderSummary } from "../../../harness/conformance/report/terminal.js";
import { selects, verdictOf } from "../../../harness/conformance/runner.js";
import { REQUIREMENTS } from "../../../specs/requirements/catalogue.js";
import { ConformanceReport } from "../../../specs/conformance/result.js";

t.test("a failed MUST is FAIL, a failed SHOULD NON-STRICT; info and skip pass through", async (t) => {
  t.equal(verdictOf({ requirement: "SWIM-PING-1", outcome: "fail", expected: "", actual: "" }), "FAIL");
  t.equal(verdictOf({ requirement: "SWIM-PINGREQ-2", outcome: "fail", expected: "", actual: "" }), "NON-STRICT");
  t.equal(verdictOf({ requirement: "SWIM-PINGREQ-2", outcome: "pass", expected: "", actual: "" }), "PASS");
  t.equal(verdictOf({ requirement: "SWIM-PING-1", outcome: "skip", expected: "", actual: "" }), "SKIP");
  t.equal(verdictOf({ requirement: "SWIM-PING-1", outcome: "info", expected: "", actual: "" }), "INFO");
  t.throws(() => verdictOf({ requirement: "NOPE-1", outcome: "pass", expected: "", actual: "" }), /no requirement NOPE-1/);
});

t.test("--only selects whole IDs or dash-separated prefixes", async (t) => {
  t.ok(selects([], "SWIM-PING-1"));
  t.ok(selects(["SWIM-PING"], "SWIM-PING-1"));
  t.notOk(selects(["SWIM-PING"], "SWIM-PINGREQ-1"), "a prefix stops at a dash");
  t.ok(selects(["MERGE"], "MERGE-ALIVE-DEAD-HIGHER"));
  t.notOk(selects(["KV-AE-1"], "KV-AE-2"));
});

const report = ConformanceReport.parse({
  tool: "grapevine conformance",
  startedAt: 1_000,
  finishedAt: 31_000,
  seed: 5,
  generated: 500,
  verdict: "fail",
  implementations: [
    {
      name: "reference",
      wire: "127.0.0.1:1",
      protocol: "grapevine-swim/1",
      mustFailures: 0,
      durationMs: 20_000,
      cases: [
        {
          id: "SWIM-PING-1",
          requirement: "SWIM-PING-1",
          level: "MUST",
          verdict: "PASS",
          expected: "ack seq 1",
          actual: "ack seq 1",
          durationMs: 10,
          wireLog: "wire/reference/ping.ndjson",
        },
        { id: "SWIM-PINGREQ-2", requirement: "SWIM-PINGREQ-2", level: "SHOULD", verdict: "NON-STRICT", expected: "nack", actual: "closed", durationMs: 10 },
      ],
    },
    {
      name: "reference:no-refute",
      wire: "127.0.0.1:2",
      mustFailures: 1,
      durationMs: 20_000,
      cases: [
        { id: "SWIM-PING-1", requirement: "SWIM-PING-1", level: "MUST", verdict: "PASS", expected: "ack", actual: "ack", durationMs: 10 },
        {
          id: "SWIM-REFUTE-1",
          requirement: "SWIM-REFUTE-1",
          level: "MUST",
          verdict: "FAIL",
          expected: "alive(sut) > 0",
          actual: "no refutation <heard>",
          durationMs: 10,
          wireLog: "wire/x/refute.ndjson",
        },
      ],
    },
  ],
});

t.test("console: each failure with its requirement sentence, expected and actual; counts per implementation", async (t) => {
  const text = renderSummary(report, "r/index.html");
  t.match(
    text,
    /1\) SWIM-REFUTE-1 \[MUST\] FAIL\n\s+A node that hears itself suspected.*\n\s+expected: alive\(sut\) > 0\n\s+actual: no refutation <heard>\n\s+wire log: wire\/x\/refute\.ndjson/,
  );
  t.match(text, /1\) SWIM-PINGREQ-2 \[SHOULD\] NON-STRICT/);
  t.match(text, /reference: 1 passed, 0 failed, 1 non-strict, 0 info, 0 skipped/);
  t.match(text, /some MUST failed; report: r\/index\.html/);
});

t.test("junit: a suite per implementation, failures as <failure>, valid against the JUnit schema", async (t) => {
  const xml = renderConformanceJunit(report);
  t.same(await junitErrors(xml), [], "fixtures/junit/junit.xsd accepts it");
  t.match(xml, /<testsuites name="grapevine conformance" tests="4" failures="1"/);
  t.match(xml, /<testsuite name="reference:no-refute" tests="2" failures="1"/);
  t.match(xml, /<failure message="SWIM-REFUTE-1: no refutation &lt;heard&gt;">expected: alive\(sut\) &gt; 0/);
});

t.test("html: the matrix has a column per implementation and links cells to wire logs; text is escaped", async (t) => {
  const html = renderConformanceHtml(report);
  t.match(html, /<th>reference<\/th><th>reference:no-refute<\/th>/);
  t.match(
    html,
    /<code>SWIM-REFUTE-1<\/code><\/td><td>MUST<\/td>.*<td>—<\/td><td class="v" style="background:#cf222e"[^>]*><a href="wire\/x\/refute\.ndjson">FAIL<\/a>/,
  );
  t.match(html, /no refutation &lt;heard&gt;/);
  t.notMatch(html, /<heard>/);
});

t.test("--list: every requirement in the Markdown catalogue", async (t) => {
  const md = renderCatalogue();
  for (const r of REQUIREMENTS) t.ok(md.includes(`| \`${r.id}\` | ${r.level} |`), r.id);
  t.match(md, /## Merging updates/);
});
