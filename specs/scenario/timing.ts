// Bounds in terms of the tested implementation's own timing, so that one suite file serves
// implementations with different settings: `deadWithin: probe-round + suspicion-max + 2s` means the
// same thing for the reference node at 200 ms periods and for memberlist at its LAN defaults.
//
// An expression is terms joined by `+`; a term is a duration ("2s", "500ms") or an optional whole
// multiplier and one of these names (n is the scenario's node count):
//   probe           one protocol period (probe interval)
//   probe-timeout   how long a direct ping waits for its ack
//   probe-round     (n − 1) periods: one pass of a round-robin probe list, the longest a member waits to be probed
//   suspicion-min   suspicionMult · max(1, log10 n) · probe   (memberlist suspicion.go, SWIM §4.2; the reference node's too)
//   suspicion-max   suspicionMaxTimeoutMult · suspicion-min   (Lifeguard: a suspicion no one confirms runs this long)
//   gossip          one gossip interval
//   push-pull       one full-state sync interval (what a member that missed a rumor waits for, at worst)
//   probe-round-degraded  (n − 1) periods each stretched by Lifeguard's local health multiplier at its
//                   cap ((awarenessMaxMultiplier + 1) × probe): how slowly a node that hears nobody,
//                   and so believes itself unhealthy, gets round its probe list
//
// Under the φ accrual detector (detector: phi) the same names mean the same stages of a detection,
// derived from the φ settings (specs/protocol/phi.ts) instead of SWIM's:
//   probe           one heartbeat interval
//   probe-round     the time its last heartbeat may take to reach every observer (relayed counts: heartbeat
//                   interval × the rounds a rumor needs to reach all n, phiRelayMs), then the silence after
//                   which a steadily beating member is suspect (φ reaches the suspect threshold)
//   suspicion-min, suspicion-max   the further silence until it is dead (φ reaches the conviction threshold)
//   probe-round-degraded   as probe-round: the φ detector has no local health to stretch it
// so that `probe-round + 2 probe + suspicion-max` bounds a crash's detection under either family.
import { z } from "zod";
import { type PhiTimingSettings, phiRelayMs, phiSilenceMs } from "../protocol/phi.js";

/** The settings an expression is evaluated with. */
export interface ScenarioTiming {
  probeIntervalMs: number;
  probeTimeoutMs: number;
  suspicionMult: number;
  /** Absent: no Lifeguard stretch, suspicion-max = suspicion-min. */
  suspicionMaxTimeoutMult?: number | undefined;
  gossipIntervalMs?: number | undefined;
  pushPullIntervalMs?: number | undefined;
  /** Lifeguard's cap on the local health multiplier (memberlist AwarenessMaxMultiplier); absent: no stretch. */
  awarenessMaxMultiplier?: number | undefined;
  /** Where these settings come from, for reports. */
  source: string;
  /** Present when the implementation runs the φ accrual detector: the terms then mean its stages (above). */
  phi?: PhiTimingSettings | undefined;
}

export const TIMING_TERMS = ["probe", "probe-timeout", "probe-round", "suspicion-min", "suspicion-max", "gossip", "push-pull", "probe-round-degraded"] as const;
type Term = (typeof TIMING_TERMS)[number];

/** The units a duration is written in, scenario files and command lines alike. */
export const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;
export type DurationUnit = keyof typeof UNIT_MS;
const TERM = /^(?:(\d+(?:\.\d+)?)(ms|s|m)|(?:(\d+)\s*)?([a-z][a-z-]*))$/;

/** Is this text an expression (rather than a plain duration)? */
export const looksLikeExpression = (text: string) => /[a-z]{2}/.test(text.replace(/\d+(\.\d+)?(ms|s|m)\b/g, ""));

/** The value of `expression` in ms for `timing` with `nodes` members; throws with the reason when it is not one. */
export function evaluateTiming(expression: string, timing: ScenarioTiming, nodes: number): number {
  const terms = expression.split("+").map((t) => t.trim());
  let total = 0;
  for (const term of terms) {
    const match = TERM.exec(term);
    if (!match) throw new Error(`"${term}" is neither a duration nor [N] ${TIMING_TERMS.join(" | ")}`);
    if (match[2]) {
      total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
      continue;
    }
    const name = match[4] as Term;
    if (!TIMING_TERMS.includes(name)) throw new Error(`"${name}" is not a timing term (one of ${TIMING_TERMS.join(", ")})`);
    total += (match[3] === undefined ? 1 : Number(match[3])) * termMs(name, timing, nodes);
  }
  return Math.round(total);
}

function termMs(term: Term, timing: ScenarioTiming, nodes: number): number {
  if (timing.phi) {
    const { suspectMs, convictMs } = phiSilenceMs(timing.phi);
    switch (term) {
      case "probe":
        return timing.phi.heartbeatIntervalMs;
      case "probe-round":
      case "probe-round-degraded":
        return phiRelayMs(timing.phi, nodes) + suspectMs;
      case "suspicion-min":
      case "suspicion-max":
        return convictMs - suspectMs;
      default:
        break;
    }
  }
  const suspicionMin = timing.suspicionMult * Math.max(1, Math.log10(Math.max(1, nodes))) * timing.probeIntervalMs;
  switch (term) {
    case "probe":
      return timing.probeIntervalMs;
    case "probe-timeout":
      return timing.probeTimeoutMs;
    case "probe-round":
      return Math.max(1, nodes - 1) * timing.probeIntervalMs;
    case "suspicion-min":
      return suspicionMin;
    case "suspicion-max":
      return suspicionMin * (timing.suspicionMaxTimeoutMult ?? 1);
    case "gossip":
      return timing.gossipIntervalMs ?? timing.probeIntervalMs;
    case "probe-round-degraded":
      return Math.max(1, nodes - 1) * ((timing.awarenessMaxMultiplier ?? 0) + 1) * timing.probeIntervalMs;
    case "push-pull":
      if (timing.pushPullIntervalMs === undefined) throw new Error(`"push-pull": ${timing.source} declares no pushPullIntervalMs`);
      return timing.pushPullIntervalMs;
  }
}

/**
 * The timing expressions are evaluated with while a scenario is parsed: set from the scenario's own
 * reference-node settings, unless an implementation's declared timing is in force (withTiming).
 * Parsing is synchronous, so this cannot leak between two parses.
 */
const ambient: { implementation: ScenarioTiming | undefined; scenario: { timing: ScenarioTiming; nodes: number } | undefined } = {
  implementation: undefined,
  scenario: undefined,
};

/** Runs `parse` with `timing` (an implementation's declared settings) in force for its expressions. */
export function withTiming<T>(timing: ScenarioTiming | undefined, parse: () => T): T {
  const before = ambient.implementation;
  ambient.implementation = timing;
  try {
    return parse();
  } finally {
    ambient.implementation = before;
  }
}

/** Called as a scenario's parse begins: its own settings and size, for the expressions inside it. */
export function enterScenario(timing: ScenarioTiming, nodes: number): void {
  ambient.scenario = { timing: ambient.implementation ?? timing, nodes };
}

const PLAIN = /^(\d+(?:\.\d+)?)(ms|s|m)$/;

/** "500ms", "2s", "1.5m" in ms; undefined for anything else. */
export function plainDurationMs(text: string): number | undefined {
  const plain = PLAIN.exec(text);
  return plain ? Math.round(Number(plain[1]) * UNIT_MS[plain[2] as DurationUnit]) : undefined;
}

/**
 * A duration as text: "500ms", "2s", "1.5m", or a timing expression evaluated in the scenario being
 * parsed. One schema for both, so that a mistake gets one message that says what is allowed.
 */
export const DurationText = z.string().transform((text, ctx) => {
  const plain = plainDurationMs(text);
  if (plain !== undefined) return plain;
  const fail = (message: string) => {
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  };
  if (!looksLikeExpression(text)) return fail('must be a duration such as "500ms", "2s" or "1m", or a timing expression such as "suspicion-max + 2 probe"');
  const scenario = ambient.scenario;
  if (!scenario) return fail(`"${text}": a timing expression is only allowed inside a scenario`);
  try {
    return evaluateTiming(text, scenario.timing, scenario.nodes);
  } catch (error) {
    return fail(`timing expression "${text}": ${(error as Error).message}`);
  }
});
