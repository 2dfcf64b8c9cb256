// The raw material of the timeline chart: each node's view of each member as state intervals, and the fault windows.
import type { HistoryRecord } from "../../specs/history/history.js";
import { Truth } from "../checks/truth.js";
import { maxOf } from "../stats.js";

export interface StateBand {
  row: string;
  observer: string;
  member: string;
  state: string;
  incarnation: number;
  fromS: number;
  toS: number;
}

export interface FaultBand {
  kind: string;
  label: string;
  fromS: number;
  toS: number;
}

/**
 * What a fault window says in the report: its kind, the figures that matter, and whom it hit. A
 * partition names its sides (nodes with the same grudge are on the same side).
 */
export function faultLabel(f: { kind: string; targets: readonly string[]; params: Record<string, unknown> }): string {
  const grudge = f.params.grudge as Record<string, string[]> | undefined;
  if (f.kind === "partition" && grudge) {
    const sides = new Map<string, string[]>();
    for (const node of f.targets) {
      const key = [...(grudge[node] ?? [])].sort().join(",");
      sides.set(key, [...(sides.get(key) ?? []), node]);
    }
    return `partition ${[...sides.values()].map(whom).join(" | ")}`;
  }
  const figures = [
    typeof f.params.rate === "number" ? `${Math.round(f.params.rate * 1000) / 10}%` : "",
    typeof f.params.latencyMs === "number" ? `${f.params.latencyMs} ms` : "",
    typeof f.params.jitterMs === "number" && f.params.jitterMs > 0 ? `± ${f.params.jitterMs} ms` : "",
  ].filter(Boolean);
  return [f.kind, ...figures, whom(f.targets)].filter(Boolean).join(" ");
}

/** The nodes a fault hit, named up to a handful; a count past that (a simulated cluster of thousands). */
function whom(targets: readonly string[]): string {
  return targets.length <= 6 ? targets.join(",") : `${targets.length} nodes`;
}

/** Intervals in seconds since the scenario started. A node's view ends when its process ends. */
export function timeline(records: readonly HistoryRecord[], truth = new Truth(records)): { bands: StateBand[]; faults: FaultBand[]; durationS: number } {
  const s = (t: number) => Math.max(0, (t - truth.start) / 1000);
  const bands: StateBand[] = [];
  const open = new Map<string, StateBand>();
  const close = (key: string, t: number) => {
    const band = open.get(key);
    if (band) {
      band.toS = s(t);
      bands.push(band);
      open.delete(key);
    }
  };
  for (const r of records) {
    if (r.type === "node-down") for (const key of [...open.keys()].filter((k) => k.startsWith(`${r.node}\u0000`))) close(key, r.t);
    if (r.type !== "transition") continue;
    const key = `${r.observer}\u0000${r.id}`;
    close(key, r.t);
    open.set(key, {
      row: `${r.observer} sees ${r.id}`,
      observer: r.observer,
      member: r.id,
      state: r.to,
      incarnation: r.incarnation,
      fromS: s(r.t),
      toS: s(r.t),
    });
  }
  for (const key of [...open.keys()]) close(key, truth.end);
  return { bands, ...faultWindows(truth) };
}

/** The fault windows and the scenario's length, in seconds since it started: what every time chart shades. */
export function faultWindows(truth: Truth): { faults: FaultBand[]; durationS: number } {
  const s = (t: number) => Math.max(0, (t - truth.start) / 1000);
  const faults = truth.faults.map((f) => ({
    kind: f.kind,
    label: faultLabel(f),
    fromS: s(f.from),
    // Instant faults (crash, restart) get a visible sliver.
    toS: Math.max(s(f.to), s(f.from) + 0.05),
  }));
  for (const d of truth.downs) faults.push({ kind: d.how, label: `${d.how} ${d.node}`, fromS: s(d.t), toS: s(d.t) + 0.05 });
  return { faults, durationS: s(truth.end) };
}

/** Mean share of nodes holding a write at each time since it was written, in 25 ms steps. */
export function disseminationCurve(spreads: { reachedMs: number[]; nodes: number }[]): { ms: number; share: number }[] {
  if (spreads.length === 0) return [];
  const end =
    maxOf(
      spreads.flatMap((s) => s.reachedMs),
      100,
    ) + 100;
  const points: { ms: number; share: number }[] = [];
  for (let ms = 0; ms <= end; ms += 25) {
    const share = spreads.reduce((sum, s) => sum + s.reachedMs.filter((r) => r <= ms).length / s.nodes, 0) / spreads.length;
    points.push({ ms, share });
  }
  return points;
}

/** From the digest samples: per half second, the share of sampled nodes agreeing with the most common root. */
export function digestAgreement(records: readonly HistoryRecord[]): { s: number; share: number }[] {
  const truth = new Truth(records);
  const bins = new Map<number, Map<string, string>>();
  for (const r of records) {
    if (r.type !== "kv-digest") continue;
    const bin = Math.floor((r.t - truth.start) / 500);
    if (!bins.has(bin)) bins.set(bin, new Map());
    bins.get(bin)!.set(r.observer, r.root);
  }
  return [...bins.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([bin, roots]) => {
      const counts = new Map<string, number>();
      for (const root of roots.values()) counts.set(root, (counts.get(root) ?? 0) + 1);
      return { s: bin / 2, share: Math.max(...counts.values()) / roots.size };
    });
}
