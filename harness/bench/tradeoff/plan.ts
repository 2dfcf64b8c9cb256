// `grapevine bench tradeoff`: what is swept and what each trial gives, the same on the simulator and
// on processes. A family's knob is SWIM's suspicion multiplier or φ's conviction threshold; each
// setting runs under each network condition, a quiet phase counting false positives per member-hour
// and a crash phase measuring each surviving observer's detection latency.
import { quantile } from "simple-statistics";
import { NodeConfig } from "../../../specs/node/config.js";
import { SCENARIO_DEFAULT_CONFIG, withPhiDetector } from "../../../specs/scenario/scenario.js";
import { TradeoffCondition, type TradeoffRow as TradeoffRowSchema, type TradeoffSummary } from "../../../specs/bench/tradeoff.js";

export const CONDITIONS = TradeoffCondition.options;
export type Condition = (typeof CONDITIONS)[number];

export const CONDITION_TEXT: Record<Condition, string> = {
  clean: "no fault added",
  jitter: "20 ± 10 ms latency",
  "loss-10": "10 % of messages lost",
  "loss-30": "30 % of messages lost",
  "latency-step": "20 ms, stepping to 200 ms halfway through the quiet phase",
};

export type Family = "swim" | "phi";

/** The knob each family sweeps, as a manifest's `tunable` names it. */
export const FAMILY_SETTING = { swim: "suspicionMult", phi: "phiConvictThreshold" } as const;

/** One point of the sweep: an implementation, its family, and the knob's value. */
export interface Contestant {
  implementation: string;
  family: Family;
  setting: number;
}

export interface TradeoffPlan {
  nodes: number;
  seed: number;
  conditions: Condition[];
  /** Length of the quiet phase, in which every dead verdict is a false positive (virtual ms in the simulator). */
  quietMs: number;
  /** Crashes per setting and condition, one after another, each victim restarted before the next. */
  crashes: number;
}

/** One contestant under one condition: specs/bench/tradeoff.ts. */
export type TradeoffRow = TradeoffRowSchema;

/** What each implementation ran with, in words, for the report's header. */
export type ImplementationSettings = TradeoffSummary["implementations"][number];

/** The bench's figures: summary.json without the run's seed and times. */
export type TradeoffBench = Omit<TradeoffSummary, "tool" | "seed" | "startedAt" | "finishedAt">;

/** The reference node's settings in a trial: the scenario defaults, anti-entropy off (it plays no part in detection), and the family's knob. */
export function trialConfig(family: Family, setting: number): NodeConfig {
  const base = { ...SCENARIO_DEFAULT_CONFIG, antiEntropyIntervalMs: 0 };
  if (family === "swim") return NodeConfig.parse({ ...base, suspicionMult: setting });
  const phi = withPhiDetector(base);
  return NodeConfig.parse({ ...phi, phiConvictThreshold: setting, phiSuspectThreshold: Math.min(setting, 5) });
}

/** The reference node's settings in words (φ's at threshold 8; the knobs are the swept ones). */
export function referenceSettings(): string {
  const c = trialConfig("phi", 8);
  return `SWIM: probe period ${c.probeIntervalMs} ms, probe timeout ${c.probeTimeoutMs} ms, suspicion timeout suspicionMult · max(1, log₁₀ N) · period, up to ${c.suspicionMaxTimeoutMult} × that without confirmations (Lifeguard). φ: heartbeats every ${c.heartbeatIntervalMs} ms to ${c.heartbeatFanout} members, acceptable pause ${c.phiAcceptablePauseMs} ms, deviation floor ${c.phiMinStdDeviationMs} ms, suspect at φ ${c.phiSuspectThreshold} (or the conviction threshold when lower).`;
}

/** The row of one contestant under one condition, from the latencies measured and the false verdicts counted. */
export function tradeoffRow(
  contestant: Contestant,
  condition: Condition,
  plan: Pick<TradeoffPlan, "nodes" | "quietMs">,
  measured: { latencies: number[]; missed: number; falseDead: number; falseSuspect: number },
): TradeoffRow {
  const memberHours = (plan.nodes * plan.quietMs) / 3_600_000;
  const { latencies } = measured;
  return {
    ...contestant,
    condition,
    detectionP50Ms: latencies.length ? quantile(latencies, 0.5) : null,
    detectionP90Ms: latencies.length ? quantile(latencies, 0.9) : null,
    detections: latencies.length,
    missed: measured.missed,
    falseDeadPerMemberHour: measured.falseDead / memberHours,
    falseSuspectPerMemberHour: measured.falseSuspect / memberHours,
    memberHours,
  };
}

export const settingName = (r: Contestant) =>
  `${r.implementation === "reference" ? "" : `${r.implementation} `}${r.family === "swim" ? `SWIM ×${r.setting}` : `φ ${r.setting}`}`;

const fmt = (x: number | null) => (x === null ? "—" : Math.round(x).toString());

/** The progress line of one finished trial. */
export function progressLine(done: number, total: number, row: TradeoffRow, seconds: number): string {
  return `[${done}/${total}] ${row.condition}, ${settingName(row)}: detection p50 ${fmt(row.detectionP50Ms)} ms, p90 ${fmt(row.detectionP90Ms)} ms${row.missed ? ` (${row.missed} missed)` : ""}, ${row.falseDeadPerMemberHour.toFixed(2)} false dead per member-hour [${seconds.toFixed(1)} s]`;
}
