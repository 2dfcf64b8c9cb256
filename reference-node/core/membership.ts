// The membership table and SWIM §4.2's merge rules: which update about a member wins.
import type { MemberView } from "../../specs/admin/api.js";
import type { MemberId, MemberState, Update } from "../../specs/wire/messages.js";

/** A member as this node holds it: what GET /v1/members shows (`since`: the `now` of the step that changed its state). */
export type Member = MemberView;

/** What an update claims, reduced to what the merge rules look at. */
export interface Claim {
  state: MemberState;
  incarnation: number;
}

/**
 * Does `update` override what we hold (`current`, undefined when the member is unknown)?
 * SWIM §4.2 with Lifeguard's reading, as DESIGN states it:
 * - alive(i) beats suspect/alive/dead/left(j) iff i > j
 * - suspect(i) beats alive(j) iff i ≥ j, and suspect(j) iff i > j; never dead or left
 * - dead(i) beats alive/suspect(j) iff i ≥ j
 * - left(i) beats alive/suspect/dead(j) iff i ≥ j; left is final for its incarnation
 * Only `alive` introduces an unknown member: rumours about strangers are dropped.
 */
export function supersedes(update: Claim, current: Claim | undefined): boolean {
  if (current === undefined) return update.state === "alive";
  const i = update.incarnation;
  const j = current.incarnation;
  switch (update.state) {
    case "alive":
      return i > j;
    case "suspect":
      if (current.state === "alive") return i >= j;
      if (current.state === "suspect") return i > j;
      return false;
    case "dead":
      return (current.state === "alive" || current.state === "suspect") && i >= j;
    case "left":
      if (current.state === "left") return i > j;
      return i >= j;
  }
}

const isLive = (state: MemberState) => state === "alive" || state === "suspect";

export interface Transition {
  id: MemberId;
  from: MemberState | null;
  to: MemberState;
  incarnation: number;
}

export class MembershipTable {
  private readonly members = new Map<MemberId, Member>();
  /**
   * Lists derived from the table, kept until the table next changes. A node asks for the same
   * lists every period (probe candidates, gossip targets); rebuilt each time, they cost O(N) per
   * period per node, O(N²) a period for a simulated cluster. Callers must not modify them.
   */
  private readonly cache = new Map<string, unknown>();
  /** Members alive or suspect: kept as the table changes, since every message asks for it. */
  private live = 0;

  get(id: MemberId): Member | undefined {
    return this.members.get(id);
  }

  all(): readonly Member[] {
    return this.cached("all", () => [...this.members.values()]);
  }

  /** Members in one of the given states, `except` left out (usually the node itself), in the table's order. */
  inState(states: readonly MemberState[], except?: MemberId): readonly Member[] {
    return this.cached(`in:${states.join(",")}:${except ?? ""}`, () => this.all().filter((m) => states.includes(m.state) && m.id !== except));
  }

  /** The ids of `inState`, as a set. */
  idsInState(states: readonly MemberState[], except?: MemberId): ReadonlySet<MemberId> {
    return this.cached(`ids:${states.join(",")}:${except ?? ""}`, () => new Set(this.inState(states, except).map((m) => m.id)));
  }

  /** Something built from the table (a push-pull's member list), kept until the table next changes. */
  derived<T>(key: string, build: () => T): T {
    return this.cached(`derived:${key}`, build);
  }

  private cached<T>(key: string, build: () => T): T {
    let value = this.cache.get(key) as T | undefined;
    if (value === undefined) this.cache.set(key, (value = build()));
    return value;
  }

  /**
   * Overwrites a member's record with what an accepted update says. Returns the state
   * transition, or null when only the incarnation or address moved.
   */
  set(update: Pick<Update, "id" | "addr" | "state" | "incarnation">, now: number): Transition | null {
    const current = this.members.get(update.id);
    const changed = current === undefined || current.state !== update.state;
    this.cache.clear();
    this.live += Number(isLive(update.state)) - Number(current !== undefined && isLive(current.state));
    this.members.set(update.id, {
      id: update.id,
      addr: update.addr,
      state: update.state,
      incarnation: update.incarnation,
      since: changed ? now : current.since,
    });
    return changed ? { id: update.id, from: current?.state ?? null, to: update.state, incarnation: update.incarnation } : null;
  }

  /** Forgets a member (reaped after gossip-to-the-dead): only an `alive` can introduce it again. */
  remove(id: MemberId): void {
    this.cache.clear();
    const current = this.members.get(id);
    if (current !== undefined && isLive(current.state)) this.live--;
    this.members.delete(id);
  }

  /** N as the protocol counts it for its log(N) scaling: members not dead or left, self included. */
  estimatedSize(): number {
    return Math.max(1, this.live);
  }
}
