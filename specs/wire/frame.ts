// Framing of wire protocol v1: a 4-byte big-endian length, then that many bytes of UTF-8 JSON.
import { Message } from "./messages.js";

export const FRAME_HEADER_BYTES = 4;
export const MAX_FRAME_BYTES = 1024 * 1024;

export type FrameError = "empty" | "oversize" | "truncated" | "not-json" | "schema";

export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), "utf8");
  if (body.length > MAX_FRAME_BYTES) throw new RangeError(`frame of ${body.length} bytes exceeds ${MAX_FRAME_BYTES}`);
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

export type FrameRead = { status: "need-more" } | { status: "frame"; payload: Buffer } | { status: "error"; reason: FrameError };

/**
 * Collects bytes until one whole frame is present. Pure apart from its buffer, so the
 * same code decides frame boundaries in the node, the harness and the tests.
 * The length is checked as soon as the header arrives: an oversize frame is refused
 * before its body is buffered.
 */
export class FrameAccumulator {
  private chunks: Buffer[] = [];
  private bytes = 0;

  push(chunk: Buffer): FrameRead {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes < FRAME_HEADER_BYTES) return { status: "need-more" };
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [all];
    const length = all.readUInt32BE(0);
    if (length === 0) return { status: "error", reason: "empty" };
    if (length > MAX_FRAME_BYTES) return { status: "error", reason: "oversize" };
    if (all.length < FRAME_HEADER_BYTES + length) return { status: "need-more" };
    return { status: "frame", payload: all.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length) };
  }

  /** Called at end of stream: bytes that never became a whole frame are a truncated frame. */
  end(): FrameRead {
    return this.bytes === 0 ? { status: "need-more" } : { status: "error", reason: "truncated" };
  }
}

export type DecodedMessage = { ok: true; message: Message } | { ok: false; reason: FrameError; detail: string };

/** Parses a frame's payload as JSON and validates it against the v1 schema. */
export function decodeMessage(payload: Buffer): DecodedMessage {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString("utf8"));
  } catch (error) {
    return { ok: false, reason: "not-json", detail: (error as Error).message };
  }
  const parsed = Message.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: "schema", detail: `${issue?.path.join(".") || "(root)"}: ${issue?.message}` };
  }
  return { ok: true, message: parsed.data };
}
