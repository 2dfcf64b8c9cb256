// Hybrid logical clock versions for key-value writes: close to wall time, strictly increasing, ordered across nodes.
import type { KvVersion, MemberId } from "../../specs/wire/messages.js";

export function versionKey(v: KvVersion): string {
  return `${v.wall}.${v.logical}.${v.node}`;
}

/** Largest logical counter accepted from a peer (CockroachDB's is an int32 too). */
export const MAX_LOGICAL = 2 ** 31;

/** One node's clock. `now` is always passed in: the core reads no clock of its own. */
export class HybridClock {
  private wall = 0;
  private logical = 0;

  constructor(private readonly node: MemberId) {}

  /** A version for a local write at `now`, greater than every version this clock has issued or seen. */
  tick(now: number): KvVersion {
    if (now > this.wall) {
      this.wall = now;
      this.logical = 0;
    } else {
      this.logical++;
    }
    return { wall: this.wall, logical: this.logical, node: this.node };
  }

  /**
   * Takes a received version into account, so later local writes order after it. A version
   * whose wall time lies more than `maxOffsetMs` ahead of `now` is refused (false): taking it
   * would drag this clock, and every clock that hears from this one, into the future for good,
   * after which no honest write could win (CockroachDB's max-offset rule). A logical counter
   * beyond 2^31 is refused too: no honest clock gets there, and one step more would leave the
   * range the wire admits.
   */
  observe(version: KvVersion, now: number, maxOffsetMs: number): boolean {
    if (version.wall > now + maxOffsetMs || version.logical >= MAX_LOGICAL) return false;
    const wall = Math.max(this.wall, version.wall, now);
    if (wall === this.wall && wall === version.wall) this.logical = Math.max(this.logical, version.logical);
    else if (wall === version.wall) this.logical = version.logical;
    else if (wall !== this.wall) this.logical = 0;
    this.wall = wall;
    return true;
  }
}
