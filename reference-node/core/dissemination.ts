// What rides on each message (membership updates and key-value rumors), and the gossip rounds that
// push them to a few random members between probes.
import type { KvEntry, Update } from "../../specs/wire/messages.js";
import { WIRE_VERSION } from "../../specs/wire/messages.js";
import { retransmitLimit } from "./broadcast.js";
import type { KvReplication } from "./kv-replication.js";
import { isLive, type Member } from "./membership.js";
import type { NodeState } from "./state.js";

/** The piggybacked part of a message. */
export interface Carried {
  updates: Update[];
  kv: KvEntry[];
}

/**
 * What rides on the next message: membership updates and key-value rumors, each within
 * its own budget of maxPiggybackBytes so that large values never crowd out membership.
 * A value too large for the budget does not spread by rumor; anti-entropy carries it.
 */
export function piggyback(s: NodeState, kv: KvReplication): Carried {
  if (!s.behaviour.disseminate) return { updates: [], kv: [] };
  const size = s.table.estimatedSize();
  const limit = s.behaviour.retransmitLimit ? retransmitLimit(s.config.retransmitMult, size) : Number.POSITIVE_INFINITY;
  const kvLimit = retransmitLimit(s.config.kvRetransmitMult, size);
  return {
    updates: s.broadcasts.take(limit, s.config.maxPiggybackBytes),
    kv: kvLimit > 0 ? kv.takeRumors(kvLimit, s.config.maxPiggybackBytes) : [],
  };
}

/**
 * Lifeguard's buddy system (§IV-C): a ping to a member we hold suspect always carries that
 * suspicion, whatever the broadcast queue holds. Rumors are retransmitted a bounded number of
 * times and may all go elsewhere (a dead member can soak up several); the suspected member,
 * if it is alive, must hear it in time to refute. A target not in our table (undefined) gets the plain piggyback.
 */
export function piggybackFor(s: NodeState, kv: KvReplication, target: Member | undefined): Carried {
  const carried = piggyback(s, kv);
  if (target?.state !== "suspect" || !s.behaviour.disseminate || !s.behaviour.buddy) return carried;
  const others = carried.updates.filter((u) => u.id !== target.id);
  const suspicion: Update = { state: "suspect", id: target.id, addr: target.addr, incarnation: target.incarnation, by: s.id };
  return { ...carried, updates: [suspicion, ...others] };
}

/** One gossip round: what is queued goes to gossipNodes random members, recently dead ones included. */
export function gossipRound(s: NodeState, kv: KvReplication): void {
  if (s.broadcasts.size === 0 && kv.rumorCount === 0) return;
  // Recently dead members get gossip too, so that a member wrongly declared dead hears it and refutes.
  const targets = s.table.sample(
    s.config.gossipNodes,
    s.random,
    (m) => isLive(m.state) || (m.state === "dead" && s.now - m.since <= s.config.gossipToTheDeadMs),
    s.id,
  );
  for (const target of targets) {
    const carried = piggyback(s, kv);
    if (carried.updates.length === 0 && carried.kv.length === 0) break;
    s.send(target, { v: WIRE_VERSION, type: "gossip", from: s.peer(), ...carried }, s.config.probeTimeoutMs, undefined);
  }
}
