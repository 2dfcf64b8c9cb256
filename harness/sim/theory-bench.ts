// `grapevine bench convergence --runtime sim`: the reference core measured against epidemic theory
// and the SWIM paper at sizes processes cannot reach. Per size and trial (a seed each): a crash, the
// periods to its first suspicion and the rounds its death takes to reach every node; a key-value
// write and the rounds it takes to reach every node by rumor. Per loss rate: probe failures of
// healthy members per probe. Every figure sits beside its prediction (theory.ts).
import { NodeConfig } from "../../specs/node/config.js";
import { SCENARIO_DEFAULT_CONFIG } from "../../specs/scenario/scenario.js";
import { SimCluster } from "../../reference-node/sim/cluster.js";
import { epidemicRounds, falseSuspicionPerProbe, firstDetectionPeriods } from "./theory.js";

export interface SpreadTrial {
  nodes: number;
  seed: number;
  /** Periods from the crash to the first suspicion anywhere. */
  firstSuspectPeriods: number | null;
  /** Gossip rounds from the first dead verdict to the last live node holding it. */
  deathRounds: number | null;
  /** Gossip rounds from a write to the last node holding it (rumors only), or null when some never got it. */
  writeRounds: number | null;
  /** Nodes the write reached (of nodes). */
  writeReached: number;
}

export interface LossTrial {
  nodes: number;
  lossRate: number;
  probes: number;
  probeFailures: number;
  perProbe: number;
  predicted: number;
}

export interface TheoryBench {
  config: { probeIntervalMs: number; gossipIntervalMs: number; gossipNodes: number; indirectChecks: number; retransmitMult: number; kvRetransmitMult: number };
  spread: (SpreadTrial & { predictedRounds: number; predictedFirstSuspect: number })[];
  loss: LossTrial[];
}

export interface TheoryPlan {
  sizes: number[];
  trials: number;
  seed: number;
  lossRates: number[];
  /** Cluster size and probe periods of each loss trial. */
  lossNodes: number;
  lossPeriods: number;
}

/** Anti-entropy off: the write spreads by rumor alone, which is what the epidemic prediction describes. */
const config = NodeConfig.parse({ ...SCENARIO_DEFAULT_CONFIG, antiEntropyIntervalMs: 0 });
/** A bound on each phase, virtual ms: a trial that has not finished by then is recorded as not finished. */
const PHASE_LIMIT_MS = 120_000;

/** The probe's ping carries rumors too: the fanout the prediction counts. */
export const effectiveFanout = (c: NodeConfig) => c.gossipNodes + 1;

function formed(n: number, seed: number, listener: ConstructorParameters<typeof SimCluster>[0]["listener"], networkSeed = seed): SimCluster {
  let alive = 0;
  const sim = new SimCluster({
    config,
    networkSeed,
    keepTransitions: false,
    measureBytes: false,
    listener: {
      ...listener,
      transition: (tr) => {
        if (tr.to === "alive" && tr.from !== "alive") alive++;
        else if (tr.from === "alive") alive--;
        listener?.transition?.(tr);
      },
    },
  });
  for (let i = 0; i < n; i++) sim.add(`n${i + 1}`, seed * 7919 + i, i === 0 ? [] : ["n1"]);
  while (alive < n * n && sim.now < PHASE_LIMIT_MS) sim.runFor(config.probeIntervalMs);
  // Let the join's rumors die down, so that the trial measures a quiet cluster.
  sim.runFor(10 * config.probeIntervalMs);
  return sim;
}

export function spreadTrial(n: number, seed: number): SpreadTrial {
  const victim = `n${2 + (seed % (n - 1))}`;
  let firstSuspect: number | undefined;
  let firstDead: number | undefined;
  const deadBy = new Set<string>();
  let lastDead: number | undefined;
  const holders = new Map<string, number>();
  const key = `bench-${seed}`;
  const sim = formed(n, seed, {
    transition: (tr) => {
      if (tr.id !== victim || tr.observer === victim) return;
      if (tr.to === "suspect") firstSuspect ??= tr.at;
      if (tr.to === "dead") {
        firstDead ??= tr.at;
        deadBy.add(tr.observer);
        if (deadBy.size === n - 1) lastDead = tr.at;
      }
    },
    kvApplied: (a) => {
      if (a.key === key && !holders.has(a.observer)) holders.set(a.observer, a.at);
    },
  });
  // The crash falls at a different phase of the period in each trial.
  sim.runFor(seed % config.probeIntervalMs);
  const crashAt = sim.now;
  sim.crash(victim);
  for (const end = sim.now + PHASE_LIMIT_MS; lastDead === undefined && sim.now < end;) sim.runFor(config.probeIntervalMs);
  // The write goes through a live node other than n1, once the death has settled.
  const writer = victim === "n2" ? "n3" : "n2";
  sim.runFor(5 * config.probeIntervalMs);
  const writtenAt = sim.now;
  sim.put(writer, key, "v");
  for (const end = sim.now + PHASE_LIMIT_MS / 4; holders.size < n - 1 && sim.now < end;) sim.runFor(config.gossipIntervalMs);
  const allHeld = holders.size === n - 1 ? Math.max(...holders.values()) : undefined;
  return {
    nodes: n,
    seed,
    firstSuspectPeriods: firstSuspect === undefined ? null : (firstSuspect - crashAt) / config.probeIntervalMs,
    deathRounds: firstDead === undefined || lastDead === undefined ? null : (lastDead - firstDead) / config.gossipIntervalMs,
    writeRounds: allHeld === undefined ? null : (allHeld - writtenAt) / config.gossipIntervalMs,
    writeReached: holders.size,
  };
}

export function lossTrial(n: number, lossRate: number, periods: number, seed: number): LossTrial {
  const sim = formed(n, seed, undefined);
  const ids = sim.ids;
  const counts = () =>
    ids
      .map((id) => sim.node(id).counters)
      .reduce((sum, c) => ({ probes: sum.probes + c.probes, failures: sum.failures + c.probeFailures }), { probes: 0, failures: 0 });
  const before = counts();
  sim.network.add({ kind: "loss", rate: lossRate });
  sim.runFor(periods * config.probeIntervalMs);
  const after = counts();
  const probes = after.probes - before.probes;
  const probeFailures = after.failures - before.failures;
  return {
    nodes: n,
    lossRate,
    probes,
    probeFailures,
    perProbe: probes > 0 ? probeFailures / probes : 0,
    predicted: falseSuspicionPerProbe(lossRate, config.indirectChecks),
  };
}

export function runTheoryBench(plan: TheoryPlan, say: (line: string) => void, interrupted: () => boolean): TheoryBench {
  const spread: TheoryBench["spread"] = [];
  for (const n of plan.sizes) {
    for (let trial = 0; trial < plan.trials && !interrupted(); trial++) {
      const started = Date.now();
      const result = spreadTrial(n, plan.seed + trial);
      spread.push({ ...result, predictedRounds: epidemicRounds(n, effectiveFanout(config)), predictedFirstSuspect: firstDetectionPeriods(n) });
      say(
        `N=${n} trial ${trial + 1}/${plan.trials}: first suspicion ${fmt(result.firstSuspectPeriods)} periods, death everywhere in ${fmt(result.deathRounds)} rounds, write in ${fmt(result.writeRounds)} rounds (${result.writeReached + 1}/${n} nodes) [${((Date.now() - started) / 1000).toFixed(1)} s]`,
      );
    }
  }
  const loss: LossTrial[] = [];
  for (const rate of plan.lossRates) {
    if (interrupted()) break;
    const result = lossTrial(plan.lossNodes, rate, plan.lossPeriods, plan.seed);
    loss.push(result);
    say(
      `loss ${(rate * 100).toFixed(0)} %: ${result.probeFailures} of ${result.probes} probes of healthy members failed (${fmt(result.perProbe, 4)}; predicted ${fmt(result.predicted, 4)})`,
    );
  }
  return {
    config: {
      probeIntervalMs: config.probeIntervalMs,
      gossipIntervalMs: config.gossipIntervalMs,
      gossipNodes: config.gossipNodes,
      indirectChecks: config.indirectChecks,
      retransmitMult: config.retransmitMult,
      kvRetransmitMult: config.kvRetransmitMult,
    },
    spread,
    loss,
  };
}

const fmt = (x: number | null, digits = 1) => (x === null ? "—" : x.toFixed(digits));
