// Cluster behaviour of the reference protocol on the simulator's virtual clock: exact, fast, replayable.
import t from "tap";
import { NodeConfig } from "../../../specs/node/config.js";
import { SimCluster } from "../../../reference-node/sim/cluster.js";
import type { MutantName } from "../../../reference-node/core/mutants.js";

const config = NodeConfig.parse({
  probeIntervalMs: 200,
  probeTimeoutMs: 100,
  pushPullIntervalMs: 5000,
  reconnectIntervalMs: 1000,
});
const ids = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);

function cluster(n: number, seed = 1, mutant?: MutantName): SimCluster {
  const sim = new SimCluster({ config, mutant });
  for (const [i, id] of ids(n).entries()) sim.add(id, seed * 1000 + i, i === 0 ? [] : ["n1"]);
  sim.runFor(3000);
  return sim;
}

/** Every listed observer holds every listed member in `state`. */
function allSee(sim: SimCluster, observers: string[], members: string[], state: string): boolean {
  return observers.every((o) => members.every((m) => sim.view(o).get(m) === state));
}

t.test("eight nodes joined through one seed reach full membership (several seeds)", async (t) => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const sim = cluster(8, seed);
    t.ok(allSee(sim, ids(8), ids(8), "alive"), `seed ${seed}: every view lists all eight alive`);
    t.same(
      sim.transitions.filter((e) => e.to !== "alive"),
      [],
      `seed ${seed}: no suspicion while joining`,
    );
  }
});

t.test("a crashed node is marked dead by every other node within the suspicion bound", async (t) => {
  const sim = cluster(5);
  sim.crash("n3");
  const crashedAt = sim.now;
  sim.runFor(10_000);
  const live = ["n1", "n2", "n4", "n5"];
  t.ok(allSee(sim, live, ["n3"], "dead"), "all four mark n3 dead");
  const deaths = sim.transitions.filter((e) => e.id === "n3" && e.to === "dead").map((e) => e.at - crashedAt);
  // One period to be probed by someone, one to fail, then the Lifeguard maximum: 4 · 200 · 6 = 4800 ms.
  const bound = 2 * 200 + 4800;
  t.ok(Math.max(...deaths) <= bound, `all-dead after ${Math.max(...deaths)} ms ≤ ${bound} ms`);
});

t.test("a pause shorter than the suspicion timeout makes nobody dead", async (t) => {
  const sim = cluster(5);
  const before = sim.transitions.length;
  sim.pause("n2");
  sim.runFor(500);
  sim.resume("n2");
  sim.runFor(5000);
  t.same(
    sim.transitions.slice(before).filter((e) => e.to === "dead"),
    [],
  );
  t.ok(allSee(sim, ids(5), ids(5), "alive"));
});

t.test("a pause longer than the suspicion timeout: dead, then alive again with a higher incarnation", async (t) => {
  const sim = cluster(5);
  sim.pause("n2");
  sim.runFor(8000);
  t.ok(allSee(sim, ["n1", "n3", "n4", "n5"], ["n2"], "dead"), "declared dead while frozen");
  sim.resume("n2");
  sim.runFor(5000);
  t.ok(allSee(sim, ids(5), ["n2"], "alive"), "back alive after resume");
  t.ok(sim.node("n2").currentIncarnation > 0, `refuted with incarnation ${sim.node("n2").currentIncarnation}`);
});

t.test("a symmetric partition: each side marks the other dead; after heal all five are alive again", async (t) => {
  const sim = cluster(5);
  const left = ["n1", "n2"];
  const right = ["n3", "n4", "n5"];
  sim.partition(left, right);
  sim.runFor(10_000);
  t.ok(allSee(sim, left, right, "dead") && allSee(sim, right, left, "dead"), "each side holds the other dead");
  sim.healAll();
  sim.runFor(10_000);
  t.ok(allSee(sim, ids(5), ids(5), "alive"), "re-formed");
});

t.test("a one-way cut n1↛n2 with others bridging: ping-req keeps both alive", async (t) => {
  const sim = cluster(5);
  const before = sim.transitions.length;
  sim.cut("n1", "n2");
  sim.runFor(20_000);
  const deaths = sim.transitions.slice(before).filter((e) => e.to === "dead");
  t.same(deaths, [], "nobody declared dead");
  t.ok(allSee(sim, ids(5), ids(5), "alive"));
});

t.test("a one-way cut n1↛n2 swallows n1's answers to n2 as well as its requests, as the proxy engine's cut does", async (t) => {
  // Without ping-req, every probe across the cut fails, in both directions: n2's ping reaches n1,
  // but n1's ack travels n1→n2 and is lost. (Before, the simulator delivered that ack, and only
  // n1 ever suspected n2.)
  const sim = cluster(5, 1, "no-indirect-probe");
  const before = sim.transitions.length;
  sim.cut("n1", "n2");
  sim.runFor(10_000);
  // Only n2's probes of n1 can fail, so n1 is suspected at all only if the ack was cut.
  const pairs = new Set(
    sim.transitions
      .slice(before)
      .filter((e) => e.to === "suspect")
      .map((e) => `${e.observer}→${e.id}`),
  );
  t.ok(pairs.has("n1→n2"), "n1's probes of n2 fail");
  t.ok(pairs.has("n2→n1"), "n2's probes of n1 fail: the ack is cut");
});

t.test("a graceful leave is seen as left, not dead", async (t) => {
  const sim = cluster(5);
  sim.leave("n4");
  sim.runFor(3000);
  t.ok(allSee(sim, ["n1", "n2", "n3", "n5"], ["n4"], "left"));
  t.ok(sim.node("n4").hasLeft);
});

t.test("the same seeds replay the same history", async (t) => {
  const run = () => {
    const sim = cluster(6, 7);
    sim.crash("n2");
    sim.runFor(8000);
    return sim.transitions;
  };
  const first = run();
  t.ok(first.some((e) => e.to === "dead"));
  t.same(run(), first);
});
