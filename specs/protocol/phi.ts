// The φ accrual detector's formula (Hayashibara et al. 2004, with Akka's logistic approximation of the
// normal tail): the contract the heartbeat family shares, so that the reference node judges with it and
// the harness derives its bounds from it, from whatever settings a node or scenario declares.

import { epidemicRoundsWhp } from "./epidemic.js";

/** A member's heartbeat as the wire carries it (HeartbeatEntry): the generation it started, and its count. */
export interface HeartbeatCount {
  generation: number;
  heartbeat: number;
}

/** (generation, heartbeat) pairs in order: a new generation (a restart) beats any count of the old. */
export function newerHeartbeat(a: HeartbeatCount, b: HeartbeatCount | undefined): boolean {
  if (b === undefined) return true;
  return a.generation > b.generation || (a.generation === b.generation && a.heartbeat > b.heartbeat);
}

/** What PHI-HEARTBEAT-1 forbids: a count lower than the highest sent before, in the same generation (a new one may start lower). */
export function heartbeatWentBack(a: HeartbeatCount, highest: HeartbeatCount | undefined): boolean {
  return highest !== undefined && a.generation === highest.generation && a.heartbeat < highest.heartbeat;
}

/**
 * φ after `timeDiffMs` of silence, for inter-arrival times with `meanMs` and `stdDeviationMs`:
 * −log10 of the chance that a heartbeat comes later still. The normal distribution's tail is taken
 * with the logistic approximation Akka uses (Bowling et al. 2009):
 * Φ(y) ≈ 1 / (1 + e^(−y(1.5976 + 0.070566 y²))). The two branches keep precision on each side of the mean.
 */
export function phi(timeDiffMs: number, meanMs: number, stdDeviationMs: number): number {
  const y = (timeDiffMs - meanMs) / stdDeviationMs;
  const e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
  if (timeDiffMs > meanMs) return -Math.log10(e / (1 + e));
  return -Math.log10(1 - 1 / (1 + e));
}

/**
 * The first whole millisecond of silence at which `suspicion` (φ, or any measure that only grows with
 * silence) reaches `threshold`: doubling from `fromMs` until it does, then a bisection. Whole
 * milliseconds throughout: a fractional bound would never come within 1 of the integer below it.
 */
export function firstCrossingMs(suspicion: (silenceMs: number) => number, threshold: number, fromMs = 1): number {
  let high = Math.max(1, Math.ceil(fromMs));
  while (suspicion(high) < threshold && high < 1e12) high *= 2;
  let low = 0;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (suspicion(mid) >= threshold) high = mid;
    else low = mid;
  }
  return high;
}

/** The first whole millisecond of silence at which φ reaches `threshold`. */
export function phiCrossingMs(threshold: number, meanMs: number, stdDeviationMs: number): number {
  const at = (ms: number) => phi(ms, meanMs, stdDeviationMs);
  const guess = phiInverseMs(threshold, meanMs, stdDeviationMs);
  if (guess === undefined) return firstCrossingMs(at, threshold, meanMs);
  // The closed form is exact up to rounding: step to the first whole millisecond that reaches it.
  let ms = Math.max(1, Math.ceil(guess));
  while (ms > 1 && at(ms - 1) >= threshold) ms--;
  while (at(ms) < threshold) ms++;
  return ms;
}

/**
 * The silence at which φ equals `threshold`, solved in closed form rather than searched: a node
 * sets a timer at every heartbeat it hears from every member, so at a thousand members the search
 * was most of a simulation's time. Past the mean, φ = −log10(e / (1 + e)) with
 * e = exp(−y(1.5976 + 0.070566 y²)), so y is the one real root of 0.070566 y³ + 1.5976 y = ln(1/p − 1)
 * where p = 10^−φ (Cardano; the cubic only rises). Undefined where that branch does not hold (φ at
 * or below log10 2, the mean itself) or the numbers leave floating point: the search takes those.
 */
function phiInverseMs(threshold: number, meanMs: number, stdDeviationMs: number): number | undefined {
  const y = standardCrossing(threshold);
  if (y === undefined || !(stdDeviationMs > 0)) return undefined;
  const ms = meanMs + y * stdDeviationMs;
  return Number.isFinite(ms) && ms > meanMs ? ms : undefined;
}

/** Where φ reaches `threshold` in deviations past the mean: it depends on the threshold alone, and a node has two. */
const crossings = new Map<number, number | undefined>();

function standardCrossing(threshold: number): number | undefined {
  if (crossings.has(threshold)) return crossings.get(threshold);
  const p = Math.pow(10, -threshold);
  let y: number | undefined;
  if (p > 0 && p < 0.5) {
    const a = 0.070566;
    const b = 1.5976;
    // y³ + (b/a) y − l/a = 0: one real root, since b/a > 0.
    const half = Math.log(1 / p - 1) / a / 2;
    const root = Math.sqrt(half * half + Math.pow(b / a / 3, 3));
    y = Math.cbrt(half + root) + Math.cbrt(half - root);
    if (!(Number.isFinite(y) && y > 0)) y = undefined;
  }
  if (crossings.size < 64) crossings.set(threshold, y);
  return y;
}

/** The settings a steady heartbeat's crossings depend on (names as in specs/node/config.ts). */
export interface PhiTimingSettings {
  heartbeatIntervalMs: number;
  phiSuspectThreshold: number;
  phiConvictThreshold: number;
  phiAcceptablePauseMs: number;
  phiMinStdDeviationMs: number;
  /**
   * Members each heartbeat's table of counts goes to, when counts are gossiped and relayed (as the
   * reference node and Cassandra do). Absent: every observer hears each heartbeat first-hand (Akka).
   */
  heartbeatFanout?: number | undefined;
}

/** The node settings φ's timing is derived from (names as in specs/node/config.ts). */
export const PHI_TIMING_KEYS = [
  "heartbeatIntervalMs",
  "phiSuspectThreshold",
  "phiConvictThreshold",
  "phiAcceptablePauseMs",
  "phiMinStdDeviationMs",
  "heartbeatFanout",
] as const;

/**
 * φ's timing settings read from a node's settings: one list for the scenario bounds (specs/scenario/scenario.ts)
 * and the false-positive horizon (harness/checks/truth.ts), so that the two cannot drift apart.
 */
export function phiTimingOf(setting: (key: (typeof PHI_TIMING_KEYS)[number]) => number): PhiTimingSettings {
  const out = {} as Record<(typeof PHI_TIMING_KEYS)[number], number>;
  for (const key of PHI_TIMING_KEYS) out[key] = setting(key);
  return out;
}

/**
 * How long a member that beat steadily must stay silent before an observer suspects it and before
 * it convicts it: φ's crossings for a window at the heartbeat interval (plus the pause) and a
 * deviation that bounds what a clean network teaches the window, so that these bound a clean
 * network's verdicts from above (a wider window crosses later).
 *
 * First-hand heartbeats are steady: the first estimate's deviation, a quarter of the interval, is
 * wider than they teach. Relayed counts are not. An observer hears a member's count rise whenever
 * one of the tables reaching it carries a newer one, and those come by different paths, so the gaps
 * scatter about as widely as they are long: the deviations the reference node learns were 0.4 to
 * 1.1 heartbeat intervals from 5 to 1,000 simulated nodes. Relayed, the deviation is taken as one
 * interval, as Cassandra's detector models gossiped heartbeats (exponential gaps: deviation = mean).
 */
export function phiSilenceMs(s: PhiTimingSettings): { suspectMs: number; convictMs: number } {
  const meanMs = s.heartbeatIntervalMs + s.phiAcceptablePauseMs;
  const spread = s.heartbeatFanout === undefined ? s.heartbeatIntervalMs / 4 : s.heartbeatIntervalMs;
  const deviationMs = Math.max(s.phiMinStdDeviationMs, spread);
  return { suspectMs: phiCrossingMs(s.phiSuspectThreshold, meanMs, deviationMs), convictMs: phiCrossingMs(s.phiConvictThreshold, meanMs, deviationMs) };
}

/**
 * How long a member's last count can take to reach the last of `nodes` observers through relays
 * before their silence starts: a heartbeat interval for each round a rumor needs to reach every
 * member with high probability (specs/protocol/epidemic.ts). Nothing for first-hand heartbeats.
 */
export function phiRelayMs(s: PhiTimingSettings, nodes: number): number {
  if (s.heartbeatFanout === undefined) return 0;
  return Math.round(s.heartbeatIntervalMs * epidemicRoundsWhp(nodes, s.heartbeatFanout));
}
