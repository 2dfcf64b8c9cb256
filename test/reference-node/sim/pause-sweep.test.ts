// A node paused for less than the minimum suspicion timeout must survive: 5 nodes at the scenario
// timings (probe 200 ms, timeout 100 ms: minimum suspicion 800 ms), 100 seeds per pause length, the
// pause at a different phase of the protocol period each time. Deterministic: the simulator's clock.
// Before nodes repeated their refutation to an accuser still at an older incarnation, this sweep
// found 1, 0, 6, 22 and 48 false deaths per 100 runs at 300…700 ms.
import t from "tap";
import { SimCluster } from "../../../reference-node/sim/cluster.js";
import { NodeConfig } from "../../../specs/node/config.js";
import { suspicionTimeoutMs } from "../../../specs/protocol/suspicion.js";

const config = NodeConfig.parse({ probeIntervalMs: 200, probeTimeoutMs: 100, reconnectIntervalMs: 1000, pushPullIntervalMs: 10_000 });
const ids = ["n1", "n2", "n3", "n4", "n5"];
const SEEDS = 100;

/** Runs in which some peer declared the paused node dead. */
function falseDeaths(pauseMs: number): number {
  let deaths = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const sim = new SimCluster({ config });
    for (const [i, id] of ids.entries()) sim.add(id, seed * 1000 + i, i === 0 ? [] : ["n1"]);
    // Formed by 3 s; the pause starts at a different phase of the period for each seed.
    sim.runFor(3000 + ((seed * 37) % config.probeIntervalMs));
    const victim = ids[1 + (seed % 4)]!;
    const before = sim.transitions.length;
    sim.pause(victim);
    sim.runFor(pauseMs);
    sim.resume(victim);
    // Longer than the longest suspicion (4 · 200 · 6 = 4800 ms) after the resume.
    sim.runFor(6000);
    if (sim.transitions.slice(before).some((e) => e.id === victim && e.to === "dead")) deaths++;
  }
  return deaths;
}

const minimum = suspicionTimeoutMs(config.suspicionMult, ids.length, config.probeIntervalMs);
for (const pauseMs of [300, 400, 500, 600, 700]) {
  t.test(`a ${pauseMs} ms pause (minimum suspicion ${minimum} ms): no false death in ${SEEDS} seeds`, async (t) => {
    t.ok(pauseMs < minimum);
    t.equal(falseDeaths(pauseMs), 0);
  });
}

t.test("the sweep can see a death: a pause well past the longest suspicion kills in every run", async (t) => {
  t.equal(falseDeaths(6000), SEEDS);
});
