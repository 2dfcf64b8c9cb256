// The reference node on memberlist's wire (`--wire memberlist`): the same core, its messages said in
// memberlist's packets and streams, so that it joins a cluster of memberlist nodes (and Serf's
// memberlist layer). A UDP socket and a TCP listener share one port, as memberlist's transport does
// (net_transport.go). Probes and gossip go over UDP, each packet a compound of the message and the
// updates piggybacked on it; a sync is a push-pull over TCP. memberlist has no key-value messages:
// key-value entries are not carried, and anti-entropy exchanges fail at once.
import dgram from "node:dgram";
import net from "node:net";
import { type HostPort, parseHostPort } from "../../specs/wire/address.js";
import {
  decodePacket,
  decodeStream,
  encodePacket,
  encodeStream,
  MemberlistIncompleteError,
  type Packet,
  type StreamMessage,
  packetMessages,
  streamContent,
} from "../../specs/wire/memberlist/codec.js";
import { addressBytes, addrOf, GRAPEVINE_VSN, memberToState, messageToUpdate, stateToMember, updateToMessage } from "../../specs/wire/memberlist/updates.js";
import { Message as MessageSchema, type Message, type Peer, type Update, WIRE_VERSION } from "../../specs/wire/messages.js";
import type { ExchangeResult } from "./exchange.js";

/** What memberlist sends in one datagram at most (config.go UDPBufferSize): piggybacked updates beyond it wait. */
const UDP_BUDGET = 1400;
const compoundOverhead = 2;

export interface MemberlistWireOptions {
  host: string;
  port: number;
  /** This node, as it advertises itself. */
  self: () => Peer;
  /** The address held for a member (suspect and dead messages carry none). */
  addressOf: (id: string) => string | undefined;
  readTimeoutMs: number;
}

export interface MemberlistWireHandlers {
  onRequest(conn: number, message: Message, bytes: number): void;
  onRejected(reason: "undecodable", detail: string): void;
}

/** Where the answer to request `conn` goes: a datagram to an address, or the stream it came on. */
type Conn = { kind: "udp"; to: string; nackWanted: boolean } | { kind: "tcp"; socket: net.Socket } | { kind: "none" };

interface Pending {
  peer: Peer;
  resolve: (result: ExchangeResult) => void;
  timer: NodeJS.Timeout;
  bytesSent: number;
}

export class MemberlistWire {
  private udp: dgram.Socket | undefined;
  private readonly tcp: net.Server;
  private readonly conns = new Map<number, Conn>();
  private readonly pending = new Map<number, Pending>();
  private readonly streams = new Set<net.Socket>();
  private nextConn = 1;

  constructor(
    private readonly options: MemberlistWireOptions,
    private readonly handlers: MemberlistWireHandlers,
  ) {
    this.tcp = net.createServer((socket) => this.acceptStream(socket));
  }

  /** Binds TCP, then UDP on the same port (port 0: one the OS gives TCP that UDP can also have). */
  async listen(): Promise<number> {
    for (let attempt = 0; attempt < 20; attempt++) {
      await new Promise<void>((resolve, reject) => {
        this.tcp.once("error", reject);
        this.tcp.listen(this.options.port, this.options.host, () => resolve());
      });
      const port = (this.tcp.address() as net.AddressInfo).port;
      const udp = dgram.createSocket("udp4");
      const bound = await new Promise<boolean>((resolve) => {
        udp.once("error", () => resolve(false));
        udp.bind(port, this.options.host, () => resolve(true));
      });
      if (bound) {
        udp.on("message", (bytes, rinfo) => this.onPacket(bytes, `${rinfo.address}:${rinfo.port}`));
        udp.on("error", () => undefined);
        this.udp = udp;
        return port;
      }
      udp.close();
      await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
      if (this.options.port !== 0) throw new Error(`UDP port ${port} on ${this.options.host} is taken`);
    }
    throw new Error(`no port on ${this.options.host} free for both UDP and TCP`);
  }

  /** Answers request `conn`; returns the bytes written (0 when nothing was). */
  reply(conn: number, message: Message | null): number {
    const to = this.conns.get(conn);
    this.conns.delete(conn);
    if (!to || to.kind === "none") return 0;
    if (to.kind === "tcp") {
      const stream = message ? this.toStream(message) : undefined;
      if (stream) to.socket.end(stream);
      else to.socket.end();
      return stream?.length ?? 0;
    }
    if (!message || (message.type === "nack" && !to.nackWanted)) return 0;
    return this.sendPacket(to.to, message);
  }

  /** One exchange: a datagram (and the ack or nack with its SeqNo), or a push-pull over TCP. */
  exchange(to: HostPort, message: Message, timeoutMs: number, expectReply: boolean): Promise<ExchangeResult> {
    const addr = `${to.host}:${to.port}`;
    if (message.type === "sync") return this.pushPull(to, message, timeoutMs);
    if (message.type === "ae-tree" || message.type === "ae-entries")
      return Promise.resolve({ ok: false, failure: "unsendable", detail: "memberlist's wire has no key-value messages", bytesSent: 0 });
    const bytesSent = this.sendPacket(addr, message);
    if (!expectReply || (message.type !== "ping" && message.type !== "ping-req"))
      return Promise.resolve({ ok: true, response: null, bytesSent, bytesReceived: 0 });
    const peer: Peer = message.type === "ping" ? { id: message.target ?? this.options.self().id, addr } : message.target;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(message.seq);
        resolve({ ok: false, failure: "timeout", detail: `no ack within ${timeoutMs} ms`, bytesSent });
      }, timeoutMs);
      this.pending.set(message.seq, { peer, resolve, timer, bytesSent });
    });
  }

  async close(): Promise<void> {
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    for (const socket of this.streams) socket.destroy();
    await new Promise<void>((resolve) => (this.udp ? this.udp.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }

  // ---- outgoing: the core's messages as memberlist's ---------------------------------------

  private sendPacket(to: string, message: Message): number {
    const packet = this.toPacket(message);
    if (!packet || !this.udp) return 0;
    const bytes = encodePacket(packet);
    const { host, port } = parseHostPort(to);
    this.udp.send(bytes, port, host);
    return bytes.length;
  }

  /** The message first, then as many of its updates as fit one datagram (the rest are sent with later messages). */
  private toPacket(message: Message): Packet | undefined {
    const self = this.options.self();
    const own = addressBytes(self.addr);
    const source = { SourceAddr: own.ip, SourcePort: own.port, SourceNode: self.id };
    let head: Packet | undefined;
    switch (message.type) {
      case "ping":
        head = { type: "ping", body: { SeqNo: message.seq, Node: message.target ?? "", ...source } };
        break;
      case "ack":
        head = { type: "ack", body: { SeqNo: message.seq, Payload: null } };
        break;
      case "nack":
        head = { type: "nack", body: { SeqNo: message.seq } };
        break;
      case "ping-req": {
        const target = addressBytes(message.target.addr);
        head = {
          type: "indirectPing",
          body: {
            SeqNo: message.seq,
            Target: target.ip,
            Port: target.port,
            Node: message.target.id,
            Nack: true,
            ...source,
          },
        };
        break;
      }
      case "gossip":
        break;
      default:
        return undefined;
    }
    const parts: Packet[] = head ? [head] : [];
    let size = head ? encodePacket(head).length + compoundOverhead + 2 : 2;
    for (const update of message.updates) {
      const part = updateToMessage(update, GRAPEVINE_VSN, self.id);
      const length = encodePacket(part).length + compoundOverhead;
      if (size + length > UDP_BUDGET || parts.length >= 255) break;
      parts.push(part);
      size += length;
    }
    if (parts.length === 0) return undefined;
    return parts.length === 1 ? parts[0] : { type: "compound", parts };
  }

  private toStream(message: Message): Buffer | undefined {
    if (message.type === "sync")
      return encodeStream({
        type: "pushPull",
        header: { Nodes: message.members.length, UserStateLen: 0, Join: message.join },
        states: message.members.map((m) => memberToState(m)),
        userState: new Uint8Array(),
      });
    if (message.type === "ack") return encodeStream({ type: "ack", body: { SeqNo: message.seq, Payload: null } });
    return undefined;
  }

  private pushPull(to: HostPort, message: Extract<Message, { type: "sync" }>, timeoutMs: number): Promise<ExchangeResult> {
    const request = this.toStream(message)!;
    return new Promise((resolve) => {
      const socket = net.connect({ host: to.host, port: to.port });
      let buffered = Buffer.alloc(0);
      let settled = false;
      const finish = (result: ExchangeResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(result);
      };
      const timer = setTimeout(
        () => finish({ ok: false, failure: "timeout", detail: `no push-pull within ${timeoutMs} ms`, bytesSent: request.length }),
        timeoutMs,
      );
      socket.on("connect", () => socket.write(request));
      socket.on("data", (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        const read = readStream(buffered);
        if (read === "more") return;
        const sync = read && read.type === "pushPull" ? this.toSync(read) : undefined;
        if (sync) finish({ ok: true, response: sync, bytesSent: request.length, bytesReceived: buffered.length });
        else finish({ ok: false, failure: "closed", detail: "no push-pull in answer", bytesSent: request.length });
      });
      socket.on("close", () => finish({ ok: false, failure: "closed", detail: "closed without a push-pull", bytesSent: request.length }));
      socket.on("error", (error: NodeJS.ErrnoException) =>
        finish({ ok: false, failure: error.code === "ECONNREFUSED" ? "refused" : "error", detail: error.message, bytesSent: request.length }),
      );
    });
  }

  // ---- incoming: memberlist's messages as the core's ---------------------------------------

  /**
   * memberlist's gossip and push-pulls do not say who sent them: they are given to the core as from
   * this node itself, which it never pulls state from (a pull would go to an address that may not be a member's).
   */
  private anonymous(): Peer {
    return this.options.self();
  }

  private onPacket(bytes: Buffer, source: string): void {
    let packet: Packet;
    try {
      packet = decodePacket(bytes);
    } catch (error) {
      return this.handlers.onRejected("undecodable", (error as Error).message);
    }
    // A CRC that does not match drops the whole packet (net.go:343–350).
    if (hasBadCrc(packet)) return this.handlers.onRejected("undecodable", "a CRC-checked packet whose CRC does not match");
    const leaves = packetMessages(packet);
    const updates = leaves.flatMap((m) => messageToUpdate(m, this.options.addressOf) ?? []);
    // Every message of a compound is handled, in order (net.go:464–481); the updates ride on the first.
    const heads = leaves.filter((m) => m.type === "ping" || m.type === "indirectPing" || m.type === "ack" || m.type === "nack");
    if (heads.length === 0 && updates.length)
      this.request({ v: WIRE_VERSION, type: "gossip", from: this.anonymous(), updates, kv: [] }, bytes.length, { kind: "none" });
    heads.forEach((head, i) => this.onMessage(head, i === 0 ? updates : [], source, bytes.length));
  }

  private onMessage(head: Packet, updates: Update[], source: string, bytes: number): void {
    if (head.type === "ack" || head.type === "nack") {
      const waiting = this.pending.get(head.body.SeqNo);
      if (!waiting) {
        if (updates.length) this.request({ v: WIRE_VERSION, type: "gossip", from: this.anonymous(), updates, kv: [] }, bytes, { kind: "none" });
        return;
      }
      this.pending.delete(head.body.SeqNo);
      clearTimeout(waiting.timer);
      const response: Message = { v: WIRE_VERSION, type: head.type, from: waiting.peer, seq: head.body.SeqNo, updates, kv: [] };
      return waiting.resolve({ ok: true, response, bytesSent: waiting.bytesSent, bytesReceived: bytes });
    }
    if (head.type === "ping") {
      const body = head.body;
      const replyTo = addrOf(body.SourceAddr, body.SourcePort) ?? source;
      const from = { id: body.SourceNode || this.anonymous().id, addr: replyTo };
      return this.request({ v: WIRE_VERSION, type: "ping", from, seq: body.SeqNo, ...(body.Node ? { target: body.Node } : {}), updates, kv: [] }, bytes, {
        kind: "udp",
        to: replyTo,
        nackWanted: false,
      });
    }
    if (head.type === "indirectPing") {
      const body = head.body;
      const replyTo = addrOf(body.SourceAddr, body.SourcePort) ?? source;
      const target = addrOf(body.Target, body.Port);
      if (!target) return this.handlers.onRejected("undecodable", "an indirect ping whose target is not an IPv4 address");
      const from = { id: body.SourceNode || this.anonymous().id, addr: replyTo };
      return this.request({ v: WIRE_VERSION, type: "ping-req", from, seq: body.SeqNo, target: { id: body.Node, addr: target }, updates, kv: [] }, bytes, {
        kind: "udp",
        to: replyTo,
        nackWanted: body.Nack,
      });
    }
  }

  /** Hands a translated message to the core, if it is one the wire spec admits (names and addresses included). */
  private request(message: Message, bytes: number, conn: Conn): void {
    const parsed = MessageSchema.safeParse(message);
    if (!parsed.success) {
      if (conn.kind === "tcp") conn.socket.destroy();
      return this.handlers.onRejected("undecodable", `not a message Grapevine can hold: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    }
    const id = this.nextConn++;
    this.conns.set(id, conn);
    this.handlers.onRequest(id, parsed.data, bytes);
  }

  private acceptStream(socket: net.Socket): void {
    this.streams.add(socket);
    const timer = setTimeout(() => socket.destroy(), this.options.readTimeoutMs * 2);
    socket.on("close", () => {
      clearTimeout(timer);
      this.streams.delete(socket);
    });
    socket.on("error", () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const read = readStream(buffered);
      if (read === "more") return;
      socket.removeAllListeners("data");
      if (!read) {
        this.handlers.onRejected("undecodable", "a stream the spec cannot decode");
        return void socket.destroy();
      }
      if (read.type === "pushPull") {
        // A member whose protocol versions cannot work with ours refuses the whole exchange (state.go:671–776).
        const refused = read.states.find((state) => state.State === 0 && !versionsWork(state.Vsn));
        if (refused) {
          this.handlers.onRejected("undecodable", `a push-pull carrying ${refused.Name}, whose protocol versions cannot work with ours`);
          return void socket.destroy();
        }
        return this.request(this.toSync(read), buffered.length, { kind: "tcp", socket });
      }
      if (read.type === "ping") {
        const message: Message = {
          v: WIRE_VERSION,
          type: "ping",
          from: this.anonymous(),
          seq: read.body.SeqNo,
          ...(read.body.Node ? { target: read.body.Node } : {}),
          updates: [],
          kv: [],
        };
        return this.request(message, buffered.length, { kind: "tcp", socket });
      }
      socket.end();
    });
  }

  private toSync(message: Extract<StreamMessage, { type: "pushPull" }>): Extract<Message, { type: "sync" }> {
    const members = message.states.flatMap((s) => stateToMember(s) ?? []);
    return { v: WIRE_VERSION, type: "sync", from: this.anonymous(), join: message.header.Join, members };
  }
}

/** One whole stream message (unwrapped from compression), "more" while it is incomplete, or undefined when it cannot be read. */
function readStream(bytes: Uint8Array): StreamMessage | "more" | undefined {
  try {
    return streamContent(decodeStream(bytes).message);
  } catch (error) {
    if (error instanceof MemberlistIncompleteError) return "more";
    return undefined;
  }
}

/**
 * Can a member with these versions (pmin, pmax, pcur, …) and this node talk? memberlist checks that
 * every alive member's current protocol lies within every member's range (state.go:671–776); this
 * node speaks protocol 2 only, so 2 must lie in the member's range and its current one in ours.
 */
function versionsWork(vsn: Uint8Array | null): boolean {
  if (!vsn || vsn.length === 0) return true;
  if (vsn.length < 3) return false;
  const [ours, oursMin, oursMax] = [GRAPEVINE_VSN[2]!, GRAPEVINE_VSN[0]!, GRAPEVINE_VSN[1]!];
  return vsn[0]! <= ours && ours <= vsn[1]! && oursMin <= vsn[2]! && vsn[2]! <= oursMax;
}

/** memberlist checks a CRC frame only around the whole packet (net.go:343–353). */
function hasBadCrc(packet: Packet): boolean {
  return packet.type === "hasCrc" && !packet.valid;
}
