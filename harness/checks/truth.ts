// What was really true during a scenario, derived from the harness's own records: who ran, who was frozen, who was cut off.
import type { HistoryRecord, RecordOf } from "../../specs/history/history.js";
import { DEFAULT_CONFIG } from "../../specs/node/config.js";
import { phiRelayMs, phiSilenceMs, phiTimingOf } from "../../specs/protocol/phi.js";
import { suspicionBoundsMs } from "../../specs/protocol/suspicion.js";

export interface Interval {
  from: number;
  to: number;
}

const overlaps = (a: Interval, from: number, to: number) => a.from < to && a.to > from;

export class Truth {
  readonly start: number;
  readonly end: number;
  readonly nodes: string[];
  readonly meta: RecordOf<"scenario-start"> | undefined;
  private readonly running = new Map<string, Interval[]>();
  /** Paused or throttled: the process does not run all the time. */
  private readonly frozen = new Map<string, Interval[]>();
  /** Named in a partition or refuse fault: some of its links are cut. */
  private readonly cut = new Map<string, Interval[]>();
  /** The links each partition or refuse fault cut, and when. */
  private readonly cutLinks: { cuts: LinkCut; from: number; to: number }[] = [];
  /** Each node's node-up and node-down records, in order: a run of a thousand nodes asks about one node at a time. */
  private readonly upsOf = new Map<string, RecordOf<"node-up">[]>();
  private readonly downsOf = new Map<string, RecordOf<"node-down">[]>();
  readonly faults: { id: number; kind: string; targets: string[]; params: Record<string, unknown>; from: number; to: number }[] = [];
  readonly downs: RecordOf<"node-down">[] = [];
  readonly ups: RecordOf<"node-up">[] = [];
  /** Each `clock` step (simulator only): from t on, the node's clock reads offsetMs ahead (negative: behind). */
  private readonly clockSteps: { node: string; t: number; offsetMs: number }[] = [];

  /** `now`: judge a scenario still running (its end is now); without it, the end is the scenario-end record. */
  constructor(records: readonly HistoryRecord[], now?: number) {
    this.meta = records.find((r): r is RecordOf<"scenario-start"> => r.type === "scenario-start");
    this.start = this.meta?.t ?? records[0]?.t ?? 0;
    const endRecord = records.find((r) => r.type === "scenario-end");
    this.end = now ?? endRecord?.t ?? records.reduce((max, r) => Math.max(max, r.t), this.start);
    const open = new Map<string, number>();
    for (const r of records) {
      if (r.type === "node-up") {
        this.ups.push(r);
        push(this.upsOf, r.node, r);
        if (!open.has(r.node)) open.set(r.node, r.t);
      } else if (r.type === "node-down") {
        this.downs.push(r);
        push(this.downsOf, r.node, r);
        const from = open.get(r.node);
        if (from !== undefined) push(this.running, r.node, { from, to: r.t });
        open.delete(r.node);
      } else if (r.type === "step" && r.phase === "start" && r.kind === "clock") {
        const args = r.args as { node: string; ahead?: number; behind?: number };
        this.clockSteps.push({ node: args.node, t: r.t, offsetMs: args.ahead ?? -(args.behind ?? 0) });
      } else if (r.type === "fault" && r.phase === "start") {
        this.faults.push({ id: r.id, kind: r.kind, targets: r.targets, params: r.params, from: r.t, to: this.end });
      } else if (r.type === "fault" && r.phase === "end") {
        const fault = this.faults.find((f) => f.id === r.id);
        if (fault) fault.to = r.t;
      }
    }
    for (const [node, from] of open) push(this.running, node, { from, to: this.end });
    for (const f of this.faults) {
      const into = f.kind === "pause" || f.kind === "throttle" ? this.frozen : f.kind === "partition" || f.kind === "refuse" ? this.cut : undefined;
      if (into) for (const node of f.targets) push(into, node, { from: f.from, to: f.to });
      const cuts = linksCutBy(f.kind, f.targets, f.params);
      if (cuts) this.cutLinks.push({ cuts, from: f.from, to: f.to });
    }
    this.nodes = [...new Set(this.ups.map((u) => u.node))].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  }

  /** How far ahead of true time node's clock read at t (0 unless a `clock` step set it). */
  clockOffsetMs(node: string, t: number): number {
    return this.clockSteps.filter((c) => c.node === node && c.t <= t).at(-1)?.offsetMs ?? 0;
  }

  isRunning(node: string, t: number): boolean {
    // An interval still open at the end of the scenario includes its last instant.
    return (this.running.get(node) ?? []).some((i) => i.from <= t && (t < i.to || (i.to === this.end && t === this.end)));
  }

  /** Nodes whose process runs at t (frozen ones included). */
  runningAt(t: number): string[] {
    return this.nodes.filter((n) => this.isRunning(n, t));
  }

  isFrozen(node: string, t: number): boolean {
    return (this.frozen.get(node) ?? []).some((i) => i.from <= t && t < i.to);
  }

  anyFrozenAt(t: number): boolean {
    return this.nodes.some((n) => this.isFrozen(n, t));
  }

  /** When the node's current process started (the latest node-up at or before t). */
  upSince(node: string, t: number): number | undefined {
    return (this.upsOf.get(node) ?? []).filter((u) => u.t <= t).at(-1)?.t;
  }

  /**
   * Healthy and reachable over [from, to]: its process ran the whole time (counted from its
   * start if it started later), never frozen, and never named by a partition or refuse.
   * Loss, latency and bandwidth do not make a node unhealthy.
   */
  healthyThroughout(node: string, from: number, to: number): boolean {
    return this.processHealthy(node, from, to) && !(this.cut.get(node) ?? []).some((i) => overlaps(i, from, to));
  }

  /**
   * Could `observer` rightly have doubted `member` over [from, to]? Not if the member's process ran
   * the whole time, never frozen, and no partition or refuse cut the link between the two (in
   * either direction). Links elsewhere do not count: isolating n5 excuses no verdict n1 makes
   * about n2. Loss, latency and bandwidth do not excuse a verdict either.
   */
  healthyFor(observer: string, member: string, from: number, to: number): boolean {
    if (!this.processHealthy(member, from, to)) return false;
    return !this.cutLinks.some((c) => overlaps(c, from, to) && (c.cuts(observer, member) || c.cuts(member, observer)));
  }

  /** Its process ran over [from, to] (from its start, if it started later), never frozen. */
  private processHealthy(node: string, from: number, to: number): boolean {
    const since = this.upSince(node, to);
    if (since === undefined || !this.isRunning(node, to)) return false;
    const start = Math.max(from, since);
    if ((this.downsOf.get(node) ?? []).some((d) => d.t > start && d.t <= to)) return false;
    return !(this.frozen.get(node) ?? []).some((i) => overlaps(i, start, to));
  }

  /**
   * Every instant the harness changed membership or faults (node up/down, fault start/end), in
   * order. A node counts as up when it said it was ready: the time its process took to boot on a
   * busy machine is not the protocol's convergence time.
   */
  changeTimes(): number[] {
    const times = [
      ...this.ups.map((u) => u.readyAt ?? u.t),
      ...this.downs.map((d) => d.t),
      ...this.faults.flatMap((f) => [f.from, ...(f.to < this.end ? [f.to] : [])]),
    ];
    return [...new Set(times)].sort((a, b) => a - b);
  }

  /** The last time the harness changed membership or faults. */
  lastChange(): number {
    return this.changeTimes().at(-1) ?? this.start;
  }

  /** One of the scenario's protocol settings, for bounds derived from them; the protocol's default when it set none. */
  setting(key: NumericSetting): number {
    const value = this.meta?.config[key];
    return typeof value === "number" ? value : DEFAULT_CONFIG[key];
  }

  /** Does the tested node run the φ accrual detector (its settings say detector: phi)? */
  get phiDetector(): boolean {
    return this.meta?.config.detector === "phi";
  }

  /**
   * The longest a suspicion can last in this scenario, plus two protocol periods: the default
   * false-positive horizon. Under the φ detector: a heartbeat's relay to every observer, the silence that convicts a steady member, and two heartbeats.
   */
  detectionHorizonMs(): number {
    if (this.phiDetector) {
      const settings = phiTimingOf((key) => this.setting(key));
      return phiRelayMs(settings, this.nodes.length) + phiSilenceMs(settings).convictMs + 2 * settings.heartbeatIntervalMs;
    }
    const settings = {
      probeIntervalMs: this.setting("probeIntervalMs"),
      suspicionMult: this.setting("suspicionMult"),
      suspicionMaxTimeoutMult: this.setting("suspicionMaxTimeoutMult"),
    };
    return suspicionBoundsMs(settings, this.nodes.length).maxMs + 2 * settings.probeIntervalMs;
  }
}

/** The protocol settings that are numbers (every one a bound can be derived from). */
type NumericSetting = { [K in keyof typeof DEFAULT_CONFIG]: (typeof DEFAULT_CONFIG)[K] extends number ? K : never }[keyof typeof DEFAULT_CONFIG];

function push<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key) ?? [];
  list.push(item);
  map.set(key, list);
}

/** Whether a fault stops `listener` hearing `sender`. */
type LinkCut = (sender: string, listener: string) => boolean;

/**
 * The links a fault cut: a partition's grudge (listener → senders it cannot hear), a refuse's
 * links. A partition recorded without its grudge cuts every pair of its targets (the cautious reading).
 * Kept as sets, not pairs: two sides of 500 nodes are 500,000 cut links.
 */
function linksCutBy(kind: string, targets: readonly string[], params: Record<string, unknown>): LinkCut | undefined {
  if (kind === "partition" && params.grudge && typeof params.grudge === "object") {
    const grudge = new Map<string, Set<string>>();
    for (const [listener, senders] of Object.entries(params.grudge as Record<string, unknown>)) {
      if (Array.isArray(senders)) grudge.set(listener, new Set(senders.filter((s): s is string => typeof s === "string" && s !== listener)));
    }
    return (sender, listener) => grudge.get(listener)?.has(sender) ?? false;
  }
  if (kind === "partition") {
    const named = new Set(targets);
    return (sender, listener) => sender !== listener && named.has(sender) && named.has(listener);
  }
  if (kind === "refuse" && Array.isArray(params.links)) {
    const links = params.links.filter((l): l is [string, string] => Array.isArray(l) && typeof l[0] === "string" && typeof l[1] === "string");
    return (sender, listener) => links.some(([a, b]) => a === sender && b === listener);
  }
  return undefined;
}
