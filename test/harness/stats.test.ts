// One percentile definition for the whole tool (checks, benches, reports).
import t from "tap";
import { percentile } from "../../harness/stats.js";
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
