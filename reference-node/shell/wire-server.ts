// The node's wire listener: accepts connections, reads one request frame each, hands it to the core, writes the reply.
import net from "node:net";
import { decodeMessage, encodeFrame, FrameAccumulator, type FrameError } from "../../specs/wire/frame.js";
import type { Message } from "../../specs/wire/messages.js";

export interface WireServerHandlers {
  onRequest(conn: number, message: Message, bytes: number): void;
  /** A frame was dropped: oversize, empty, truncated, not JSON, or off-schema. */
  onRejected(reason: FrameError, detail: string): void;
  /** A connection sent no whole frame within the read timeout and was cut off. */
  onIdle(): void;
}

export interface WireServerOptions {
  host: string;
  port: number;
  /** Time allowed for the request frame to arrive, and again for the core to answer it. */
  readTimeoutMs: number;
}

interface Conn {
  socket: net.Socket;
  timer: NodeJS.Timeout;
}

export class WireServer {
  private readonly server: net.Server;
  private readonly conns = new Map<number, Conn>();
  private nextConn = 1;

  constructor(
    private readonly options: WireServerOptions,
    private readonly handlers: WireServerHandlers,
  ) {
    this.server = net.createServer((socket) => this.accept(socket));
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off("error", reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Answers connection `conn` and closes it; null closes it without an answer. Returns the bytes written. */
  reply(conn: number, message: Message | null): number {
    const entry = this.conns.get(conn);
    if (!entry) return 0;
    this.forget(conn);
    if (message === null) {
      entry.socket.end();
      return 0;
    }
    let frame: Buffer;
    try {
      frame = encodeFrame(message);
    } catch (error) {
      // Too large to frame: the asker gets no answer rather than a broken one, and the caller hears why.
      entry.socket.end();
      throw error;
    }
    entry.socket.end(frame);
    return frame.length;
  }

  close(): Promise<void> {
    for (const conn of [...this.conns.keys()]) this.drop(conn);
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const conn = this.nextConn++;
    const frames = new FrameAccumulator();
    socket.setNoDelay(true);
    socket.on("error", () => this.drop(conn));
    socket.on("close", () => this.forget(conn));
    const idle = setTimeout(() => {
      this.handlers.onIdle();
      this.drop(conn);
    }, this.options.readTimeoutMs);
    this.conns.set(conn, { socket, timer: idle });

    const reject = (reason: FrameError, detail: string) => {
      this.handlers.onRejected(reason, detail);
      this.drop(conn);
    };
    const onData = (chunk: Buffer) => {
      const read = frames.push(chunk);
      if (read.status === "need-more") return;
      if (read.status === "error") return reject(read.reason, `request frame: ${read.reason}`);
      // One exchange per connection: anything after the first frame is ignored.
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.pause();
      const decoded = decodeMessage(read.payload);
      if (!decoded.ok) return reject(decoded.reason, decoded.detail);
      // The core now has readTimeoutMs to answer (a relayed ping-req waits for its own probe).
      clearTimeout(idle);
      const timer = setTimeout(() => this.drop(conn), this.options.readTimeoutMs);
      this.conns.set(conn, { socket, timer });
      this.handlers.onRequest(conn, decoded.message, read.payload.length + 4);
    };
    const onEnd = () => {
      const read = frames.end();
      if (read.status === "error") reject(read.reason, "connection closed inside a frame");
      else this.drop(conn);
    };
    socket.on("data", onData);
    socket.on("end", onEnd);
  }

  private forget(conn: number): void {
    const entry = this.conns.get(conn);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.conns.delete(conn);
  }

  private drop(conn: number): void {
    const entry = this.conns.get(conn);
    this.forget(conn);
    entry?.socket.destroy();
  }
}
