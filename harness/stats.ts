// The tool's one definition of a percentile, used by checks, benchmarks and reports alike, so that a
// p90 means the same thing in every table: simple-statistics' quantile of sorted values.
import { quantileSorted } from "simple-statistics";

/** The p-quantile (0 ≤ p ≤ 1) of values sorted ascending; null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  return sorted.length === 0 ? null : quantileSorted(sorted as number[], p);
}

/**
 * The largest of `values` (at least `floor`). Math.max(...values) throws a RangeError past about
 * 100,000 values, which a history of a thousand nodes reaches (every write at every node).
 */
export function maxOf(values: Iterable<number>, floor = -Infinity): number {
  let max = floor;
  for (const v of values) if (v > max) max = v;
  return max;
}
