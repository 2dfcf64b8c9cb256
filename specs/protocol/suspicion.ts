// Lifeguard's suspicion timeout (memberlist's suspicion.go and state.go): the contract every
// SWIM-with-Lifeguard implementation shares, so the harness derives its bounds from the same formula
// the reference node runs on, from whatever settings a node or scenario declares.

/** The settings the timeout depends on (names as in specs/node/config.ts). */
export interface SuspicionSettings {
  suspicionMult: number;
  suspicionMaxTimeoutMult: number;
  probeIntervalMs: number;
}

/** The minimum suspicion timeout: mult · max(1, log10 N) · probe interval (memberlist's suspicionTimeout). */
export function suspicionTimeoutMs(suspicionMult: number, clusterSize: number, probeIntervalMs: number): number {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, clusterSize)));
  return Math.floor(suspicionMult * nodeScale * probeIntervalMs);
}

/** A suspicion's first and last possible timeout in a cluster of `clusterSize`: it starts at max and shrinks to min. */
export function suspicionBoundsMs(settings: SuspicionSettings, clusterSize: number): { minMs: number; maxMs: number } {
  const minMs = suspicionTimeoutMs(settings.suspicionMult, clusterSize, settings.probeIntervalMs);
  return { minMs, maxMs: settings.suspicionMaxTimeoutMult * minMs };
}

/**
 * Timeout after `confirmations` of `expected` independent confirmations: falls from max
 * to min on a log scale, so the first confirmations count most (Lifeguard §IV-B).
 */
export function suspicionTimeoutAfter(confirmations: number, expected: number, minMs: number, maxMs: number): number {
  if (expected < 1) return minMs;
  const fraction = Math.log(confirmations + 1) / Math.log(expected + 1);
  return Math.max(minMs, Math.floor(maxMs - fraction * (maxMs - minMs)));
}

/** memberlist: mult − 2 independent confirmations are expected, none when the cluster is too small to give them. */
export function expectedConfirmations(suspicionMult: number, clusterSize: number): number {
  const k = suspicionMult - 2;
  return clusterSize - 2 < k ? 0 : k;
}
