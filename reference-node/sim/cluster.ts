// Many sans-I/O cores on one virtual clock, with a simulated network that can crash, pause and cut links.
import { MAX_FRAME_BYTES } from "../../specs/wire/frame.js";
import type { MemberId, MemberState, Message } from "../../specs/wire/messages.js";
import type { NodeConfig } from "../../specs/node/config.js";
import type { Effect } from "../core/io.js";
import { SwimNode } from "../core/node.js";
import { EventQueue } from "./event-queue.js";

export interface SimTransition {
  at: number;
  /** The node whose view changed. */
  observer: MemberId;
  id: MemberId;
  from: MemberState | null;
  to: MemberState;
  incarnation: number;
}

interface SimNode {
  core: SwimNode;
  status: "up" | "paused" | "crashed";
  /** Requests that reached a paused node wait here, as they would in its socket buffers. */
  held: (() => void)[];
  wakeToken: number;
}

interface InboundConn {
  sender: MemberId;
  exchange: number;
  deadline: number;
}

export interface SimOptions {
  config: NodeConfig;
  /** One-way delay of every message, ms. */
  latencyMs?: number;
}

/**
 * Exchanges follow the wire protocol's rule: one request, at most one response, on a
 * connection the sender opened. A cut link `a→b` blackholes connections a opens to b,
 * as a Toxiproxy `timeout` toxic on proxy a->b does; b's connections to a still work.
 */
export class SimCluster {
  now = 0;
  readonly transitions: SimTransition[] = [];
  /** `oversize`: messages the frame limit stopped, as the TCP shell's encoder would (each one a bug in the sender). */
  readonly messages = { sent: 0, delivered: 0, oversize: 0 };
  /** Framed bytes sent, by message type (requests and responses). */
  readonly bytes: Record<string, number> = {};
  private readonly queue = new EventQueue();
  private readonly nodes = new Map<MemberId, SimNode>();
  private readonly cuts = new Set<string>();
  private readonly inbound = new Map<MemberId, Map<number, InboundConn>>();
  private nextConn = 1;
  private readonly latencyMs: number;

  constructor(private readonly options: SimOptions) {
    this.latencyMs = options.latencyMs ?? 1;
  }

  static addrOf(id: MemberId): string {
    return `${id}.sim:7000`;
  }

  /** Adds and starts a node; `seeds` are ids of nodes to join through. */
  add(id: MemberId, seed: number, seeds: readonly MemberId[] = [], config: NodeConfig = this.options.config): SwimNode {
    const core = new SwimNode({ id, addr: SimCluster.addrOf(id), config, seed, seeds: seeds.map(SimCluster.addrOf) });
    this.nodes.set(id, { core, status: "up", held: [], wakeToken: 0 });
    this.inbound.set(id, new Map());
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
    this.nodes.get(id)!.status = "crashed";
  }

  /** SIGSTOP: nothing runs; requests and responses pile up unanswered. */
  pause(id: MemberId): void {
    this.nodes.get(id)!.status = "paused";
  }

  /** SIGCONT: held requests are handled and overdue timers fire at once. */
  resume(id: MemberId): void {
    const node = this.nodes.get(id)!;
    node.status = "up";
    const held = node.held.splice(0);
    for (const run of held) run();
    this.stepNode(id, { type: "tick" });
  }

  leave(id: MemberId): void {
    this.stepNode(id, { type: "leave" });
  }

  /** A client write through node `id` (value null deletes). */
  put(id: MemberId, key: string, value: string | null): void {
    this.stepNode(id, { type: "kv-put", request: 0, key, value });
  }

  /** Counts a message's framed bytes; false when it exceeds the frame limit and cannot be sent. */
  private countBytes(message: Message | null): boolean {
    if (!message) return true;
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
    this.cuts.add(`${from}->${to}`);
  }

  /** A symmetric partition: every connection between the two groups, either way, is blackholed. */
  partition(left: readonly MemberId[], right: readonly MemberId[]): void {
    for (const a of left)
      for (const b of right) {
        this.cut(a, b);
        this.cut(b, a);
      }
  }

  healAll(): void {
    this.cuts.clear();
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

  private stepNode(id: MemberId, input: Parameters<SwimNode["step"]>[0]): void {
    const node = this.nodes.get(id);
    if (!node || node.status === "crashed") return;
    if (node.status === "paused") {
      if (input.type !== "tick") node.held.push(() => this.stepNode(id, input));
      return;
    }
    const effects = node.core.step(input, this.now);
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
      case "transition":
        this.transitions.push({ at: effect.at, observer: id, id: effect.id, from: effect.from, to: effect.to, incarnation: effect.incarnation });
        return;
      case "send":
        this.deliver(id, effect.exchange, effect.to.addr, effect.message, effect.timeoutMs, effect.expectReply);
        return;
      case "reply":
        this.answer(id, effect.conn, effect.message);
        return;
      case "left":
      case "kv-written":
      case "kv-applied":
        return;
    }
  }

  private deliver(sender: MemberId, exchange: number, addr: string, message: Message, timeoutMs: number, expectReply: boolean): void {
    this.messages.sent++;
    const deadline = this.now + timeoutMs;
    const failAt = (at: number) => {
      if (expectReply) this.queue.push(at, () => this.stepNode(sender, { type: "response", exchange, message: null }));
    };
    if (!this.countBytes(message)) return failAt(this.now);
    const targetId = [...this.nodes.keys()].find((n) => SimCluster.addrOf(n) === addr);
    const target = targetId === undefined ? undefined : this.nodes.get(targetId);
    if (targetId === undefined || !target || target.status === "crashed") return failAt(this.now + this.latencyMs);
    if (this.cuts.has(`${sender}->${targetId}`)) return failAt(deadline);
    const conn = this.nextConn++;
    if (expectReply) this.inbound.get(targetId)!.set(conn, { sender, exchange, deadline });
    this.queue.push(this.now + this.latencyMs, () => {
      this.messages.delivered++;
      this.stepNode(targetId, { type: "request", conn, message });
    });
    // Whatever happens at the far end, the sender hears by its deadline.
    if (expectReply) {
      this.queue.push(deadline, () => {
        if (this.inbound.get(targetId)!.delete(conn)) this.stepNode(sender, { type: "response", exchange, message: null });
      });
    }
  }

  private answer(responder: MemberId, conn: number, reply: Message | null): void {
    // A reply too large to frame closes the connection unanswered, as the TCP shell does.
    const message = this.countBytes(reply) ? reply : null;
    const pending = this.inbound.get(responder)!.get(conn);
    if (!pending) return;
    this.inbound.get(responder)!.delete(conn);
    const at = Math.min(this.now + this.latencyMs, pending.deadline);
    this.queue.push(at, () => this.stepNode(pending.sender, { type: "response", exchange: pending.exchange, message }));
  }
}
