// One wire exchange over TCP from the initiator's side: connect, write a frame, read at most one frame back.
import net from "node:net";
import { decodeMessage, encodeFrame, FrameAccumulator, type FrameError } from "../../specs/wire/frame.js";
import type { Message } from "../../specs/wire/messages.js";
import type { HostPort } from "../../specs/wire/address.js";

export type ExchangeResult =
  | { ok: true; response: Message | null; bytesSent: number; bytesReceived: number }
  /** `unsendable`: the message was too large to frame, so nothing was sent; a FrameError is about the response. */
  | { ok: false; failure: "refused" | "timeout" | "closed" | "error" | "unsendable" | FrameError; detail: string; bytesSent: number };

/**
 * Sends `message` to `to`. With `expectReply`, resolves with the one response frame,
 * validated against the wire schema; without, resolves once the frame is written.
 * Every path ends the socket and resolves within `timeoutMs`: a proxy that blackholes
 * the connection (Toxiproxy's timeout toxic) shows up here as "timeout".
 */
export function exchange(to: HostPort, message: Message, timeoutMs: number, expectReply: boolean): Promise<ExchangeResult> {
  let frame: Buffer;
  try {
    frame = encodeFrame(message);
  } catch (error) {
    // A message too large to frame is never sent; the core hears of it as an exchange that failed.
    return Promise.resolve({ ok: false, failure: "unsendable", detail: (error as Error).message, bytesSent: 0 });
  }
  return new Promise((resolve) => {
    const frames = new FrameAccumulator();
    const socket = net.connect({ host: to.host, port: to.port });
    let settled = false;
    const finish = (result: ExchangeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const fail = (failure: Exclude<ExchangeResult, { ok: true }>["failure"], detail: string) => finish({ ok: false, failure, detail, bytesSent: frame.length });
    // A timer that fires long after it was due means this process was frozen: the answer may have come
    // meanwhile and wait unread (timers run before sockets are read). One grace of half the timeout,
    // as the core gives its verdicts (reference-node/core/stall.ts).
    const dueAt = performance.now() + timeoutMs;
    let graced = false;
    const onTimeout = () => {
      if (!graced && performance.now() - dueAt > Math.max(20, timeoutMs / 4)) {
        graced = true;
        timer = setTimeout(onTimeout, Math.max(20, timeoutMs / 2));
        return;
      }
      fail("timeout", `no response within ${timeoutMs} ms`);
    };
    let timer = setTimeout(onTimeout, timeoutMs);

    socket.setNoDelay(true);
    socket.on("connect", () => {
      socket.write(frame, () => {
        if (!expectReply) {
          socket.end();
          finish({ ok: true, response: null, bytesSent: frame.length, bytesReceived: 0 });
        }
      });
    });
    socket.on("data", (chunk: Buffer) => {
      const read = frames.push(chunk);
      if (read.status === "error") return fail(read.reason, `bad response frame: ${read.reason}`);
      if (read.status !== "frame") return;
      const decoded = decodeMessage(read.payload);
      if (!decoded.ok) return fail(decoded.reason, decoded.detail);
      finish({ ok: true, response: decoded.message, bytesSent: frame.length, bytesReceived: read.payload.length + 4 });
    });
    socket.on("end", () => {
      const read = frames.end();
      if (read.status === "error") return fail(read.reason, "connection closed inside a frame");
      // Closed without an answer: the responder chose not to reply (or a proxy cut us off).
      fail("closed", "connection closed without a response");
    });
    socket.on("error", (error: NodeJS.ErrnoException) =>
      fail(error.code === "ECONNREFUSED" ? "refused" : "error", `${error.code ?? ""} ${error.message}`.trim()),
    );
  });
}
