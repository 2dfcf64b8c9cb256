// The aggregated view stream of a simulated run at scale (view-count records): per member, how many
// running nodes held it in each state, over time. Convergence is judged on it when it is present.
import type { HistoryRecord, RecordOf } from "../../specs/history/history.js";

export type Counts = readonly [alive: number, suspect: number, dead: number, left: number];

/**
 * The checks' convergence rule, on counts: every running member is held alive by every running node,
 * and no other member (of `members`, all those ever counted) by any. Judged on a history here, and
 * live by the simulator while it waits for convergence.
 */
export function convergedByCounts(
  running: readonly string[],
  members: Iterable<string>,
  countsOf: (member: string) => Counts,
): { ok: boolean; reason?: string } {
  if (running.length === 0) return { ok: false, reason: "no node is running" };
  const up = new Set(running);
  for (const member of running) {
    const alive = countsOf(member)[0];
    if (alive !== running.length) return { ok: false, reason: `${running.length - alive} of ${running.length} running nodes do not hold ${member} alive` };
  }
  for (const member of members) {
    if (up.has(member)) continue;
    const alive = countsOf(member)[0];
    if (alive > 0) return { ok: false, reason: `${alive} running nodes hold ${member} alive but it is not running` };
  }
  return { ok: true };
}

export class ViewCounts {
  /** Per member, its counts in time order. */
  private readonly timeline = new Map<string, { t: number; counts: Counts }[]>();
  /** Every instant a count changed. */
  readonly times: number[];

  private constructor(records: readonly RecordOf<"view-count">[]) {
    const times = new Set<number>();
    for (const r of [...records].sort((a, b) => a.t - b.t)) {
      times.add(r.t);
      for (const [member, counts] of Object.entries(r.counts)) {
        const line = this.timeline.get(member) ?? [];
        line.push({ t: r.t, counts });
        this.timeline.set(member, line);
      }
    }
    this.times = [...times].sort((a, b) => a - b);
  }

  /** The stream in a history, or undefined when its views were recorded one transition at a time. */
  static from(records: readonly HistoryRecord[]): ViewCounts | undefined {
    const counts = records.filter((r): r is RecordOf<"view-count"> => r.type === "view-count");
    return counts.length > 0 ? new ViewCounts(counts) : undefined;
  }

  /** How many running nodes held `member` [alive, suspect, dead, left] at t. */
  at(member: string, t: number): Counts {
    const line = this.timeline.get(member);
    if (!line || line[0]!.t > t) return [0, 0, 0, 0];
    let lo = 0;
    let hi = line.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (line[mid]!.t <= t) lo = mid;
      else hi = mid - 1;
    }
    return line[lo]!.counts;
  }

  /** Every running node holds exactly the running nodes alive, by the counts at t. */
  convergedAt(t: number, running: readonly string[]): { ok: boolean; reason?: string } {
    return convergedByCounts(running, this.timeline.keys(), (member) => this.at(member, t));
  }
}
