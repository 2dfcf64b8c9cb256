// One percentile definition for the whole tool (checks, benches, reports).
import t from "tap";
import { maxOf, percentile } from "../../harness/stats.js";
import { distribution } from "../../harness/bench/compare/measure.js";

t.test("the quantile of sorted values; null for none", async (t) => {
  t.equal(percentile([], 0.5), null);
  t.equal(percentile([7], 0.9), 7);
  t.equal(percentile([100, 200, 300, 400], 0.5), 250, "between the two middle values");
  t.equal(percentile([100, 200, 300, 400], 1), 400);
});

t.test("the bench's distributions use the same definition", async (t) => {
  const d = distribution([400, 100, 300, 200]);
  t.equal(d!.p50, percentile([100, 200, 300, 400], 0.5));
  t.equal(d!.p90, Math.round(percentile([100, 200, 300, 400], 0.9)!));
});

t.test("maxOf: the largest value, at least the floor, for more values than Math.max takes as arguments", async (t) => {
  const many = Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 300_007);
  t.throws(() => Math.max(...many), RangeError, "Math.max(...values) fails at this size");
  t.equal(
    maxOf(many),
    many.reduce((a, b) => (a > b ? a : b)),
    "the largest of 300,000",
  );
  t.equal(maxOf([], 100), 100, "the floor for none");
  t.equal(maxOf([3, 9, 4], 5), 9);
  t.equal(maxOf([1, 2], 5), 5, "the floor when all are below it");
  t.equal(maxOf([]), -Infinity, "as Math.max() with no values");
});
