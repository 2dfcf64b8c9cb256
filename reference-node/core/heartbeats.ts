// The other detector family (--detector phi): heartbeat-counter gossip (van Renesse, Minsky, Hayden
// 1998) judged by the φ accrual detector (Hayashibara et al. 2004), as Cassandra and Akka run it.
//
// Every heartbeat interval a node raises its own counter and sends its table of counters to a few
// random members. A member's counter rising, heard first-hand or relayed, is that member's heartbeat
// arriving here. Each node judges each member alone, from the rhythm of those arrivals: suspect when
// φ reaches one threshold, dead at another, alive again when a newer heartbeat comes. Verdicts are
// local, as in Cassandra: nobody is told another member is dead, so there is nothing to refute.
import type { HeartbeatEntry, MemberId } from "../../specs/wire/messages.js";
import { WIRE_VERSION } from "../../specs/wire/messages.js";
import { newerHeartbeat } from "../../specs/protocol/phi.js";
import { ArrivalWindow, type PhiSettings } from "./phi.js";
import { graceMs, stalled } from "./stall.js";
import type { NodeState } from "./state.js";

/** What the detector decided about a member; the node writes it into its table. */
export type Verdict = "alive" | "suspect" | "dead";

interface Tracked {
  generation: number;
  heartbeat: number;
  window: ArrivalWindow;
  /** The newest count as heard, relayed as it is: a table goes out every beat, and building a thousand entries each time was most of a large simulation's garbage. */
  entry?: HeartbeatEntry;
}

export class HeartbeatDetector {
  private generation = 0;
  private beat = 0;
  private readonly tracked = new Map<MemberId, Tracked>();
  /** When each watched member's φ next crosses the threshold that matters for its state. */
  private readonly due = new Map<MemberId, number>();
  /** The judgement now pending has had its grace for a freeze of this node (stall.ts). */
  private graced = false;

  /** Every member's window is made with these: the node's settings, fixed for its life. */
  private readonly settings: PhiSettings;

  constructor(
    private readonly s: NodeState,
    private readonly judge: (id: MemberId, verdict: Verdict) => void,
  ) {
    const c = s.config;
    this.settings = {
      maxSampleSize: c.phiMaxSampleSize,
      minStdDeviationMs: c.phiMinStdDeviationMs,
      acceptablePauseMs: s.behaviour.phiPause ? c.phiAcceptablePauseMs : 0,
      firstHeartbeatEstimateMs: c.phiFirstHeartbeatEstimateMs,
    };
  }

  /** Starts beating. The generation is the start time, so a restarted node's counts are newer than its old ones. */
  start(): void {
    this.generation = this.s.now;
    this.s.deadlines.set("heartbeat", this.s.now + this.s.random.int(this.s.config.heartbeatIntervalMs));
  }

  stop(): void {
    this.s.deadlines.clear("heartbeat");
    this.s.deadlines.clear("phi");
    this.due.clear();
  }

  /** φ of a member's silence now, or undefined when nothing is tracked for it. */
  phiOf(id: MemberId): number | undefined {
    return this.tracked.get(id)?.window.phiAt(this.s.now);
  }

  /** Every watched member's window and φ now: what GET /v1/phi shows, so that conformance can recompute φ. */
  windows(): { id: MemberId; phi: number; lastArrivalAt: number; intervalsMs: number[] }[] {
    return [...this.tracked].map(([id, t]) => ({
      id,
      phi: t.window.phiAt(this.s.now),
      lastArrivalAt: t.window.lastArrivalAt,
      intervalsMs: [...t.window.intervals.values()],
    }));
  }

  /** One beat: raise the counter and send the table to heartbeatFanout members (recently dead ones too, so a healed side hears it). */
  tick(): void {
    const s = this.s;
    s.deadlines.set("heartbeat", s.now + s.config.heartbeatIntervalMs);
    this.beat++;
    // Both lists change only with the table, not with every beat.
    const candidates = s.table.derived("heartbeat-targets", () => s.table.inState(["alive", "suspect", "dead"], s.id));
    const targets = s.random.sample(candidates, s.config.heartbeatFanout);
    if (targets.length === 0) return;
    // The heartbeat-goes-back mutant sends a count three lower every fifth beat.
    const sent = !s.behaviour.monotonicHeartbeat && this.beat % 5 === 0 ? this.beat - 3 : this.beat;
    const beats: HeartbeatEntry[] = [{ id: s.id, addr: s.addr, generation: this.generation, heartbeat: sent }];
    const relayed = s.table.derived("heartbeat-relayed", () => s.table.inState(["alive", "suspect"], s.id).map((m) => m.id));
    for (const id of relayed) {
      const entry = this.tracked.get(id)?.entry;
      if (entry) beats.push(entry);
    }
    for (const target of targets)
      s.send(target, { v: WIRE_VERSION, type: "heartbeat", from: s.peer(), beats, updates: [], kv: [] }, s.config.probeTimeoutMs, undefined);
  }

  /**
   * A member joined the table alive (or came back into it): watch it from now, as if a heartbeat had
   * just come, so that one that dies before its first heartbeat reaches us is still convicted.
   */
  watch(id: MemberId): void {
    const known = this.tracked.get(id);
    this.tracked.set(id, {
      generation: known?.generation ?? -1,
      heartbeat: known?.heartbeat ?? -1,
      window: new ArrivalWindow(this.settings, this.s.now),
      ...(known?.entry ? { entry: known.entry } : {}),
    });
    this.schedule(id, "alive");
  }

  /** A heartbeat table arrived: every member whose count rose has just beaten. */
  hear(beats: readonly HeartbeatEntry[]): void {
    const s = this.s;
    for (const entry of beats) {
      if (entry.id === s.id) continue;
      const known = this.tracked.get(entry.id);
      // Only a newer count is a heartbeat: an old one relayed late says nothing of the member now.
      // Asked first, as most of a table's counts are ones this node has already heard.
      if (s.behaviour.newerHeartbeatOnly && !newerHeartbeat(entry, known)) continue;
      const state = s.table.stateOf(entry.id);
      // Strangers join through alive updates and syncs; `left` is final.
      if (state === undefined || state === "left") continue;
      if (!known || entry.generation !== known.generation) {
        // A new process (or the first we hear of it): its rhythm is learned afresh.
        this.tracked.set(entry.id, { generation: entry.generation, heartbeat: entry.heartbeat, window: new ArrivalWindow(this.settings, s.now), entry });
      } else {
        known.window.arrive(s.now, s.config.phiConvictThreshold);
        known.heartbeat = entry.heartbeat;
        known.entry = entry;
      }
      if (state !== "alive") this.judge(entry.id, "alive");
      this.schedule(entry.id, "alive");
    }
  }

  /**
   * The "phi" deadline, handled `lateMs` after it was due: judge every member whose crossing has
   * come, then wait for the next. Handled late, this node was frozen, and the heartbeats that came
   * meanwhile wait unread (the shell runs due timers before it reads sockets): its clock jumped and
   * every member's φ with it. So it judges one probe timeout later, once, as stall.ts does for SWIM.
   */
  check(lateMs = 0): void {
    const s = this.s;
    if (!this.graced && stalled(lateMs, s.config)) {
      this.graced = true;
      s.deadlines.set("phi", s.now + graceMs(s.config));
      return;
    }
    this.graced = false;
    const thresholds = this.thresholds();
    for (const [id, at] of [...this.due]) {
      if (at > s.now) continue;
      const member = s.table.get(id);
      const tracked = this.tracked.get(id);
      if (!member || !tracked || (member.state !== "alive" && member.state !== "suspect")) {
        this.due.delete(id);
        continue;
      }
      const phi = tracked.window.phiAt(s.now);
      if (phi >= thresholds.convict) {
        this.due.delete(id);
        this.judge(id, "dead");
      } else if (phi >= thresholds.suspect && member.state === "alive") {
        this.judge(id, "suspect");
        this.schedule(id, "suspect");
      } else {
        this.schedule(id, member.state);
      }
    }
    this.arm();
  }

  private thresholds(): { suspect: number; convict: number } {
    const c = this.s.config;
    return { suspect: c.phiSuspectThreshold, convict: this.s.behaviour.convictAtThreshold ? c.phiConvictThreshold : c.phiSuspectThreshold };
  }

  /** Sets when `id` must next be judged: when φ reaches the suspect threshold (alive) or the convict one (suspect). */
  private schedule(id: MemberId, state: "alive" | "suspect"): void {
    const tracked = this.tracked.get(id);
    if (!tracked) return;
    const thresholds = this.thresholds();
    const at = tracked.window.crossingAt(state === "alive" ? thresholds.suspect : thresholds.convict);
    this.due.set(id, at);
    const armed = this.s.deadlines.get("phi");
    if (armed === undefined || at < armed) this.s.deadlines.set("phi", at);
  }

  /** The deadline at the earliest crossing. Arrivals only push crossings later, so it may fire early; check() then re-arms. */
  private arm(): void {
    let earliest: number | undefined;
    for (const at of this.due.values()) if (earliest === undefined || at < earliest) earliest = at;
    if (earliest === undefined) this.s.deadlines.clear("phi");
    else this.s.deadlines.set("phi", earliest);
  }
}
