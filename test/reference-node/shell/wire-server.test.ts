// Bad input on the wire, over real TCP: every kind of bad frame is dropped and counted, and the node keeps serving.
import net from "node:net";
import t from "tap";
import { startRunner } from "./start-runner.js";
import { exchange } from "../../../reference-node/shell/exchange.js";
import { AdminClient } from "../../../harness/observe/admin-client.js";
import { encodeFrame, MAX_FRAME_BYTES } from "../../../specs/wire/frame.js";

const READ_TIMEOUT_MS = 300;
const logLines: string[] = [];
const runner = await startRunner({ readTimeoutMs: READ_TIMEOUT_MS, probeIntervalMs: 60_000, probeTimeoutMs: 500 }, { logLines });
t.teardown(() => runner.close());
const admin = new AdminClient(`http://127.0.0.1:${runner.adminPort}`);
const to = { host: "127.0.0.1", port: runner.port };

/** Writes raw bytes (optionally half-closing), and resolves when the node closes the connection. */
function sendRaw(bytes: Buffer, endAfterWrite: boolean): Promise<{ closedAfterMs: number; answer: Buffer }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const received: Buffer[] = [];
    const socket = net.connect(to, () => {
      if (bytes.length > 0) socket.write(bytes);
      if (endAfterWrite) socket.end();
    });
    socket.on("data", (chunk) => received.push(chunk));
    socket.on("close", () => resolve({ closedAfterMs: Date.now() - started, answer: Buffer.concat(received) }));
    socket.on("error", () => undefined);
    setTimeout(() => reject(new Error("node never closed the connection")), 5000).unref();
  });
}

const header = (length: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(length);
  return b;
};
const payload = (text: string) => Buffer.concat([header(Buffer.byteLength(text)), Buffer.from(text)]);

async function pingStillAnswered(): Promise<boolean> {
  const result = await exchange(to, { v: 1, type: "ping", from: { id: "probe", addr: "127.0.0.1:1" }, seq: 5, target: "sut", kv: [], updates: [] }, 2000, true);
  return result.ok && result.response?.type === "ack" && result.response.seq === 5;
}

const cases: [string, Buffer, boolean][] = [
  ["oversize length", header(MAX_FRAME_BYTES + 1), false],
  ["zero length", header(0), false],
  ["truncated frame", Buffer.concat([header(100), Buffer.from('{"v":1')]), true],
  ["not JSON", payload("hello there"), false],
  ["JSON array", payload("[1,2,3]"), false],
  ["wrong field types", payload(JSON.stringify({ v: 1, type: "ping", from: { id: 7, addr: "x" }, seq: "one" })), false],
  ["unknown type", payload(JSON.stringify({ v: 1, type: "hello", from: { id: "a", addr: "127.0.0.1:1" } })), false],
  [
    "anti-entropy frame with a bad hash",
    payload(JSON.stringify({ v: 1, type: "ae-tree", from: { id: "a", addr: "127.0.0.1:1" }, session: 1, level: 0, nodes: [{ index: 0, hash: "not-hex" }] })),
    false,
  ],
  [
    "anti-entropy entries with a bad version",
    payload(
      JSON.stringify({
        v: 1,
        type: "ae-entries",
        from: { id: "a", addr: "127.0.0.1:1" },
        session: 1,
        leaves: [1],
        entries: [{ key: "k", value: "v", version: { wall: -1 } }],
      }),
    ),
    false,
  ],
  ["unknown version", payload(JSON.stringify({ v: 2, type: "ping", from: { id: "a", addr: "127.0.0.1:1" }, seq: 1 })), false],
];

for (const [name, bytes, halfClose] of cases) {
  t.test(`${name}: dropped without reply, counted, node still answers`, async (t) => {
    const before = (await admin.metrics()).rejectedFrames;
    const { answer } = await sendRaw(bytes, halfClose);
    t.equal(answer.length, 0, "no reply written");
    t.equal((await admin.metrics()).rejectedFrames, before + 1, "rejectedFrames raised by one");
    t.ok(await pingStillAnswered(), "a ping afterwards is answered");
  });
}

t.test("a connection that never writes is cut off after the read timeout", async (t) => {
  const before = (await admin.metrics()).idleConnectionsClosed;
  const { closedAfterMs } = await sendRaw(Buffer.alloc(0), false);
  t.ok(closedAfterMs >= READ_TIMEOUT_MS - 20, `closed after ${closedAfterMs} ms, not before the timeout`);
  t.equal((await admin.metrics()).idleConnectionsClosed, before + 1);
  t.ok(await pingStillAnswered());
});

t.test("a slow sender that never finishes its frame is cut off too", async (t) => {
  const before = (await admin.metrics()).idleConnectionsClosed;
  await sendRaw(Buffer.concat([header(50), Buffer.from("{")]), false);
  t.equal((await admin.metrics()).idleConnectionsClosed, before + 1);
});

t.test("a valid frame with trailing bytes: the first frame is answered, the rest ignored", async (t) => {
  const ping = encodeFrame({ v: 1, type: "ping", from: { id: "p", addr: "127.0.0.1:1" }, seq: 9, target: "sut", kv: [], updates: [] });
  const { answer } = await sendRaw(Buffer.concat([ping, Buffer.from("garbage")]), false);
  t.ok(answer.length > 4, "an ack came back");
  t.match(JSON.parse(answer.subarray(4).toString()), { type: "ack", seq: 9 });
});

t.test("rejections are logged as warnings with the reason", async (t) => {
  t.ok(logLines.some((l) => JSON.parse(l).reason === "oversize"));
  t.ok(logLines.some((l) => JSON.parse(l).reason === "not-json"));
});
