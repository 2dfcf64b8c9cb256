// What `grapevine compare` compares: any summary Grapevine writes, flattened into named verdicts and
// named measures. A measure is a latency (ms: slower is worse) or a false-positive rate (false deaths
// per member-hour: more is worse); null means it never happened (a crash never detected, a
// partition never healed), which is worse than any value.
import { quantile } from "simple-statistics";
import type { Summary } from "../../specs/report/summary.js";
import type { BenchSummary, Distribution } from "../../specs/bench/summary.js";
import type { TradeoffBench } from "../bench/tradeoff/plan.js";
import { settingName } from "../bench/tradeoff/plan.js";

export type MeasureKind = "latency" | "false-positives";

export interface Measure {
  kind: MeasureKind;
  value: number | null;
}

export interface Flattened {
  /** What the summary is: a run, or a bench of a given kind. Only like is compared with like. */
  kind: string;
  /** "scenario › check" → its verdict (runs only). */
  verdicts: Map<string, string>;
  /** "where › what" → the measure. */
  measures: Map<string, Measure>;
}

/** A run's check metrics that are judged, and what each is. Others (counts, horizons, waits) are not compared. */
const RUN_METRICS: Record<string, MeasureKind> = {
  firstSuspectMs: "latency",
  firstDeadMs: "latency",
  allDeadMs: "latency",
  convergenceMs: "latency",
  healTimeMs: "latency",
  splitMs: "latency",
  rejoinMs: "latency",
  leftMs: "latency",
  deadPerMemberHour: "false-positives",
};

const q = (values: number[], p: number) => (values.length ? quantile(values, p) : null);

export function flattenRun(summary: Summary): Flattened {
  const verdicts = new Map<string, string>();
  const measures = new Map<string, Measure>();
  const detections: number[] = [];
  for (const scenario of summary.scenarios) {
    for (const check of scenario.checks) {
      // Steps' own expectations repeat the scenario's checks ("step 4: expect detection n3"): judge the checks.
      if (check.name.startsWith("step ")) continue;
      verdicts.set(`${scenario.name} › ${check.name}`, check.verdict);
      for (const [metric, value] of Object.entries(check.metrics)) {
        const kind = RUN_METRICS[metric];
        if (kind) measures.set(`${scenario.name} › ${check.name} › ${metric}`, { kind, value });
        if (metric === "allDeadMs" && check.name.startsWith("detection") && typeof value === "number") detections.push(value);
      }
    }
  }
  // The run's detection latency as one distribution: every detection check's last observer.
  if (detections.length) {
    measures.set("all scenarios › detection (all dead) p50", { kind: "latency", value: q(detections, 0.5) });
    measures.set("all scenarios › detection (all dead) p90", { kind: "latency", value: q(detections, 0.9) });
  }
  return { kind: "run", verdicts, measures };
}

function distribution(measures: Map<string, Measure>, where: string, d: Distribution | null | undefined): void {
  measures.set(`${where} p50`, { kind: "latency", value: d?.p50 ?? null });
  measures.set(`${where} p90`, { kind: "latency", value: d?.p90 ?? null });
}

export function flattenBench(summary: BenchSummary): Flattened {
  const measures = new Map<string, Measure>();
  for (const impl of summary.implementations) {
    const at = impl.name;
    if (impl.detection) {
      distribution(measures, `${at} › detection › first dead`, impl.detection.firstDead);
      distribution(measures, `${at} › detection › all dead`, impl.detection.allDead);
    }
    for (const p of impl.loss ?? []) {
      const where = `${at} › loss ${Math.round(p.rate * 100)} %`;
      measures.set(`${where} › false dead per member-hour`, { kind: "false-positives", value: p.falseDeadPerMemberHour });
      measures.set(`${where} › all dead`, { kind: "latency", value: p.allDeadMs });
    }
    for (const p of impl.partition ?? []) {
      const healed = p.healMs.filter((h): h is number => h !== null);
      // One trial that never re-formed makes the point null: never is worse than any time.
      measures.set(`${at} › partition ${p.partitionMs / 1000} s › heal (slowest)`, {
        kind: "latency",
        value: healed.length === p.healMs.length && healed.length ? Math.max(...healed) : null,
      });
    }
    for (const p of impl.pause ?? [])
      measures.set(`${at} › pause ${p.pauseMs} ms › dead verdicts per observer-trial`, {
        kind: "false-positives",
        value: p.declaredDead / (p.trials * p.observers),
      });
    for (const p of impl.convergence ?? [])
      measures.set(`${at} › convergence ${p.nodes} nodes › spread p50`, { kind: "latency", value: p.spread?.p50 ?? null });
  }
  return { kind: `bench ${summary.kind}`, verdicts: new Map(), measures };
}

export function flattenTradeoff(bench: TradeoffBench): Flattened {
  const measures = new Map<string, Measure>();
  for (const r of bench.rows) {
    if (r.error) continue;
    const where = `${settingName(r)} › ${r.condition}`;
    measures.set(`${where} › detection p50`, { kind: "latency", value: r.detectionP50Ms });
    measures.set(`${where} › detection p90`, { kind: "latency", value: r.detectionP90Ms });
    measures.set(`${where} › false dead per member-hour`, { kind: "false-positives", value: r.falseDeadPerMemberHour });
  }
  return { kind: `bench tradeoff (${bench.runtime})`, verdicts: new Map(), measures };
}
