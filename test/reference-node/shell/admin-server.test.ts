// The admin API over real HTTP, and the dial map routing real TCP exchanges.
import { mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { AdminClient } from "../../../harness/observe/admin-client.js";
import { waitUntil } from "../../../harness/observe/wait.js";
import { NodeConfig } from "../../../specs/node/config.js";
import { ndjsonLogger } from "../../../reference-node/shell/log.js";
import { DialMapError, NodeRunner, readDialMap, type RunnerOptions } from "../../../reference-node/shell/runner.js";

const config = NodeConfig.parse({ probeIntervalMs: 100, probeTimeoutMs: 50, suspicionMult: 2, readTimeoutMs: 1000 });
const dir = mkdtempSync(path.join(tmpdir(), "grapevine-admin-"));

function start(id: string, extra: Partial<RunnerOptions> = {}): Promise<NodeRunner> {
  return NodeRunner.start({
    id,
    host: "127.0.0.1",
    port: 0,
    adminHost: "127.0.0.1",
    adminPort: 0,
    seeds: [],
    config,
    seed: 3,
    logger: ndjsonLogger(id, "error", () => undefined),
    ...extra,
  });
}

t.test("endpoints answer with their schema's shape", async (t) => {
  const a = await start("a");
  const b = await start("b", { seeds: [`127.0.0.1:${a.port}`] });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const admin = new AdminClient(`http://127.0.0.1:${a.adminPort}`);
  await waitUntil(async () => (await admin.members()).members.length === 2, { timeoutMs: 3000, what: "b to join a" });
  const info = await admin.node();
  t.match(info, { id: "a", addr: `127.0.0.1:${a.port}`, protocol: "grapevine-swim/1", seed: 3, config: { probeIntervalMs: 100 } });
  const members = await admin.members();
  t.equal(members.self, "a");
  t.same(members.members.map((m) => [m.id, m.state]).sort(), [
    ["a", "alive"],
    ["b", "alive"],
  ]);
  const all = await admin.events(0);
  t.match(all.events, [
    { seq: 1, id: "a", from: null, to: "alive" },
    { seq: 2, id: "b", from: null, to: "alive" },
  ]);
  t.equal(all.next, 2);
  t.same(
    (await admin.events(1)).events.map((e) => e.seq),
    [2],
    "after=1 skips the first",
  );
  t.same(await admin.events(2), { events: [], next: 2 }, "nothing new: next stays");
  const metrics = await admin.metrics();
  t.ok(metrics.messagesReceived.sync >= 1, "the join's sync was counted");
});

t.test("GET /v1/phi: heartbeat windows on a φ node, a 404 that says why on a SWIM one", async (t) => {
  const phiConfig = NodeConfig.parse({ detector: "phi", heartbeatIntervalMs: 100, phiAcceptablePauseMs: 100, phiMinStdDeviationMs: 20 });
  const a = await start("a", { config: phiConfig });
  const b = await start("b", { config: phiConfig, seeds: [`127.0.0.1:${a.port}`] });
  const swim = await start("c");
  t.teardown(async () => {
    await Promise.all([a.close(), b.close(), swim.close()]);
  });
  const admin = new AdminClient(`http://127.0.0.1:${a.adminPort}`);
  // Ten heartbeats of b, arriving ~100 ms apart: the window holds the two seeded intervals and what came since.
  await waitUntil(async () => ((await admin.phi()).members.find((m) => m.id === "b")?.intervalsMs.length ?? 0) >= 12, {
    timeoutMs: 5000,
    what: "b's heartbeats",
  });
  const phi = await admin.phi();
  const window = phi.members.find((m) => m.id === "b")!;
  t.ok(phi.at >= window.lastArrivalAt, "read after the last arrival");
  t.ok(window.phi !== null && window.phi < 3, `φ of a beating member is low: ${window.phi}`);
  const measured = window.intervalsMs.slice(2);
  const mean = measured.reduce((x, y) => x + y, 0) / measured.length;
  t.ok(mean > 30 && mean < 300, `b's heartbeats arrive about every 100 ms (fanout 3 of 1 member): mean ${mean.toFixed(1)} ms`);
  t.equal((await admin.metrics()).messagesReceived.heartbeat > 0, true, "heartbeats counted by type");
  t.equal((await admin.metrics()).healthScore, undefined, "a φ node keeps no Lifeguard health: /v1/metrics has no healthScore");
  t.equal(await admin.health(), undefined, "so the observer records none, and the health check has nothing to judge");
  t.equal(await new AdminClient(`http://127.0.0.1:${swim.adminPort}`).health(), 0, "a SWIM node's health score, read as the observer reads it");
  const refused = await fetch(`http://127.0.0.1:${swim.adminPort}/v1/phi`);
  t.equal(refused.status, 404);
  t.match(await refused.json(), { error: /runs the swim detector.*--detector phi/ });
});

t.test("wrong paths, methods and parameters get JSON errors", async (t) => {
  const a = await start("a");
  t.teardown(() => a.close());
  const base = `http://127.0.0.1:${a.adminPort}`;
  const missing = await fetch(`${base}/v1/nope`);
  t.equal(missing.status, 404);
  t.match(await missing.json(), { error: /no such endpoint/ });
  const wrongMethod = await fetch(`${base}/v1/members`, { method: "DELETE" });
  t.equal(wrongMethod.status, 405);
  const badAfter = await fetch(`${base}/v1/events?after=-1`);
  t.equal(badAfter.status, 400);
});

t.test("POST /v1/leave spreads `left` and the node reports it has left", async (t) => {
  const a = await start("a");
  const b = await start("b", { seeds: [`127.0.0.1:${a.port}`] });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const adminA = new AdminClient(`http://127.0.0.1:${a.adminPort}`);
  await waitUntil(async () => (await adminA.members()).members.length === 2, { timeoutMs: 3000, what: "join" });
  const left = new Promise<void>((resolve) => b.onLeft(resolve));
  t.same(await new AdminClient(`http://127.0.0.1:${b.adminPort}`).leave(), { leaving: true });
  await left;
  const view = await adminA.members();
  t.equal(view.members.find((m) => m.id === "b")?.state, "left");
});

t.test("the dial map decides where a member is dialled, and SIGHUP-style reload changes it", async (t) => {
  // A listener that accepts and never answers: a's exchanges with b routed there vanish.
  const blackhole = net.createServer(() => undefined);
  await new Promise<void>((resolve) => blackhole.listen(0, "127.0.0.1", resolve));
  const mapFile = path.join(dir, "a.json");
  writeFileSync(mapFile, JSON.stringify({ b: `127.0.0.1:${(blackhole.address() as net.AddressInfo).port}` }));
  const b = await start("b");
  const a = await start("a", { seeds: [`127.0.0.1:${b.port}`], dialMapFile: mapFile });
  t.teardown(async () => {
    await a.close();
    await b.close();
    blackhole.close();
  });
  const adminA = new AdminClient(`http://127.0.0.1:${a.adminPort}`);
  const adminB = new AdminClient(`http://127.0.0.1:${b.adminPort}`);
  await waitUntil(async () => (await adminA.metrics()).probeFailures >= 3, { timeoutMs: 5000, what: "a's probes of b to fail" });
  t.equal((await adminB.metrics()).messagesReceived.ping, 0, "no ping from a reached b: a dials b through the map");
  writeFileSync(mapFile, JSON.stringify({}));
  a.reloadDialMap();
  await waitUntil(async () => (await adminB.metrics()).messagesReceived.ping > 0, { timeoutMs: 5000, what: "a's pings to reach b directly" });
  t.pass("after the reload a dials b at its own address");
});

t.test("a bad dial map names the file and the field", async (t) => {
  const bad = path.join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify({ b: "no-port-here" }));
  t.throws(() => readDialMap(bad), new DialMapError(`${bad}: field b: must be host:port`));
  const notJson = path.join(dir, "not.json");
  writeFileSync(notJson, "{");
  t.throws(() => readDialMap(notJson), { message: new RegExp(`^${notJson}: not JSON`) });
});

t.test("key-value endpoints: write, read, list, delete, digest, events; limits named in refusals", async (t) => {
  const a = await start("a", { config: NodeConfig.parse({ ...config, kvMaxKeyBytes: 8, kvMaxValueBytes: 16 }) });
  t.teardown(() => a.close());
  const admin = new AdminClient(`http://127.0.0.1:${a.adminPort}`);
  const base = `http://127.0.0.1:${a.adminPort}`;
  const written = await admin.kvPut("k1", "hello");
  t.match(written, { key: "k1", version: { wall: Number, logical: 0, node: "a" } });
  t.match(await (await fetch(`${base}/v1/kv/k1`)).json(), { key: "k1", value: "hello", version: written.version });
  const digest = await admin.kvDigest();
  t.match(digest, { keys: 1, entries: 1 });
  t.not(digest.root, "0000000000000000");
  const again = await admin.kvPut("k1", "again");
  t.ok(again.version.wall > written.version.wall || again.version.logical > written.version.logical, "a later write gets a later version");
  await admin.kvDelete("k1");
  const gone = await fetch(`${base}/v1/kv/k1`);
  t.equal(gone.status, 404);
  t.match(await gone.json(), { error: "k1 was deleted" });
  t.match(await admin.kvDigest(), { keys: 0, entries: 1 }, "the tombstone stays");
  t.same(
    (await admin.kvList()).entries.map((e) => e.value),
    [null],
  );
  t.same(
    (await admin.kvEvents(0)).events.map((e) => e.origin),
    ["local", "local", "local"],
  );
  t.equal((await admin.metrics()).kvWrites, 3);

  const longKey = await fetch(`${base}/v1/kv/way-too-long-key`, { method: "PUT", body: JSON.stringify({ value: "x" }) });
  t.equal(longKey.status, 400);
  t.match(await longKey.json(), { error: "key is 16 bytes; the limit is 8 (--kv-max-key-bytes)" });
  const bigValue = await fetch(`${base}/v1/kv/k2`, { method: "PUT", body: JSON.stringify({ value: "x".repeat(17) }) });
  t.equal(bigValue.status, 400);
  t.match(await bigValue.json(), { error: "value is 17 bytes; the limit is 16 (--kv-max-value-bytes)" });
  const notJson = await fetch(`${base}/v1/kv/k2`, { method: "PUT", body: "hello" });
  t.equal(notJson.status, 400);
  t.match(await notJson.json(), { error: /body must be JSON/ });
  const huge = await fetch(`${base}/v1/kv/k2`, { method: "PUT", body: JSON.stringify({ value: "x".repeat(100_000) }) }).catch(() => undefined);
  t.ok(huge === undefined || huge.status === 413, "a body far over the limit is cut off");
  t.equal((await fetch(`${base}/v1/kv/missing`)).status, 404);
});
