// Checks that need what an implementation does not show are SKIP with the reason, never PASS.
import t from "tap";
import type { HistoryRecord } from "../../../specs/history/history.js";
import { runCheck } from "../../../harness/checks/index.js";
import { scenarioVerdict } from "../../../harness/checks/judge.js";
import { needs } from "../../../harness/checks/needs.js";

const start = (shows?: { kv: boolean; suspect: boolean; incarnation: boolean }): HistoryRecord =>
  ({
    type: "scenario-start",
    source: "harness",
    t: 1000,
    scenario: "s",
    nodes: ["n1", "n2"],
    config: {},
    seed: 1,
    toxiproxy: "none",
    file: "s.yaml",
    description: "",
    checks: [],
    proxies: {},
    ...(shows ? { implementation: { name: "serf", shows } } : {}),
  }) as HistoryRecord;
const up = (node: string): HistoryRecord => ({ type: "node-up", source: "harness", t: 1001, scenario: "s", node, addr: "x:1" }) as HistoryRecord;

t.test("what each check needs", async (t) => {
  t.same(needs({ check: "suspicions", args: { max: 0 } } as never), ["suspect"]);
  t.same(needs({ check: "detection", args: { node: "n1", deadWithin: 1000 } } as never), [], "death alone is alive/dead");
  t.same(needs({ check: "detection", args: { node: "n1", suspectWithin: 500, deadWithin: 1000 } } as never), ["suspect"]);
  t.same(needs({ check: "incarnation-order", args: {} } as never), ["incarnation"]);
  t.same(needs({ check: "kv-converged", args: { within: 1 } } as never), ["kv"]);
  t.same(needs({ check: "converged", args: { within: 1 } } as never), []);
});

t.test("an implementation that does not show suspicion: suspicions is SKIP, naming it; converged is still judged", async (t) => {
  const records = [start({ kv: false, suspect: false, incarnation: false }), up("n1"), up("n2")];
  const skipped = runCheck({ check: "suspicions", args: { max: 0 } } as never, records);
  t.equal(skipped.verdict, "skip");
  t.match(skipped.summary, /serf does not show suspicion in its view/);
  t.not(runCheck({ check: "converged", args: { within: 5000 } } as never, records).verdict, "skip");
  const reference = [start(), up("n1"), up("n2")];
  t.not(runCheck({ check: "suspicions", args: { max: 0 } } as never, reference).verdict, "skip", "the reference node shows everything");
});

t.test("a scenario whose every check was skipped is SKIP, not PASS; any failure is FAIL", async (t) => {
  const skip = { name: "a", verdict: "skip" as const, summary: "", evidence: [], metrics: {} };
  const pass = { ...skip, verdict: "pass" as const };
  const fail = { ...skip, verdict: "fail" as const };
  t.equal(scenarioVerdict([skip, skip]), "skip");
  t.equal(scenarioVerdict([skip, pass]), "pass");
  t.equal(scenarioVerdict([skip, fail, pass]), "fail");
});
