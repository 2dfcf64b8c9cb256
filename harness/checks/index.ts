// Runs a check named in a scenario over a history: the one entry point for the runner and `grapevine check`.
import type { HistoryRecord } from "../../specs/history/history.js";
import type { CheckResult } from "../../specs/report/summary.js";
import type { CheckSpec } from "../../specs/scenario/scenario.js";
import { CheckContext } from "./context.js";
import { converged, heal } from "./convergence.js";
import { allDead, detection } from "./detection.js";
import { exits } from "./exits.js";
import { falsePositives } from "./false-positives.js";
import { quiet } from "./traffic.js";
import { wire } from "./wire.js";
import { health } from "./health.js";
import { dissemination, kvClock, kvConverged, noDataLoss } from "./kv.js";
import { judgeable } from "./needs.js";
import { deaths, flaps, incarnationOrder, left, neverDead, rejoined, split, suspicions } from "./membership.js";

/**
 * Judges `spec` on the history. What the tested implementation does not show is never judged: a
 * check that needs it is SKIP, and an optional bound that needs it is left out and named.
 */
export function runCheck(spec: CheckSpec, records: readonly HistoryRecord[] | CheckContext): CheckResult {
  const ctx = records instanceof CheckContext ? records : new CheckContext(records);
  const judged = judgeable(spec, ctx.records);
  if ("skip" in judged) return judged.skip;
  const result = judge(judged.spec, ctx);
  return judged.note ? { ...result, summary: `${result.summary} (${judged.note})` } : result;
}

function judge(spec: CheckSpec, ctx: CheckContext): CheckResult {
  switch (spec.check) {
    case "detection":
      return detection(ctx, spec.args);
    case "all-dead":
      return allDead(ctx, spec.args);
    case "no-false-positives":
      return falsePositives(ctx, spec.args);
    case "converged":
      return converged(ctx, spec.args);
    case "heal":
      return heal(ctx, spec.args);
    case "left":
      return left(ctx, spec.args);
    case "never-dead":
      return neverDead(ctx, spec.args);
    case "suspicions":
      return suspicions(ctx, spec.args);
    case "rejoined":
      return rejoined(ctx, spec.args);
    case "flaps":
      return flaps(ctx, spec.args);
    case "deaths":
      return deaths(ctx, spec.args);
    case "incarnation-order":
      return incarnationOrder(ctx);
    case "split":
      return split(ctx, spec.args);
    case "kv-converged":
      return kvConverged(ctx, spec.args);
    case "kv-clock":
      return kvClock(ctx, spec.args);
    case "no-data-loss":
      return noDataLoss(ctx);
    case "dissemination":
      return dissemination(ctx, spec.args);
    case "exits":
      return exits(ctx, spec.args);
    case "quiet":
      return quiet(ctx, spec.args);
    case "health":
      return health(ctx, spec.args);
    case "wire":
      return wire(ctx);
  }
}

/** How long an `expect` step may keep polling a check: the bound the check itself names. */
export function checkDeadlineMs(spec: CheckSpec): number {
  const args = spec.args as Record<string, unknown>;
  for (const key of ["within", "deadWithin"]) if (typeof args[key] === "number") return args[key] as number;
  return 0;
}

export { CheckContext };
