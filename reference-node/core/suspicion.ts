// Lifeguard's suspicion timer: starts long, shrinks as independent members confirm the suspicion.
import { expectedConfirmations, suspicionBoundsMs, suspicionTimeoutAfter } from "../../specs/protocol/suspicion.js";
import type { MemberId } from "../../specs/wire/messages.js";

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
  /** Whether its expiry was already put off once because this node had been frozen past it (stall.ts). */
  graced = false;
  readonly expected: number;
  readonly minMs: number;
  readonly maxMs: number;

  constructor(
    readonly startedAt: number,
    readonly incarnation: number,
    firstSuspector: MemberId | undefined,
    params: SuspicionParams,
  ) {
    this.expected = expectedConfirmations(params.suspicionMult, params.clusterSize);
    ({ minMs: this.minMs, maxMs: this.maxMs } = suspicionBoundsMs(params, params.clusterSize));
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
