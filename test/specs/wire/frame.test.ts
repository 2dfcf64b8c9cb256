// Framing and message validation of wire protocol v1, independent of any socket.
import t from "tap";
import { decodeMessage, encodeFrame, FrameAccumulator, MAX_FRAME_BYTES } from "../../../specs/wire/frame.js";

const ping = { v: 1, type: "ping", from: { id: "a", addr: "127.0.0.1:7001" }, seq: 1, target: "b" };

t.test("a frame split into one-byte chunks reassembles", async (t) => {
  const frame = encodeFrame(ping);
  t.equal(frame.readUInt32BE(0), frame.length - 4, "length prefix is big-endian and excludes itself");
  const acc = new FrameAccumulator();
  let last;
  for (let i = 0; i < frame.length; i++) last = acc.push(frame.subarray(i, i + 1));
  t.equal(last?.status, "frame");
  const decoded = decodeMessage((last as { payload: Buffer }).payload);
  t.match(decoded, { ok: true, message: { type: "ping", seq: 1, kv: [], updates: [] } }, "updates default to []");
});

t.test("length limits: 0 and above 1 MiB are refused as soon as the header is in", async (t) => {
  const header = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  t.same(new FrameAccumulator().push(header(0)), { status: "error", reason: "empty" });
  t.same(new FrameAccumulator().push(header(MAX_FRAME_BYTES + 1)), { status: "error", reason: "oversize" });
  t.equal(new FrameAccumulator().push(header(MAX_FRAME_BYTES)).status, "need-more", "exactly 1 MiB is allowed");
  const partial = new FrameAccumulator();
  partial.push(Buffer.concat([header(10), Buffer.from("abc")]));
  t.same(partial.end(), { status: "error", reason: "truncated" });
  t.same(new FrameAccumulator().end(), { status: "need-more" }, "nothing sent is not a truncated frame");
});

t.test("encoding refuses a message over the limit", async (t) => {
  t.throws(() => encodeFrame({ ...ping, pad: "x".repeat(MAX_FRAME_BYTES) }), RangeError);
});

t.test("decoding names what is wrong", async (t) => {
  t.match(decodeMessage(Buffer.from("{nope")), { ok: false, reason: "not-json" });
  t.match(decodeMessage(Buffer.from(JSON.stringify({ ...ping, seq: -1 }))), { ok: false, reason: "schema", detail: /^seq: / });
  t.match(decodeMessage(Buffer.from(JSON.stringify({ ...ping, v: 2 }))), { ok: false, reason: "schema", detail: /^v: / });
  t.match(decodeMessage(Buffer.from(JSON.stringify({ ...ping, from: { id: "a", addr: "no-port" } }))), { ok: false, detail: /^from.addr: must be host:port/ });
  t.match(decodeMessage(Buffer.from(JSON.stringify({ ...ping, type: "pong" }))), { ok: false, reason: "schema" });
  t.match(decodeMessage(Buffer.from(JSON.stringify({ ...ping, kv: [], updates: [{ state: "zombie", id: "x", addr: "h:1", incarnation: 0 }] }))), {
    ok: false,
    detail: /^updates.0.state/,
  });
});
