// Lifeguard's nacks at memberlist's timings, on the simulator: a relay must nack before the requester
// stops waiting, or every healthy prober of a dead member doubts itself for nothing.
import t from "tap";
import { NodeConfig } from "../../../specs/node/config.js";
import { SimCluster } from "../../../reference-node/sim/cluster.js";

// memberlist's LAN profile: probe every 1 s, direct ack within 500 ms, 3 indirect checks.
const config = NodeConfig.parse({ probeIntervalMs: 1000, probeTimeoutMs: 500, indirectChecks: 3, reconnectIntervalMs: 0 });

t.test("a silent member is probed until it is dead: every prober's nacks arrive in time and its health stays 0", async (t) => {
  for (const latencyMs of [1, 20]) {
    const sim = new SimCluster({ config, latencyMs });
    const ids = ["n1", "n2", "n3", "n4", "n5"];
    ids.forEach((id, i) => sim.add(id, 100 + i, i === 0 ? [] : ["n1"]));
    sim.runFor(5000);
    // Frozen, not crashed: connections to it are accepted and never answered, so relays wait their whole timeout.
    sim.pause("n5");
    let worst = 0;
    for (let ms = 0; ms < 20_000; ms += 100) {
      sim.runFor(100);
      for (const id of ids.slice(0, 4)) worst = Math.max(worst, sim.node(id).healthScore ?? Infinity);
    }
    const failed = ids.slice(0, 4).reduce((sum, id) => sum + sim.node(id).counters.probeFailures, 0);
    t.ok(failed > 0, `latency ${latencyMs} ms: the dead member's probes failed (${failed})`);
    t.equal(worst, 0, `latency ${latencyMs} ms: no healthy prober's health score ever rose`);
  }
});
