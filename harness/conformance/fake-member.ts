// A scripted fake peer: a real TCP listener the implementation dials, answering as a member would (or not at all).
import net from "node:net";
import { decodeMessage, encodeFrame, FrameAccumulator } from "../../specs/wire/frame.js";
import { type Message, type Peer, WIRE_VERSION } from "../../specs/wire/messages.js";
import type { WireLog } from "./wire-log.js";

/**
 * - answer: acks pings, nacks ping-reqs (it never relays), answers syncs and anti-entropy with "nothing to add"
 * - silent: reads the request and never answers, like a crashed host behind a live socket (closed after holdMs)
 */
export type Behaviour = "answer" | "silent";

export interface Received {
  at: number;
  /** The member id the message was meant for (ping.target), when it says. */
  to: string | undefined;
  message: Message;
}

/** How long a silent member holds a connection before closing it: bounded, so nothing lingers. */
const SILENT_HOLD_MS = 10_000;

export class FakeMember {
  readonly received: Received[] = [];
  behaviour: Behaviour;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    readonly id: string,
    private readonly server: net.Server,
    readonly addr: string,
    private readonly log: WireLog,
    behaviour: Behaviour,
  ) {
    this.behaviour = behaviour;
  }

  /** Listens on 127.0.0.1, on a port the OS picks. */
  static async start(id: string, behaviour: Behaviour, log: WireLog): Promise<FakeMember> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const port = (server.address() as net.AddressInfo).port;
    const member = new FakeMember(id, server, `127.0.0.1:${port}`, log, behaviour);
    server.on("connection", (socket) => member.accept(socket));
    return member;
  }

  get peer(): Peer {
    return { id: this.id, addr: this.addr };
  }

  /** Messages received since `at`, of the given types. */
  messagesSince(at: number, ...types: Message["type"][]): Received[] {
    return this.received.filter((r) => r.at >= at && (types.length === 0 || types.includes(r.message.type)));
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    const hold = setTimeout(() => socket.destroy(), SILENT_HOLD_MS);
    socket.on("close", () => clearTimeout(hold));
    const frames = new FrameAccumulator();
    socket.on("data", (chunk: Buffer) => {
      const read = frames.push(chunk);
      if (read.status === "need-more") return;
      if (read.status === "error") return void socket.destroy();
      socket.removeAllListeners("data");
      const decoded = decodeMessage(read.payload);
      if (!decoded.ok) {
        this.log.add({ dir: "received", via: this.id, note: `invalid frame from the implementation: ${decoded.detail}` });
        return void socket.destroy();
      }
      const message = decoded.message;
      const to = message.type === "ping" ? message.target : undefined;
      this.received.push({ at: Date.now(), to, message });
      this.log.add({ dir: "received", via: this.id, message });
      if (this.behaviour === "silent") return;
      const reply = this.replyTo(message, to ?? this.id);
      if (reply) this.log.add({ dir: "sent", via: this.id, message: reply });
      if (reply) socket.end(encodeFrame(reply));
      else socket.end();
    });
  }

  private replyTo(message: Message, as: string): Message | null {
    const from = { id: as, addr: this.addr };
    const base = { v: WIRE_VERSION, from, updates: [], kv: [] };
    switch (message.type) {
      case "ping":
        return { ...base, type: "ack", seq: message.seq };
      case "ping-req":
        return { ...base, type: "nack", seq: message.seq };
      case "sync":
        return { v: WIRE_VERSION, type: "sync", from, join: false, members: [] };
      case "ae-tree":
        return { v: WIRE_VERSION, type: "ae-tree", from, session: message.session, level: Math.min(message.level + 1, 3), nodes: [] };
      case "ae-entries":
        return { v: WIRE_VERSION, type: "ae-entries", from, session: message.session, leaves: [], entries: [], want: false };
      default:
        return null;
    }
  }
}
