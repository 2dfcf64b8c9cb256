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
  t.same(
    needs({ check: "detection", args: { node: "n1", confirmedWithin: 500, deadWithin: 1000 } } as never),
    ["suspect"],
    "time from suspicion to death reads suspicion",
  );
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

t.test("an optional bound that needs suspicion is left out and named; the rest of the check is judged", async (t) => {
  const down = (t: number): HistoryRecord => ({ type: "node-down", source: "harness", t, scenario: "s", node: "n2", how: "crash" }) as HistoryRecord;
  const dead: HistoryRecord = {
    type: "transition",
    source: "harness",
    t: 3000,
    scenario: "s",
    observer: "n1",
    id: "n2",
    from: "alive",
    to: "dead",
  } as HistoryRecord;
  const spec = { check: "detection", args: { node: "n2", suspectWithin: 500, deadWithin: 5000 } } as never;
  const serf = [start({ kv: false, suspect: false, incarnation: false }), up("n1"), up("n2"), down(2000), dead];
  const judged = runCheck(spec, serf);
  t.equal(judged.verdict, "pass", judged.summary);
  t.match(judged.summary, /\(suspectWithin not judged: serf does not show it\)$/);
  const quiet = runCheck({ check: "no-false-positives", args: {} } as never, serf);
  t.match(quiet.summary, /\(suspicion in its view not seen: serf does not show it\)$/, "a count of suspicions it cannot see is not read as zero");
  const both = runCheck({ check: "detection", args: { node: "n2", suspectWithin: 500, confirmedWithin: 100, deadWithin: 5000 } } as never, serf);
  t.equal(both.verdict, "pass", both.summary);
  t.match(both.summary, /\(suspectWithin and confirmedWithin not judged: serf does not show it\)$/, "both bounds that read suspicion are named");
  const late = runCheck({ check: "detection", args: { node: "n2", suspectWithin: 500, deadWithin: 500 } } as never, serf);
  t.equal(late.verdict, "fail", "the death bound still holds it to account");
  const reference = runCheck(spec, [start(), up("n1"), up("n2"), down(2000), dead]);
  t.equal(reference.verdict, "fail", "the reference node shows suspicion: no suspicion within 500 ms fails");
});

t.test("a scenario whose every check was skipped is SKIP, not PASS; any failure is FAIL", async (t) => {
  const skip = { name: "a", verdict: "skip" as const, summary: "", evidence: [], metrics: {} };
  const pass = { ...skip, verdict: "pass" as const };
  const fail = { ...skip, verdict: "fail" as const };
  t.equal(scenarioVerdict([skip, skip]), "skip");
  t.equal(scenarioVerdict([skip, pass]), "pass");
  t.equal(scenarioVerdict([skip, fail, pass]), "fail");
});
