// The harness's side of one wire exchange with the implementation: a frame (or raw bytes) out, at most one frame back.
import net from "node:net";
import { decodeMessage, encodeFrame, FRAME_HEADER_BYTES, FrameAccumulator, MAX_FRAME_BYTES } from "../../specs/wire/frame.js";
import type { Message } from "../../specs/wire/messages.js";
import { parseHostPort } from "../../specs/wire/address.js";
import type { WireLog } from "./wire-log.js";

export type Outcome =
  | { kind: "reply"; message: Message; ms: number }
  /** The implementation closed the connection without a reply. */
  | { kind: "closed"; ms: number }
  /** Nothing came back, and the connection stayed open, within the time allowed. */
  | { kind: "timeout"; ms: number }
  | { kind: "refused"; ms: number; detail: string }
  /** Something came back that is not a valid frame. */
  | { kind: "bad-reply"; ms: number; detail: string };

export interface SendOptions {
  timeoutMs: number;
  /** For one-way messages: resolve as "closed" once written and closed by us. */
  oneWay?: boolean;
  /** Trickle the bytes (slow sender): bytesPerTick every intervalMs, giving up after durationMs. */
  trickle?: { bytesPerTick: number; intervalMs: number; durationMs: number };
  /** Send only this many bytes, then half-close (a truncated frame). */
  sendBytes?: number;
  log?: WireLog;
  note?: string;
}

/** A valid message, framed. Bigger-than-limit messages are framed anyway: sending them is the point of some cases. */
export function frameOf(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), "utf8");
  if (body.length <= MAX_FRAME_BYTES) return encodeFrame(message);
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

export function sendMessage(addr: string, message: unknown, options: SendOptions): Promise<Outcome> {
  options.log?.add({ dir: "sent", via: "client", message, ...(options.note ? { note: options.note } : {}) });
  return sendBytes(addr, frameOf(message), { ...options, log: undefined }).then((outcome) => {
    logOutcome(options.log, outcome);
    return outcome;
  });
}

export function sendRaw(addr: string, bytes: Buffer, options: SendOptions): Promise<Outcome> {
  options.log?.add({ dir: "sent", via: "client", note: options.note ?? `${bytes.length} raw bytes`, message: preview(bytes) });
  return sendBytes(addr, bytes, { ...options, log: undefined }).then((outcome) => {
    logOutcome(options.log, outcome);
    return outcome;
  });
}

function logOutcome(log: WireLog | undefined, outcome: Outcome): void {
  if (!log) return;
  if (outcome.kind === "reply") log.add({ dir: "received", via: "client", message: outcome.message, note: `reply after ${outcome.ms} ms` });
  else log.add({ dir: "received", via: "client", note: `${outcome.kind} after ${outcome.ms} ms${"detail" in outcome ? `: ${outcome.detail}` : ""}` });
}

function preview(bytes: Buffer): string {
  const head = bytes.subarray(0, 200);
  return `${head.toString("hex").slice(0, 16)}… ${JSON.stringify(head.subarray(FRAME_HEADER_BYTES).toString("utf8"))}${bytes.length > 200 ? "…" : ""}`;
}

/** Every path destroys the socket and resolves within timeoutMs (plus the trickle's own duration). */
function sendBytes(addr: string, bytes: Buffer, options: SendOptions): Promise<Outcome> {
  const { host, port } = parseHostPort(addr);
  const started = Date.now();
  return new Promise((resolve) => {
    const frames = new FrameAccumulator();
    const socket = net.connect({ host, port });
    let settled = false;
    let trickleTimer: NodeJS.Timeout | undefined;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(trickleTimer);
      socket.destroy();
      resolve(outcome);
    };
    const ms = () => Date.now() - started;
    const budget = options.timeoutMs + (options.trickle?.durationMs ?? 0);
    const timer = setTimeout(() => finish({ kind: "timeout", ms: ms() }), budget);
    socket.setNoDelay(true);
    socket.on("connect", () => {
      const payload = options.sendBytes === undefined ? bytes : bytes.subarray(0, options.sendBytes);
      if (options.trickle) return trickle(payload, options.trickle);
      socket.write(payload);
      if (options.sendBytes !== undefined || options.oneWay) socket.end();
    });
    const trickle = (payload: Buffer, how: NonNullable<SendOptions["trickle"]>) => {
      let offset = 0;
      trickleTimer = setInterval(() => {
        if (offset >= payload.length || ms() >= how.durationMs) {
          clearInterval(trickleTimer);
          return;
        }
        socket.write(payload.subarray(offset, offset + how.bytesPerTick));
        offset += how.bytesPerTick;
      }, how.intervalMs);
    };
    socket.on("data", (chunk: Buffer) => {
      const read = frames.push(chunk);
      if (read.status === "error") return finish({ kind: "bad-reply", ms: ms(), detail: read.reason });
      if (read.status !== "frame") return;
      const decoded = decodeMessage(read.payload);
      finish(decoded.ok ? { kind: "reply", message: decoded.message, ms: ms() } : { kind: "bad-reply", ms: ms(), detail: decoded.detail });
    });
    socket.on("end", () =>
      finish(frames.end().status === "error" ? { kind: "bad-reply", ms: ms(), detail: "closed inside a frame" } : { kind: "closed", ms: ms() }),
    );
    socket.on("close", () => finish({ kind: "closed", ms: ms() }));
    socket.on("error", (error: NodeJS.ErrnoException) =>
      finish(error.code === "ECONNREFUSED" ? { kind: "refused", ms: ms(), detail: error.message } : { kind: "closed", ms: ms() }),
    );
  });
}
