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
      return args.suspectWithin === undefined ? [] : ["suspect"];
    case "no-false-positives":
      return args.maxSuspect === undefined ? [] : ["suspect"];
    case "incarnation-order":
    case "rejoined":
      return ["incarnation"];
    case "kv-converged":
    case "no-data-loss":
    case "dissemination":
      return ["kv"];
    default:
      return [];
  }
}

/** The SKIP result of `spec` on the implementation the history records, or undefined when it can be judged. */
export function unshown(spec: CheckSpec, records: readonly HistoryRecord[]): CheckResult | undefined {
  const start = records.find((r) => r.type === "scenario-start");
  const implementation = start?.type === "scenario-start" ? start.implementation : undefined;
  if (!implementation) return undefined;
  const missing = needs(spec).filter((what) => !implementation.shows[what]);
  if (missing.length === 0) return undefined;
  return {
    name: spec.check,
    verdict: "skip",
    summary: `not judged: ${implementation.name} does not show ${missing.map((m) => WHAT[m]).join(" or ")}`,
    evidence: [],
    metrics: {},
  };
}
