// A fake member that speaks memberlist's wire: a UDP socket and a TCP listener on one loopback
// port, as a memberlist node has (net_transport.go). It answers as a member would (ack a ping, nack
// an indirect ping it cannot serve, refute a suspicion, answer a push-pull and a stream ping), or
// stays silent, and records every message the implementation sends it, unwrapped from compound,
// CRC, compression and encryption.
import dgram from "node:dgram";
import net from "node:net";
import {
  decodePacket,
  decodeStream,
  MemberlistIncompleteError,
  type Packet,
  type StreamMessage,
  packetMessages,
  streamContent,
  encodeSealedPacket,
  encodeSealedStream,
} from "../../../specs/wire/memberlist/codec.js";
import type { WireLog } from "../wire-log.js";
import { parseHostPort } from "../../../specs/wire/address.js";
import { GRAPEVINE_VSN } from "../../../specs/wire/memberlist/updates.js";

/**
 * - answer: a healthy member
 * - silent: reads everything and answers nothing, like a crashed host (its port still bound)
 * - udp-silent: answers nothing over UDP but answers stream pings over TCP, like a member behind a UDP-dropping firewall
 */
export type FakeBehaviour = "answer" | "silent" | "udp-silent";

export interface Heard {
  at: number;
  transport: "udp" | "tcp";
  /** The message, unwrapped to a leaf (ping, alive, pushPull, …). */
  message: Packet | StreamMessage;
  /** The outermost form it came in (compound, hasCrc, encrypted, …), for cases about framing. */
  outer: string;
}

export interface Keying {
  /** Keys it opens packets with; the first seals what it sends. */
  keys: Buffer[];
}

const LOOPBACK = Uint8Array.of(127, 0, 0, 1);
/** How long a stream may stay open before the fake closes it: bounded, so nothing lingers. */
const STREAM_HOLD_MS = 10_000;

export class MemberlistFake {
  readonly heard: Heard[] = [];
  behaviour: FakeBehaviour;
  incarnation = 1;
  /** Does it refute a suspicion about itself? (A case that watches how a suspect is treated turns it off.) */
  refutes = true;
  /** The versions it announces (pmin pmax pcur dmin dmax dcur): the implementation's own, so that no version check refuses it. */
  vsn: Uint8Array<ArrayBuffer> = GRAPEVINE_VSN;
  private readonly streams = new Set<net.Socket>();
  private readonly listeners = new Set<(heard: Heard) => void>();

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly udp: dgram.Socket,
    private readonly tcp: net.Server,
    private readonly log: WireLog,
    behaviour: FakeBehaviour,
    public keying: Keying | undefined,
  ) {
    this.behaviour = behaviour;
  }

  /** Binds UDP and TCP on one free loopback port (retried when the OS gives TCP's port to someone else on UDP). */
  static async start(name: string, behaviour: FakeBehaviour, log: WireLog, keying?: Keying): Promise<MemberlistFake> {
    for (let attempt = 0; ; attempt++) {
      const tcp = net.createServer();
      await new Promise<void>((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen(0, "127.0.0.1", () => resolve());
      });
      const port = (tcp.address() as net.AddressInfo).port;
      const udp = dgram.createSocket("udp4");
      const bound = await new Promise<boolean>((resolve) => {
        udp.once("error", () => resolve(false));
        udp.bind(port, "127.0.0.1", () => resolve(true));
      });
      if (bound) {
        const fake = new MemberlistFake(name, port, udp, tcp, log, behaviour, keying);
        udp.on("message", (bytes, rinfo) => fake.onPacket(bytes, `${rinfo.address}:${rinfo.port}`));
        udp.on("error", () => undefined);
        tcp.on("connection", (socket) => fake.onStream(socket));
        return fake;
      }
      udp.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      if (attempt >= 20) throw new Error(`${name}: found no port free for both UDP and TCP on 127.0.0.1`);
    }
  }

  /** Its member id: memberlist calls it the node's name. */
  get id(): string {
    return this.name;
  }

  get addr(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Its alive message: how it announces itself, or refutes. */
  alive(): Packet {
    return { type: "alive", body: { Incarnation: this.incarnation, Node: this.name, Addr: LOOPBACK, Port: this.port, Meta: null, Vsn: this.vsn } };
  }

  /** Itself as a push-pull carries it. */
  state() {
    return { Name: this.name, Addr: LOOPBACK, Port: this.port, Meta: null, Incarnation: this.incarnation, State: 0, Vsn: this.vsn };
  }

  /** The first message since `since` that `match` accepts, as soon as it is heard; undefined after `timeoutMs` or on abort. */
  waitFor(since: number, match: (message: Heard["message"], heard: Heard) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<Heard | undefined> {
    const already = this.heard.find((h) => h.at >= since && match(h.message, h));
    if (already || signal?.aborted) return Promise.resolve(already);
    return new Promise((resolve) => {
      const done = (heard: Heard | undefined) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        signal?.removeEventListener("abort", onAbort);
        resolve(heard);
      };
      const listener = (heard: Heard) => {
        if (heard.at >= since && match(heard.message, heard)) done(heard);
      };
      const onAbort = () => done(undefined);
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.listeners.add(listener);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Messages heard since `at`, of the given types. */
  heardSince(at: number, ...types: string[]): Heard[] {
    return this.heard.filter((h) => h.at >= at && (types.length === 0 || types.includes(h.message.type)));
  }

  /** Sends a packet (sealed when keyed, unless `raw`) from this member's UDP port to `to` (HOST:PORT). */
  send(packet: Packet, to: string, note?: string): void {
    this.sendBytes(encodeSealedPacket(packet, this.keying?.keys[0]), to, { packet, ...(note ? { note } : {}) });
  }

  /** Sends bytes as they are: malformed input, or a packet sealed another way. */
  sendBytes(bytes: Uint8Array, to: string, logged: { packet?: unknown; note?: string } = {}): void {
    this.log.add({
      dir: "sent",
      via: this.name,
      message: logged.packet ?? { hex: Buffer.from(bytes).toString("hex").slice(0, 400) },
      note: logged.note ?? `${bytes.length} bytes over UDP`,
    });
    const { host, port } = parseHostPort(to);
    this.udp.send(bytes, port, host);
  }

  close(): Promise<void> {
    for (const socket of this.streams) socket.destroy();
    return new Promise((resolve) => {
      this.udp.close(() => this.tcp.close(() => resolve()));
    });
  }

  private hear(heard: Heard): void {
    this.heard.push(heard);
    for (const listener of [...this.listeners]) listener(heard);
  }

  private sealStream(message: StreamMessage): Buffer {
    return encodeSealedStream(message, this.keying?.keys[0]);
  }

  private onPacket(bytes: Buffer, from: string): void {
    let packet: Packet;
    try {
      packet = decodePacket(bytes, this.keying ? { keys: this.keying.keys } : {});
    } catch (error) {
      this.log.add({
        dir: "received",
        via: this.name,
        note: `a packet the spec cannot decode: ${(error as Error).message}`,
        message: { hex: bytes.toString("hex").slice(0, 400) },
      });
      return;
    }
    const outer = outerShape(packet);
    const now = Date.now();
    for (const message of packetMessages(packet)) {
      this.log.add({ dir: "received", via: this.name, message: loggable(message), note: `udp (${outer})` });
      this.hear({ at: now, transport: "udp", message, outer });
    }
    if (this.behaviour !== "answer") return;
    for (const message of packetMessages(packet)) this.answerPacket(message, from);
  }

  private answerPacket(message: Packet, from: string): void {
    if (message.type === "ping") {
      // An ack goes where the ping says it came from, as memberlist's handlePing does (net.go:498–506).
      const replyTo =
        message.body.SourceAddr?.length === 4 && message.body.SourcePort ? `${[...message.body.SourceAddr].join(".")}:${message.body.SourcePort}` : from;
      this.send({ type: "ack", body: { SeqNo: message.body.SeqNo, Payload: null } }, replyTo);
    } else if (message.type === "indirectPing" && message.body.Nack) {
      // It does not relay: the target is unreachable from here, which is what a nack says.
      this.send({ type: "nack", body: { SeqNo: message.body.SeqNo } }, from);
    } else if (this.refutes && message.type === "suspect" && message.body.Node === this.name && message.body.Incarnation >= this.incarnation) {
      this.incarnation = message.body.Incarnation + 1;
      this.send(this.alive(), from);
    }
  }

  private onStream(socket: net.Socket): void {
    this.streams.add(socket);
    const hold = setTimeout(() => socket.destroy(), STREAM_HOLD_MS);
    socket.on("close", () => {
      clearTimeout(hold);
      this.streams.delete(socket);
    });
    socket.on("error", () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      let decoded: { message: StreamMessage; rest: Uint8Array };
      try {
        decoded = decodeStream(buffered, this.keying ? { keys: this.keying.keys } : {});
      } catch (error) {
        if (error instanceof MemberlistIncompleteError) return; // more to come
        this.log.add({ dir: "received", via: this.name, note: `a stream the spec cannot decode: ${(error as Error).message}` });
        return void socket.destroy();
      }
      buffered = Buffer.from(decoded.rest);
      const message = streamContent(decoded.message);
      this.log.add({ dir: "received", via: this.name, message: loggable(message), note: `tcp (${decoded.message.type})` });
      this.hear({ at: Date.now(), transport: "tcp", message, outer: decoded.message.type });
      if (this.behaviour === "silent") return;
      if (message.type === "pushPull") {
        const reply: StreamMessage = {
          type: "pushPull",
          header: { Nodes: 1, UserStateLen: 0, Join: false },
          states: [this.state()],
          userState: new Uint8Array(),
        };
        this.log.add({ dir: "sent", via: this.name, message: loggable(reply), note: "tcp" });
        socket.end(this.sealStream(reply));
      } else if (message.type === "ping") {
        const reply: StreamMessage = { type: "ack", body: { SeqNo: message.body.SeqNo, Payload: null } };
        this.log.add({ dir: "sent", via: this.name, message: loggable(reply), note: "tcp" });
        socket.end(this.sealStream(reply));
      }
    });
  }
}

function outerShape(packet: Packet): string {
  if (packet.type === "encrypted" || packet.type === "hasCrc") return `${packet.type} > ${outerShape(packet.packet)}`;
  return packet.type;
}

/** A message for the wire log: byte fields as dotted addresses or hex, so the log reads as JSON. */
export function loggable(message: unknown): unknown {
  return JSON.parse(
    JSON.stringify(message, (_key, value: unknown) => {
      if (value instanceof Uint8Array || (value && typeof value === "object" && (value as { type?: string }).type === "Buffer")) {
        const bytes = value instanceof Uint8Array ? value : Uint8Array.from((value as { data: number[] }).data);
        return bytes.length === 4 ? [...bytes].join(".") : Buffer.from(bytes).toString("hex");
      }
      return value;
    }),
  );
}
