// Bench arithmetic and reports: distributions, the SWIM expectation, failed trials kept and said, seeded victims.
import t from "tap";
import { referenceImplementation } from "../../../harness/adapters/implementation.js";
import { detectionExpectation, distribution, holdPaused, pauseWatchMs, periodsToFirstProbe, seededRandom } from "../../../harness/bench/compare/measure.js";
import { cdfSpec, renderBenchMarkdown } from "../../../harness/bench/compare/report.js";
import { BenchSummary, type DetectionTrial } from "../../../specs/bench/summary.js";

t.test("distribution: percentiles over the trials that produced a value", async (t) => {
  t.same(distribution([null, null]), null);
  t.same(distribution([400, 100, null, 300, 200]), { n: 4, p50: 250, p90: 370, p99: 397, max: 400 }, "interpolated between ranks");
});

t.test("the same seed picks the same victims and phases", async (t) => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  const c = seededRandom(8);
  const first = [a(), a(), a()];
  t.same([b(), b(), b()], first);
  t.notSame([c(), c(), c()], first);
  t.ok(first.every((x) => x >= 0 && x < 1));
});

t.test("SWIM's expectation from the declared timing (memberlist LAN, 8 nodes)", async (t) => {
  const e = detectionExpectation(referenceImplementation(), 8);
  t.equal(e.suspicionMinMs, 4000, "4 · max(1, log10 8) · 1000 ms");
  t.equal(e.suspicionMaxMs, 24000, "six times the minimum");
  t.ok(e.firstSuspectMeanMs > 1500 && e.firstSuspectMeanMs < 2200, `${e.firstSuspectMeanMs} ms: ≈ 1.6 periods to the first probe + ½`);
});

/** A one-implementation detection bench of these trials, its distributions computed as the bench computes them. */
function detectionSummary(trials: DetectionTrial[]) {
  return BenchSummary.parse({
    tool: "grapevine bench",
    kind: "detection",
    startedAt: 0,
    finishedAt: 1,
    seed: 1,
    pollMs: 100,
    implementations: [
      {
        name: "x",
        description: "d",
        version: "1",
        timing: { source: "s", probeIntervalMs: 1000 },
        showsSuspect: true,
        detection: {
          nodes: 5,
          trials,
          firstSuspect: distribution(trials.map((tr) => tr.firstSuspectMs)),
          firstDead: distribution(trials.map((tr) => tr.firstDeadMs)),
          allDead: distribution(trials.map((tr) => tr.allDeadMs)),
          expectation: { firstSuspectMeanMs: 1700, suspicionMinMs: 4000, suspicionMaxMs: 24000 },
        },
      },
    ],
  });
}

t.test("a trial that could not run is kept in the results and said in the report", async (t) => {
  const summary = detectionSummary([
    { victim: "n2", firstSuspectMs: 1000, firstDeadMs: 5000, allDeadMs: 5100 },
    { victim: "-", firstSuspectMs: null, firstDeadMs: null, allDeadMs: null, error: "5 nodes did not all see each other alive within 30 s" },
  ]);
  const md = renderBenchMarkdown(summary);
  t.match(md, /\| first-dead \| 1 of 1 \| 5000 \| 5000 \| 5000 \| 5000 \|/, "n of the trials that ran");
  t.match(md, /1 trial\(s\) could not run: 5 nodes did not all see each other alive/);
  const spec = cdfSpec(summary, "firstDead", "first-dead") as unknown as { layer: { data: { values: { ms: number }[] } }[] };
  t.same(
    spec.layer[0]!.data.values.map((v) => v.ms),
    [5000],
    "the failed trial is not plotted",
  );
});

t.test("a trial that ran but never reached a state is counted: n of N in the table, a note, a CDF that stays below 1", async (t) => {
  const trials = [
    { victim: "n2", firstSuspectMs: 1000, firstDeadMs: 5000, allDeadMs: 5100 },
    { victim: "n3", firstSuspectMs: 1200, firstDeadMs: 5200, allDeadMs: null },
  ];
  const summary = detectionSummary(trials);
  const md = renderBenchMarkdown(summary);
  t.match(md, /\| all-dead \| 1 of 2 \| 5100 \|/);
  t.match(md, /all-dead: 1 of 2 trial\(s\) that ran never reached it while watched/);
  const spec = cdfSpec(summary, "allDead", "all-dead") as unknown as { layer: { data: { values: { implementation: string; fraction: number }[] } }[] };
  t.same(spec.layer[0]!.data.values, [{ implementation: "x (1 of 2)", ms: 5100, fraction: 0.5 }]);
});

t.test("periods to the first probe of a dead member: round-robin and random targets, each as SWIM derives it", async (t) => {
  // 8 nodes, M = 7 probers: random 1 / (1 − (6/7)^7); round-robin Σ_{k=1..7} ((8 − k)/7)^7.
  t.equal(periodsToFirstProbe(8, "random").toFixed(4), (1 / (1 - (6 / 7) ** 7)).toFixed(4));
  t.equal(periodsToFirstProbe(8, "round-robin").toFixed(3), "1.457");
  t.equal(periodsToFirstProbe(2, "round-robin"), 1, "one prober, one other member: probed next period");
  t.ok(periodsToFirstProbe(1000, "round-robin") < periodsToFirstProbe(1000, "random"), "round-robin's turn can never be skipped");
  t.ok(Math.abs(periodsToFirstProbe(10_000, "random") - Math.E / (Math.E - 1)) < 1e-3, "→ e/(e−1)");
  const declared = detectionExpectation({ ...referenceImplementation(), timing: { ...referenceImplementation().timing, probeOrder: "round-robin" } }, 8);
  const undeclared = detectionExpectation({ ...referenceImplementation(), timing: { ...referenceImplementation().timing, probeOrder: undefined } }, 8);
  t.equal(declared.firstSuspectMeanMs, Math.round(1000 * (periodsToFirstProbe(8, "round-robin") + 0.5)), "the declared order is used");
  t.equal(undeclared.probeOrder, "random (not declared)", "an undeclared order is said");
  t.equal(referenceImplementation().timing.probeOrder, "round-robin", "the reference node declares what it does");
});

t.test("a pause is held on its own timer, not the poll loop's, and watched for the longest suspicion after", async (t) => {
  const calls: [string, number][] = [];
  const started = performance.now();
  const node = { pause: () => calls.push(["pause", performance.now() - started]), resume: () => calls.push(["resume", performance.now() - started]) };
  const hold = holdPaused(node, 150);
  // A poll loop that would have noticed the pause's end only at 400 ms: the resume does not wait for it.
  await new Promise((resolve) => setTimeout(resolve, 400));
  hold.resumeNow();
  const held = await hold.resumed;
  t.same(
    calls.map(([c]) => c),
    ["pause", "resume"],
    "resumed once",
  );
  t.ok(held >= 149 && calls[1]![1] < 390, `held ${Math.round(held)} ms, resumed at ${Math.round(calls[1]![1])} ms, before the slow poll`);
  const reference = referenceImplementation();
  const { suspicionMaxMs } = detectionExpectation(reference, 5);
  t.ok(
    pauseWatchMs(reference, 5) > suspicionMaxMs,
    `watched ${pauseWatchMs(reference, 5)} ms after the resume, beyond the ${suspicionMaxMs} ms longest suspicion`,
  );
});
