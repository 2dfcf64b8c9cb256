// `grapevine compare BASE RUN`: two runs (or two benches) side by side; exit 1 on a regression.
import { writeFileSync } from "node:fs";
import type { CommandModule } from "yargs";
import { EXIT_CHECK_FAILED, UsageError } from "../usage-error.js";
import { boundedDurationMs } from "../values.js";
import { DEFAULT_THRESHOLDS, type Thresholds } from "../../regression/compare.js";

interface CompareArgs {
  base: string;
  run: string;
  "max-slower-pct": number;
  "min-slower-ms": string;
  "max-false-dead": number;
  json?: string;
}

/** The thresholds the options give, checked. */
export function thresholdsFrom(args: Pick<CompareArgs, "max-slower-pct" | "min-slower-ms" | "max-false-dead">): Thresholds {
  const pct = args["max-slower-pct"];
  const slowerMs = boundedDurationMs(args["min-slower-ms"], "ms", "--min-slower-ms", 0, 3_600_000);
  const falseDead = args["max-false-dead"];
  if (!(pct >= 0 && pct <= 10_000)) throw new UsageError(`--max-slower-pct: a percentage from 0 to 10000 (got ${pct})`);
  if (!(falseDead >= 0)) throw new UsageError(`--max-false-dead: 0 or more false deaths per member-hour (got ${falseDead})`);
  return { slowerShare: pct / 100, slowerMs, falsePositivesPerMemberHour: falseDead };
}

export const THRESHOLD_OPTIONS = {
  "max-slower-pct": {
    type: "number",
    default: DEFAULT_THRESHOLDS.slowerShare * 100,
    describe: "a latency regresses when slower by more than this percentage…",
  },
  "min-slower-ms": {
    type: "string",
    default: String(DEFAULT_THRESHOLDS.slowerMs),
    describe: "…and by more than this (1500ms, 2s; a bare number is ms): above the spread between two passing runs with other seeds",
  },
  "max-false-dead": {
    type: "number",
    default: DEFAULT_THRESHOLDS.falsePositivesPerMemberHour,
    describe: "false deaths per member-hour regress when up by more than this",
  },
} as const;

/**
 * Compares `run` with `base`, prints the comparison and returns the number of regressions. Throws a
 * UsageError for files that cannot be compared, or when the two have nothing in common.
 */
export async function compareAndPrint(
  base: string,
  run: string,
  thresholds: Thresholds,
  json?: string,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const [{ loadFlattened }, { CompareError, compare }, { renderComparison }] = await Promise.all([
    import("../../regression/load.js"),
    import("../../regression/compare.js"),
    import("../../regression/render.js"),
  ]);
  let comparison;
  try {
    comparison = compare(loadFlattened(base), loadFlattened(run), thresholds);
  } catch (error) {
    if (error instanceof CompareError) throw new UsageError(error.message);
    throw error;
  }
  // Never green on nothing: two summaries without a check or measure in common compared nothing.
  if (comparison.compared === 0) throw new UsageError(`${base} and ${run} have no check or measure in common: nothing was compared`);
  out.write(renderComparison(comparison, base, run, thresholds));
  if (json) writeFileSync(json, `${JSON.stringify({ base, run, thresholds, ...comparison }, null, 2)}\n`);
  return comparison.regressions;
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: "compare <base> <run>",
  describe: "Compare a run (or a bench) with a baseline: verdicts that regressed, latencies and false positives that got worse; exit 1 on a regression",
  builder: (y) =>
    y
      .positional("base", { type: "string", demandOption: true, describe: "the baseline: a run folder or its summary.json (run, bench or bench tradeoff)" })
      .positional("run", { type: "string", demandOption: true, describe: "the run to judge against it, of the same kind" })
      .options(THRESHOLD_OPTIONS)
      .option("json", { type: "string", describe: "also write the comparison as JSON to this file" })
      .example("$0 compare reports/2026-11-26T10-00-00-000Z-scenarios reports/latest", "a run against yesterday's")
      .example("$0 compare base/summary.json reports/<bench run> --max-slower-pct 10", "a bench, failing on 10 % slower detection"),
  handler: async (args) => {
    const regressions = await compareAndPrint(args.base, args.run, thresholdsFrom(args), args.json);
    if (regressions > 0) process.exitCode = EXIT_CHECK_FAILED;
  },
};
