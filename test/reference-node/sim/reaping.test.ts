// Dead and departed members are removed from the table after gossip-to-the-dead (memberlist's resetNodes),
// and a partition longer than that still re-forms: reconnect keeps trying the members it reaped.
import t from "tap";
import { NodeConfig } from "../../../specs/node/config.js";
import { SimCluster } from "../../../reference-node/sim/cluster.js";

const config = NodeConfig.parse({ probeIntervalMs: 200, probeTimeoutMs: 100, gossipToTheDeadMs: 2000, reconnectIntervalMs: 1000, pushPullIntervalMs: 0 });

function cluster(size: number, seed: number): { sim: SimCluster; ids: string[] } {
  const sim = new SimCluster({ config });
  const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  ids.forEach((id, i) => sim.add(id, seed + i, i === 0 ? [] : ["n1"]));
  sim.runFor(5000);
  return { sim, ids };
}

t.test("crashed and departed members leave every table after gossip-to-the-dead; the table does not grow with churn", async (t) => {
  const { sim, ids } = cluster(5, 10);
  t.same([...sim.view("n1").values()], ["alive", "alive", "alive", "alive", "alive"]);
  sim.crash("n4");
  sim.leave("n5");
  sim.runFor(10_000);
  for (const id of ids.slice(0, 3)) t.same([...sim.view(id).keys()].sort(), ["n1", "n2", "n3"], `${id} holds only the live members`);
  // Churn: twenty members come and go; the tables end as small as they started.
  for (let i = 0; i < 20; i++) {
    const id = `c${i}`;
    sim.add(id, 100 + i, ["n1"]);
    sim.runFor(2000);
    sim.crash(id);
  }
  sim.runFor(15_000);
  for (const id of ids.slice(0, 3)) t.equal(sim.view(id).size, 3, `${id}: ${[...sim.view(id).keys()].join(",")}`);
});

t.test("a partition five times longer than gossip-to-the-dead re-forms after the heal: reconnect tries the reaped", async (t) => {
  const { sim, ids } = cluster(5, 20);
  const left = ["n1", "n2"];
  const right = ["n3", "n4", "n5"];
  sim.partition(left, right);
  sim.runFor(10_000);
  t.same([...sim.view("n1").keys()].sort(), ["n1", "n2"], "each side reaped the other");
  t.same([...sim.view("n3").keys()].sort(), ["n3", "n4", "n5"]);
  sim.healAll();
  sim.runFor(10_000);
  for (const id of ids) t.same([...sim.view(id).entries()].filter(([, s]) => s === "alive").length, 5, `${id} holds all five alive again`);
});
