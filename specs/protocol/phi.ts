// The φ accrual detector's formula (Hayashibara et al. 2004, with Akka's logistic approximation of the
// normal tail): the contract the heartbeat family shares, so that the reference node judges with it and
// the harness derives its bounds from it, from whatever settings a node or scenario declares.

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
  return firstCrossingMs((ms) => phi(ms, meanMs, stdDeviationMs), threshold, meanMs);
}

/** The settings a steady heartbeat's crossings depend on (names as in specs/node/config.ts). */
export interface PhiTimingSettings {
  heartbeatIntervalMs: number;
  phiSuspectThreshold: number;
  phiConvictThreshold: number;
  phiAcceptablePauseMs: number;
  phiMinStdDeviationMs: number;
}

/**
 * How long a member that beat steadily must stay silent before an observer suspects it and before
 * it convicts it. The window is taken at its first estimate (the heartbeat interval, a quarter of it
 * as deviation) or the deviation floor, whichever is wider: a wider window crosses later, so these
 * bound a clean network's verdicts from above.
 */
export function phiSilenceMs(s: PhiTimingSettings): { suspectMs: number; convictMs: number } {
  const meanMs = s.heartbeatIntervalMs + s.phiAcceptablePauseMs;
  const deviationMs = Math.max(s.phiMinStdDeviationMs, s.heartbeatIntervalMs / 4);
  return { suspectMs: phiCrossingMs(s.phiSuspectThreshold, meanMs, deviationMs), convictMs: phiCrossingMs(s.phiConvictThreshold, meanMs, deviationMs) };
}
