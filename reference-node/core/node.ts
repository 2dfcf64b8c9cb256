// The reference node's protocol as a sans-I/O state machine: step(input, now) → effects. No socket,
// timer or clock in here. This file holds the node's life (start, join, leave), its timers, the
// dispatch of messages and SWIM's merge of what it hears; probing (prober.ts), dissemination
// (dissemination.ts), refutation (refutation.ts), push-pull (sync.ts) and the key-value store
// (kv-replication.ts) are parts of their own, sharing the step's state (state.ts).
import type { ProtocolCounters } from "../../specs/admin/api.js";
import type { NodeConfig } from "../../specs/node/config.js";
import type { Address, KvEntry, Message, MemberId, Peer, Update } from "../../specs/wire/messages.js";
import { WIRE_VERSION } from "../../specs/wire/messages.js";
import { Awareness } from "./awareness.js";
import { gossipRound, piggyback, piggybackFor } from "./dissemination.js";
import { HeartbeatDetector, type Verdict } from "./heartbeats.js";
import type { Destination, Effect, Input } from "./io.js";
import { KvReplication } from "./kv-replication.js";
import type { KvStore } from "./kv-store.js";
import { type FormedCluster, type Member, newNumberings, supersedes, type TableNumberings } from "./membership.js";
import { behaviourOf, type MutantName } from "./mutants.js";
import { Prober } from "./prober.js";
import { ReconnectList, reap } from "./reaper.js";
import { SelfIncarnation } from "./refutation.js";
import { seededRandom } from "./random.js";
import { NodeState } from "./state.js";
import { graceMs, graceOnce } from "./stall.js";
import { Suspicion } from "./suspicion.js";
import { PullMemory, syncMessage, syncToUpdates } from "./sync.js";

export interface NodeOptions {
  id: MemberId;
  /** The address this node advertises to others. */
  addr: Address;
  config: NodeConfig;
  /** Seed of the random source: the same seed and inputs give the same effects. */
  seed: number;
  /** Addresses to join through. */
  seeds?: readonly string[];
  /** Deliberately broken behaviour (mutants.ts), for showing that checks fail. */
  mutant?: MutantName | undefined;
  /**
   * The incarnation it starts at (default 0). memberlist ignores an alive message at incarnation 0
   * about a member it does not know (state.go:986–1052: a new member is held dead at 0, and an alive
   * no higher than that is dropped), and its own nodes start at 1 (state.go:784): on its wire the node starts at 1.
   */
  firstIncarnation?: number | undefined;
  /** How the membership table numbers ids and addresses: a simulated cluster shares one across its nodes (membership.ts). */
  numberings?: TableNumberings | undefined;
}

/** What the core counts: the protocol half of GET /v1/metrics. */
export type NodeCounters = ProtocolCounters;

/**
 * How long a relay waits for the target before it nacks. Lifeguard's nack tells the requester that
 * its own links work; a nack that lands after the requester stopped waiting says nothing, and the
 * requester counts it missed against its health. So the relay waits at most 80 % of the requester's
 * remaining time (the rest is the nack's way back), and never longer than its own probe timeout.
 */
export function relayTimeoutMs(probeTimeoutMs: number, requesterDeadlineMs: number | undefined): number {
  if (requesterDeadlineMs === undefined) return probeTimeoutMs;
  return Math.max(1, Math.min(probeTimeoutMs, Math.floor(requesterDeadlineMs * 0.8)));
}

/**
 * The push-pull interval for a cluster of n (memberlist's pushPullScale, util.go): unscaled up to 32
 * members, then one more interval for each doubling past 32. A full-state exchange costs O(N) at
 * both ends, so a large cluster exchanges less often; at 10,000 members it is every 10 intervals.
 */
export function pushPullScale(intervalMs: number, n: number): number {
  if (n <= PUSH_PULL_SCALE_THRESHOLD) return intervalMs;
  return (Math.ceil(Math.log2(n) - Math.log2(PUSH_PULL_SCALE_THRESHOLD)) + 1) * intervalMs;
}

const PUSH_PULL_SCALE_THRESHOLD = 32;

export class SwimNode {
  readonly id: MemberId;
  readonly addr: Address;
  readonly config: NodeConfig;

  private status: "new" | "running" | "leaving" | "left" = "new";
  private readonly seeds: readonly string[];
  private readonly s: NodeState;
  private readonly awareness: Awareness;
  private readonly replication: KvReplication;
  private readonly prober: Prober;
  private readonly suspicions = new Map<MemberId, Suspicion>();
  private readonly pulls = new PullMemory();
  private readonly incarnation: SelfIncarnation;
  private readonly reconnect = new ReconnectList();
  /** The φ detector, which stands in for probing and suspicion under --detector phi. */
  private readonly heartbeats: HeartbeatDetector;

  constructor(options: NodeOptions) {
    this.id = options.id;
    this.addr = options.addr;
    this.config = options.config;
    this.seeds = (options.seeds ?? []).filter((s) => s !== options.addr);
    this.s = new NodeState(
      options.id,
      options.addr,
      options.config,
      seededRandom(options.seed),
      behaviourOf(options.mutant),
      options.numberings ?? newNumberings(),
    );
    this.awareness = new Awareness(options.config.awarenessMaxMultiplier, this.s.behaviour.localHealth);
    this.replication = new KvReplication(this.s);
    this.incarnation = new SelfIncarnation(this.s, this.awareness, options.firstIncarnation ?? 0);
    this.prober = new Prober(this.s, this.replication, this.awareness, (update) => this.applyUpdate(update));
    this.heartbeats = new HeartbeatDetector(this.s, (id, verdict) => this.judgeLocally(id, verdict));
  }

  /** Under --detector phi members are judged by heartbeat arrivals (heartbeats.ts), not by probes and rumors of suspicion. */
  private get phiMode(): boolean {
    return this.config.detector === "phi";
  }

  /** Each watched member's heartbeat window and φ at `now` (--detector phi), or undefined under SWIM. */
  phiWindows(now: number): ReturnType<HeartbeatDetector["windows"]> | undefined {
    if (!this.phiMode) return undefined;
    this.s.now = now;
    return this.heartbeats.windows();
  }

  /** φ of a member's silence as this node sees it now (--detector phi), or undefined. */
  phiOf(id: MemberId): number | undefined {
    return this.phiMode ? this.heartbeats.phiOf(id) : undefined;
  }

  /**
   * Runs one input at time `now` (ms, the monotonic clock the node's timers run on) and returns what
   * the shell must do. `wall` is the wall clock, for key-value versions (default: the same).
   */
  step(input: Input, now: number, wall = now): Effect[] {
    this.s.now = now;
    this.s.wall = wall;
    this.s.out = [];
    switch (input.type) {
      case "start":
        this.start();
        break;
      case "tick":
        this.runDueDeadlines();
        break;
      case "request":
        this.onRequest(input.conn, input.message);
        break;
      case "response":
        this.onResponse(input.exchange, input.message);
        break;
      case "leave":
        this.leave();
        break;
      case "kv-put":
        this.replication.put(input.request, input.key, input.value);
        break;
    }
    return this.s.out;
  }

  /**
   * Puts this started node in a cluster that formed long ago: every member of `formed` held alive at
   * incarnation 0 and placed in the probe order, with no rumor queued and no transition recorded.
   * For a simulator that studies a formed cluster at a size where forming it by joins would be the
   * whole cost (bench:sim at 10,000 nodes: every join is a rumor every node queues and relays). A
   * real node always joins.
   */
  assumeFormed(formed: FormedCluster, now: number): void {
    this.s.now = now;
    for (const n of this.s.table.assumeAlive(formed, now)) {
      this.prober.list.addNumber(n, this.s.random);
      if (this.phiMode) this.heartbeats.watch(this.s.numberings.ids.name(n));
    }
    // The next push-pull is due as in a cluster of this size (start() scheduled it for a node alone).
    if (this.s.deadlines.get("push-pull") !== undefined) this.schedulePushPull();
  }

  /** When the shell must next call step({type: "tick"}), or undefined when nothing is scheduled. */
  nextWakeAt(): number | undefined {
    return this.s.deadlines.earliest();
  }

  /** This node's view of the cluster, itself included. */
  members(): Member[] {
    return this.s.table.all();
  }

  get counters(): NodeCounters {
    return this.s.counters;
  }

  get kv(): KvStore {
    return this.replication.store;
  }

  get currentIncarnation(): number {
    return this.incarnation.current;
  }

  /** Lifeguard's local health; undefined under --detector phi, which does not probe and so keeps none. */
  get healthScore(): number | undefined {
    return this.phiMode ? undefined : this.awareness.healthScore;
  }

  get hasLeft(): boolean {
    return this.status === "left";
  }

  // ---- lifecycle -------------------------------------------------------------------------

  private start(): void {
    const s = this.s;
    if (this.status !== "new") return;
    this.status = "running";
    s.record(s.table.set({ id: this.id, addr: this.addr, state: "alive", incarnation: this.incarnation.current }, s.now));
    // Announce ourselves too (memberlist's setAlive does): the seed is then not the rumour's only source.
    s.broadcasts.enqueue({ state: "alive", id: this.id, addr: this.addr, incarnation: this.incarnation.current });
    const c = this.config;
    // Stagger the first probe (or beat) so that nodes started together do not probe in lockstep.
    if (this.phiMode) this.heartbeats.start();
    else s.deadlines.set("probe", s.now + s.random.int(c.probeIntervalMs));
    s.deadlines.set("gossip", s.now + c.gossipIntervalMs);
    if (c.pushPullIntervalMs > 0) this.schedulePushPull();
    if (c.reconnectIntervalMs > 0 && s.behaviour.reconnect) s.deadlines.set("reconnect", s.now + c.reconnectIntervalMs);
    if (c.antiEntropyIntervalMs > 0 && s.behaviour.antiEntropy) s.deadlines.set("anti-entropy", s.now + s.random.int(c.antiEntropyIntervalMs));
    if (this.seeds.length > 0) this.join();
  }

  private join(): void {
    for (const addr of this.seeds) this.sendSync({ addr }, true);
    this.s.deadlines.set("join", this.s.now + this.config.joinRetryMs);
  }

  /** Retries the seeds until some other member is known; a node started before its seeds still joins. */
  private joinTick(): void {
    const self = this.s.table.stateOf(this.id);
    const others = this.s.table.count(["alive", "suspect", "dead"]) - Number(self === "alive" || self === "suspect" || self === "dead");
    if (others === 0) this.join();
  }

  private leave(): void {
    const s = this.s;
    if (this.status !== "running") return;
    this.status = "leaving";
    s.record(s.table.set({ id: this.id, addr: this.addr, state: "left", incarnation: this.incarnation.current }, s.now));
    s.broadcasts.enqueue({ state: "left", id: this.id, addr: this.addr, incarnation: this.incarnation.current, by: this.id });
    for (const name of ["probe", "push-pull", "reconnect", "join", "anti-entropy"] as const) s.deadlines.clear(name);
    this.prober.stop();
    this.heartbeats.stop();
    s.deadlines.set("leave", s.now + this.config.leaveTimeoutMs);
  }

  private finishLeave(): void {
    this.status = "left";
    for (const name of ["gossip", "leave"] as const) this.s.deadlines.clear(name);
    for (const id of this.suspicions.keys()) this.s.deadlines.clear(`suspicion:${id}`);
    this.s.emit({ type: "left" });
  }

  private runDueDeadlines(): void {
    const s = this.s;
    for (let name = s.deadlines.takeNextDue(s.now); name; name = s.deadlines.takeNextDue(s.now)) {
      const lateMs = s.now - s.deadlines.lastDueAt;
      if (name.startsWith("suspicion:")) {
        this.suspicionExpired(name.slice("suspicion:".length), lateMs);
        continue;
      }
      switch (name) {
        case "probe":
          reap(this.s, this.reconnect);
          this.prober.tick(lateMs);
          break;
        case "heartbeat":
          reap(this.s, this.reconnect);
          this.heartbeats.tick();
          break;
        case "phi":
          this.heartbeats.check(lateMs);
          break;
        case "round":
          this.prober.endRound(lateMs);
          break;
        case "indirect":
          this.prober.directTimedOut();
          break;
        case "gossip":
          this.gossipTick();
          break;
        case "push-pull":
          this.pushPullTick();
          break;
        case "reconnect":
          this.reconnectTick();
          break;
        case "join":
          this.joinTick();
          break;
        case "leave":
          this.finishLeave();
          break;
        case "anti-entropy":
          this.replication.startSession();
          break;
      }
    }
  }

  private suspicionExpired(id: MemberId, lateMs: number): void {
    const member = this.s.table.get(id);
    const suspicion = this.suspicions.get(id);
    if (!member || !suspicion || member.state !== "suspect" || member.incarnation !== suspicion.incarnation) return;
    // This node was itself frozen past the deadline: the refutation may be waiting unread. One grace (stall.ts).
    if (graceOnce(suspicion, lateMs, this.config)) {
      this.s.deadlines.set(`suspicion:${id}`, this.s.now + graceMs(this.config));
      return;
    }
    this.s.counters.deathsDeclared++;
    this.applyUpdate({ state: "dead", id, addr: member.addr, incarnation: member.incarnation, by: this.id });
  }

  // ---- dissemination and push-pull -------------------------------------------------------

  private gossipTick(): void {
    this.s.deadlines.set("gossip", this.s.now + this.config.gossipIntervalMs);
    if (this.status === "leaving" && this.s.broadcasts.transmitsOf(this.id) === undefined) {
      this.finishLeave();
      return;
    }
    gossipRound(this.s, this.replication);
  }

  /** The next push-pull: one interval from now, scaled for the cluster this node sees (pushPullScale). */
  private schedulePushPull(): void {
    this.s.deadlines.set("push-pull", this.s.now + pushPullScale(this.config.pushPullIntervalMs, this.s.table.estimatedSize()));
  }

  /** A full-state exchange with one random live member, and the next one scheduled. */
  private pushPullTick(): void {
    this.schedulePushPull();
    const [target] = this.s.table.sample(1, this.s.random, (m) => m.state === "alive", this.id);
    if (target) this.sendSync(target, false);
  }

  /**
   * Serf's reconnect: try one member we hold dead, or one reaped from the table within
   * reconnectTimeoutMs; if it answers, the states merge and both sides refute.
   */
  private reconnectTick(): void {
    const s = this.s;
    s.deadlines.set("reconnect", s.now + this.config.reconnectIntervalMs);
    // One at random among the dead in the table and the reaped, without listing the table (a node at
    // scale runs this every second, and the dead are usually none of its thousands of members).
    const reaped: Destination[] = this.reconnect.peers(s.now, this.config.reconnectTimeoutMs);
    const dead = s.table.count(["dead"]);
    const pick = s.random.int(dead + reaped.length);
    const [target] = pick < dead ? s.table.sample(1, s.random, (m) => m.state === "dead", this.id) : [reaped[pick - dead]];
    if (target) this.sendSync(target, false);
  }

  /**
   * This node's push-pull message. Built once per table change: a node at scale sends one to a dead
   * member every reconnect interval, and sizing a table of thousands for the frame each time costs more
   * than the whole rest of its period.
   */
  private syncOf(join: boolean): Message {
    return this.s.table.derived(`sync:${join}`, () => syncMessage(this.s.peer(), join, this.s.table.all()));
  }

  private sendSync(to: Destination, join: boolean): void {
    const s = this.s;
    s.send(to, this.syncOf(join), this.config.readTimeoutMs, { kind: "sync" });
  }

  /**
   * A message from a member we have never heard of means a rumour about it went cold
   * before reaching us (likely when many join at once): pull its state right away
   * rather than wait for the next push-pull; once per sender per cooldown (PullMemory).
   */
  private noticeSender(from: Peer): void {
    const s = this.s;
    if (this.status !== "running" || from.id === this.id || s.table.get(from.id)) return;
    // Ten protocol periods, long after any honest reply has come.
    const cooldownMs = Math.max(10 * this.config.probeIntervalMs, this.config.readTimeoutMs);
    if (this.pulls.shouldPull(from.id, s.now, cooldownMs, (id) => s.table.get(id) !== undefined)) this.sendSync(from, false);
  }

  // ---- merging what we hear --------------------------------------------------------------

  private applyUpdates(updates: readonly Update[]): void {
    for (const update of updates) this.applyUpdate(update);
  }

  /**
   * The φ detector's verdict about a member, written into this node's table only. As in Cassandra,
   * a conviction is not spread: every node judges every member from its own heartbeat arrivals.
   */
  private judgeLocally(id: MemberId, verdict: Verdict): void {
    const member = this.s.table.get(id);
    if (!member || member.state === verdict || member.state === "left") return;
    if (verdict === "suspect") this.s.counters.suspicions++;
    if (verdict === "dead") this.s.counters.deathsDeclared++;
    this.s.record(this.s.table.set({ id, addr: member.addr, state: verdict, incarnation: member.incarnation }, this.s.now));
    if (verdict === "alive") this.reconnect.forget(id);
  }

  /** The one place a membership claim is judged, whether heard from a peer or raised by this node. */
  private applyUpdate(update: Update): void {
    // Under φ, suspicion and death are each node's own judgement: another's (carried by a sync) is not taken, and there is nothing to refute.
    if (this.phiMode && (update.state === "suspect" || update.state === "dead")) return;
    if (update.id === this.id) {
      if (this.status === "running") this.incarnation.hear(update);
      return;
    }
    const current = this.s.table.get(update.id);
    if (update.state === "suspect" && current?.state === "suspect" && update.incarnation === current.incarnation) {
      this.confirmSuspicion(update);
      return;
    }
    const wins = this.s.behaviour.respectIncarnation
      ? supersedes(update, current)
      : current === undefined
        ? update.state === "alive"
        : update.state !== current.state;
    if (!wins) return;
    this.s.record(this.s.table.set(update, this.s.now));
    this.s.broadcasts.enqueue(update);
    const timer = `suspicion:${update.id}` as const;
    if (update.state === "suspect") {
      this.s.counters.suspicions++;
      const suspicion = new Suspicion(this.s.now, update.incarnation, update.by, {
        suspicionMult: this.config.suspicionMult,
        suspicionMaxTimeoutMult: this.config.suspicionMaxTimeoutMult,
        probeIntervalMs: this.config.probeIntervalMs,
        clusterSize: this.s.table.estimatedSize(),
      });
      this.suspicions.set(update.id, suspicion);
      this.s.deadlines.set(timer, suspicion.deadline());
    } else {
      this.suspicions.delete(update.id);
      this.s.deadlines.clear(timer);
    }
    if (update.state === "alive" && current?.state !== "alive") {
      this.prober.list.add(update.id, this.s.random);
      this.reconnect.forget(update.id);
      if (this.phiMode) this.heartbeats.watch(update.id);
    }
  }

  /** Another member independently suspects the same incarnation: shorten the timer (Lifeguard) and pass it on. */
  private confirmSuspicion(update: Update): void {
    const suspicion = this.suspicions.get(update.id);
    if (!suspicion || !this.s.behaviour.countConfirmations || !suspicion.confirm(update.by)) return;
    this.s.counters.confirmations++;
    this.s.deadlines.set(`suspicion:${update.id}`, suspicion.deadline());
    this.s.broadcasts.enqueue(update);
  }

  // ---- messages --------------------------------------------------------------------------

  private onRequest(conn: number, message: Message): void {
    this.noticeSender(message.from);
    switch (message.type) {
      case "ping":
        this.absorb(message);
        if (message.target !== undefined && message.target !== this.id) {
          this.s.emit({ type: "reply", conn, message: null });
          return;
        }
        this.s.emit({
          type: "reply",
          conn,
          message: { v: WIRE_VERSION, type: "ack", from: this.s.peer(), seq: message.seq, ...piggyback(this.s, this.replication) },
        });
        return;
      case "ping-req": {
        this.absorb(message);
        const relaySeq = this.s.nextSeq();
        // A relay that holds the target suspect tells it too (LIFEGUARD-BUDDY-1 covers every ping).
        const carried = piggybackFor(this.s, this.replication, this.s.table.get(message.target.id));
        this.s.send(
          message.target,
          { v: WIRE_VERSION, type: "ping", from: this.s.peer(), seq: relaySeq, target: message.target.id, ...carried },
          relayTimeoutMs(this.config.probeTimeoutMs, message.deadlineMs),
          { kind: "relay", conn, seq: message.seq, relaySeq },
        );
        return;
      }
      case "gossip":
        this.absorb(message);
        this.s.emit({ type: "reply", conn, message: null });
        return;
      case "heartbeat":
        this.absorb(message);
        // A SWIM node has no use for heartbeats; it drops them as it would any gossip it cannot read.
        if (this.phiMode && this.status === "running") this.heartbeats.hear(message.beats);
        this.s.emit({ type: "reply", conn, message: null });
        return;
      case "ae-tree":
        this.s.emit({ type: "reply", conn, message: this.replication.answerTree(message) });
        return;
      case "ae-entries":
        this.s.emit({ type: "reply", conn, message: this.replication.answerEntries(message) });
        return;
      case "sync":
        this.applyUpdates(syncToUpdates(message.members, message.from.id));
        this.s.emit({ type: "reply", conn, message: this.syncOf(false) });
        return;
      case "ack":
      case "nack":
        // Responses, not requests: nothing to answer.
        this.s.emit({ type: "reply", conn, message: null });
        return;
    }
  }

  private onResponse(exchange: number, message: Message | null): void {
    const pending = this.s.pending.get(exchange);
    this.s.pending.delete(exchange);
    if (message) {
      this.noticeSender(message.from);
      if (message.type === "sync") this.applyUpdates(syncToUpdates(message.members, message.from.id));
      else if ("updates" in message) this.absorb(message);
    }
    if (!pending) return;
    switch (pending.kind) {
      case "probe-ping":
        this.prober.onPingAnswer(pending.seq, message);
        return;
      case "probe-ping-req":
        this.prober.onPingReqAnswer(pending.seq, message);
        return;
      case "relay": {
        const reached = message?.type === "ack" && message.seq === pending.relaySeq;
        const answer = reached ? ("ack" as const) : ("nack" as const);
        this.s.emit({
          type: "reply",
          conn: pending.conn,
          message: { v: WIRE_VERSION, type: answer, from: this.s.peer(), seq: pending.seq, ...piggyback(this.s, this.replication) },
        });
        return;
      }
      case "sync":
        return;
      case "anti-entropy":
        this.replication.continueSession(pending, message);
        return;
    }
  }

  /** Membership updates and key-value rumors carried by a message. */
  private absorb(message: { updates: Update[]; kv: KvEntry[] }): void {
    this.applyUpdates(message.updates);
    for (const entry of message.kv) this.replication.apply(entry, "rumor");
  }
}
