// SWIM's probe target selection: a shuffled round-robin over the members, reshuffled after each full pass.
import type { MemberId } from "../../specs/wire/messages.js";
import type { Random } from "./random.js";

export class ProbeList {
  private order: MemberId[] = [];
  /** The ids in `order`, so that `add` need not scan it. */
  private readonly listed = new Set<MemberId>();
  private index = 0;

  /** A newly learned member goes in at a random place, so it is probed within one pass (memberlist does the same). */
  add(id: MemberId, random: Random): void {
    if (this.listed.has(id)) return;
    this.listed.add(id);
    const at = this.index + random.int(this.order.length - this.index + 1);
    this.order.splice(at, 0, id);
  }

  /**
   * The next member to probe among `candidates` (alive or suspect, not self), or
   * undefined when there is none. Ids that stopped being candidates are skipped.
   */
  next(candidates: ReadonlySet<MemberId>, random: Random): MemberId | undefined {
    if (candidates.size === 0) return undefined;
    for (let pass = 0; pass < 2; pass++) {
      while (this.index < this.order.length) {
        const id = this.order[this.index++]!;
        if (candidates.has(id)) return id;
      }
      this.order = random.shuffle([...candidates].sort());
      this.listed.clear();
      for (const id of this.order) this.listed.add(id);
      this.index = 0;
    }
    return undefined;
  }
}
