// The packet engine's faults are real: datagrams and connections between two network namespaces are
// cut, lost at the configured rate, delayed by the configured latency ± jitter, and refused. Needs
// root and nft (CI sets GRAPEVINE_REQUIRE_PACKET, so that their absence fails there).
import t from "tap";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { PacketEngine } from "../../harness/faults/packet/packet-engine.js";
import { percentile } from "../../harness/stats.js";
import { engineSkip } from "./requirements.js";

const quantile = (values: number[], p: number) =>
  percentile(
    [...values].sort((x, y) => x - y),
    p,
  ) ?? NaN;

const skip = await engineSkip(t, false);
const probe = path.join(path.dirname(fileURLToPath(import.meta.url)), "net-probe.mjs");
const PORT = 7946;

interface PingResult {
  sent: number;
  rtts: number[];
  errors: string[];
}

/**
 * An echo server in `netns`, listening once this resolves; `stop()` ends it (after `graceMs`, for
 * late arrivals) and says how much it received. It stops by itself after 30 s in any case.
 */
async function echoServer(
  netns: string,
  proto: "udp" | "tcp",
  host: string,
): Promise<{ stop(graceMs?: number): Promise<{ received: number; repeats?: number; late?: number }> }> {
  const child = execa("ip", ["netns", "exec", netns, process.execPath, probe, "echo", proto, host, String(PORT), "30000"], { lines: true, stdin: "pipe" });
  // Wait for it to listen.
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once("data", () => resolve());
    void child.catch(reject);
  });
  return {
    stop: async (graceMs = 0) => {
      await new Promise((resolve) => setTimeout(resolve, graceMs));
      child.stdin!.end();
      return JSON.parse((await child).stdout.at(-1)!) as { received: number; repeats?: number; late?: number };
    },
  };
}

async function ping(netns: string, proto: "udp" | "tcp", from: string, to: string, count: number, intervalMs: number, timeoutMs: number): Promise<PingResult> {
  const r = await execa("ip", [
    "netns",
    "exec",
    netns,
    process.execPath,
    probe,
    "ping",
    proto,
    from,
    String(PORT),
    to,
    String(PORT),
    String(count),
    String(intervalMs),
    String(timeoutMs),
  ]);
  return JSON.parse(r.stdout) as PingResult;
}

t.test("faults between two namespaces, UDP and TCP", { skip, timeout: 120_000 }, async (t) => {
  const engine = await PacketEngine.create();
  t.teardown(() => engine.close());
  await engine.add([
    { id: "a", addr: `127.0.0.1:${PORT}` },
    { id: "b", addr: `127.0.0.1:${PORT}` },
  ]);
  const a = engine.placement("a");
  const b = engine.placement("b");
  t.not(a.host, b.host, "each node has its own address");

  await t.test("with no fault, every datagram and connection gets through", async (t) => {
    const server = await echoServer(b.netns, "udp", b.host);
    const udp = await ping(a.netns, "udp", a.host, b.host, 50, 5, 300);
    t.equal(udp.rtts.length, 50);
    t.equal((await server.stop(100)).received, 50);
    const tcpServer = await echoServer(b.netns, "tcp", b.host);
    const tcp = await ping(a.netns, "tcp", a.host, b.host, 10, 5, 500);
    t.equal(tcp.rtts.length, 10, JSON.stringify(tcp.errors));
    await tcpServer.stop();
  });

  await t.test("a one-way cut drops a's datagrams to b, not b's to a", async (t) => {
    const cut = await engine.partition({ b: ["a"] });
    const atB = await echoServer(b.netns, "udp", b.host);
    const aToB = await ping(a.netns, "udp", a.host, b.host, 30, 10, 300);
    t.equal((await atB.stop(100)).received, 0, "nothing from a reached b");
    t.equal(aToB.rtts.length, 0);
    const atA = await echoServer(a.netns, "udp", a.host);
    const bToA = await ping(b.netns, "udp", b.host, a.host, 30, 10, 300);
    t.equal((await atA.stop(100)).received, 30, "everything from b reached a");
    t.equal(bToA.rtts.length, 0, "a's answers to b were cut");
    const tcpServer = await echoServer(b.netns, "tcp", b.host);
    const tcp = await ping(a.netns, "tcp", a.host, b.host, 2, 10, 800);
    t.same(tcp.errors, ["timeout", "timeout"], "a connection from a to b hangs, as on a real partition");
    await tcpServer.stop();
    await cut.undo();
    const healed = await echoServer(b.netns, "udp", b.host);
    t.equal((await ping(a.netns, "udp", a.host, b.host, 20, 5, 300)).rtts.length, 20, "healed");
    await healed.stop();
  });

  await t.test("loss drops each datagram with the given probability", async (t) => {
    const loss = await engine.loss(0.3, [["a", "b"]]);
    const server = await echoServer(b.netns, "udp", b.host);
    const n = 1000;
    const result = await ping(a.netns, "udp", a.host, b.host, n, 2, 500);
    const { received } = await server.stop();
    await loss.undo();
    // Binomial(1000, 0.7): mean 700, sd 14.5; ±5 sd.
    t.ok(received >= 627 && received <= 773, `${received} of ${n} arrived at 30 % loss (expected 700 ± 73)`);
    t.equal(result.rtts.length, received, "b → a was not lossy");
  });

  await t.test("loss drops TCP segments at the given probability, and TCP recovers the stream", async (t) => {
    const loss = await engine.loss(0.3, [["a", "b"]]);
    const server = await echoServer(b.netns, "tcp", b.host);
    const r = await execa("ip", ["netns", "exec", a.netns, process.execPath, probe, "stream", "tcp", a.host, b.host, String(PORT), "300000"]);
    const stream = JSON.parse(r.stdout) as { sent: number; echoed: number; ms: number };
    const counters = await engine.lossCounters();
    await server.stop();
    await loss.undo();
    const counted = Object.entries(counters).find(([tag]) => tag.endsWith("a>b"))?.[1];
    t.ok(counted, `the loss rule counted (${JSON.stringify(counters)})`);
    const { seen, dropped } = counted!;
    const sd = Math.sqrt(seen * 0.3 * 0.7);
    t.ok(seen >= 200, `${seen} packets from a to b passed the rule`);
    t.ok(
      Math.abs(dropped - 0.3 * seen) <= 5 * sd,
      `${dropped} of ${seen} dropped (${((100 * dropped) / seen).toFixed(1)} %; expected 30 % ± ${((500 * sd) / seen).toFixed(1)})`,
    );
    t.equal(stream.echoed, stream.sent, `every byte arrived all the same, in ${Math.round(stream.ms)} ms: TCP resent what was lost`);
  });

  await t.test("latency delays a's datagrams and stream bytes to b by latency ± jitter, one way", async (t) => {
    const baseServer = await echoServer(b.netns, "udp", b.host);
    const base = await ping(a.netns, "udp", a.host, b.host, 50, 5, 300);
    await baseServer.stop();
    const slow = await engine.latency(60, 15, [["a", "b"]]);
    const server = await echoServer(b.netns, "udp", b.host);
    const udp = await ping(a.netns, "udp", a.host, b.host, 100, 10, 500);
    await server.stop();
    const tcpServer = await echoServer(b.netns, "tcp", b.host);
    const tcp = await ping(a.netns, "tcp", a.host, b.host, 20, 5, 1000);
    await tcpServer.stop();
    await slow.undo();
    const p50 = quantile(udp.rtts, 0.5);
    t.equal(udp.rtts.length, 100, "no datagram was lost");
    t.ok(p50 > 50 && p50 < 75, `UDP round trip p50 ${p50.toFixed(1)} ms (base ${quantile(base.rtts, 0.5).toFixed(2)} ms) with 60 ± 15 ms one way`);
    t.ok(Math.min(...udp.rtts) >= 44, `no datagram faster than latency − jitter (min ${Math.min(...udp.rtts).toFixed(1)} ms)`);
    t.ok(Math.max(...udp.rtts) < 110, `none much slower than latency + jitter (max ${Math.max(...udp.rtts).toFixed(1)} ms)`);
    t.equal(tcp.rtts.length, 20, JSON.stringify(tcp.errors));
    t.ok(quantile(tcp.rtts, 0.5) >= 44, `TCP request-answer p50 ${quantile(tcp.rtts, 0.5).toFixed(1)} ms`);
    const stats = await engine.relayStats();
    t.ok((stats.udp["a>b"]?.sent ?? 0) >= 100, "the relay carried the delayed datagrams");
    t.same(stats.errors, []);
  });

  await t.test("duplicate delivers a's datagrams to b twice at the given probability, not b's to a", async (t) => {
    const copies = await engine.duplicate(0.3, [["a", "b"]]);
    const server = await echoServer(b.netns, "udp", b.host);
    const n = 600;
    const result = await ping(a.netns, "udp", a.host, b.host, n, 2, 500);
    const { received, repeats } = await server.stop(100);
    await copies.undo();
    // Binomial(600, 0.3): mean 180, sd 11.2; ±5 sd.
    t.ok(repeats! >= 124 && repeats! <= 236, `${repeats} of ${n} datagrams arrived twice at 30 % duplication (expected 180 ± 56)`);
    t.equal(received, n + repeats!, "every datagram arrived, once or twice");
    const stats = await engine.relayStats();
    t.equal(stats.udp["a>b"]?.duplicated, repeats, "the relay counted the copies b heard");
    // The echo answers both copies; the pinger counts each id's first answer only.
    t.equal(result.rtts.length, n, "b → a was not duplicated: one answer per id");
  });

  await t.test("reorder holds a's datagrams back so that later ones overtake them", async (t) => {
    const before = (await engine.relayStats()).udp["a>b"]?.reordered ?? 0;
    const shuffled = await engine.reorder(0.2, 50, [["a", "b"]]);
    const server = await echoServer(b.netns, "udp", b.host);
    const n = 500;
    const result = await ping(a.netns, "udp", a.host, b.host, n, 5, 500);
    const { received, late } = await server.stop(100);
    await shuffled.undo();
    const reordered = ((await engine.relayStats()).udp["a>b"]?.reordered ?? 0) - before;
    // Binomial(500, 0.2): mean 100, sd 8.9; ±5 sd. Held 50 ms with 5 ms between sends, each is overtaken by ~10.
    t.ok(reordered >= 55 && reordered <= 145, `${reordered} of ${n} held back at 20 % (expected 100 ± 45)`);
    t.equal(received, n, "none lost");
    t.ok(late! >= reordered * 0.8 && late! <= reordered, `${late} arrived after a later one (of ${reordered} held back)`);
    const slowest = Math.max(...result.rtts);
    t.ok(slowest >= 45, `a held datagram's round trip carries the hold (${slowest.toFixed(1)} ms)`);
  });

  await t.test("refuse resets connections from a to b", async (t) => {
    const refused = await engine.refuse([["a", "b"]]);
    const tcpServer = await echoServer(b.netns, "tcp", b.host);
    const tcp = await ping(a.netns, "tcp", a.host, b.host, 3, 10, 800);
    t.same(tcp.errors, ["ECONNREFUSED", "ECONNREFUSED", "ECONNREFUSED"]);
    t.equal((await tcpServer.stop(100)).received, 0);
    await refused.undo();
  });

  await t.test("the rules are in the run's router namespace only", async (t) => {
    const host = await execa("nft", ["list", "tables"]);
    t.notMatch(host.stdout, /grapevine/, "no table in the harness's own namespace");
    t.match(await engine.network.listRules(), /table ip grapevine/);
  });
});

t.test("two engines at once do not collide, and close removes everything", { skip, timeout: 60_000 }, async (t) => {
  const one = await PacketEngine.create();
  const two = await PacketEngine.create();
  await one.add([{ id: "a", addr: "127.0.0.1:7946" }]);
  await two.add([{ id: "a", addr: "127.0.0.1:7946" }]);
  t.not(one.network.names.subnet, two.network.names.subnet);
  t.not(one.placement("a").netns, two.placement("a").netns);
  const namespaces = [one.network.names.router, one.placement("a").netns, two.network.names.router, two.placement("a").netns];
  await one.close();
  await two.close();
  const left = (await execa("ip", ["netns", "list"])).stdout;
  for (const ns of namespaces) t.notMatch(left, ns, `${ns} removed`);
  t.notMatch((await execa("ip", ["-o", "link"])).stdout, one.network.names.hostIf, "the harness's link removed");
});
