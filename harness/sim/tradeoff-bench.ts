// `grapevine bench tradeoff`: the two failure-detector families side by side, on the simulator. For
// each setting (SWIM's suspicion multiplier, φ's conviction threshold) and each network condition,
// a quiet phase counts false positives per member-hour and a crash phase measures detection latency.
// Every node judges, so each crash gives one latency per surviving observer.
import { quantile } from "simple-statistics";
import { NodeConfig } from "../../specs/node/config.js";
import { SCENARIO_DEFAULT_CONFIG, withPhiDetector } from "../../specs/scenario/scenario.js";
import { SimCluster } from "../../reference-node/sim/cluster.js";

export const CONDITIONS = ["clean", "jitter", "loss-10", "loss-30", "latency-step"] as const;
export type Condition = (typeof CONDITIONS)[number];

export const CONDITION_TEXT: Record<Condition, string> = {
  clean: "1 ms links",
  jitter: "20 ± 10 ms latency",
  "loss-10": "10 % of requests lost",
  "loss-30": "30 % of requests lost",
  "latency-step": "20 ms, stepping to 200 ms halfway through the quiet phase",
};

export type Family = "swim" | "phi";

export interface TradeoffPlan {
  nodes: number;
  seed: number;
  /** SWIM's suspicionMult values. */
  multipliers: number[];
  /** φ's conviction thresholds. */
  thresholds: number[];
  conditions: Condition[];
  /** Virtual length of the quiet phase, in which every dead verdict is a false positive. */
  quietMs: number;
  /** Crashes per setting and condition, one after another, each victim restarted before the next. */
  crashes: number;
}

export interface TradeoffRow {
  family: Family;
  /** suspicionMult (swim) or phiConvictThreshold (phi). */
  setting: number;
  condition: Condition;
  /** Crash to an observer's dead verdict, over every observer of every crash. */
  detectionP50Ms: number | null;
  detectionP90Ms: number | null;
  /** Observer verdicts measured, and those that did not come within the limit. */
  detections: number;
  missed: number;
  falseDeadPerMemberHour: number;
  falseSuspectPerMemberHour: number;
  memberHours: number;
}

export interface TradeoffBench {
  config: { probeIntervalMs: number; heartbeatIntervalMs: number; phiSuspectThreshold: number; phiAcceptablePauseMs: number; phiMinStdDeviationMs: number };
  nodes: number;
  quietMs: number;
  crashes: number;
  rows: TradeoffRow[];
}

/** The longest a crash is waited for, virtual ms: a verdict later than this counts as missed. */
const DETECTION_LIMIT_MS = 60_000;
/** Time for a restarted victim to rejoin before the next crash, virtual ms. */
const REJOIN_MS = 10_000;

/** The settings of one trial: the scenario defaults, anti-entropy off (it plays no part in detection), and the family's knob. */
export function trialConfig(family: Family, setting: number): NodeConfig {
  const base = { ...SCENARIO_DEFAULT_CONFIG, antiEntropyIntervalMs: 0 };
  if (family === "swim") return NodeConfig.parse({ ...base, suspicionMult: setting });
  const phi = withPhiDetector(base);
  return NodeConfig.parse({ ...phi, phiConvictThreshold: setting, phiSuspectThreshold: Math.min(setting, 5) });
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
  const memberHours = (plan.nodes * plan.quietMs) / 3_600_000;
  return {
    family,
    setting,
    condition,
    detectionP50Ms: latencies.length ? quantile(latencies, 0.5) : null,
    detectionP90Ms: latencies.length ? quantile(latencies, 0.9) : null,
    detections: latencies.length,
    missed,
    falseDeadPerMemberHour: falseDead / memberHours,
    falseSuspectPerMemberHour: falseSuspect / memberHours,
    memberHours,
  };
}

export function runTradeoffBench(plan: TradeoffPlan, say: (line: string) => void, interrupted: () => boolean): TradeoffBench {
  const rows: TradeoffRow[] = [];
  const settings: [Family, number][] = [
    ...plan.multipliers.map((m) => ["swim", m] as [Family, number]),
    ...plan.thresholds.map((t) => ["phi", t] as [Family, number]),
  ];
  const total = settings.length * plan.conditions.length;
  for (const condition of plan.conditions) {
    for (const [family, setting] of settings) {
      if (interrupted()) break;
      const started = Date.now();
      const row = tradeoffTrial(plan, family, setting, condition);
      rows.push(row);
      say(
        `[${rows.length}/${total}] ${condition}, ${family === "swim" ? `suspicionMult ${setting}` : `φ threshold ${setting}`}: detection p50 ${fmt(row.detectionP50Ms)} ms, p90 ${fmt(row.detectionP90Ms)} ms${row.missed ? ` (${row.missed} missed)` : ""}, ${row.falseDeadPerMemberHour.toFixed(2)} false dead per member-hour [${((Date.now() - started) / 1000).toFixed(1)} s]`,
      );
    }
  }
  const phi = trialConfig("phi", 8);
  return {
    config: {
      probeIntervalMs: phi.probeIntervalMs,
      heartbeatIntervalMs: phi.heartbeatIntervalMs,
      phiSuspectThreshold: phi.phiSuspectThreshold,
      phiAcceptablePauseMs: phi.phiAcceptablePauseMs,
      phiMinStdDeviationMs: phi.phiMinStdDeviationMs,
    },
    nodes: plan.nodes,
    quietMs: plan.quietMs,
    crashes: plan.crashes,
    rows,
  };
}

const fmt = (x: number | null) => (x === null ? "—" : Math.round(x).toString());
