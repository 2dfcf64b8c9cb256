// Lifeguard's suspicion timer: starts long, shrinks as independent members confirm the suspicion.
import type { MemberId } from "../../specs/wire/messages.js";

/** The minimum suspicion timeout: mult · max(1, log10 N) · probe interval (memberlist's suspicionTimeout). */
export function suspicionTimeoutMs(suspicionMult: number, clusterSize: number, probeIntervalMs: number): number {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, clusterSize)));
  return Math.floor(suspicionMult * nodeScale * probeIntervalMs);
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

export interface SuspicionParams {
  suspicionMult: number;
  suspicionMaxTimeoutMult: number;
  probeIntervalMs: number;
  clusterSize: number;
}

export class Suspicion {
  /** Members already heard from; the first suspector is in it so that it does not count as a confirmation. */
  private readonly heardFrom = new Set<MemberId>();
  private count = 0;
  readonly expected: number;
  readonly minMs: number;
  readonly maxMs: number;

  constructor(
    readonly startedAt: number,
    readonly incarnation: number,
    firstSuspector: MemberId | undefined,
    params: SuspicionParams,
  ) {
    // memberlist: k = mult − 2 confirmations expected, none when the cluster is too small to give them.
    const k = params.suspicionMult - 2;
    this.expected = params.clusterSize - 2 < k ? 0 : k;
    this.minMs = suspicionTimeoutMs(params.suspicionMult, params.clusterSize, params.probeIntervalMs);
    this.maxMs = params.suspicionMaxTimeoutMult * this.minMs;
    if (firstSuspector !== undefined) this.heardFrom.add(firstSuspector);
  }

  get confirmations(): number {
    return this.count;
  }

  /** Records a confirmation; true when it came from a member not heard from before. */
  confirm(from: MemberId | undefined): boolean {
    if (from === undefined || this.heardFrom.has(from) || this.count >= this.expected) return false;
    this.heardFrom.add(from);
    this.count++;
    return true;
  }

  /** When the suspect is to be declared dead, given the confirmations so far. */
  deadline(): number {
    return this.startedAt + suspicionTimeoutAfter(this.confirmations, this.expected, this.minMs, this.maxMs);
  }
}
