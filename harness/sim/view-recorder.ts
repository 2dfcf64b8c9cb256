// Turns a simulation's view changes into history records: one transition record per change in full
// mode (as nodes report them in a process run), or the aggregated stream at scale.
//
// Aggregated: a cluster of N nodes forming is N² first sightings, which no history can hold at
// 10,000 nodes. Those (null → alive, of a member the node never held) are counted instead: per member, how many running nodes hold it
// alive, suspect, dead or left, written per tick as `view-count` records (only the members whose
// counts changed). Every other transition (suspicions, deaths, leaves, refutations) is still one
// record each: they are what detection, false-positive and rejoin checks judge, and there are few.
import type { MemberState } from "../../specs/wire/messages.js";
import { convergedByCounts } from "../checks/view-counts.js";
import type { ScenarioHistory } from "../history/writer.js";

const STATES: readonly MemberState[] = ["alive", "suspect", "dead", "left"];
const slot = (state: MemberState) => STATES.indexOf(state);

export interface ViewChange {
  at: number;
  observer: string;
  id: string;
  from: MemberState | null;
  to: MemberState;
  incarnation: number;
}

export class ViewRecorder {
  /** Per member: how many counted observers hold it in each state. */
  private readonly counts = new Map<string, number[]>();
  /** Per counted observer: what it holds about each member (to take back when it goes). */
  private readonly held = new Map<string, Map<string, MemberState>>();
  private readonly changed = new Set<string>();
  private readonly seq = new Map<string, number>();

  constructor(
    private readonly history: ScenarioHistory,
    readonly aggregated: boolean,
  ) {}

  /** Starts counting a node's view (its process started: it holds nothing yet). */
  observerUp(observer: string): void {
    this.held.set(observer, new Map());
  }

  /** Stops counting a node's view (crashed, stopped, left): everything it held is taken back. */
  observerGone(observer: string): void {
    const view = this.held.get(observer);
    if (!view) return;
    for (const [member, state] of view) this.bump(member, state, -1);
    this.held.delete(observer);
  }

  /** A view change at a node; changes of a node no longer counted (it is leaving) are not recorded. */
  change(c: ViewChange): void {
    const view = this.held.get(c.observer);
    if (!view) return;
    const before = view.get(c.id);
    if (before !== undefined) this.bump(c.id, before, -1);
    view.set(c.id, c.to);
    this.bump(c.id, c.to, +1);
    // A first sighting is counted only. A member the node held before and has since forgotten
    // (reaped after gossip-to-the-dead) coming back alive is a rejoin, which checks judge: recorded.
    if (this.aggregated && c.from === null && before === undefined && c.to === "alive") return;
    const seq = (this.seq.get(c.observer) ?? 0) + 1;
    this.seq.set(c.observer, seq);
    this.history.add({
      type: "transition",
      source: `node:${c.observer}`,
      t: c.at,
      observer: c.observer,
      seq,
      id: c.id,
      from: c.from,
      to: c.to,
      incarnation: c.incarnation,
    });
  }

  /** Writes the counts that changed since the last tick (aggregated mode only). */
  tick(t: number): void {
    if (!this.aggregated || this.changed.size === 0) return;
    const counts: Record<string, [number, number, number, number]> = {};
    for (const member of this.changed) counts[member] = this.countsOf(member);
    this.changed.clear();
    this.history.add({ type: "view-count", source: "sim", t, counts });
  }

  /** [alive, suspect, dead, left] holders of `member` now. */
  countsOf(member: string): [number, number, number, number] {
    const c = this.counts.get(member) ?? [0, 0, 0, 0];
    return [c[0]!, c[1]!, c[2]!, c[3]!];
  }

  /**
   * Converged now, by the checks' rule (convergedByCounts): every counted node holds exactly the
   * counted nodes alive (`up`: the nodes whose process runs; none of them may be paused).
   */
  converged(up: readonly string[]): { ok: boolean; reason?: string } {
    return convergedByCounts(up, this.counts.keys(), (member) => this.countsOf(member));
  }

  private bump(member: string, state: MemberState, by: number): void {
    let c = this.counts.get(member);
    if (!c) this.counts.set(member, (c = [0, 0, 0, 0]));
    c[slot(state)]! += by;
    this.changed.add(member);
  }
}
