// Many sans-I/O cores on one virtual clock, with a simulated network that can crash, pause, restart,
// offset clocks, and cut, refuse, lose and delay messages (network.ts).
import { MAX_FRAME_BYTES } from "../../specs/wire/frame.js";
import type { KvOrigin } from "../../specs/admin/api.js";
import type { KvVersion, MemberId, MemberState, Message } from "../../specs/wire/messages.js";
import type { NodeConfig } from "../../specs/node/config.js";
import type { Effect } from "../core/io.js";
import type { MutantName } from "../core/mutants.js";
import { newNumberings } from "../core/membership.js";
import { SwimNode } from "../core/node.js";
import { EventQueue } from "./event-queue.js";
import { SimNetwork } from "./network.js";

export interface SimTransition {
  at: number;
  /** The node whose view changed. */
  observer: MemberId;
  id: MemberId;
  from: MemberState | null;
  to: MemberState;
  incarnation: number;
}

/** A key-value entry stored at a node (its own write, a rumor, or anti-entropy). */
export interface SimKvApplied {
  at: number;
  observer: MemberId;
  key: string;
  version: KvVersion;
  origin: KvOrigin;
}

/** What the harness hears from the simulation as it happens (a run at scale keeps no list of its own). */
export interface SimListener {
  transition?(transition: SimTransition): void;
  kvApplied?(applied: SimKvApplied): void;
  /** A node sent a request or one-way message (`to`: undefined for an address no node has), before the network decides its fate. */
  sent?(at: number, from: MemberId, to: MemberId | undefined, message: Message): void;
  /** A node's process started, first or again: it believes nothing yet. */
  started?(id: MemberId): void;
}

interface SimNode {
  core: SwimNode;
  status: "up" | "paused" | "crashed";
  /** ms added to the virtual clock this node reads (a skewed clock). */
  clockOffsetMs: number;
  /** Inputs that reached a paused node wait here, as requests would in its socket buffers. */
  held: (() => void)[];
  /** How many of `held` are requests (bounded by HELD_BACKLOG). */
  heldRequests: number;
  wakeToken: number;
}

interface InboundConn {
  sender: MemberId;
  /** The sender's process when it sent: a reply after it restarted goes nowhere. */
  senderCore: SwimNode;
  exchange: number;
  deadline: number;
}

/** Requests a paused node holds before it drops more: Node's default listen backlog (net.Server.listen). */
export const HELD_BACKLOG = 511;

export interface SimOptions {
  config: NodeConfig;
  /** One-way delay of every message on a clean link, ms. */
  latencyMs?: number;
  /** Seed of the network's random draws (loss, jitter). */
  networkSeed?: number;
  /** Keep every transition in `transitions` (default true; a run at scale listens instead). */
  keepTransitions?: boolean;
  listener?: SimListener;
  /** Every node's deliberately broken behaviour. */
  mutant?: MutantName | undefined;
  /**
   * Measure every message's framed size (default true): `bytes`, and `oversize` for a message the
   * frame limit would stop. It serialises every message, the largest cost of a run at scale; the
   * core fits its own messages to the frame (frame-budget.ts), so a run at scale can leave it out.
   */
  measureBytes?: boolean;
}

/** How a node was started, kept so that a restart starts it again the same way. */
interface NodeStart {
  seed: number;
  seeds: readonly MemberId[];
  config: NodeConfig;
}

/**
 * Exchanges follow the wire protocol's rule: one request, at most one response, on a
 * connection the sender opened. A cut link `a→b` blackholes connections a opens to b, and
 * a's replies on connections b opened, as the proxy engine's `timeout` toxics on proxy a->b
 * (upstream) and b->a (downstream) do: b still reaches a, but hears no answer.
 */
export class SimCluster {
  now = 0;
  readonly transitions: SimTransition[] = [];
  /** `oversize`: messages the frame limit stopped, as the TCP shell's encoder would (each one a bug in the sender). */
  readonly messages = { sent: 0, delivered: 0, oversize: 0 };
  /** Framed bytes sent, by message type (requests and responses). */
  readonly bytes: Record<string, number> = {};
  readonly network: SimNetwork;
  private readonly queue = new EventQueue();
  private readonly nodes = new Map<MemberId, SimNode>();
  private readonly starts = new Map<MemberId, NodeStart>();
  private readonly byAddr = new Map<string, MemberId>();
  private readonly inbound = new Map<MemberId, Map<number, InboundConn>>();
  /** The version of each node's last acknowledged write (kv-written), read by `put`. */
  private readonly written = new Map<MemberId, KvVersion>();
  private nextConn = 1;
  /** One numbering of member ids and addresses for every node's table (membership.ts): their tables are arrays by number. */
  private readonly numberings = newNumberings();

  constructor(private readonly options: SimOptions) {
    this.network = new SimNetwork(options.networkSeed ?? 1, options.latencyMs ?? 1);
  }

  static addrOf(id: MemberId): string {
    return `${id}.sim:7000`;
  }

  /** Adds and starts a node; `seeds` are ids of nodes to join through. */
  add(id: MemberId, seed: number, seeds: readonly MemberId[] = [], config: NodeConfig = this.options.config): SwimNode {
    this.starts.set(id, { seed, seeds, config });
    return this.boot(id);
  }

  /**
   * Adds and starts nodes that begin as one cluster formed long ago (SwimNode.assumeFormed): each
   * holds every other alive, with nothing to spread. `seeds`: whom a node joins through when restarted.
   */
  addFormed(nodes: readonly { id: MemberId; seed: number }[], seeds: readonly MemberId[] = []): void {
    const formed = { ids: nodes.map(({ id }) => id), addrs: nodes.map(({ id }) => SimCluster.addrOf(id)) };
    // Numbered before any node starts, so that each table is sized for all of them once.
    this.numberings.ids.ofAll(formed.ids);
    this.numberings.addrs.ofAll(formed.addrs);
    for (const { id, seed } of nodes) {
      this.starts.set(id, { seed, seeds: [], config: this.options.config });
      this.boot(id);
      this.starts.set(id, { seed, seeds, config: this.options.config });
    }
    for (const { id } of nodes) {
      const node = this.nodes.get(id)!;
      node.core.assumeFormed(formed, this.now);
      // Under φ each member now watched has a deadline of its own.
      this.scheduleWake(id, node);
    }
  }

  /** Node ids in the order they were added. */
  get ids(): MemberId[] {
    return [...this.starts.keys()];
  }

  /** Whether `id` is up, paused or crashed (undefined: never added). */
  status(id: MemberId): SimNode["status"] | undefined {
    return this.nodes.get(id)?.status;
  }

  /**
   * Kills node `id` if it runs and starts it again with the same id and address and a fresh state
   * (a process restarted on its port), joining through its seeds. `seed` replaces its random seed,
   * `seeds` the nodes it joins through.
   */
  restart(id: MemberId, seed?: number, seeds?: readonly MemberId[]): SwimNode {
    const start = this.starts.get(id);
    if (!start) throw new Error(`no simulated node ${id}`);
    this.crash(id);
    this.starts.set(id, { ...start, ...(seed === undefined ? {} : { seed }), ...(seeds === undefined ? {} : { seeds }) });
    return this.boot(id);
  }

  /**
   * Node `id`'s wall clock reads the virtual clock `offsetMs` ahead (negative: behind) from now on:
   * what its key-value versions are stamped with. Its timers keep running on the true clock, as a
   * real process's monotonic timers do when its wall clock is stepped.
   */
  setClockOffset(id: MemberId, offsetMs: number): void {
    this.nodes.get(id)!.clockOffsetMs = offsetMs;
    this.stepNode(id, { type: "tick" });
  }

  private boot(id: MemberId): SwimNode {
    const { seed, seeds, config } = this.starts.get(id)!;
    const addr = SimCluster.addrOf(id);
    const core = new SwimNode({ id, addr, config, seed, seeds: seeds.map(SimCluster.addrOf), mutant: this.options.mutant, numberings: this.numberings });
    const previous = this.nodes.get(id);
    // A restarted process's old timers find a new wake token and do nothing.
    this.nodes.set(id, { core, status: "up", clockOffsetMs: 0, held: [], heldRequests: 0, wakeToken: (previous?.wakeToken ?? 0) + 1 });
    this.byAddr.set(addr, id);
    this.inbound.set(id, new Map());
    this.options.listener?.started?.(id);
    this.stepNode(id, { type: "start" });
    return core;
  }

  node(id: MemberId): SwimNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no simulated node ${id}`);
    return node.core;
  }

  /** SIGKILL: the node and its state are gone; connections to it are refused. */
  crash(id: MemberId): void {
    const node = this.nodes.get(id)!;
    node.status = "crashed";
    node.held = [];
    node.heldRequests = 0;
  }

  /** SIGSTOP: nothing runs; requests and responses pile up unanswered. */
  pause(id: MemberId): void {
    this.nodes.get(id)!.status = "paused";
  }

  /** SIGCONT: held requests are handled and overdue timers fire at once. */
  resume(id: MemberId): void {
    const node = this.nodes.get(id)!;
    node.status = "up";
    node.heldRequests = 0;
    const held = node.held.splice(0);
    for (const run of held) run();
    this.stepNode(id, { type: "tick" });
  }

  leave(id: MemberId): void {
    this.stepNode(id, { type: "leave" });
  }

  /**
   * A client write through node `id` (value null deletes): the version it acknowledged, or undefined
   * when the node could not take it (crashed or paused: a client would see no answer).
   */
  put(id: MemberId, key: string, value: string | null): KvVersion | undefined {
    if (this.nodes.get(id)?.status !== "up") return undefined;
    this.written.delete(id);
    this.stepNode(id, { type: "kv-put", request: 0, key, value });
    return this.written.get(id);
  }

  /** Counts a message's framed bytes; false when it exceeds the frame limit and cannot be sent. */
  private countBytes(message: Message | null): boolean {
    if (!message || this.options.measureBytes === false) return true;
    const body = Buffer.byteLength(JSON.stringify(message));
    if (body > MAX_FRAME_BYTES) {
      this.messages.oversize++;
      return false;
    }
    this.bytes[message.type] = (this.bytes[message.type] ?? 0) + body + 4;
    return true;
  }

  /** Blackholes connections `from` opens to `to`. */
  cut(from: MemberId, to: MemberId): void {
    this.network.add({ kind: "cut", links: [[from, to]] });
  }

  /** A symmetric partition: every connection between the two groups, either way, is blackholed. */
  partition(left: readonly MemberId[], right: readonly MemberId[]): void {
    this.network.add({ kind: "cut", links: left.flatMap((a) => right.flatMap((b) => [[a, b] as const, [b, a] as const])) });
  }

  healAll(): void {
    this.network.removeAll(["cut"]);
  }

  /** Runs the clock forward to `until` (ms), handling every event due by then. */
  runUntil(until: number): void {
    for (let t = this.queue.peekTime(); t !== undefined && t <= until; t = this.queue.peekTime()) {
      const entry = this.queue.pop()!;
      this.now = entry.at;
      entry.run();
    }
    this.now = until;
  }

  runFor(ms: number): void {
    this.runUntil(this.now + ms);
  }

  /** Each live node's view as id → state, for assertions. */
  view(observer: MemberId): Map<MemberId, MemberState> {
    return new Map(
      this.node(observer)
        .members()
        .map((m) => [m.id, m.state]),
    );
  }

  /**
   * Runs one input on the node's core. `core` pins the process the input was meant for: an input
   * for a process that has since crashed or been restarted is dropped with it.
   */
  private stepNode(id: MemberId, input: Parameters<SwimNode["step"]>[0], core?: SwimNode): void {
    const node = this.nodes.get(id);
    if (!node || node.status === "crashed" || (core && node.core !== core)) return;
    if (node.status === "paused") {
      const pinned = node.core;
      // A frozen process's kernel queues connections up to its listen backlog and drops the rest;
      // their senders time out, as they do here (and a long pause at scale stays bounded in memory).
      // Outcomes of its own exchanges are always kept: it has only the few it started before.
      if (input.type === "tick" || (input.type === "request" && node.heldRequests >= HELD_BACKLOG)) return;
      if (input.type === "request") node.heldRequests++;
      node.held.push(() => this.stepNode(id, input, pinned));
      return;
    }
    // A clock offset moves the node's wall clock (its key-value stamps); its timers run on the true one.
    const effects = node.core.step(input, this.now, this.now + node.clockOffsetMs);
    for (const effect of effects) this.execute(id, effect);
    this.scheduleWake(id, node);
  }

  private scheduleWake(id: MemberId, node: SimNode): void {
    const at = node.core.nextWakeAt();
    if (at === undefined) return;
    const token = ++node.wakeToken;
    this.queue.push(Math.max(at, this.now), () => {
      if (node.wakeToken === token) this.stepNode(id, { type: "tick" });
    });
  }

  private execute(id: MemberId, effect: Effect): void {
    switch (effect.type) {
      case "transition": {
        const transition = { at: effect.at, observer: id, id: effect.id, from: effect.from, to: effect.to, incarnation: effect.incarnation };
        if (this.options.keepTransitions !== false) this.transitions.push(transition);
        this.options.listener?.transition?.(transition);
        return;
      }
      case "send":
        this.deliver(id, effect.exchange, effect.to.addr, effect.message, effect.timeoutMs, effect.expectReply);
        return;
      case "reply":
        this.answer(id, effect.conn, effect.message);
        return;
      case "kv-applied":
        this.options.listener?.kvApplied?.({ at: effect.at, observer: id, key: effect.key, version: effect.version, origin: effect.origin });
        return;
      case "kv-written":
        this.written.set(id, effect.version);
        return;
      case "left":
        return;
    }
  }

  private deliver(sender: MemberId, exchange: number, addr: string, message: Message, timeoutMs: number, expectReply: boolean): void {
    this.messages.sent++;
    const senderCore = this.nodes.get(sender)!.core;
    const deadline = this.now + timeoutMs;
    const failAt = (at: number) => {
      if (expectReply) this.queue.push(at, () => this.stepNode(sender, { type: "response", exchange, message: null }, senderCore));
    };
    const targetId = this.byAddr.get(addr);
    this.options.listener?.sent?.(this.now, sender, targetId, message);
    if (!this.countBytes(message)) return failAt(this.now);
    const target = targetId === undefined ? undefined : this.nodes.get(targetId);
    if (targetId === undefined || !target || target.status === "crashed") return failAt(this.now + this.network.baseDelayMs);
    const fate = this.network.request(sender, targetId);
    if (fate.fate === "blackhole" || fate.fate === "lost") return failAt(deadline);
    if (fate.fate === "refuse") return failAt(Math.min(this.now + fate.delayMs, deadline));
    const conn = this.nextConn++;
    const targetCore = target.core;
    if (expectReply) this.inbound.get(targetId)!.set(conn, { sender, senderCore, exchange, deadline });
    this.queue.push(this.now + fate.delayMs, () => {
      this.messages.delivered++;
      this.stepNode(targetId, { type: "request", conn, message }, targetCore);
    });
    // Whatever happens at the far end, the sender hears by its deadline.
    if (expectReply) {
      const inbound = this.inbound.get(targetId)!;
      this.queue.push(deadline, () => {
        if (inbound.delete(conn)) this.stepNode(sender, { type: "response", exchange, message: null }, senderCore);
      });
    }
  }

  private answer(responder: MemberId, conn: number, reply: Message | null): void {
    // A reply too large to frame closes the connection unanswered, as the TCP shell does.
    const message = this.countBytes(reply) ? reply : null;
    const pending = this.inbound.get(responder)!.get(conn);
    if (!pending) return;
    const delay = this.network.reply(responder, pending.sender);
    // A cut swallows the reply: the connection stays pending, and the sender hears nothing by its deadline.
    if (delay === undefined) return;
    this.inbound.get(responder)!.delete(conn);
    const at = Math.min(this.now + delay, pending.deadline);
    this.queue.push(at, () => this.stepNode(pending.sender, { type: "response", exchange: pending.exchange, message }, pending.senderCore));
  }
}
