// Dead and departed members leave the table once nobody needs to gossip to them (memberlist's resetNodes,
// state.go: dead nodes older than GossipToTheDeadTime are removed). Without it the table, and every
// push-pull that carries it, grows with every member that ever came and went. A reaped dead member is
// not forgotten by reconnect: Serf keeps failed members apart for its reconnect_timeout, which is how a
// partition longer than gossip-to-the-dead still re-forms.
import type { MemberId, Peer } from "../../specs/wire/messages.js";
import type { NodeState } from "./state.js";

/** Members removed from the table that reconnect still tries, bounded in number and in time. */
export class ReconnectList {
  private readonly reaped = new Map<MemberId, { peer: Peer; at: number }>();

  constructor(private readonly max = 1024) {}

  add(peer: Peer, now: number): void {
    this.reaped.delete(peer.id);
    this.reaped.set(peer.id, { peer, at: now });
    // The oldest go first when a flood of failures (or made-up members) would grow it past its bound.
    for (const id of this.reaped.keys()) {
      if (this.reaped.size <= this.max) break;
      this.reaped.delete(id);
    }
  }

  /** The member is back in the table (heard alive): the table's entry is what counts now. */
  forget(id: MemberId): void {
    this.reaped.delete(id);
  }

  /** Those reaped within `keepMs` before `now`; older ones are dropped for good. */
  peers(now: number, keepMs: number): Peer[] {
    for (const [id, entry] of this.reaped) if (now - entry.at > keepMs) this.reaped.delete(id);
    return [...this.reaped.values()].map((e) => e.peer);
  }
}

/** Removes dead and left members whose state is older than gossipToTheDeadMs; the dead go on the reconnect list. */
export function reap(s: NodeState, reconnect: ReconnectList): void {
  if (s.table.count(["dead", "left"]) === 0) return;
  for (const member of s.table.inState(["dead", "left"], s.id)) {
    if (s.now - member.since <= s.config.gossipToTheDeadMs) continue;
    s.table.remove(member.id);
    if (member.state === "dead") reconnect.add({ id: member.id, addr: member.addr }, s.now);
  }
}
