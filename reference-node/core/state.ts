// What every part of a node's protocol shares during a step: who the node is, its settings, its
// membership table and update queue, its timers and open exchanges, the step's time and the effects
// the step produces. The parts (prober.ts, kv-replication.ts, node.ts) act through it.
import type { ProtocolCounters } from "../../specs/admin/api.js";
import type { NodeConfig } from "../../specs/node/config.js";
import type { Address, Message, MemberId, Peer, Update } from "../../specs/wire/messages.js";
import { expectsResponse } from "../../specs/wire/messages.js";
import { BroadcastQueue } from "./broadcast.js";
import { Deadlines } from "./deadlines.js";
import type { Destination, Effect } from "./io.js";
import { MembershipTable, type TableNumberings } from "./membership.js";
import type { Behaviour } from "./mutants.js";
import type { Random } from "./random.js";

export type DeadlineName =
  "probe" | "round" | "indirect" | "gossip" | "push-pull" | "reconnect" | "join" | "leave" | "anti-entropy" | "heartbeat" | "phi" | `suspicion:${string}`;

/** What an outbound exchange was for, so its response goes to the right place. */
export type Pending =
  | { kind: "probe-ping"; seq: number }
  | { kind: "probe-ping-req"; seq: number }
  | { kind: "relay"; conn: number; seq: number; relaySeq: number }
  | { kind: "sync" }
  | { kind: "anti-entropy"; session: number; peer: Peer };

export class NodeState {
  readonly counters: ProtocolCounters = {
    probes: 0,
    probeFailures: 0,
    indirectProbes: 0,
    suspicions: 0,
    confirmations: 0,
    refutations: 0,
    deathsDeclared: 0,
    kvWrites: 0,
    kvApplied: 0,
    aeSessions: 0,
    aeRounds: 0,
    aeEntriesSent: 0,
    aeEntriesReceived: 0,
    kvClockRejections: 0,
  };
  readonly table: MembershipTable;
  /** Membership updates spreading by piggyback and gossip, until each reaches its retransmit limit. */
  readonly broadcasts = new BroadcastQueue<Update>((u) => u.id);
  readonly deadlines = new Deadlines<DeadlineName>();
  readonly pending = new Map<number, Pending>();
  /**
   * The time of the step being run, on the node's monotonic clock: every timer, timeout and
   * recorded instant runs on it. Stepping the wall clock (NTP, an operator) does not move it, as it
   * does not move a real process's timers.
   */
  now = 0;
  /** The node's wall clock at the step being run: what key-value versions are stamped with, and only that. */
  wall = 0;
  /** The effects the step being run has produced so far. */
  out: Effect[] = [];
  private nextExchange = 1;
  private seq = 1;

  constructor(
    readonly id: MemberId,
    readonly addr: Address,
    readonly config: NodeConfig,
    readonly random: Random,
    readonly behaviour: Behaviour,
    /** How member ids and addresses are numbered in the table (shared by a simulated cluster's nodes). */
    readonly numberings: TableNumberings,
  ) {
    this.table = new MembershipTable(numberings);
  }

  /** A fresh sequence number for a ping or ping-req. */
  nextSeq(): number {
    return this.seq++;
  }

  /** This node as a message's sender. */
  peer(): Peer {
    return { id: this.id, addr: this.addr };
  }

  emit(effect: Effect): void {
    this.out.push(effect);
  }

  /** Sends `message`; its response (or its failure) comes back as a step input tagged with `pending`. */
  send(to: Destination, message: Message, timeoutMs: number, pending: Pending | undefined): void {
    const exchange = this.nextExchange++;
    if (pending) this.pending.set(exchange, pending);
    const dest: Destination = to.id === undefined ? { addr: to.addr } : { id: to.id, addr: to.addr };
    this.out.push({ type: "send", exchange, to: dest, message, timeoutMs, expectReply: expectsResponse(message.type) });
  }

  /** A change of the membership table, as an effect the shell logs and serves. */
  record(transition: ReturnType<MembershipTable["set"]>): void {
    if (transition) this.out.push({ type: "transition", at: this.now, ...transition });
  }
}
