// φ's crossing time is solved in closed form (a cubic) and fixed up to the whole millisecond. It must
// give exactly what searching φ itself gives: the first whole millisecond at which φ reaches the threshold.
import fc from "fast-check";
import t from "tap";
import { firstCrossingMs, phi, phiCrossingMs } from "../../../specs/protocol/phi.js";

function searched(threshold: number, meanMs: number, stdDeviationMs: number): number {
  return firstCrossingMs((ms) => phi(ms, meanMs, stdDeviationMs), threshold, meanMs);
}

t.test("the closed form lands on the millisecond the search finds", async (t) => {
  fc.assert(
    fc.property(
      fc.double({ min: 0.01, max: 40, noNaN: true }),
      fc.double({ min: 1, max: 60_000, noNaN: true }),
      fc.double({ min: 0.5, max: 20_000, noNaN: true }),
      (threshold, meanMs, stdDeviationMs) => phiCrossingMs(threshold, meanMs, stdDeviationMs) === searched(threshold, meanMs, stdDeviationMs),
    ),
    { numRuns: 20_000, seed: 1 },
  );
  t.pass("20,000 random thresholds, means and deviations agree");
});

t.test("the settings the reference node and the scenarios use", async (t) => {
  for (const [threshold, mean, deviation] of [
    [5, 800, 50],
    [8, 800, 50],
    [8, 200, 20],
    [16, 3200, 100],
    [0.2, 800, 50], // at or below log10 2 the crossing is before the mean: the search answers
    [1e-9, 800, 50],
  ] as const) {
    const ms = phiCrossingMs(threshold, mean, deviation);
    t.equal(ms, searched(threshold, mean, deviation), `φ ${threshold}, mean ${mean}, deviation ${deviation}: ${ms} ms`);
    t.ok(phi(ms, mean, deviation) >= threshold, "φ has reached the threshold there");
    if (ms > 1) t.ok(phi(ms - 1, mean, deviation) < threshold, "and had not a millisecond before");
  }
});
