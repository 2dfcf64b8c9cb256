// The reference node's protocol as a sans-I/O state machine: step(input, now) → effects. No socket, timer or clock in here.
import type { KvOrigin, ProtocolCounters } from "../../specs/admin/api.js";
import type { Address, AeEntries, AeTree, KvEntry, Message, MemberId, Peer, Update } from "../../specs/wire/messages.js";
import { expectsResponse, MERKLE_DEPTH, WIRE_VERSION } from "../../specs/wire/messages.js";
import { Awareness } from "./awareness.js";
import { BroadcastQueue, retransmitLimit } from "./broadcast.js";
import type { NodeConfig } from "../../specs/node/config.js";
import { Deadlines } from "./deadlines.js";
import { HybridClock } from "./hlc.js";
import { compareVersions } from "../../specs/wire/version-order.js";
import { KvStore } from "./kv-store.js";
import { MerkleTree } from "./merkle.js";
import type { Destination, Effect, Input } from "./io.js";
import { type Member, MembershipTable, supersedes } from "./membership.js";
import { type Behaviour, behaviourOf, type MutantName } from "./mutants.js";
import { ProbeList } from "./probe-list.js";
import { type Random, seededRandom } from "./random.js";
import { Suspicion } from "./suspicion.js";
import { syncToUpdates, toSyncMembers } from "./sync.js";

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
}

/** What the core counts: the protocol half of GET /v1/metrics. */
export type NodeCounters = ProtocolCounters;

type DeadlineName = "probe" | "round" | "gossip" | "push-pull" | "reconnect" | "join" | "leave" | "anti-entropy" | `suspicion:${string}`;

/** A probe in progress: one protocol period spent on one target. */
interface ProbeRound {
  target: MemberId;
  seq: number;
  deadline: number;
  indirectSent: boolean;
  expectedNacks: number;
  nacks: number;
}

/** What an outbound exchange was for, so its response goes to the right place. */
type Pending =
  | { kind: "probe-ping"; seq: number }
  | { kind: "probe-ping-req"; seq: number }
  | { kind: "relay"; conn: number; seq: number; relaySeq: number }
  | { kind: "sync" }
  | { kind: "anti-entropy"; session: number; peer: Peer };

/** Unknown senders remembered at once (see pulledAt); a flood of made-up ids cannot grow it further. */
const MAX_REMEMBERED_PULLS = 1024;

const compareKey = (e: KvEntry) => `${e.version.wall}.${e.version.logical}.${e.version.node}`;

export class SwimNode {
  readonly id: MemberId;
  readonly addr: Address;
  readonly config: NodeConfig;
  readonly counters: NodeCounters = {
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
  };

  private incarnation = 0;
  private status: "new" | "running" | "leaving" | "left" = "new";
  private readonly seeds: readonly string[];
  private readonly random: Random;
  private readonly table = new MembershipTable();
  private readonly probeList = new ProbeList();
  private readonly awareness: Awareness;
  private readonly behaviour: Behaviour;
  private readonly broadcasts = new BroadcastQueue<Update>((u) => u.id);
  /** Key-value writes spreading by rumor mongering, until they go cold at the retransmit limit. */
  private readonly kvRumors = new BroadcastQueue<KvEntry>((e) => e.key);
  private readonly clock: HybridClock;
  readonly kv: KvStore;
  private nextSession = 1;
  private readonly suspicions = new Map<MemberId, Suspicion>();
  private readonly deadlines = new Deadlines<DeadlineName>();
  private readonly pending = new Map<number, Pending>();
  /**
   * When we last asked each unknown sender for its state. A sender whose reply does not
   * introduce itself stays unknown; without this memory every reply from it would start
   * another pull, a sync storm as fast as the network allows.
   */
  private readonly pulledAt = new Map<MemberId, number>();
  private round: ProbeRound | undefined;
  private nextExchange = 1;
  private nextSeq = 1;

  // Per-step scratch: the time of the step being run and the effects it produced.
  private now = 0;
  private out: Effect[] = [];

  constructor(options: NodeOptions) {
    this.id = options.id;
    this.addr = options.addr;
    this.config = options.config;
    this.seeds = (options.seeds ?? []).filter((s) => s !== options.addr);
    this.random = seededRandom(options.seed);
    this.awareness = new Awareness(options.config.awarenessMaxMultiplier);
    this.behaviour = behaviourOf(options.mutant);
    this.clock = new HybridClock(options.id);
    this.kv = this.behaviour.newestWriteWins ? new KvStore() : new KvStore((a, b) => compareVersions(a.version, b.version) < 0);
  }

  /** Runs one input at time `now` (ms) and returns what the shell must do. */
  step(input: Input, now: number): Effect[] {
    this.now = now;
    this.out = [];
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
        this.kvPut(input.request, input.key, input.value);
        break;
    }
    return this.out;
  }

  /** When the shell must next call step({type: "tick"}), or undefined when nothing is scheduled. */
  nextWakeAt(): number | undefined {
    return this.deadlines.earliest();
  }

  /** This node's view of the cluster, itself included. */
  members(): Member[] {
    return this.table.all();
  }

  get currentIncarnation(): number {
    return this.incarnation;
  }

  get healthScore(): number {
    return this.awareness.healthScore;
  }

  get hasLeft(): boolean {
    return this.status === "left";
  }

  // ---- lifecycle -------------------------------------------------------------------------

  private start(): void {
    if (this.status !== "new") return;
    this.status = "running";
    this.record(this.table.set({ id: this.id, addr: this.addr, state: "alive", incarnation: 0 }, this.now));
    // Announce ourselves too (memberlist's setAlive does): the seed is then not the rumour's only source.
    this.broadcasts.enqueue({ state: "alive", id: this.id, addr: this.addr, incarnation: 0 });
    const c = this.config;
    // Stagger the first probe so that nodes started together do not probe in lockstep.
    this.deadlines.set("probe", this.now + this.random.int(c.probeIntervalMs));
    this.deadlines.set("gossip", this.now + c.gossipIntervalMs);
    if (c.pushPullIntervalMs > 0) this.deadlines.set("push-pull", this.now + c.pushPullIntervalMs);
    if (c.reconnectIntervalMs > 0) this.deadlines.set("reconnect", this.now + c.reconnectIntervalMs);
    if (c.antiEntropyIntervalMs > 0 && this.behaviour.antiEntropy) this.deadlines.set("anti-entropy", this.now + this.random.int(c.antiEntropyIntervalMs));
    if (this.seeds.length > 0) this.join();
  }

  private join(): void {
    for (const addr of this.seeds) this.sendSync({ addr }, true);
    this.deadlines.set("join", this.now + this.config.joinRetryMs);
  }

  /** Retries the seeds until some other member is known; a node started before its seeds still joins. */
  private joinTick(): void {
    const others = this.table.inState(["alive", "suspect", "dead"], this.id);
    if (others.length === 0) this.join();
  }

  private leave(): void {
    if (this.status !== "running") return;
    this.status = "leaving";
    this.record(this.table.set({ id: this.id, addr: this.addr, state: "left", incarnation: this.incarnation }, this.now));
    this.broadcasts.enqueue({ state: "left", id: this.id, addr: this.addr, incarnation: this.incarnation, by: this.id });
    for (const name of ["probe", "round", "push-pull", "reconnect", "join", "anti-entropy"] as const) this.deadlines.clear(name);
    this.round = undefined;
    this.deadlines.set("leave", this.now + this.config.leaveTimeoutMs);
  }

  private finishLeave(): void {
    this.status = "left";
    for (const name of ["gossip", "leave"] as const) this.deadlines.clear(name);
    for (const id of this.suspicions.keys()) this.deadlines.clear(`suspicion:${id}`);
    this.out.push({ type: "left" });
  }

  private runDueDeadlines(): void {
    for (let name = this.deadlines.takeNextDue(this.now); name; name = this.deadlines.takeNextDue(this.now)) {
      if (name.startsWith("suspicion:")) {
        this.suspicionExpired(name.slice("suspicion:".length));
        continue;
      }
      switch (name) {
        case "probe":
          this.probeTick();
          break;
        case "round":
          this.endRound();
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
          this.antiEntropyTick();
          break;
      }
    }
  }

  // ---- failure detection -----------------------------------------------------------------

  private probeTick(): void {
    if (this.round) this.endRound();
    const period = this.awareness.scale(this.config.probeIntervalMs);
    this.deadlines.set("probe", this.now + period);
    const candidates = new Set(this.table.inState(["alive", "suspect"], this.id).map((m) => m.id));
    const targetId = this.probeList.next(candidates, this.random);
    if (targetId === undefined) return;
    const target = this.table.get(targetId)!;
    const seq = this.nextSeq++;
    this.round = { target: targetId, seq, deadline: this.now + period, indirectSent: false, expectedNacks: 0, nacks: 0 };
    this.deadlines.set("round", this.round.deadline);
    this.counters.probes++;
    this.send(
      target,
      { v: WIRE_VERSION, type: "ping", from: this.peer(), seq, target: targetId, ...this.piggybackFor(target) },
      this.awareness.scale(this.config.probeTimeoutMs),
      { kind: "probe-ping", seq },
    );
  }

  /**
   * Lifeguard's buddy system (§IV-C): a ping to a member we hold suspect always carries that
   * suspicion, whatever the broadcast queue holds. Rumors are retransmitted a bounded number of
   * times and may all go elsewhere (a dead member can soak up several); the suspected member,
   * if it is alive, must hear it in time to refute.
   */
  private piggybackFor(target: Member): { updates: Update[]; kv: KvEntry[] } {
    const carried = this.piggyback();
    if (target.state !== "suspect" || !this.behaviour.disseminate) return carried;
    const others = carried.updates.filter((u) => u.id !== target.id);
    const suspicion: Update = { state: "suspect", id: target.id, addr: target.addr, incarnation: target.incarnation, by: this.id };
    return { ...carried, updates: [suspicion, ...others] };
  }

  /** The direct ping failed: ask up to indirectChecks other members to probe the target for us. */
  private probeIndirectly(round: ProbeRound): void {
    if (round.indirectSent || !this.behaviour.indirectProbes) return;
    round.indirectSent = true;
    const target = this.table.get(round.target);
    if (!target) return;
    const helpers = this.random.sample(
      this.table.inState(["alive"], this.id).filter((m) => m.id !== round.target),
      this.config.indirectChecks,
    );
    if (helpers.length === 0) return;
    this.counters.indirectProbes++;
    round.expectedNacks = helpers.length;
    const timeoutMs = Math.max(1, round.deadline - this.now);
    for (const helper of helpers) {
      this.send(
        helper,
        {
          v: WIRE_VERSION,
          type: "ping-req",
          from: this.peer(),
          seq: round.seq,
          target: { id: target.id, addr: target.addr },
          ...this.piggyback(),
        },
        timeoutMs,
        { kind: "probe-ping-req", seq: round.seq },
      );
    }
  }

  private probeSucceeded(): void {
    this.round = undefined;
    this.deadlines.clear("round");
    this.awareness.applyDelta(-1);
  }

  /** End of the protocol period with no ack: suspect the target, and doubt ourselves by the nacks we missed. */
  private endRound(): void {
    const round = this.round;
    this.round = undefined;
    this.deadlines.clear("round");
    if (!round) return;
    this.counters.probeFailures++;
    // Lifeguard: missing nacks mean our own links or CPU may be the problem, not the target.
    this.awareness.applyDelta(round.expectedNacks > 0 ? Math.max(0, round.expectedNacks - round.nacks) : 1);
    const target = this.table.get(round.target);
    if (!target || (target.state !== "alive" && target.state !== "suspect")) return;
    const verdict = this.behaviour.suspicion ? "suspect" : "dead";
    this.applyUpdate({ state: verdict, id: target.id, addr: target.addr, incarnation: target.incarnation, by: this.id });
  }

  private suspicionExpired(id: MemberId): void {
    const member = this.table.get(id);
    const suspicion = this.suspicions.get(id);
    if (!member || !suspicion || member.state !== "suspect" || member.incarnation !== suspicion.incarnation) return;
    this.counters.deathsDeclared++;
    this.applyUpdate({ state: "dead", id, addr: member.addr, incarnation: member.incarnation, by: this.id });
  }

  // ---- dissemination ---------------------------------------------------------------------

  /**
   * What rides on the next message: membership updates and key-value rumors, each within
   * its own budget of maxPiggybackBytes so that large values never crowd out membership.
   * A value too large for the budget does not spread by rumor; anti-entropy carries it.
   */
  private piggyback(): { updates: Update[]; kv: KvEntry[] } {
    if (!this.behaviour.disseminate) return { updates: [], kv: [] };
    const limit = retransmitLimit(this.config.retransmitMult, this.table.estimatedSize());
    const kvLimit = retransmitLimit(this.config.kvRetransmitMult, this.table.estimatedSize());
    return {
      updates: this.broadcasts.take(limit, this.config.maxPiggybackBytes),
      kv: kvLimit > 0 ? this.kvRumors.take(kvLimit, this.config.maxPiggybackBytes) : [],
    };
  }

  private gossipTick(): void {
    this.deadlines.set("gossip", this.now + this.config.gossipIntervalMs);
    if (this.status === "leaving" && this.broadcasts.transmitsOf(this.id) === undefined) {
      this.finishLeave();
      return;
    }
    if (this.broadcasts.size === 0 && this.kvRumors.size === 0) return;
    // Recently dead members get gossip too, so that a member wrongly declared dead hears it and refutes.
    const recentlyDead = this.table
      .inState(["dead"], this.id)
      .filter((m) => this.now - m.since <= this.config.gossipToTheDeadMs);
    const targets = this.random.sample([...this.table.inState(["alive", "suspect"], this.id), ...recentlyDead], this.config.gossipNodes);
    for (const target of targets) {
      const carried = this.piggyback();
      if (carried.updates.length === 0 && carried.kv.length === 0) break;
      this.send(target, { v: WIRE_VERSION, type: "gossip", from: this.peer(), ...carried }, this.config.probeTimeoutMs, undefined);
    }
  }

  private pushPullTick(): void {
    this.deadlines.set("push-pull", this.now + this.config.pushPullIntervalMs);
    const [target] = this.random.sample(this.table.inState(["alive"], this.id), 1);
    if (target) this.sendSync(target, false);
  }

  /** Serf's reconnect: try a member we hold dead; if it answers, the states merge and both sides refute. */
  private reconnectTick(): void {
    this.deadlines.set("reconnect", this.now + this.config.reconnectIntervalMs);
    const [target] = this.random.sample(this.table.inState(["dead"], this.id), 1);
    if (target) this.sendSync(target, false);
  }

  private sendSync(to: Destination, join: boolean): void {
    this.send(
      to,
      { v: WIRE_VERSION, type: "sync", from: this.peer(), join, members: toSyncMembers(this.table.all()) },
      this.config.readTimeoutMs,
      { kind: "sync" },
    );
  }

  /**
   * A message from a member we have never heard of means a rumour about it went cold
   * before reaching us (likely when many join at once): pull its state right away
   * rather than wait for the next push-pull.
   */
  private noticeSender(from: Peer): void {
    if (this.status !== "running" || from.id === this.id || this.table.get(from.id)) return;
    const last = this.pulledAt.get(from.id);
    if (last !== undefined && this.now - last < this.pullCooldownMs()) return;
    if (this.pulledAt.size >= MAX_REMEMBERED_PULLS) this.forgetOldPulls();
    this.pulledAt.set(from.id, this.now);
    this.sendSync(from, false);
  }

  /** One pull per unknown sender per this long: ten protocol periods, long after any honest reply has come. */
  private pullCooldownMs(): number {
    return Math.max(10 * this.config.probeIntervalMs, this.config.readTimeoutMs);
  }

  private forgetOldPulls(): void {
    for (const [id, at] of this.pulledAt) if (this.now - at >= this.pullCooldownMs() || this.table.get(id)) this.pulledAt.delete(id);
    // Still full (a flood of distinct unknown ids): forget the oldest half rather than grow.
    if (this.pulledAt.size >= MAX_REMEMBERED_PULLS) [...this.pulledAt.keys()].slice(0, MAX_REMEMBERED_PULLS / 2).forEach((id) => this.pulledAt.delete(id));
  }

  // ---- merging what we hear --------------------------------------------------------------

  private applyUpdates(updates: readonly Update[]): void {
    for (const update of updates) this.applyUpdate(update);
  }

  /** The one place a membership claim is judged, whether heard from a peer or raised by this node. */
  private applyUpdate(update: Update): void {
    if (update.id === this.id) {
      this.applyUpdateAboutSelf(update);
      return;
    }
    const current = this.table.get(update.id);
    if (update.state === "suspect" && current?.state === "suspect" && update.incarnation === current.incarnation) {
      this.confirmSuspicion(update);
      return;
    }
    const wins = this.behaviour.respectIncarnation ? supersedes(update, current) : current === undefined ? update.state === "alive" : update.state !== current.state;
    if (!wins) return;
    this.record(this.table.set(update, this.now));
    this.broadcasts.enqueue(update);
    const timer = `suspicion:${update.id}` as const;
    if (update.state === "suspect") {
      this.counters.suspicions++;
      const suspicion = new Suspicion(this.now, update.incarnation, update.by, {
        suspicionMult: this.config.suspicionMult,
        suspicionMaxTimeoutMult: this.config.suspicionMaxTimeoutMult,
        probeIntervalMs: this.config.probeIntervalMs,
        clusterSize: this.table.estimatedSize(),
      });
      this.suspicions.set(update.id, suspicion);
      this.deadlines.set(timer, suspicion.deadline());
    } else {
      this.suspicions.delete(update.id);
      this.deadlines.clear(timer);
    }
    if (update.state === "alive" && current?.state !== "alive") this.probeList.add(update.id, this.random);
  }

  /** Another member independently suspects the same incarnation: shorten the timer (Lifeguard) and pass it on. */
  private confirmSuspicion(update: Update): void {
    const suspicion = this.suspicions.get(update.id);
    if (!suspicion || !suspicion.confirm(update.by)) return;
    this.counters.confirmations++;
    this.deadlines.set(`suspicion:${update.id}`, suspicion.deadline());
    this.broadcasts.enqueue(update);
  }

  private applyUpdateAboutSelf(update: Update): void {
    if (this.status !== "running") return;
    if (update.state === "alive") {
      // Someone holds a later incarnation of us (from before a restart): continue above it.
      if (update.incarnation > this.incarnation) this.setIncarnation(update.incarnation);
      return;
    }
    if (update.incarnation < this.incarnation) {
      this.repeatRefutation();
      return;
    }
    this.refute(update.incarnation);
  }

  /**
   * An accusation older than our incarnation: we refuted it, but the accuser has not heard.
   * The refutation's transmissions may all have gone on replies nobody read (a node thawing
   * from a pause answers pings whose senders gave up long ago), so spread our alive again —
   * the reply to the accuser's own message carries it first.
   */
  private repeatRefutation(): void {
    if (!this.behaviour.refute) return;
    this.broadcasts.enqueue({ state: "alive", id: this.id, addr: this.addr, incarnation: this.incarnation });
  }

  /** SWIM §4.2: we are suspected (or declared dead or left) at our incarnation or above: raise it and spread `alive`. */
  private refute(accusedIncarnation: number): void {
    if (!this.behaviour.refute) return;
    this.counters.refutations++;
    this.setIncarnation(accusedIncarnation + 1);
    this.broadcasts.enqueue({ state: "alive", id: this.id, addr: this.addr, incarnation: this.incarnation });
    // Lifeguard: having to refute means others cannot hear us well; slow down our own verdicts.
    this.awareness.applyDelta(1);
  }

  private setIncarnation(incarnation: number): void {
    this.incarnation = incarnation;
    this.record(this.table.set({ id: this.id, addr: this.addr, state: "alive", incarnation }, this.now));
  }

  // ---- messages --------------------------------------------------------------------------

  private onRequest(conn: number, message: Message): void {
    this.noticeSender(message.from);
    switch (message.type) {
      case "ping":
        this.absorb(message);
        if (message.target !== undefined && message.target !== this.id) {
          this.out.push({ type: "reply", conn, message: null });
          return;
        }
        this.out.push({
          type: "reply",
          conn,
          message: { v: WIRE_VERSION, type: "ack", from: this.peer(), seq: message.seq, ...this.piggyback() },
        });
        return;
      case "ping-req": {
        this.absorb(message);
        const relaySeq = this.nextSeq++;
        this.send(
          message.target,
          { v: WIRE_VERSION, type: "ping", from: this.peer(), seq: relaySeq, target: message.target.id, ...this.piggyback() },
          this.config.probeTimeoutMs,
          { kind: "relay", conn, seq: message.seq, relaySeq },
        );
        return;
      }
      case "gossip":
        this.absorb(message);
        this.out.push({ type: "reply", conn, message: null });
        return;
      case "ae-tree":
        this.out.push({ type: "reply", conn, message: this.answerTree(message) });
        return;
      case "ae-entries":
        this.out.push({ type: "reply", conn, message: this.answerEntries(message) });
        return;
      case "sync":
        this.applyUpdates(syncToUpdates(message.members, message.from.id));
        this.out.push({
          type: "reply",
          conn,
          message: { v: WIRE_VERSION, type: "sync", from: this.peer(), join: false, members: toSyncMembers(this.table.all()) },
        });
        return;
      case "ack":
      case "nack":
        // Responses, not requests: nothing to answer.
        this.out.push({ type: "reply", conn, message: null });
        return;
    }
  }

  private onResponse(exchange: number, message: Message | null): void {
    const pending = this.pending.get(exchange);
    this.pending.delete(exchange);
    if (message) {
      this.noticeSender(message.from);
      if (message.type === "sync") this.applyUpdates(syncToUpdates(message.members, message.from.id));
      else if ("updates" in message) this.absorb(message);
    }
    if (!pending) return;
    switch (pending.kind) {
      case "probe-ping": {
        const round = this.round;
        if (!round || round.seq !== pending.seq) return;
        if (message?.type === "ack" && message.seq === pending.seq) this.probeSucceeded();
        else this.probeIndirectly(round);
        return;
      }
      case "probe-ping-req": {
        const round = this.round;
        if (!round || round.seq !== pending.seq || !message) return;
        if (message.type === "ack" && message.seq === pending.seq) this.probeSucceeded();
        else if (message.type === "nack" && message.seq === pending.seq) round.nacks++;
        return;
      }
      case "relay": {
        const reached = message?.type === "ack" && message.seq === pending.relaySeq;
        const answer = reached ? ("ack" as const) : ("nack" as const);
        this.out.push({
          type: "reply",
          conn: pending.conn,
          message: { v: WIRE_VERSION, type: answer, from: this.peer(), seq: pending.seq, ...this.piggyback() },
        });
        return;
      }
      case "sync":
        return;
      case "anti-entropy":
        this.continueSession(pending, message);
        return;
    }
  }

  /** Membership updates and key-value rumors carried by a message. */
  private absorb(message: { updates: Update[]; kv: KvEntry[] }): void {
    this.applyUpdates(message.updates);
    for (const entry of message.kv) this.applyKv(entry, "rumor");
  }

  // ---- key-value store -------------------------------------------------------------------

  private kvPut(request: number, key: string, value: string | null): void {
    const entry: KvEntry = { key, value, version: this.clock.tick(this.now) };
    this.counters.kvWrites++;
    this.applyKv(entry, "local");
    this.out.push({ type: "kv-written", request, key, version: entry.version });
  }

  /** Stores an entry that wins last-writer-wins; a stored entry is passed on as a rumor (infection style). */
  private applyKv(entry: KvEntry, origin: KvOrigin): boolean {
    this.clock.observe(entry.version, this.now);
    if (!this.kv.apply(entry)) return false;
    this.counters.kvApplied++;
    if (this.config.kvRetransmitMult > 0) this.kvRumors.enqueue(entry);
    this.out.push({ type: "kv-applied", at: this.now, key: entry.key, version: entry.version, origin });
    return true;
  }

  /**
   * Anti-entropy, as the initiator: compare Merkle roots with a random member, descend only
   * into differing branches (one exchange per level), then move the entries of the differing
   * leaves — pushed, pulled or both, by antiEntropyMode.
   */
  private antiEntropyTick(): void {
    this.deadlines.set("anti-entropy", this.now + this.config.antiEntropyIntervalMs);
    const [peer] = this.random.sample(this.table.inState(["alive"], this.id), 1);
    if (!peer) return;
    this.counters.aeSessions++;
    this.sendTree({ id: peer.id, addr: peer.addr }, this.nextSession++, 0, [0]);
  }

  private sendTree(peer: Peer, session: number, level: number, indices: number[]): void {
    this.counters.aeRounds++;
    const nodes = indices.map((index) => ({ index, hash: this.kv.tree.hash(level, index) }));
    this.send(peer, { v: WIRE_VERSION, type: "ae-tree", from: this.peer(), session, level, nodes }, this.config.readTimeoutMs, { kind: "anti-entropy", session, peer });
  }

  private continueSession(pending: { session: number; peer: Peer }, message: Message | null): void {
    if (message?.type === "ae-tree" && message.session === pending.session) {
      // The peer's children of the nodes that differed; keep those that differ from ours.
      const differing = message.nodes.filter((n) => n.hash !== this.kv.tree.hash(message.level, n.index)).map((n) => n.index);
      if (differing.length === 0) return;
      if (message.level < MERKLE_DEPTH) {
        this.sendTree(pending.peer, pending.session, message.level, differing);
        return;
      }
      const mode = this.config.antiEntropyMode;
      const entries = mode === "pull" ? [] : this.kv.entriesIn(differing);
      this.counters.aeRounds++;
      this.counters.aeEntriesSent += entries.length;
      this.send(
        pending.peer,
        { v: WIRE_VERSION, type: "ae-entries", from: this.peer(), session: pending.session, leaves: differing, entries, want: mode !== "push" },
        this.config.readTimeoutMs,
        { kind: "anti-entropy", session: pending.session, peer: pending.peer },
      );
      return;
    }
    if (message?.type === "ae-entries" && message.session === pending.session) {
      this.counters.aeEntriesReceived += message.entries.length;
      for (const entry of message.entries) this.applyKv(entry, "anti-entropy");
    }
  }

  /** As the responder: our hashes of the children of every node whose hash differs from the initiator's. */
  private answerTree(request: AeTree): AeTree {
    const level = Math.min(request.level + 1, MERKLE_DEPTH);
    const nodes =
      request.level >= MERKLE_DEPTH
        ? []
        : request.nodes
            .filter((n) => n.hash !== this.kv.tree.hash(request.level, n.index))
            .flatMap((n) => MerkleTree.children(n.index).map((index) => ({ index, hash: this.kv.tree.hash(level, index) })));
    return { v: WIRE_VERSION, type: "ae-tree", from: this.peer(), session: request.session, level, nodes };
  }

  /** As the responder: take what was pushed; send back (if wanted) our entries of those leaves that the initiator lacks. */
  private answerEntries(request: AeEntries): AeEntries {
    this.counters.aeEntriesReceived += request.entries.length;
    for (const entry of request.entries) this.applyKv(entry, "anti-entropy");
    const pushed = new Set(request.entries.map((e) => `${e.key}\u0000${compareKey(e)}`));
    const entries = request.want ? this.kv.entriesIn(request.leaves).filter((e) => !pushed.has(`${e.key}\u0000${compareKey(e)}`)) : [];
    this.counters.aeEntriesSent += entries.length;
    return { v: WIRE_VERSION, type: "ae-entries", from: this.peer(), session: request.session, leaves: request.leaves, entries, want: false };
  }

  // ---- helpers ---------------------------------------------------------------------------

  private peer(): Peer {
    return { id: this.id, addr: this.addr };
  }

  private send(to: Destination, message: Message, timeoutMs: number, pending: Pending | undefined): void {
    const exchange = this.nextExchange++;
    if (pending) this.pending.set(exchange, pending);
    const dest: Destination = to.id === undefined ? { addr: to.addr } : { id: to.id, addr: to.addr };
    this.out.push({ type: "send", exchange, to: dest, message, timeoutMs, expectReply: expectsResponse(message.type) });
  }

  private record(transition: ReturnType<MembershipTable["set"]>): void {
    if (transition) this.out.push({ type: "transition", at: this.now, ...transition });
  }
}
