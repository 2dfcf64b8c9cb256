// Every toxic's behaviour over real TCP, through toxiproxy-node-client; against the embedded server or TOXIPROXY_URL.
// Timing checks use lower bounds (a toxic must delay at least this much) and generous upper bounds.
import net from "node:net";
import t from "tap";
import type { Proxy } from "toxiproxy-node-client";
import { echoServer, portOf, raw, talk, toxiproxyUnderTest } from "./fixture.js";

const api = await toxiproxyUnderTest();
const echo = await echoServer();
const closingEcho = await echoServer({ closeAfterReply: true });
let count = 0;
const made: string[] = [];
async function freshProxy(upstream = echo.addr): Promise<Proxy> {
  const proxyName = `gv-test-toxic-${++count}`;
  made.push(proxyName);
  return api.client.createProxy({ name: proxyName, listen: "127.0.0.1:0", upstream });
}
t.teardown(async () => {
  for (const n of made) await raw(api.url, "DELETE", `/proxies/${n}`).catch(() => undefined);
  echo.close();
  closingEcho.close();
  await api.close();
});

const ms = (x: number | undefined) => Math.round(x ?? -1);

t.test("latency: a round trip takes at least the latency, within jitter", async (t) => {
  const proxy = await freshProxy();
  await proxy.addToxic({ name: "lat", type: "latency", stream: "downstream", toxicity: 1, attributes: { latency: 150, jitter: 50 } });
  for (let i = 0; i < 3; i++) {
    const r = await talk(portOf(proxy.listen), "hello", { waitMs: 3000, expectBytes: 5 });
    t.equal(r.received.toString(), "hello");
    t.ok(r.firstByteMs! >= 100 - 2, `≥ latency − jitter (${ms(r.firstByteMs)} ms)`);
    t.ok(r.firstByteMs! < 200 + 500, `well under latency + jitter + slack (${ms(r.firstByteMs)} ms)`);
  }
});

t.test("latency on both streams adds up", async (t) => {
  const proxy = await freshProxy();
  await proxy.addToxic({ name: "up", type: "latency", stream: "upstream", toxicity: 1, attributes: { latency: 100, jitter: 0 } });
  await proxy.addToxic({ name: "down", type: "latency", stream: "downstream", toxicity: 1, attributes: { latency: 100, jitter: 0 } });
  const r = await talk(portOf(proxy.listen), "x", { waitMs: 3000, expectBytes: 1 });
  t.ok(r.firstByteMs! >= 198, `≥ 200 ms (${ms(r.firstByteMs)})`);
});

t.test("bandwidth: 200 KB at 1000 KB/s takes about 200 ms and arrives intact", async (t) => {
  const proxy = await freshProxy();
  await proxy.addToxic({ name: "bw", type: "bandwidth", stream: "downstream", toxicity: 1, attributes: { rate: 1000 } });
  const payload = Buffer.alloc(200_000, 7);
  const started = performance.now();
  const r = await talk(portOf(proxy.listen), payload, { waitMs: 5000, expectBytes: payload.length });
  const took = performance.now() - started;
  t.ok(r.received.equals(payload), "all bytes, in order");
  t.ok(took >= 180, `not faster than the rate allows (${ms(took)} ms)`);
  t.ok(took < 2000, `and not stalled (${ms(took)} ms)`);
});

t.test("bandwidth 0 stalls until the toxic is removed", async (t) => {
  const proxy = await freshProxy();
  const toxic = await proxy.addToxic({ name: "zero", type: "bandwidth", stream: "downstream", toxicity: 1, attributes: { rate: 0 } });
  const pending = talk(portOf(proxy.listen), "stuck", { waitMs: 3000, expectBytes: 5 });
  await new Promise((resolve) => setTimeout(resolve, 400));
  await toxic.remove();
  const r = await pending;
  t.equal(r.received.toString(), "stuck", "released on removal, nothing dropped");
  t.ok(r.firstByteMs! >= 390, `held while the toxic was there (${ms(r.firstByteMs)} ms)`);
});

t.test("slow_close: data passes, the close waits the delay", async (t) => {
  const proxy = await freshProxy(closingEcho.addr);
  await proxy.addToxic({ name: "sc", type: "slow_close", stream: "downstream", toxicity: 1, attributes: { delay: 300 } });
  const r = await talk(portOf(proxy.listen), "bye", { waitMs: 3000 });
  t.equal(r.received.toString(), "bye");
  t.ok(r.closedMs! - r.firstByteMs! >= 280, `closed ${ms(r.closedMs! - r.firstByteMs!)} ms after the data`);
});

t.test("timeout 0: a blackhole that holds the connection open", async (t) => {
  const proxy = await freshProxy();
  await proxy.addToxic({ name: "hole", type: "timeout", stream: "upstream", toxicity: 1, attributes: { timeout: 0 } });
  const r = await talk(portOf(proxy.listen), "lost", { waitMs: 700 });
  t.equal(r.received.length, 0, "nothing comes back");
  t.equal(r.closedMs, undefined, "and the connection is not closed");
});

t.test("timeout > 0: drops data and closes after that long without a chunk", async (t) => {
  const proxy = await freshProxy();
  await proxy.addToxic({ name: "t300", type: "timeout", stream: "upstream", toxicity: 1, attributes: { timeout: 300 } });
  const r = await talk(portOf(proxy.listen), "lost", { waitMs: 3000 });
  t.equal(r.received.length, 0);
  t.ok(r.closedMs !== undefined && r.closedMs >= 280, `closed after ${ms(r.closedMs)} ms`);
});

t.test("removing a timeout toxic closes the connections it held", async (t) => {
  const proxy = await freshProxy();
  const toxic = await proxy.addToxic({ name: "hold", type: "timeout", stream: "upstream", toxicity: 1, attributes: { timeout: 0 } });
  const pending = talk(portOf(proxy.listen), "held", { waitMs: 3000 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  await toxic.remove();
  const r = await pending;
  t.ok(r.closedMs !== undefined && r.closedMs < 3000, `closed on removal (${ms(r.closedMs)} ms)`);
  t.equal(r.received.length, 0, "the held data is not delivered");
});

t.test("reset_peer: the client sees ECONNRESET after the timeout", async (t) => {
  const proxy = await freshProxy();
  await proxy.addToxic({ name: "rst", type: "reset_peer", stream: "upstream", toxicity: 1, attributes: { timeout: 200 } });
  const r = await talk(portOf(proxy.listen), "boom", { waitMs: 3000 });
  t.equal(r.error, "ECONNRESET");
  t.ok(r.closedMs! >= 190, `after ${ms(r.closedMs)} ms`);
  t.equal(r.received.length, 0);
});

t.test("slicer: data arrives intact in many small pieces", async (t) => {
  const proxy = await freshProxy();
  await proxy.addToxic({
    name: "slice",
    type: "slicer",
    stream: "downstream",
    toxicity: 1,
    attributes: { average_size: 100, size_variation: 20, delay: 2000 },
  });
  const payload = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
  const r = await talk(portOf(proxy.listen), payload, { waitMs: 5000, expectBytes: payload.length });
  t.ok(r.received.equals(payload), "intact");
  t.ok(r.reads >= 10, `arrived in ${r.reads} reads`);
});

t.test("limit_data: exactly `bytes` pass, then the connection closes", async (t) => {
  const proxy = await freshProxy();
  await proxy.addToxic({ name: "limit", type: "limit_data", stream: "downstream", toxicity: 1, attributes: { bytes: 500 } });
  const r = await talk(portOf(proxy.listen), Buffer.alloc(2000, 1), { waitMs: 3000 });
  t.equal(r.received.length, 500);
  t.ok(r.closedMs !== undefined, "closed");
});

t.test("toxicity is rolled per connection: 0 never, 1 always, 0.5 about half", async (t) => {
  const proxy = await freshProxy();
  const toxic = await proxy.addToxic({ name: "maybe", type: "timeout", stream: "upstream", toxicity: 0, attributes: { timeout: 0 } });
  const attempt = async () => (await talk(portOf(proxy.listen), "?", { waitMs: 150, expectBytes: 1 })).received.length === 0;
  const lost = async (n: number) => {
    let count = 0;
    for (let i = 0; i < n; i++) if (await attempt()) count++;
    return count;
  };
  t.equal(await lost(20), 0, "toxicity 0: every exchange gets through");
  await toxic.update({ name: "maybe", type: "timeout", stream: "upstream", toxicity: 1, attributes: { timeout: 0 } });
  t.equal(await lost(10), 10, "toxicity 1: every exchange is lost");
  await toxic.update({ name: "maybe", type: "timeout", stream: "upstream", toxicity: 0.5, attributes: { timeout: 0 } });
  const n = 120;
  const half = await lost(n);
  // Binomial(120, 0.5): sd ≈ 5.5; 30..90 is over five sd either side.
  t.ok(half >= 30 && half <= 90, `toxicity 0.5: ${half} of ${n} exchanges lost`);
});

t.test("adding and removing toxics during traffic loses no data", async (t) => {
  const proxy = await freshProxy();
  const socket = net.connect(portOf(proxy.listen), "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  const received: Buffer[] = [];
  socket.on("data", (d) => received.push(d));
  const sent: Buffer[] = [];
  for (let i = 0; i < 40; i++) {
    const piece = Buffer.from(`message-${i};`);
    sent.push(piece);
    socket.write(piece);
    if (i % 10 === 3) await proxy.addToxic({ name: `lat${i}`, type: "latency", stream: "downstream", toxicity: 1, attributes: { latency: 20, jitter: 5 } });
    if (i % 10 === 7) await (await proxy.getToxic(`lat${i - 4}`)).remove();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const expected = Buffer.concat(sent);
  const deadline = Date.now() + 5000;
  while (Buffer.concat(received).length < expected.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  socket.destroy();
  t.ok(Buffer.concat(received).equals(expected), "every byte, in order");
});

t.test("an upstream that refuses: the client is accepted, then closed; the proxy keeps serving", async (t) => {
  const dead = net.createServer();
  await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
  const deadAddr = `127.0.0.1:${(dead.address() as net.AddressInfo).port}`;
  await new Promise<void>((resolve) => dead.close(() => resolve()));
  const proxy = await freshProxy(deadAddr);
  const r = await talk(portOf(proxy.listen), "anyone?", { waitMs: 2000 });
  t.notOk(r.error === "ECONNREFUSED", "the proxy itself accepted");
  t.ok(r.closedMs !== undefined, "then closed the client");
  t.match(JSON.parse(await api.client.getVersion()), { version: String }, "the server is still up");
});
