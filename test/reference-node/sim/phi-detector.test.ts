// The φ detector (--detector phi) on the simulator's clock: heartbeat gossip, local verdicts at the
// thresholds, revival by newer heartbeats, and the mutants that break each of those.
import t from "tap";
import { NodeConfig } from "../../../specs/node/config.js";
import type { MutantName } from "../../../reference-node/core/mutants.js";
import { SimCluster } from "../../../reference-node/sim/cluster.js";

const config = NodeConfig.parse({
  detector: "phi",
  heartbeatIntervalMs: 200,
  phiAcceptablePauseMs: 200,
  phiMinStdDeviationMs: 50,
  pushPullIntervalMs: 5000,
  reconnectIntervalMs: 1000,
  gossipToTheDeadMs: 60_000,
});
const ids = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);

function cluster(n: number, options: { seed?: number; mutant?: MutantName; latencyMs?: number } = {}): SimCluster {
  const sim = new SimCluster({ config, latencyMs: options.latencyMs ?? 1, mutant: options.mutant });
  for (const [i, id] of ids(n).entries()) sim.add(id, (options.seed ?? 1) * 1000 + i, i === 0 ? [] : ["n1"]);
  sim.runFor(5000);
  return sim;
}

function allSee(sim: SimCluster, observers: string[], members: string[], state: string): boolean {
  return observers.every((o) => members.every((m) => sim.view(o).get(m) === state));
}

t.test("five nodes beat and nobody is suspected on a clean network, for a minute", async (t) => {
  for (const seed of [1, 2, 3]) {
    const sim = cluster(5, { seed });
    sim.runFor(60_000);
    t.ok(allSee(sim, ids(5), ids(5), "alive"), `seed ${seed}: all alive`);
    t.same(
      sim.transitions.filter((e) => e.to !== "alive"),
      [],
      `seed ${seed}: no suspicion`,
    );
    t.ok((sim.bytes["heartbeat"] ?? 0) > 0, "heartbeats went over the wire");
    t.equal(sim.node("n1").counters.probes, 0, "no probes in phi mode");
  }
});

t.test("a crash: every survivor suspects, then convicts, each at its own φ crossing", async (t) => {
  const sim = cluster(5);
  sim.crash("n3");
  const crashedAt = sim.now;
  sim.runFor(10_000);
  const live = ["n1", "n2", "n4", "n5"];
  t.ok(allSee(sim, live, ["n3"], "dead"), "all four mark n3 dead");
  for (const observer of live) {
    const mine = sim.transitions.filter((e) => e.observer === observer && e.id === "n3" && e.at > crashedAt);
    t.same(
      mine.map((e) => e.to),
      ["suspect", "dead"],
      `${observer}: suspect, then dead`,
    );
  }
  const deaths = sim.transitions.filter((e) => e.id === "n3" && e.to === "dead").map((e) => e.at - crashedAt);
  // mean ≈ 200 ms + 200 ms pause, deviation ≥ 50 ms: φ = 8 about 5.6 deviations past the mean, plus a relay's delay.
  t.ok(Math.max(...deaths) < 2000, `all dead within ${Math.max(...deaths)} ms`);
  t.equal(sim.node("n1").phiOf("n3")! >= config.phiConvictThreshold, true, "φ past the threshold");
});

t.test("a frozen node is convicted, and revived by its next heartbeat: no refutation needed", async (t) => {
  const sim = cluster(5);
  const before = sim.transitions.length;
  sim.pause("n2");
  sim.runFor(5000);
  t.ok(allSee(sim, ["n1", "n3", "n4", "n5"], ["n2"], "dead"), "dead while frozen");
  sim.resume("n2");
  sim.runFor(3000);
  // Its clock jumped 5 s with every heartbeat unread: it must read them before it judges anyone (stall.ts).
  t.same(
    sim.transitions.slice(before).filter((e) => e.observer === "n2" && e.to !== "alive"),
    [],
    "the thawed node blames nobody for its own freeze",
  );
  t.ok(allSee(sim, ids(5), ids(5), "alive"), "alive again");
  t.equal(sim.node("n2").currentIncarnation, 0, "without raising its incarnation");
});

t.test("a partition: each side convicts the other; after the heal, heartbeats re-form the cluster", async (t) => {
  const sim = cluster(5);
  sim.partition(["n1", "n2"], ["n3", "n4", "n5"]);
  sim.runFor(10_000);
  t.ok(allSee(sim, ["n1", "n2"], ["n3", "n4", "n5"], "dead") && allSee(sim, ["n3", "n4", "n5"], ["n1", "n2"], "dead"), "each side holds the other dead");
  sim.healAll();
  sim.runFor(10_000);
  t.ok(allSee(sim, ids(5), ids(5), "alive"), "re-formed");
});

t.test("a restarted node's new generation beats its old counts", async (t) => {
  const sim = cluster(5);
  sim.crash("n4");
  sim.runFor(5000);
  t.ok(allSee(sim, ["n1", "n2", "n3", "n5"], ["n4"], "dead"));
  sim.restart("n4");
  sim.runFor(5000);
  t.ok(allSee(sim, ids(5), ids(5), "alive"), "back, counting from zero in a new generation");
});

t.test("a graceful leave is left, not dead", async (t) => {
  const sim = cluster(5);
  sim.leave("n5");
  sim.runFor(5000);
  t.ok(allSee(sim, ["n1", "n2", "n3", "n4"], ["n5"], "left"));
});

t.test("the same seeds replay the same history", async (t) => {
  const run = () => {
    const sim = cluster(6, { seed: 7 });
    sim.crash("n2");
    sim.runFor(8000);
    return sim.transitions;
  };
  const first = run();
  t.ok(first.some((e) => e.to === "dead"));
  t.same(run(), first);
});

t.test("a wall clock stepped back an hour holds no timer: heartbeats go on, nobody convicts the node", async (t) => {
  for (const offsetMs of [-3_600_000, 3_600_000]) {
    const sim = cluster(5);
    const before = sim.transitions.length;
    sim.setClockOffset("n1", offsetMs);
    sim.runFor(10_000);
    // Stepped back, timers on the wall clock would wait an hour; stepped forward, they would all fire at once and the
    // node would take an hour's silence for everyone's death. Timers run on the monotonic clock: neither happens.
    t.ok(sim.node("n2").phiOf("n1")! < 1, `offset ${offsetMs}: n1 beats on time (φ at n2 ${sim.node("n2").phiOf("n1")})`);
    t.same(
      sim.transitions.slice(before).filter((e) => e.to !== "alive"),
      [],
      `offset ${offsetMs}: no suspicion by or of n1`,
    );
    if (offsetMs > 0) {
      const write = sim.put("n1", "k", "v")!;
      t.ok(Math.abs(write.wall - (sim.now + offsetMs)) < 1000, `offset ${offsetMs}: its key-value stamp follows its wall clock`);
    }
  }
});
