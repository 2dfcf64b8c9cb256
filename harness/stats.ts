// The tool's one definition of a percentile, used by checks, benchmarks and reports alike, so that a
// p90 means the same thing in every table: simple-statistics' quantile of sorted values.
import { quantileSorted } from "simple-statistics";

/** The p-quantile (0 ≤ p ≤ 1) of values sorted ascending; null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  return sorted.length === 0 ? null : quantileSorted(sorted as number[], p);
}
