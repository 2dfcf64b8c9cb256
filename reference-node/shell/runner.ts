// The I/O shell: runs the sans-I/O core for real — Node timers, TCP exchanges, the dial map and the admin API.
import { parseJsonWith } from "../../specs/parse.js";
import { readFileSync } from "node:fs";
import type { KvEvent, KvWriteResponse, MembershipEvent, MetricsResponse, NodeInfo, TrafficMetrics } from "../../specs/admin/api.js";
import { DialMap } from "../../specs/node/cli.js";
import { MESSAGE_TYPES, type Message, type MessageType } from "../../specs/wire/messages.js";
import type { NodeConfig } from "../../specs/node/config.js";
import type { MutantName } from "../core/mutants.js";
import type { Effect, Input } from "../core/io.js";
import { SwimNode } from "../core/node.js";
import { formatHostPort, type HostPort, parseHostPort } from "../../specs/wire/address.js";
import { AdminServer } from "./admin-server.js";
import { exchange, type ExchangeResult } from "./exchange.js";
import { MemberlistWire } from "./memberlist-wire.js";
import type { Logger } from "./log.js";
import { WireServer } from "./wire-server.js";

/**
 * The node's protocol clock: monotonic, in epoch milliseconds (it starts at the wall clock's reading
 * and then only moves forward; whole milliseconds, as the wire and the admin API count). A wall clock stepped back an hour would otherwise hold every timer
 * for that hour, and one stepped forward would fire them all at once. Key-value versions alone take
 * the wall clock (Date.now()), as a hybrid logical clock must.
 */
const monotonicNow = () => Math.floor(performance.timeOrigin + performance.now());

export const PROTOCOL_NAME = "grapevine-swim/1";

export interface RunnerOptions {
  id: string;
  /** Interface the wire listener binds to. */
  host: string;
  port: number;
  /** Address advertised to other members; defaults to host:port. */
  advertise?: string;
  adminHost: string;
  adminPort: number;
  seeds: string[];
  dialMapFile?: string;
  config: NodeConfig;
  seed: number;
  logger: Logger;
  mutant?: MutantName | undefined;
  /** The wire it speaks: Grapevine's own (TCP frames of JSON), or memberlist's (UDP and TCP, msgpack). */
  wire?: WireName | undefined;
}

export const WIRES = ["grapevine-v1", "memberlist"] as const;
export type WireName = (typeof WIRES)[number];

/** What the runner needs of a wire: a listener whose requests it answers, and exchanges it starts. */
interface Transport {
  listen(): Promise<number>;
  reply(conn: number, message: Message | null): number;
  exchange(to: HostPort, message: Message, timeoutMs: number, expectReply: boolean): Promise<ExchangeResult>;
  close(): Promise<void>;
}

/** A dial map file that cannot be used; the message names the file and the field. */
export class DialMapError extends Error {}

export function readDialMap(file: string): DialMap {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new DialMapError(`${file}: cannot read dial map: ${(error as Error).message}`);
  }
  return parseJsonWith(DialMap, text, file, (message) => new DialMapError(message));
}

const zeroByType = () => Object.fromEntries(MESSAGE_TYPES.map((t) => [t, 0])) as Record<MessageType, number>;

export class NodeRunner {
  readonly core: SwimNode;
  readonly port: number;
  readonly adminPort: number;
  private readonly events: MembershipEvent[] = [];
  private readonly kvEvents: KvEvent[] = [];
  private readonly writes = new Map<number, (written: KvWriteResponse) => void>();
  private nextWrite = 1;
  private dialMap: DialMap;
  private wakeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly leftWaiters: (() => void)[] = [];
  private readonly traffic: TrafficMetrics = {
    messagesSent: zeroByType(),
    messagesReceived: zeroByType(),
    bytesSent: zeroByType(),
    bytesReceived: zeroByType(),
    rejectedFrames: 0,
    idleConnectionsClosed: 0,
    dialFailures: 0,
    internalErrors: 0,
  };

  private constructor(
    private readonly options: RunnerOptions,
    private readonly wire: Transport,
    port: number,
    private readonly admin: AdminServer,
    adminPort: number,
    core: SwimNode,
    dialMap: DialMap,
  ) {
    this.port = port;
    this.adminPort = adminPort;
    this.core = core;
    this.dialMap = dialMap;
  }

  /** Binds both ports, starts the protocol, and resolves once the node is serving. */
  static async start(options: RunnerOptions): Promise<NodeRunner> {
    const dialMap = options.dialMapFile ? readDialMap(options.dialMapFile) : {};
    let runner: NodeRunner | undefined;
    const log = options.logger;
    let core: SwimNode | undefined;
    const wire: Transport =
      options.wire === "memberlist"
        ? new MemberlistWire(
            {
              host: options.host,
              port: options.port,
              self: () => ({ id: core!.id, addr: core!.addr }),
              addressOf: (id) => core?.members().find((m) => m.id === id)?.addr,
              readTimeoutMs: options.config.readTimeoutMs,
            },
            {
              onRequest: (conn, message, bytes) => runner?.onRequest(conn, message, bytes),
              onRejected: (reason, detail) => {
                if (runner) runner.traffic.rejectedFrames++;
                log.log("warn", "rejected packet", { reason, detail });
              },
            },
          )
        : v1Transport(
            new WireServer(
              { host: options.host, port: options.port, readTimeoutMs: options.config.readTimeoutMs },
              {
                onRequest: (conn, message, bytes) => runner?.onRequest(conn, message, bytes),
                onRejected: (reason, detail) => {
                  if (runner) runner.traffic.rejectedFrames++;
                  log.log("warn", "rejected frame", { reason, detail });
                },
                onIdle: () => {
                  if (runner) runner.traffic.idleConnectionsClosed++;
                  log.log("warn", "closed idle connection", { afterMs: options.config.readTimeoutMs });
                },
              },
            ),
          );
    const port = await wire.listen();
    const addr = options.advertise ?? formatHostPort(options.host, port);
    // memberlist's wire has no key-value messages: no anti-entropy sessions to fail every interval.
    const config = options.wire === "memberlist" ? { ...options.config, antiEntropyIntervalMs: 0 } : options.config;
    core = new SwimNode({
      id: options.id,
      addr,
      config,
      ...(options.wire === "memberlist" ? { firstIncarnation: 1 } : {}),
      seed: options.seed,
      seeds: options.seeds,
      mutant: options.mutant,
    });
    const admin = new AdminServer(options.adminHost, options.adminPort, {
      nodeInfo: () => runner!.nodeInfo(),
      members: () => ({ self: core.id, members: core.members() }),
      events: (after, limit) => runner!.eventsAfter(after, limit),
      metrics: () => runner!.metrics(),
      leave: () => runner!.input({ type: "leave" }),
      kvLimits: () => ({ keyBytes: options.config.kvMaxKeyBytes, valueBytes: options.config.kvMaxValueBytes }),
      kvPut: (key, value) => runner!.kvPut(key, value),
      kvGet: (key) => core.kv.get(key),
      kvList: () => core.kv.all(),
      kvDigest: () => ({ root: core.kv.tree.root(), keys: core.kv.liveKeys, entries: core.kv.size }),
      phi: () => {
        const at = monotonicNow();
        const windows = core.phiWindows(at);
        return windows && { at, members: windows.map((w) => ({ ...w, phi: Number.isFinite(w.phi) ? w.phi : null })) };
      },
      kvEvents: (after, limit) => {
        const events = runner!.kvEvents.slice(after, after + limit);
        return { events, next: events.length > 0 ? events[events.length - 1]!.seq : Math.min(after, runner!.kvEvents.length) };
      },
    });
    let adminPort: number;
    try {
      adminPort = await admin.listen();
    } catch (error) {
      await wire.close();
      throw error;
    }
    runner = new NodeRunner(options, wire, port, admin, adminPort, core, dialMap);
    runner.input({ type: "start" });
    log.log("info", "started", { addr, port, adminPort, seeds: options.seeds, seed: options.seed });
    return runner;
  }

  /**
   * Feeds one input to the core at the current time and carries out its effects. Nothing a
   * peer sends may end the process: an input the core throws on is dropped (a request's
   * connection is closed unanswered), logged and counted in `internalErrors`, and the node runs on.
   */
  input(input: Input): void {
    if (this.closed) return;
    let effects: Effect[];
    try {
      effects = this.core.step(input, monotonicNow(), Date.now());
    } catch (error) {
      this.internalError(`handling ${input.type === "request" ? `a ${input.message.type} request` : `input ${input.type}`}`, error);
      effects = input.type === "request" ? [{ type: "reply", conn: input.conn, message: null }] : [];
    }
    for (const effect of effects) {
      try {
        this.execute(effect);
      } catch (error) {
        this.internalError(`carrying out ${effect.type}`, error);
      }
    }
    this.scheduleWake();
  }

  private internalError(what: string, error: unknown): void {
    this.traffic.internalErrors++;
    this.options.logger.log("error", "input dropped after an internal error", { while: what, error: (error as Error)?.stack ?? String(error) });
  }

  /** A client write: resolves with its version once the core has stored it (it then spreads by rumor and anti-entropy). */
  kvPut(key: string, value: string | null): Promise<KvWriteResponse> {
    const request = this.nextWrite++;
    const written = new Promise<KvWriteResponse>((resolve) => this.writes.set(request, resolve));
    this.input({ type: "kv-put", request, key, value });
    return written;
  }

  /** Re-reads the dial map file (on SIGHUP), so the harness can route a member that joined later. */
  reloadDialMap(): void {
    if (!this.options.dialMapFile) return;
    try {
      this.dialMap = readDialMap(this.options.dialMapFile);
      this.options.logger.log("info", "dial map reloaded", { entries: Object.keys(this.dialMap).length });
    } catch (error) {
      this.options.logger.log("error", "dial map reload failed; keeping the old one", { error: (error as Error).message });
    }
  }

  /** Leaves gracefully and resolves once `left` has spread (or the leave timeout ran out). */
  leave(): Promise<void> {
    if (this.core.hasLeft) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.leftWaiters.push(resolve));
    this.input({ type: "leave" });
    return done;
  }

  onLeft(callback: () => void): void {
    if (this.core.hasLeft) callback();
    else this.leftWaiters.push(callback);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.wakeTimer);
    await Promise.all([this.wire.close(), this.admin.close()]);
  }

  nodeInfo(): NodeInfo {
    return {
      id: this.core.id,
      addr: this.core.addr,
      incarnation: this.core.currentIncarnation,
      protocol: this.options.wire === "memberlist" ? `${PROTOCOL_NAME} over memberlist's wire` : PROTOCOL_NAME,
      // A mutant is part of how this node behaves, so it is shown with the settings.
      config: { ...this.core.config, ...(this.options.mutant ? { mutant: this.options.mutant } : {}) },
      seed: this.options.seed,
    };
  }

  eventsAfter(after: number, limit: number): { events: MembershipEvent[]; next: number } {
    // Event seq n sits at index n − 1, so the slice starts at `after`.
    const events = this.events.slice(after, after + limit);
    return { events, next: events.length > 0 ? events[events.length - 1]!.seq : Math.min(after, this.events.length) };
  }

  metrics(): MetricsResponse {
    const healthScore = this.core.healthScore;
    return { ...this.traffic, ...this.core.counters, ...(healthScore === undefined ? {} : { healthScore }) };
  }

  private onRequest(conn: number, message: Message, bytes: number): void {
    this.traffic.messagesReceived[message.type]++;
    this.traffic.bytesReceived[message.type] += bytes;
    this.input({ type: "request", conn, message });
  }

  private execute(effect: Effect): void {
    switch (effect.type) {
      case "send":
        this.send(effect);
        return;
      case "reply": {
        const bytes = this.wire.reply(effect.conn, effect.message);
        if (effect.message && bytes > 0) {
          this.traffic.messagesSent[effect.message.type]++;
          this.traffic.bytesSent[effect.message.type] += bytes;
        }
        return;
      }
      case "transition": {
        const event: MembershipEvent = {
          seq: this.events.length + 1,
          at: effect.at,
          id: effect.id,
          from: effect.from,
          to: effect.to,
          incarnation: effect.incarnation,
        };
        this.events.push(event);
        this.options.logger.log("info", "member transition", { ...event });
        return;
      }
      case "kv-written":
        this.writes.get(effect.request)?.({ key: effect.key, version: effect.version });
        this.writes.delete(effect.request);
        return;
      case "kv-applied":
        this.kvEvents.push({ seq: this.kvEvents.length + 1, at: effect.at, key: effect.key, version: effect.version, origin: effect.origin });
        return;
      case "left":
        this.options.logger.log("info", "left the cluster");
        for (const resolve of this.leftWaiters.splice(0)) resolve();
        return;
    }
  }

  private send(effect: Extract<Effect, { type: "send" }>): void {
    const { message } = effect;
    // Own keys only: a member named "constructor" or "__proto__" must not dial whatever the prototype holds.
    const mapped = effect.to.id !== undefined && Object.hasOwn(this.dialMap, effect.to.id) ? this.dialMap[effect.to.id] : undefined;
    const target = mapped || effect.to.addr;
    let hostPort;
    try {
      hostPort = parseHostPort(target);
    } catch {
      this.traffic.dialFailures++;
      if (effect.expectReply) queueMicrotask(() => this.input({ type: "response", exchange: effect.exchange, message: null }));
      return;
    }
    void this.wire.exchange(hostPort, message, effect.timeoutMs, effect.expectReply).then((result) => {
      this.traffic.messagesSent[message.type]++;
      this.traffic.bytesSent[message.type] += result.bytesSent;
      let response: Message | null = null;
      if (result.ok) {
        response = result.response;
        if (response) {
          this.traffic.messagesReceived[response.type]++;
          this.traffic.bytesReceived[response.type] += result.bytesReceived;
        }
      } else if (result.failure === "unsendable") {
        this.traffic.internalErrors++;
        this.options.logger.log("error", "message too large to send", { to: target, type: message.type, detail: result.detail });
      } else if (result.failure === "refused" || result.failure === "error") {
        this.traffic.dialFailures++;
      } else if (result.failure !== "timeout" && result.failure !== "closed") {
        this.traffic.rejectedFrames++;
        this.options.logger.log("warn", "rejected response frame", { from: target, reason: result.failure, detail: result.detail });
      }
      if (effect.expectReply) this.input({ type: "response", exchange: effect.exchange, message: response });
    });
  }

  private scheduleWake(): void {
    clearTimeout(this.wakeTimer);
    const at = this.core.nextWakeAt();
    if (at === undefined || this.closed) return;
    this.wakeTimer = setTimeout(() => this.input({ type: "tick" }), Math.max(0, at - monotonicNow()));
  }
}

/** Grapevine's wire v1: the TCP listener, and one connection per exchange. */
function v1Transport(server: WireServer): Transport {
  return {
    listen: () => server.listen(),
    reply: (conn, message) => server.reply(conn, message),
    exchange,
    close: () => server.close(),
  };
}
