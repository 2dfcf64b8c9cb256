// Views of a large cluster, drawn without N² lanes: the share of (running node, member) pairs in each
// state over time, and a heatmap of members (in bands) by time, shaded by the share of running nodes
// holding them alive. Read from the aggregated view stream when the history has one, else counted
// from the transitions the same way.
import type { HistoryRecord } from "../../specs/history/history.js";
import type { MemberState } from "../../specs/wire/messages.js";
import { Truth } from "../checks/truth.js";

const STATES: readonly MemberState[] = ["alive", "suspect", "dead", "left"];

export interface ShareSample {
  s: number;
  state: MemberState;
  share: number;
}

export interface HeatCell {
  s: number;
  /** A band of members by number, e.g. "n1–n100". */
  band: string;
  order: number;
  alive: number;
}

/** Above this many nodes a report draws shares and a heatmap instead of one lane per (observer, member). */
export const LANES_UP_TO = 20;

/**
 * Samples `bins` instants over the scenario. Counts per member are kept as the records are swept in
 * time order: from view-count records as written, or from transitions (an observer's view is
 * dropped when its process goes down, as the checks do).
 */
export function viewShares(records: readonly HistoryRecord[], bins = 120, bands = 50): { curve: ShareSample[]; heat: HeatCell[] } {
  const truth = new Truth(records);
  const counts = new Map<string, number[]>();
  const bump = (member: string, state: MemberState, by: number) => {
    let c = counts.get(member);
    if (!c) counts.set(member, (c = [0, 0, 0, 0]));
    c[STATES.indexOf(state)]! += by;
  };
  const aggregated = records.some((r) => r.type === "view-count");
  const views = new Map<string, Map<string, MemberState>>();
  const sorted = records.filter((r) => r.type === (aggregated ? "view-count" : "transition") || r.type === "node-down").sort((a, b) => a.t - b.t);
  const members = truth.nodes;
  const bandSize = Math.max(1, Math.ceil(members.length / bands));
  const bandOf = (i: number) => {
    const first = i * bandSize;
    const last = Math.min(members.length, first + bandSize) - 1;
    return first === last ? members[first]! : `${members[first]}–${members[last]}`;
  };
  const curve: ShareSample[] = [];
  const heat: HeatCell[] = [];
  const span = Math.max(1, truth.end - truth.start);
  let next = 0;
  for (let bin = 0; bin <= bins; bin++) {
    const t = truth.start + (span * bin) / bins;
    for (; next < sorted.length && sorted[next]!.t <= t; next++) {
      const r = sorted[next]!;
      if (r.type === "view-count") for (const [member, c] of Object.entries(r.counts)) counts.set(member, [...c]);
      else if (r.type === "node-down" && !aggregated) {
        for (const [member, state] of views.get(r.node) ?? []) bump(member, state, -1);
        views.delete(r.node);
      } else if (r.type === "transition") {
        const view = views.get(r.observer) ?? new Map<string, MemberState>();
        views.set(r.observer, view);
        const before = view.get(r.id);
        if (before) bump(r.id, before, -1);
        view.set(r.id, r.to);
        bump(r.id, r.to, +1);
      }
    }
    const running = truth.runningAt(t).length;
    const s = (t - truth.start) / 1000;
    const totals = [0, 0, 0, 0];
    for (const c of counts.values()) for (let k = 0; k < 4; k++) totals[k]! += c[k]!;
    const pairs = Math.max(1, running * members.length);
    STATES.forEach((state, k) => curve.push({ s, state, share: totals[k]! / pairs }));
    for (let b = 0; b * bandSize < members.length; b++) {
      const inBand = members.slice(b * bandSize, (b + 1) * bandSize);
      const alive = inBand.reduce((sum, m) => sum + (counts.get(m)?.[0] ?? 0), 0) / Math.max(1, running * inBand.length);
      heat.push({ s, band: bandOf(b), order: b, alive });
    }
  }
  return { curve, heat };
}
