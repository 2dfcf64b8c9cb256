// φ against a reference table computed apart from this code (fixtures/phi/make-table.py), to 1e-9.
import { readFileSync } from "node:fs";
import t from "tap";
import { z } from "zod";
import { ArrivalWindow, IntervalWindow, phi } from "../../../reference-node/core/phi.js";

const Table = z.object({
  cases: z.array(
    z.object({
      name: z.string(),
      settings: z.object({ maxSampleSize: z.number(), minStdDeviationMs: z.number(), acceptablePauseMs: z.number(), firstHeartbeatEstimateMs: z.number() }),
      availableBelow: z.number(),
      arrivals: z.array(z.number()).min(1),
      meanMs: z.number(),
      stdDeviationMs: z.number(),
      // null stands for Infinity, which JSON cannot hold.
      phi: z.array(z.object({ silenceMs: z.number(), phi: z.number().nullable() })),
    }),
  ),
});
const table = Table.parse(JSON.parse(readFileSync("fixtures/phi/reference-table.json", "utf8")));

const TOLERANCE = 1e-9;

function replay(c: z.infer<typeof Table>["cases"][number]): ArrivalWindow {
  const window = new ArrivalWindow(c.settings, c.arrivals[0]!);
  for (const at of c.arrivals.slice(1)) window.arrive(at, c.availableBelow);
  return window;
}

for (const c of table.cases) {
  t.test(`reference table: ${c.name}`, async (t) => {
    const window = replay(c);
    const fitted = window.fitted();
    t.ok(Math.abs(fitted.meanMs - c.meanMs) <= TOLERANCE, `mean ${fitted.meanMs} vs ${c.meanMs}`);
    t.ok(Math.abs(fitted.stdDeviationMs - c.stdDeviationMs) <= TOLERANCE, `deviation ${fitted.stdDeviationMs} vs ${c.stdDeviationMs}`);
    const last = c.arrivals.at(-1)!;
    for (const row of c.phi) {
      const got = window.phiAt(last + row.silenceMs);
      if (row.phi === null) t.equal(got, Infinity, `φ after ${row.silenceMs} ms is infinite`);
      else t.ok(Math.abs(got - row.phi) <= TOLERANCE, `φ after ${row.silenceMs} ms: ${got} vs ${row.phi}`);
    }
  });
}

t.test("φ grows with silence, and is about 1 one deviation past the mean's tail of 10 %", async (t) => {
  let previous = -1;
  for (let ms = 0; ms <= 3000; ms += 10) {
    const value = phi(ms, 1000, 200);
    t.ok(value >= previous, `φ(${ms}) = ${value} ≥ ${previous}`);
    previous = value;
  }
  // P(later than mean + 1.2816 sd) = 10 % for a normal distribution: φ = 1, within the approximation's error.
  t.ok(Math.abs(phi(1000 + 1.2816 * 200, 1000, 200) - 1) < 0.01);
  t.ok(Math.abs(phi(1000, 1000, 200) - Math.log10(2)) < 1e-12, "at the mean, a one-in-two chance");
});

t.test("the crossing is the first millisecond at which φ reaches the threshold", async (t) => {
  const window = new ArrivalWindow({ maxSampleSize: 100, minStdDeviationMs: 20, acceptablePauseMs: 150, firstHeartbeatEstimateMs: 500 }, 1000);
  for (let at = 1500; at <= 10_000; at += 480 + (at % 7) * 10) window.arrive(at, 16);
  for (const threshold of [1, 3, 8, 12]) {
    const at = window.crossingAt(threshold);
    t.ok(window.phiAt(at) >= threshold, `φ at ${at} is ${window.phiAt(at)} ≥ ${threshold}`);
    t.ok(window.phiAt(at - 1) < threshold, `φ a millisecond before is ${window.phiAt(at - 1)} < ${threshold}`);
  }
  t.ok(window.crossingAt(8) < window.crossingAt(12), "a higher threshold is reached later");
});

t.test("the crossing is found when the fitted mean is not a whole number of milliseconds", async (t) => {
  // Seen in a simulation: mean 396.418…, deviation 96.147…; the search used to spin forever.
  const window = new ArrivalWindow({ maxSampleSize: 100, minStdDeviationMs: 1, acceptablePauseMs: 0, firstHeartbeatEstimateMs: 396 }, 0);
  window.arrive(397, 8);
  window.arrive(793, 8);
  t.not(Number.isInteger(window.fitted().meanMs), true, `mean ${window.fitted().meanMs}`);
  const at = window.crossingAt(5);
  t.ok(Number.isInteger(at) && window.phiAt(at) >= 5 && window.phiAt(at - 1) < 5, `crossing at ${at}`);
});

t.test("the window keeps its last intervals only", async (t) => {
  const window = new IntervalWindow(3);
  for (const interval of [1000, 10, 20, 30]) window.add(interval);
  t.equal(window.size, 3);
  t.equal(window.mean, 20);
  t.ok(Math.abs(window.variance - 200 / 3) < 1e-9);
});

t.test("the window slides as a ring: the newest maxSampleSize intervals, oldest first, with their mean and variance", async (t) => {
  const window = new IntervalWindow(3);
  for (const ms of [10, 20, 30]) window.add(ms);
  t.same(window.values(), [10, 20, 30]);
  for (const [ms, kept] of [
    [40, [20, 30, 40]],
    [50, [30, 40, 50]],
    [60, [40, 50, 60]],
    [70, [50, 60, 70]],
  ] as const) {
    window.add(ms);
    t.same(window.values(), kept, `after ${ms}`);
    t.equal(window.size, 3);
    const mean = (kept[0] + kept[1] + kept[2]) / 3;
    t.ok(Math.abs(window.mean - mean) < 1e-9, `mean ${window.mean}`);
    t.ok(Math.abs(window.variance - kept.reduce((v, x) => v + (x - mean) ** 2, 0) / 3) < 1e-9, `variance ${window.variance}`);
  }
});
