// What each check needs an implementation's views to show. A check that needs what the tested
// implementation does not show (Serf's view has no suspicion, memberlist's no incarnations, neither a
// key-value store) cannot judge it: it is SKIP with the reason, never PASS.
import type { HistoryRecord } from "../../specs/history/history.js";
import type { CheckResult } from "../../specs/report/summary.js";
import type { CheckSpec } from "../../specs/scenario/scenario.js";

export type Shown = "kv" | "suspect" | "incarnation";

const WHAT: Record<Shown, string> = {
  kv: "a key-value store",
  suspect: "suspicion in its view",
  incarnation: "incarnation numbers in its view",
};

/** What `spec` reads beyond alive, dead and left. */
export function needs(spec: CheckSpec): Shown[] {
  const args = spec.args as Record<string, unknown>;
  switch (spec.check) {
    case "suspicions":
    case "flaps":
      return ["suspect"];
    case "detection":
      return args.suspectWithin === undefined && args.confirmedWithin === undefined ? [] : ["suspect"];
    case "no-false-positives":
      return args.maxSuspect === undefined ? [] : ["suspect"];
    case "incarnation-order":
    case "rejoined":
      return ["incarnation"];
    case "kv-converged":
    case "kv-clock":
    case "no-data-loss":
    case "dissemination":
      return ["kv"];
    default:
      return [];
  }
}

/**
 * Optional bounds that alone need what an implementation may not show: without them the check
 * still judges the rest (detection's time to dead, no-false-positives' false deaths).
 */
const OPTIONAL_BOUNDS: Partial<Record<CheckSpec["check"], Partial<Record<Shown, readonly string[]>>>> = {
  detection: { suspect: ["suspectWithin", "confirmedWithin"] },
  "no-false-positives": { suspect: ["maxSuspect"] },
};

/**
 * What of `spec` the implementation the history records can judge: the check as it is; the check
 * without the optional bounds it cannot judge, with a note naming them; or, when what is left
 * still needs what it does not show, the SKIP result.
 */
export function judgeable(spec: CheckSpec, records: readonly HistoryRecord[]): { skip: CheckResult } | { spec: CheckSpec; note?: string } {
  const start = records.find((r) => r.type === "scenario-start");
  const implementation = start?.type === "scenario-start" ? start.implementation : undefined;
  if (!implementation) return { spec };
  const unshownBy = (s: CheckSpec) => needs(s).filter((what) => !implementation.shows[what]);
  const args = { ...(spec.args as Record<string, unknown>) };
  const dropped: string[] = [];
  // A check with such a bound also reports what the bound reads (suspicions counted, time to
  // suspect): where it is not shown, say so, bound given or not, so that "0" is not read as seen.
  for (const [what, bounds] of Object.entries(OPTIONAL_BOUNDS[spec.check] ?? {}) as [Shown, readonly string[]][]) {
    if (implementation.shows[what]) continue;
    const given = bounds.filter((bound) => bound in args);
    dropped.push(`${given.length > 0 ? `${given.join(" and ")} not judged` : `${WHAT[what]} not seen`}: ${implementation.name} does not show it`);
    for (const bound of bounds) delete args[bound];
  }
  const narrowed = { ...spec, args } as CheckSpec;
  const missing = unshownBy(narrowed);
  if (missing.length === 0) return dropped.length > 0 ? { spec: narrowed, note: dropped.join("; ") } : { spec: narrowed };
  return {
    skip: {
      name: spec.check,
      verdict: "skip",
      summary: `not judged: ${implementation.name} does not show ${missing.map((m) => WHAT[m]).join(" or ")}`,
      evidence: [],
      metrics: {},
    },
  };
}
