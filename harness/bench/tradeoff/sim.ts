// `grapevine bench tradeoff --runtime sim`: the reference node's two detector families on the
// simulator, in virtual time. Every node judges, so each crash gives one latency per surviving observer.
import { SimCluster } from "../../../reference-node/sim/cluster.js";
import {
  type Condition,
  type Contestant,
  type Family,
  progressLine,
  referenceSettings,
  type TradeoffBench,
  type TradeoffPlan,
  type TradeoffRow,
  trialConfig,
  tradeoffRow,
} from "./plan.js";

/** The longest a crash is waited for, virtual ms: a verdict later than this counts as missed. */
const DETECTION_LIMIT_MS = 60_000;
/** Time for a restarted victim to rejoin before the next crash, virtual ms. */
const REJOIN_MS = 10_000;

export interface SimTradeoffPlan extends TradeoffPlan {
  /** SWIM's suspicionMult values. */
  multipliers: number[];
  /** φ's conviction thresholds. */
  thresholds: number[];
}

function applyCondition(sim: SimCluster, condition: Condition): void {
  if (condition === "jitter") sim.network.add({ kind: "latency", latencyMs: 20, jitterMs: 10 });
  if (condition === "loss-10") sim.network.add({ kind: "loss", rate: 0.1 });
  if (condition === "loss-30") sim.network.add({ kind: "loss", rate: 0.3 });
  if (condition === "latency-step") sim.network.add({ kind: "latency", latencyMs: 20, jitterMs: 0 });
}

export function tradeoffTrial(plan: TradeoffPlan, family: Family, setting: number, condition: Condition): TradeoffRow {
  const config = trialConfig(family, setting);
  const crashed = new Set<string>();
  let quiet = false;
  let falseDead = 0;
  let falseSuspect = 0;
  let crash: { victim: string; at: number; seen: Map<string, number> } | undefined;
  const sim = new SimCluster({
    config,
    networkSeed: plan.seed,
    keepTransitions: false,
    measureBytes: false,
    listener: {
      transition: (tr) => {
        if (tr.observer === tr.id) return;
        if (quiet && !crashed.has(tr.id)) {
          if (tr.to === "dead") falseDead++;
          if (tr.to === "suspect") falseSuspect++;
        }
        if (crash && tr.id === crash.victim && tr.to === "dead" && !crash.seen.has(tr.observer)) crash.seen.set(tr.observer, tr.at - crash.at);
      },
    },
  });
  const ids = Array.from({ length: plan.nodes }, (_, i) => `n${i + 1}`);
  for (const [i, id] of ids.entries()) sim.add(id, plan.seed * 7919 + i, i === 0 ? [] : ["n1"]);
  sim.runFor(15_000);
  applyCondition(sim, condition);
  quiet = true;
  if (condition === "latency-step") {
    sim.runFor(plan.quietMs / 2);
    sim.network.removeAll(["latency"]);
    sim.network.add({ kind: "latency", latencyMs: 200, jitterMs: 0 });
    sim.runFor(plan.quietMs / 2);
  } else sim.runFor(plan.quietMs);
  quiet = false;
  const latencies: number[] = [];
  let missed = 0;
  for (let k = 0; k < plan.crashes; k++) {
    const victim = ids[1 + (k % (ids.length - 1))]!;
    // Each crash falls at another phase of the period.
    sim.runFor(1 + ((plan.seed + k * 37) % config.probeIntervalMs));
    crash = { victim, at: sim.now, seen: new Map() };
    crashed.add(victim);
    sim.crash(victim);
    const observers = ids.filter((id) => id !== victim);
    for (const end = sim.now + DETECTION_LIMIT_MS; crash.seen.size < observers.length && sim.now < end;) sim.runFor(config.probeIntervalMs);
    latencies.push(...crash.seen.values());
    missed += observers.length - crash.seen.size;
    crash = undefined;
    sim.restart(victim);
    sim.runFor(REJOIN_MS);
    crashed.delete(victim);
  }
  return tradeoffRow({ implementation: "reference", family, setting }, condition, plan, { latencies, missed, falseDead, falseSuspect });
}

export function runSimTradeoff(plan: SimTradeoffPlan, say: (line: string) => void, interrupted: () => boolean): TradeoffBench {
  const rows: TradeoffRow[] = [];
  const contestants: Contestant[] = [
    ...plan.multipliers.map((setting): Contestant => ({ implementation: "reference", family: "swim", setting })),
    ...plan.thresholds.map((setting): Contestant => ({ implementation: "reference", family: "phi", setting })),
  ];
  const total = contestants.length * plan.conditions.length;
  for (const condition of plan.conditions) {
    for (const { family, setting } of contestants) {
      if (interrupted()) break;
      const started = Date.now();
      const row = tradeoffTrial(plan, family, setting, condition);
      rows.push(row);
      say(progressLine(rows.length, total, row, (Date.now() - started) / 1000));
    }
  }
  return {
    runtime: "sim",
    nodes: plan.nodes,
    quietMs: plan.quietMs,
    crashes: plan.crashes,
    implementations: [{ name: "reference", version: "grapevine-swim/1 (simulated core)", settings: referenceSettings() }],
    rows,
  };
}
