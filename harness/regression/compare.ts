// `grapevine compare`: two flattened summaries side by side. A regression is a check that judged
// and no longer passes (fail, or a SKIP where it used to judge, or gone), a latency slower past both
// thresholds, or false deaths up past theirs; a measure that happened before and now never does.
import type { Flattened, Measure } from "./measures.js";

/** Inputs that cannot be compared: a file that is not a summary, or summaries of two kinds. */
export class CompareError extends Error {
  override readonly name = "CompareError";
}

export interface Thresholds {
  /** A latency regresses when it is more than this share slower (0.25: 25 %)… */
  slowerShare: number;
  /** …and more than this many ms slower: below it is the noise of when timers happen to fire. */
  slowerMs: number;
  /** False deaths per member-hour regress when up by more than this. */
  falsePositivesPerMemberHour: number;
}

/**
 * The defaults sit above the spread between two passing runs with different seeds. On the default
 * suite in the simulator, over every ordered pair of seeds 1–12, the largest was 1,407 ms (the
 * partition-heal split: the minority's probe order), then 810 ms (heal after a reconnect interval)
 * and 645 ms (a detection). A floor at one probe period (250 ms) made 13 of 30 such pairs "regress".
 */
export const DEFAULT_THRESHOLDS: Thresholds = { slowerShare: 0.25, slowerMs: 1500, falsePositivesPerMemberHour: 1 };

export type Change = "regressed" | "improved" | "unchanged" | "added" | "gone";

export interface VerdictChange {
  name: string;
  base: string | null;
  run: string | null;
  change: Change;
}

export interface MeasureChange {
  name: string;
  kind: Measure["kind"];
  base: number | null;
  run: number | null;
  change: Change;
}

export interface Comparison {
  kind: string;
  verdicts: VerdictChange[];
  measures: MeasureChange[];
  regressions: number;
  /** Verdicts and measures found in both: zero means nothing was compared. */
  compared: number;
}

const JUDGED = new Set(["pass", "info"]);

function verdictChange(base: string | undefined, run: string | undefined): Change {
  if (base === undefined) return "added";
  if (run === undefined) return "gone";
  if (base === run) return "unchanged";
  if (run === "fail" || (run === "skip" && JUDGED.has(base))) return "regressed";
  if (base === "fail" && JUDGED.has(run)) return "improved";
  return "unchanged";
}

/** Is `run` worse than `base` past the thresholds (or better past them)? */
export function measureChange(kind: Measure["kind"], base: number | null, run: number | null, t: Thresholds): Change {
  if (base === null && run === null) return "unchanged";
  if (run === null) return "regressed";
  if (base === null) return "improved";
  const worse = (from: number, to: number) =>
    kind === "latency" ? to - from > t.slowerMs && to > from * (1 + t.slowerShare) : to - from > t.falsePositivesPerMemberHour;
  if (worse(base, run)) return "regressed";
  if (worse(run, base)) return "improved";
  return "unchanged";
}

export function compare(base: Flattened, run: Flattened, thresholds: Thresholds = DEFAULT_THRESHOLDS): Comparison {
  if (base.kind !== run.kind) throw new CompareError(`a ${base.kind} cannot be compared with a ${run.kind}`);
  const verdicts: VerdictChange[] = [];
  for (const name of new Set([...base.verdicts.keys(), ...run.verdicts.keys()])) {
    const b = base.verdicts.get(name);
    const r = run.verdicts.get(name);
    verdicts.push({ name, base: b ?? null, run: r ?? null, change: verdictChange(b, r) });
  }
  const measures: MeasureChange[] = [];
  for (const name of new Set([...base.measures.keys(), ...run.measures.keys()])) {
    const b = base.measures.get(name);
    const r = run.measures.get(name);
    const kind = (b ?? r)!.kind;
    // A measure that is not in one of the two is not a regression by itself: its check's verdict says whether it ran.
    const change = !b ? "added" : !r ? "gone" : measureChange(kind, b.value, r.value, thresholds);
    measures.push({ name, kind, base: b?.value ?? null, run: r?.value ?? null, change });
  }
  const both = (c: { change: Change }) => c.change !== "added" && c.change !== "gone";
  return {
    kind: base.kind,
    verdicts,
    measures,
    // A check that is gone no longer judges: that is a regression, as a SKIP where it used to judge is.
    regressions: verdicts.filter((c) => c.change === "regressed" || c.change === "gone").length + measures.filter((c) => c.change === "regressed").length,
    compared: verdicts.filter(both).length + measures.filter(both).length,
  };
}
