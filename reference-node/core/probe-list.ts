// SWIM's probe target selection: a shuffled round-robin over the members, reshuffled after each full pass.
import type { MemberId } from "../../specs/wire/messages.js";
import type { Numbering } from "./membership.js";
import type { Random } from "./random.js";

/** Who may be probed now: alive or suspect members other than the node itself. */
export interface ProbeCandidates {
  has(id: MemberId): boolean;
  /** All of them, for the next pass's order. */
  list(): MemberId[];
}

/**
 * The order is kept as member numbers (membership.ts's Numbering) in typed arrays: a simulated
 * cluster of ten thousand nodes holds ten thousand of these lists.
 */
export class ProbeList {
  private order = new Int32Array(0);
  private length = 0;
  /** listed[n] is 1 when member number n is in `order`, so that `add` need not scan it. */
  private listed = new Uint8Array(0);
  private index = 0;

  constructor(private readonly ids: Numbering) {}

  /**
   * A newly learned member goes in at a random place among those not yet probed this pass, so it is
   * probed within one pass. As memberlist does (state.go aliveNode), it is appended and swapped with
   * the member at that place, which moves to the end: O(1), where an insertion would move the rest.
   */
  add(id: MemberId, random: Random): void {
    this.addNumber(this.ids.of(id), random);
  }

  /** `add` for member number n. */
  addNumber(n: number, random: Random): void {
    if (this.listed[n] === 1) return;
    this.append(n);
    const at = this.index + random.int(this.length - this.index);
    this.order[this.length - 1] = this.order[at]!;
    this.order[at] = n;
  }

  /** The next member to probe among `candidates`, or undefined when there is none. Ids that stopped being candidates are skipped. */
  next(candidates: ProbeCandidates, random: Random): MemberId | undefined {
    for (let pass = 0; pass < 2; pass++) {
      while (this.index < this.length) {
        const id = this.ids.name(this.order[this.index++]!);
        if (candidates.has(id)) return id;
      }
      this.listed.fill(0);
      this.length = 0;
      this.index = 0;
      for (const id of random.shuffle(candidates.list().sort())) this.append(this.ids.of(id));
      if (this.length === 0) return undefined;
    }
    return undefined;
  }

  private append(n: number): void {
    if (n >= this.listed.length) this.listed = widened(this.listed, Math.max(n + 1, this.ids.size), (k) => new Uint8Array(k));
    this.listed[n] = 1;
    if (this.length === this.order.length) this.order = widened(this.order, Math.max(this.length + 1, this.ids.size), (k) => new Int32Array(k));
    this.order[this.length++] = n;
  }
}

/**
 * A copy of `old` with room for at least `needed` items: every member numbered so far when the
 * numbering is shared (a simulated cluster, all at once), else doubling, so that appends stay cheap.
 */
function widened<A extends Uint8Array | Int32Array>(old: A, needed: number, make: (n: number) => A): A {
  const next = make(Math.max(needed, Math.min(2 * old.length, needed + 1024), 8));
  next.set(old);
  return next;
}
