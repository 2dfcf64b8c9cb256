// The matrix report: scenarios × implementations, each cell the verdict linking to its run.
import t from "tap";
import { buildMatrix, renderMatrixHtml } from "../../../harness/report/matrix.js";
import type { Summary } from "../../../specs/report/summary.js";

const summary = (verdicts: Record<string, "pass" | "fail" | "skip">): Summary => ({
  suite: "scenarios",
  startedAt: 0,
  finishedAt: 1,
  verdict: "pass",
  toxiproxy: "embedded",
  scenarios: Object.entries(verdicts).map(([name, verdict]) => ({
    name,
    file: `${name}.yaml`,
    description: "",
    verdict,
    startedAt: 0,
    durationMs: 1,
    checks: verdict === "pass" ? [] : [{ name: "heal", verdict: verdict === "fail" ? "fail" : "skip", summary: `why ${name}`, evidence: [], metrics: {} }],
    metrics: {},
  })),
});

t.test("rows are every scenario any implementation ran; cells link to that implementation's report", async (t) => {
  const matrix = buildMatrix([
    { label: "reference", summary: summary({ "crash-detection": "pass", "partition-heal": "pass" }), html: "reference/index.html" },
    { label: "memberlist", summary: summary({ "crash-detection": "pass", "partition-heal": "fail" }), html: "memberlist/index.html" },
    { label: "serf", summary: summary({ "crash-detection": "skip" }), html: "serf/index.html" },
  ]);
  t.same(matrix.implementations, ["reference", "memberlist", "serf"]);
  t.same(
    matrix.rows.map((r) => [r.scenario, ...r.cells.map((c) => c.verdict)]),
    [
      ["crash-detection", "pass", "pass", "skip"],
      ["partition-heal", "pass", "fail", "not run"],
    ],
  );
  t.equal(matrix.rows[1]!.cells[1]!.href, "memberlist/index.html#partition-heal");
  t.same(matrix.rows[1]!.cells[1]!.failed, ["heal: why partition-heal"], "a failure says why in the cell");
  const html = renderMatrixHtml(matrix);
  t.match(html, /<td class="fail"><a href="memberlist\/index.html#partition-heal">FAIL<\/a><div class="why">heal: why partition-heal<\/div><\/td>/);
});
