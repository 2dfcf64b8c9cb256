// A cluster that starts formed (SimCluster.addFormed), as bench:sim --formed runs 10,000 nodes: it must
// be the same protocol as one formed by joins, only without the joins.
import t from "tap";
import { NodeConfig } from "../../../specs/node/config.js";
import { pushPullScale } from "../../../reference-node/core/node.js";
import { SimCluster } from "../../../reference-node/sim/cluster.js";

const config = NodeConfig.parse({ probeIntervalMs: 200, probeTimeoutMs: 100, pushPullIntervalMs: 5000, reconnectIntervalMs: 1000 });
const ids = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);

function formed(n: number, seed = 1): SimCluster {
  const sim = new SimCluster({ config });
  sim.addFormed(
    ids(n).map((id, i) => ({ id, seed: seed * 1000 + i })),
    ["n1"],
  );
  return sim;
}

t.test("every node holds every node alive from the start, and a quiet network changes nothing", async (t) => {
  const sim = formed(60);
  for (const observer of ids(60)) {
    const view = sim.view(observer);
    if (view.size !== 60 || [...view.values()].some((s) => s !== "alive")) t.fail(`${observer} holds ${view.size} members: ${[...view.values()]}`);
  }
  sim.runFor(60 * 200 * 2);
  t.same(
    sim.transitions.filter((e) => e.observer !== e.id),
    [],
    "no transition about another member in two probe rounds (each node's own start is one about itself)",
  );
  const probes = ids(60).reduce((sum, id) => sum + sim.node(id).counters.probes, 0);
  t.ok(probes >= 60 * 110, `every node probes about once a period (${probes} probes in 120 periods)`);
});

t.test("each node probes every member once per round: the probe order holds them all", async (t) => {
  const sim = formed(40);
  // 39 others each: after 39 periods, each member has been probed by every other node once (a crash
  // then fails exactly the probes that reach it).
  sim.crash("n17");
  sim.runFor(40 * 200 + 3000);
  const dead = ids(40).filter((o) => o !== "n17" && sim.view(o).get("n17") === "dead");
  t.equal(dead.length, 39, "every survivor holds the crashed node dead");
  t.ok(
    sim.transitions.every((e) => e.id === "n17" || e.id === e.observer),
    "nobody else was suspected",
  );
});

t.test("a restarted node of a formed cluster joins through its seeds", async (t) => {
  const sim = formed(20);
  sim.runFor(1000);
  sim.restart("n9");
  sim.runFor(3000);
  t.equal(sim.view("n9").size, 20, "the fresh n9 learned the whole cluster by joining");
  t.ok(
    ids(20).every((o) => sim.view(o).get("n9") === "alive"),
    "and everyone holds it alive",
  );
});

t.test("the same seeds replay the same formed cluster", async (t) => {
  const run = () => {
    const sim = formed(30, 4);
    sim.crash("n3");
    sim.runFor(8000);
    return JSON.stringify(sim.transitions);
  };
  t.equal(run(), run());
});

t.test("push-pull scales with the cluster as memberlist's does (util.go pushPullScale)", async (t) => {
  t.equal(pushPullScale(1000, 1), 1000);
  t.equal(pushPullScale(1000, 32), 1000, "unscaled up to 32");
  t.equal(pushPullScale(1000, 33), 2000);
  t.equal(pushPullScale(1000, 64), 2000);
  t.equal(pushPullScale(1000, 65), 3000);
  t.equal(pushPullScale(1000, 1000), 6000);
  t.equal(pushPullScale(1000, 10_000), 10_000);
  // A formed cluster of 60 exchanges state every 2 intervals, not every one.
  const sim = formed(60);
  sim.runFor(5000 - 1);
  const early = sim.messages.sent;
  sim.runFor(2);
  const syncs = (sim.bytes["sync"] ?? 0) > 0;
  t.notOk(syncs, `no push-pull at one interval (${early} messages so far)`);
  sim.runFor(5000);
  t.ok((sim.bytes["sync"] ?? 0) > 0, "push-pulls at two intervals");
});
