// What each node believed at any instant, rebuilt from its own transitions; and whether the cluster agreed with the truth.
import type { MemberState } from "../../specs/wire/messages.js";
import type { HistoryRecord, RecordOf } from "../../specs/history/history.js";
import type { Truth } from "./truth.js";
import { ViewCounts } from "./view-counts.js";

export type Transition = RecordOf<"transition">;

export class Views {
  readonly transitions: Transition[];
  private readonly byObserver = new Map<string, Transition[]>();
  private readonly byMember = new Map<string, Transition[]>();
  /**
   * The aggregated stream of a simulated run at scale, when present: first sightings alive are in
   * its counts, not in `transitions`, so convergence is judged on the counts.
   */
  readonly counts: ViewCounts | undefined;

  constructor(
    records: readonly HistoryRecord[],
    private readonly truth: Truth,
  ) {
    this.transitions = records.filter((r): r is Transition => r.type === "transition").sort((a, b) => a.t - b.t);
    for (const tr of this.transitions) {
      const list = this.byObserver.get(tr.observer) ?? [];
      list.push(tr);
      this.byObserver.set(tr.observer, list);
      const about = this.byMember.get(tr.id) ?? [];
      about.push(tr);
      this.byMember.set(tr.id, about);
    }
    this.counts = ViewCounts.from(records);
  }

  /** Observer's view at t: only its current process's transitions count (a restart starts from nothing). */
  viewAt(observer: string, t: number): Map<string, { state: MemberState; incarnation: number }> {
    const since = this.truth.upSince(observer, t) ?? -Infinity;
    const view = new Map<string, { state: MemberState; incarnation: number }>();
    for (const tr of this.byObserver.get(observer) ?? []) {
      if (tr.t > t) break;
      if (tr.t >= since) view.set(tr.id, { state: tr.to, incarnation: tr.incarnation });
    }
    return view;
  }

  /** Transitions about `member`, optionally into `state`, from `from` on. */
  about(member: string, state?: MemberState, from = -Infinity): Transition[] {
    return (this.byMember.get(member) ?? []).filter((tr) => tr.t >= from && (state === undefined || tr.to === state));
  }

  /**
   * Converged at t: no node frozen, and every running node holds exactly the running nodes
   * alive (those that crashed, stopped or left are held not alive, or not at all).
   */
  convergedAt(t: number): { ok: boolean; reason?: string } {
    if (this.truth.anyFrozenAt(t)) return { ok: false, reason: "a node is paused or throttled" };
    const running = this.truth.runningAt(t);
    if (running.length === 0) return { ok: false, reason: "no node is running" };
    if (this.counts) return this.counts.convergedAt(t, running);
    for (const observer of running) {
      const view = this.viewAt(observer, t);
      const alive = [...view].filter(([, m]) => m.state === "alive").map(([id]) => id);
      const missing = running.filter((n) => !alive.includes(n));
      const extra = alive.filter((n) => !running.includes(n));
      if (missing.length || extra.length) {
        // What it holds instead tells a lost join (unknown) from a verdict not yet refuted (suspect, dead).
        const instead = missing.map((n) => `${n} ${view.get(n)?.state ?? "unknown"}`).join(", ");
        const parts = [
          missing.length ? `does not hold ${missing.join(", ")} alive (${instead})` : "",
          extra.length ? `holds ${extra.join(", ")} alive but not running` : "",
        ];
        return { ok: false, reason: `${observer} ${parts.filter(Boolean).join(" and ")}` };
      }
    }
    return { ok: true };
  }

  /** The first instant in [from, until] at which the cluster is converged, or undefined. */
  convergedTime(from: number, until: number): number | undefined {
    // The answer can only change where a view or the truth changes.
    const changes = [...(this.counts?.times ?? []), ...this.transitions.map((tr) => tr.t), ...this.truth.changeTimes()].filter((t) => t > from && t <= until);
    const candidates = [from, ...new Set(changes)].sort((a, b) => a - b);
    return candidates.find((t) => this.convergedAt(t).ok);
  }
}
