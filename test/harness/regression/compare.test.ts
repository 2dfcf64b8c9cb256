// The comparison's rules, on summaries built here: which verdict changes and which measure changes
// are regressions, the thresholds, and what cannot be compared.
import t from "tap";
import type { Summary } from "../../../specs/report/summary.js";
import { compare, CompareError, DEFAULT_THRESHOLDS, measureChange } from "../../../harness/regression/compare.js";
import { flattenRun, flattenTradeoff } from "../../../harness/regression/measures.js";
import type { TradeoffBench } from "../../../harness/bench/tradeoff/plan.js";

const T = DEFAULT_THRESHOLDS;

t.test("latency: slower past both the share and the ms regresses; within either is noise", async (t) => {
  t.equal(measureChange("latency", 4000, 5600, T), "regressed", "+40 %, +1600 ms");
  t.equal(measureChange("latency", 8000, 9600, T), "unchanged", "+20 %: within the share");
  t.equal(measureChange("latency", 200, 800, T), "unchanged", "+300 % but +600 ms: within the spread of two seeds");
  t.equal(measureChange("latency", 1300, 1100, T), "unchanged", "−200 ms");
  t.equal(measureChange("latency", 6000, 3000, T), "improved");
  t.equal(measureChange("latency", 1000, null, T), "regressed", "detected before, never now");
  t.equal(measureChange("latency", null, 1000, T), "improved");
  t.equal(measureChange("latency", 1000, 1120, { ...T, slowerShare: 0.1, slowerMs: 100 }), "regressed", "thresholds are the caller's");
});

t.test("false deaths: up by more than the allowance per member-hour regresses", async (t) => {
  t.equal(measureChange("false-positives", 0, 1, T), "unchanged", "one more per member-hour is allowed by default");
  t.equal(measureChange("false-positives", 0, 1.5, T), "regressed");
  t.equal(measureChange("false-positives", 0, 0.5, { ...T, falsePositivesPerMemberHour: 0 }), "regressed");
  t.equal(measureChange("false-positives", 12, 3, T), "improved");
});

function run(checks: { scenario: string; name: string; verdict: "pass" | "fail" | "info" | "skip"; metrics?: Record<string, number | null> }[]): Summary {
  const names = [...new Set(checks.map((c) => c.scenario))];
  return {
    suite: "t",
    startedAt: 0,
    finishedAt: 1,
    verdict: "pass",
    toxiproxy: "embedded",
    scenarios: names.map((name) => ({
      name,
      file: `${name}.yaml`,
      description: "",
      verdict: "pass",
      startedAt: 0,
      durationMs: 1,
      checks: checks.filter((c) => c.scenario === name).map((c) => ({ name: c.name, verdict: c.verdict, summary: "", evidence: [], metrics: c.metrics ?? {} })),
      metrics: {},
    })),
  };
}

t.test("verdicts: a check that stops passing, stops judging or is gone regresses; one added does not", async (t) => {
  const base = run([
    { scenario: "a", name: "detection n3", verdict: "pass", metrics: { allDeadMs: 1000, deadVerdicts: 4 } },
    { scenario: "a", name: "converged", verdict: "pass" },
    { scenario: "b", name: "rejoined n2", verdict: "pass" },
    { scenario: "b", name: "heal", verdict: "fail" },
    { scenario: "c", name: "flaps", verdict: "info" },
    { scenario: "c", name: "never-dead n1", verdict: "pass" },
    { scenario: "a", name: "step 4: expect detection n3", verdict: "pass", metrics: { allDeadMs: 1000 } },
  ]);
  const now = run([
    { scenario: "a", name: "detection n3", verdict: "pass", metrics: { allDeadMs: 3000, deadVerdicts: 40 } },
    { scenario: "a", name: "converged", verdict: "pass" },
    { scenario: "b", name: "rejoined n2", verdict: "fail" },
    { scenario: "b", name: "heal", verdict: "pass" },
    { scenario: "c", name: "flaps", verdict: "skip" },
    { scenario: "d", name: "exits", verdict: "pass" },
    { scenario: "a", name: "step 4: expect detection n3", verdict: "fail", metrics: { allDeadMs: 3000 } },
  ]);
  const c = compare(flattenRun(base), flattenRun(now));
  const change = (name: string) => c.verdicts.find((v) => v.name === name)?.change;
  t.equal(change("b › rejoined n2"), "regressed");
  t.equal(change("b › heal"), "improved");
  t.equal(change("c › flaps"), "regressed", "info → skip: it no longer judges");
  t.equal(change("c › never-dead n1"), "gone");
  t.equal(change("d › exits"), "added");
  t.equal(change("a › converged"), "unchanged");
  t.equal(change("a › step 4: expect detection n3"), undefined, "a step's expectation repeats its check: judged once");
  const measure = (name: string) => c.measures.find((m) => m.name === name);
  t.match(measure("a › detection n3 › allDeadMs"), { base: 1000, run: 3000, change: "regressed" });
  t.equal(measure("a › detection n3 › deadVerdicts"), undefined, "counts are not judged measures");
  t.match(measure("all scenarios › detection (all dead) p50"), { base: 1000, run: 3000, change: "regressed" });
  t.equal(c.regressions, 6, "rejoined, flaps, never-dead gone, and three detection measures (the check's, the run's p50 and p90)");
  t.equal(compare(flattenRun(base), flattenRun(base)).regressions, 0, "a run against itself");
});

t.test("only like with like: a run and a bench cannot be compared", async (t) => {
  const bench: TradeoffBench = { runtime: "sim", nodes: 5, quietMs: 1, crashes: 1, implementations: [], rows: [] };
  t.throws(() => compare(flattenRun(run([])), flattenTradeoff(bench)), CompareError);
  t.throws(
    () => compare(flattenTradeoff(bench), flattenTradeoff({ ...bench, runtime: "process" })),
    /bench tradeoff \(sim\) cannot be compared with a bench tradeoff \(process\)/,
  );
});
