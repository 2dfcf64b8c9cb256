// The network faults' toxics, read back through the Toxiproxy API: what goes on which proxy and stream, and undo.
import t from "tap";
import { FaultLog } from "../../../harness/faults/fault-log.js";
import { grudgeFromGroups, grudgeOneWay } from "../../../harness/faults/grudge.js";
import { ToxiproxyEngine } from "../../../harness/faults/toxiproxy-engine.js";
import { obtainToxiproxy } from "../../../harness/faults/toxiproxy-source.js";
import { Topology, TopologyError } from "../../../harness/faults/topology.js";
import type { ProxyJson } from "../../../specs/toxiproxy/api.js";

const source = await obtainToxiproxy({ url: process.env.TOXIPROXY_URL, allowPath: false });
t.teardown(() => source.close());
const nodes = ["a", "b", "c"].map((id, i) => ({ id, addr: `127.0.0.1:${20000 + i}` }));
const topology = await Topology.mesh(source.api, nodes, "gv-test-net-");
t.teardown(() => topology.destroy());
const log = new FaultLog();
const faults = new ToxiproxyEngine(source.api, topology, log);

/** proxy name → the toxics on it as `stream:type@toxicity`. */
async function toxics(): Promise<Record<string, string[]>> {
  const all = (await (await fetch(`${source.api.url}/proxies`)).json()) as Record<string, ProxyJson>;
  return Object.fromEntries(
    Object.values(all)
      .filter((p) => p.name.startsWith("gv-test-net-"))
      .map((p) => [p.name.slice("gv-test-net-".length), p.toxics.map((x) => `${x.stream}:${x.type}@${x.toxicity}`).sort()]),
  );
}

t.test("the mesh has one proxy per ordered pair and dial maps through them", async (t) => {
  t.equal(topology.proxyCount, 6);
  const map = topology.dialMap("a");
  t.same(Object.keys(map).sort(), ["b", "c"]);
  t.equal(map.b, topology.proxyFor("a", "b").listen);
  t.not(map.b, topology.proxyFor("c", "b").listen, "each sender has its own proxy to b");
});

t.test("a one-way cut blackholes a's requests to b and a's answers to b's requests, nothing else", async (t) => {
  const cut = await faults.partition(grudgeOneWay(["a"], ["b"]));
  const now = await toxics();
  t.same(now["a->b"], ["upstream:timeout@1"]);
  t.same(now["b->a"], ["downstream:timeout@1"]);
  t.same([now["a->c"], now["c->a"], now["b->c"], now["c->b"]], [[], [], [], []]);
  await cut.undo();
  t.ok(
    Object.values(await toxics()).every((list) => list.length === 0),
    "undo removes them all",
  );
});

t.test("a symmetric partition cuts both directions across groups", async (t) => {
  await faults.partition(grudgeFromGroups([["a"], ["b", "c"]]));
  const now = await toxics();
  for (const link of ["a->b", "b->a", "a->c", "c->a"]) t.same(now[link], ["downstream:timeout@1", "upstream:timeout@1"], link);
  t.same(now["b->c"], []);
  await faults.heal();
  t.ok(
    Object.values(await toxics()).every((list) => list.length === 0),
    "heal ends it",
  );
});

t.test("loss is a blackhole on each link's request stream with toxicity = rate", async (t) => {
  const loss = await faults.loss(0.1);
  const now = await toxics();
  t.ok(
    Object.values(now).every((list) => list.length === 1 && list[0] === "upstream:timeout@0.1"),
    JSON.stringify(now),
  );
  await loss.undo();
  await t.rejects(faults.loss(1.5), RangeError);
});

t.test("latency and bandwidth go on both channels of each message direction", async (t) => {
  const slow = await faults.latency(50, 10, [["a", "b"]]);
  const now = await toxics();
  t.same(now["a->b"], ["upstream:latency@1"]);
  t.same(now["b->a"], ["downstream:latency@1"]);
  await faults.bandwidth(100, [["a", "b"]]);
  t.same((await toxics())["a->b"], ["upstream:bandwidth@1", "upstream:latency@1"]);
  await faults.clear();
  t.ok(Object.values(await toxics()).every((list) => list.length === 0));
  t.equal(slow.record.kind, "latency");
  t.same(slow.record.params, { latencyMs: 50, jitterMs: 10, links: [["a", "b"]] });
});

t.test("refuse disables the link's proxy until undone", async (t) => {
  const refused = await faults.refuse([["c", "a"]]);
  const get = async () => ((await (await fetch(`${source.api.url}/proxies/gv-test-net-c-%3Ea`)).json()) as ProxyJson).enabled;
  t.equal(await get(), false);
  await refused.undo();
  t.equal(await get(), true);
});

t.test("the ingress topology: one proxy per node, and a clear error for per-link faults", async (t) => {
  const ingress = await Topology.ingress(
    source.api,
    [
      { id: "x", addr: "127.0.0.1:21000" },
      { id: "y", addr: "127.0.0.1:21001" },
    ],
    "gv-test-ing-",
  );
  t.teardown(() => ingress.destroy());
  t.equal(ingress.proxyCount, 2);
  t.equal(ingress.dialMap("x").y, ingress.dialMap("z").y, "everyone dials y through the same proxy");
  t.throws(() => ingress.channels("x", "y"), TopologyError);
  await t.rejects(new ToxiproxyEngine(source.api, ingress).partition({ y: ["x"] }), TopologyError);
});

t.test("a failed fault leaves nothing half-applied", async (t) => {
  await t.rejects(
    faults.latency(10, 0, [
      ["a", "b"],
      ["a", "nobody"],
    ]),
    TopologyError,
  );
  t.ok(Object.values(await toxics()).every((list) => list.length === 0));
});

t.test("every fault is in the log with its times", async (t) => {
  t.ok(log.all().length >= 6);
  t.ok(log.all().every((r) => r.endedAt !== undefined && r.endedAt >= r.startedAt));
});

t.test("as a fault engine: nodes added before they start and on join, dial maps through the proxies, close removes everything", async (t) => {
  const engineLog = new FaultLog();
  const engine = ToxiproxyEngine.create(source.api, { prefix: "gv-test-eng-" }, engineLog);
  const names = async () =>
    Object.keys((await (await fetch(`${source.api.url}/proxies`)).json()) as Record<string, unknown>)
      .filter((n) => n.startsWith("gv-test-eng-"))
      .sort();
  t.same(engine.nodeIds, [], "empty until nodes are added");
  await engine.add([
    { id: "p", addr: "127.0.0.1:22000" },
    { id: "q", addr: "127.0.0.1:22001" },
  ]);
  await engine.add([{ id: "r", addr: "127.0.0.1:22002" }]);
  t.same(engine.nodeIds, ["p", "q", "r"]);
  t.same(await names(), ["gv-test-eng-p->q", "gv-test-eng-p->r", "gv-test-eng-q->p", "gv-test-eng-q->r", "gv-test-eng-r->p", "gv-test-eng-r->q"]);
  t.equal(engine.dialMap("r").p, engine.listing()["r->p"], "r reaches p through its own proxy");
  await engine.partition(grudgeOneWay(["p"], ["q"]));
  t.equal(engineLog.all().filter((r) => r.endedAt === undefined).length, 1, "the cut is in force");
  await engine.close();
  t.same(await names(), [], "every proxy is gone");
  t.ok(
    engineLog.all().every((r) => r.endedAt !== undefined),
    "the cut was ended before its proxies were removed",
  );
});

t.test("a fault's instants: it begins before its first toxic and is in effect after its last; a heal begins before the first removal", async (t) => {
  const calls: { op: string; at: number; done: number }[] = [];
  // The same API, each toxic call slowed by 30 ms, so that applying a six-toxic partition takes visible time.
  const slow = Object.create(source.api) as typeof source.api;
  const timed =
    <A extends unknown[], R>(op: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const at = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 30));
      const result = await call(...args);
      calls.push({ op, at, done: Date.now() });
      return result;
    };
  slow.addToxic = timed("add", source.api.addToxic.bind(source.api));
  slow.removeToxic = timed("remove", source.api.removeToxic.bind(source.api));
  const faultLog = new FaultLog();
  const engine = new ToxiproxyEngine(slow, topology, faultLog);
  const cut = await engine.partition(grudgeFromGroups([["a"], ["b", "c"]]));
  const adds = calls.filter((c) => c.op === "add");
  t.ok(adds.length >= 2, `${adds.length} toxics`);
  t.ok(cut.record.startedAt <= adds[0]!.at, "it began no later than its first toxic call");
  t.ok(cut.record.inEffectAt >= adds[adds.length - 1]!.done, "fully in effect only after the last toxic was installed");
  t.ok(
    cut.record.inEffectAt - cut.record.startedAt >= 30 * adds.length - 5,
    `the window between the two is recorded (${cut.record.inEffectAt - cut.record.startedAt} ms)`,
  );
  await cut.undo();
  const removes = calls.filter((c) => c.op === "remove");
  t.ok(cut.record.endedAt! <= Math.min(...removes.map((r) => r.at)), "the heal began no later than its first removal");
  t.ok(cut.record.removedAt! >= Math.max(...removes.map((r) => r.done)), "fully removed only after the last");
});
