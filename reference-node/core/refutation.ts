// This node's own incarnation, and SWIM's refutation (§4.2): a claim that we are suspect, dead or left
// at our incarnation or above is answered by raising it and spreading `alive`.
import type { Update } from "../../specs/wire/messages.js";
import type { Awareness } from "./awareness.js";
import type { NodeState } from "./state.js";

export class SelfIncarnation {
  private value: number;

  constructor(
    private readonly s: NodeState,
    private readonly awareness: Awareness,
    first = 0,
  ) {
    this.value = first;
  }

  get current(): number {
    return this.value;
  }

  /** A claim about this node, heard while it runs. */
  hear(update: Update): void {
    if (update.state === "alive") {
      // Someone holds a later incarnation of us (from before a restart): continue above it.
      if (update.incarnation > this.value) this.raiseTo(update.incarnation);
      return;
    }
    if (update.incarnation < this.value) this.repeatRefutation();
    else this.refute(update.incarnation);
  }

  /**
   * An accusation older than our incarnation: we refuted it, but the accuser has not heard.
   * The refutation's transmissions may all have gone on replies nobody read (a node thawing
   * from a pause answers pings whose senders gave up long ago), so spread our alive again —
   * the reply to the accuser's own message carries it first.
   */
  private repeatRefutation(): void {
    if (!this.s.behaviour.refute) return;
    this.s.broadcasts.enqueue({ state: "alive", id: this.s.id, addr: this.s.addr, incarnation: this.value });
  }

  /** We are suspected (or declared dead or left) at our incarnation or above: raise it and spread `alive`. */
  private refute(accusedIncarnation: number): void {
    if (!this.s.behaviour.refute) return;
    this.s.counters.refutations++;
    this.raiseTo(accusedIncarnation + 1);
    this.s.broadcasts.enqueue({ state: "alive", id: this.s.id, addr: this.s.addr, incarnation: this.value });
    // Lifeguard: having to refute means others cannot hear us well; slow down our own verdicts.
    this.awareness.applyDelta(1);
  }

  private raiseTo(incarnation: number): void {
    const s = this.s;
    // The wire admits incarnations up to 2^53 − 1; a claim at the top cannot be outbid, and one
    // past it would make every message we send invalid. Stay in range (and lose that claim).
    this.value = Math.min(incarnation, Number.MAX_SAFE_INTEGER);
    s.record(s.table.set({ id: s.id, addr: s.addr, state: "alive", incarnation: this.value }, s.now));
  }
}
