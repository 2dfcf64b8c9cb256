// The key-value store: versions, last-writer-wins, the incremental Merkle tree, and anti-entropy sessions on the simulator.
import t from "tap";
import { NodeConfig } from "../../../specs/node/config.js";
import { HybridClock } from "../../../reference-node/core/hlc.js";
import { compareVersions } from "../../../specs/wire/version-order.js";
import { KvStore } from "../../../reference-node/core/kv-store.js";
import { LEAVES, leafOf, MerkleTree } from "../../../reference-node/core/merkle.js";
import { seededRandom } from "../../../reference-node/core/random.js";
import { SimCluster } from "../../../reference-node/sim/cluster.js";
import type { KvEntry } from "../../../specs/wire/messages.js";

const entry = (key: string, value: string | null, wall: number, node = "a", logical = 0): KvEntry => ({ key, value, version: { wall, logical, node } });

t.test("hybrid clock: strictly increasing, ordered after what it has seen, node id breaks ties", async (t) => {
  const clock = new HybridClock("a");
  const v1 = clock.tick(1000);
  const v2 = clock.tick(1000);
  const v3 = clock.tick(900);
  t.ok(compareVersions(v2, v1) > 0 && compareVersions(v3, v2) > 0, "same or earlier wall time still moves forward");
  clock.observe({ wall: 5000, logical: 7, node: "b" }, 1200, 10_000);
  const v4 = clock.tick(1300);
  t.ok(compareVersions(v4, { wall: 5000, logical: 7, node: "b" }) > 0, "a write after seeing a later version orders after it");
  t.ok(compareVersions({ wall: 1, logical: 0, node: "b" }, { wall: 1, logical: 0, node: "a" }) > 0);
});

t.test("last writer wins; deletes are tombstones; the wrong-order rule keeps the older write", async (t) => {
  const store = new KvStore();
  t.ok(store.apply(entry("k", "old", 1)));
  t.ok(store.apply(entry("k", "new", 2)));
  t.notOk(store.apply(entry("k", "stale", 1, "z")), "an older version is ignored");
  t.equal(store.get("k")?.value, "new");
  t.ok(store.apply(entry("k", null, 3)));
  t.same([store.liveKeys, store.size], [0, 1], "a tombstone is kept, not counted as a key");
  const wrong = new KvStore((a, b) => compareVersions(a.version, b.version) < 0);
  wrong.apply(entry("k", "old", 1));
  wrong.apply(entry("k", "new", 2));
  t.equal(wrong.get("k")?.value, "old");
});

t.test("the Merkle tree is the same whatever the order of writes, and differs when one entry differs", async (t) => {
  const entries = Array.from({ length: 2000 }, (_, i) => entry(`key-${i}`, `v${i}`, 10 + i));
  const random = seededRandom(5);
  const a = new KvStore();
  const b = new KvStore();
  for (const e of entries) a.apply(e);
  for (const e of random.shuffle(entries)) b.apply(e);
  t.equal(a.tree.root(), b.tree.root());
  b.apply(entry("key-7", "changed", 5000));
  t.not(a.tree.root(), b.tree.root());
  const leaf = leafOf("key-7");
  t.not(a.tree.hash(3, leaf), b.tree.hash(3, leaf), "the leaf of the changed key differs");
  t.equal(a.tree.hash(3, (leaf + 1) % LEAVES), b.tree.hash(3, (leaf + 1) % LEAVES), "its neighbour does not");
  t.same(
    MerkleTree.children(2),
    Array.from({ length: 16 }, (_, i) => 32 + i),
  );
});

// The made-up versions below lie far ahead of the simulator's clock (which starts at 0): the maximum offset is widened to admit them.
const aeConfig = (mode: "push" | "pull" | "push-pull") =>
  NodeConfig.parse({
    probeIntervalMs: 200,
    kvRetransmitMult: 0,
    antiEntropyIntervalMs: 500,
    antiEntropyMode: mode,
    pushPullIntervalMs: 0,
    kvMaxClockOffsetMs: 1_000_000,
  });

/** Two simulated nodes sharing `common` keys, each with its own extra keys; rumors off, so only anti-entropy moves data. */
function pair(mode: "push" | "pull" | "push-pull", common: number, onlyA: number, onlyB: number) {
  const sim = new SimCluster({ config: aeConfig(mode) });
  const a = sim.add("a", 1);
  const b = sim.add("b", 2, ["a"]);
  for (let i = 0; i < common; i++) {
    const e = entry(`shared-${i}`, `v${i}`, 100 + i);
    a.kv.apply(e);
    b.kv.apply(e);
  }
  for (let i = 0; i < onlyA; i++) a.kv.apply(entry(`a-${i}`, "from a", 200_000 + i, "a"));
  for (let i = 0; i < onlyB; i++) b.kv.apply(entry(`b-${i}`, "from b", 200_000 + i, "b"));
  return { sim, a, b };
}

t.test("push-pull anti-entropy converges two stores, moving only the entries that differ", async (t) => {
  const { sim, a, b } = pair("push-pull", 3000, 5, 5);
  t.not(a.kv.tree.root(), b.kv.tree.root());
  sim.runFor(3000);
  t.equal(a.kv.tree.root(), b.kv.tree.root(), "roots agree");
  t.equal(a.kv.size, 3010);
  const moved = a.counters.aeEntriesSent + b.counters.aeEntriesSent;
  t.ok(moved >= 10 && moved <= 40, `${moved} entries moved for 10 differing keys among 3010`);
  t.ok(a.counters.aeRounds + b.counters.aeRounds > 0);
});

t.test("push only sends the initiator's entries; pull only fetches the peer's", async (t) => {
  for (const mode of ["push", "pull"] as const) {
    const { sim, a, b } = pair(mode, 100, 3, 3);
    sim.runFor(5000);
    // Both nodes start sessions, so with either mode both directions are covered eventually.
    t.equal(a.kv.tree.root(), b.kv.tree.root(), `${mode}: converged through both nodes' sessions`);
  }
});

t.test("a write spreads by rumor without anti-entropy, and by anti-entropy without rumors", async (t) => {
  const rumorOnly = new SimCluster({ config: NodeConfig.parse({ probeIntervalMs: 200, antiEntropyIntervalMs: 0 }) });
  const aeOnly = new SimCluster({ config: aeConfig("push-pull") });
  for (const sim of [rumorOnly, aeOnly]) {
    for (const [i, id] of ["n1", "n2", "n3", "n4", "n5"].entries()) sim.add(id, 10 + i, i === 0 ? [] : ["n1"]);
    sim.runFor(2000);
    sim.put("n2", "greeting", "hello");
    sim.runFor(4000);
  }
  for (const [name, sim] of [
    ["rumor", rumorOnly],
    ["anti-entropy", aeOnly],
  ] as const) {
    const holders = ["n1", "n2", "n3", "n4", "n5"].filter((id) => sim.node(id).kv.get("greeting")?.value === "hello");
    t.equal(holders.length, 5, `${name}: on all five nodes`);
  }
  t.equal(rumorOnly.node("n1").counters.aeSessions, 0);
});
