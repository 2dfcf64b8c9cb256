// SWIM's failure detector (§3.1, §4.1) with Lifeguard's local health: each protocol period, ping one
// member from a shuffled round-robin list; without an ack in time, ask indirectChecks others to
// ping-req it; without any ack by the period's end, accuse it (suspect, or dead for the no-suspicion
// mutant), and count the nacks we missed against our own health.
import type { Message, MemberId, Update } from "../../specs/wire/messages.js";
import { WIRE_VERSION } from "../../specs/wire/messages.js";
import type { Awareness } from "./awareness.js";
import { type Carried, piggyback, piggybackFor } from "./dissemination.js";
import type { KvReplication } from "./kv-replication.js";
import { type ProbeCandidates, ProbeList } from "./probe-list.js";
import { isLive } from "./membership.js";
import { graceMs, graceOnce } from "./stall.js";
import type { NodeState } from "./state.js";

/** A probe in progress: one protocol period spent on one target. */
interface ProbeRound {
  target: MemberId;
  seq: number;
  deadline: number;
  indirectSent: boolean;
  expectedNacks: number;
  nacks: number;
  /** Whether the round's end was already put off once because this node had been frozen past it. */
  graced: boolean;
}

export class Prober {
  /** The order members are probed in; members join it as they come alive. */
  readonly list: ProbeList;
  private round: ProbeRound | undefined;
  /** Alive or suspect members other than this node. */
  private readonly candidates: ProbeCandidates;

  constructor(
    private readonly s: NodeState,
    private readonly kv: KvReplication,
    private readonly awareness: Awareness,
    /** Raises a verdict about a member that failed its probe (the node's merge rules judge it). */
    private readonly accuse: (update: Update) => void,
  ) {
    this.list = new ProbeList(s.numberings.ids);
    this.candidates = {
      has: (id) => id !== s.id && isLive(s.table.stateOf(id)),
      list: () => s.table.inState(["alive", "suspect"], s.id).map((m) => m.id),
    };
  }

  /** A new protocol period: end the last round, then ping the next member. `lateMs`: how late this tick is (stall.ts). */
  tick(lateMs = 0): void {
    const s = this.s;
    if (this.round) {
      this.endRound(lateMs);
      // The round was given its grace: the next period starts when the grace is over.
      if (this.round) {
        s.deadlines.set("probe", s.deadlines.get("round") ?? s.now);
        return;
      }
    }
    const period = this.awareness.scale(s.config.probeIntervalMs);
    s.deadlines.set("probe", s.now + period);
    const targetId = this.list.next(this.candidates, s.random);
    if (targetId === undefined) return;
    const target = s.table.get(targetId)!;
    const seq = s.nextSeq();
    this.round = { target: targetId, seq, deadline: s.now + period, indirectSent: false, expectedNacks: 0, nacks: 0, graced: false };
    s.deadlines.set("round", this.round.deadline);
    // memberlist (state.go probeNode): the direct ack is awaited for probeTimeoutMs, unscaled by local
    // health, before indirect probes go out; but the ack handler stays open for the whole (scaled)
    // period, so a late direct ack still ends the round. The exchange lasts the period; the switch to
    // indirect probing is a deadline of its own.
    s.deadlines.set("indirect", s.now + s.config.probeTimeoutMs);
    s.counters.probes++;
    s.send(target, { v: WIRE_VERSION, type: "ping", from: s.peer(), seq, target: targetId, ...piggybackFor(s, this.kv, target) }, period, {
      kind: "probe-ping",
      seq,
    });
  }

  /** The answer to our direct ping: an ack ends the round, even a late one; a refusal or a close goes indirect at once. */
  onPingAnswer(seq: number, message: Message | null): void {
    const round = this.round;
    if (!round || round.seq !== seq) return;
    if (message?.type === "ack" && message.seq === seq) this.succeeded();
    else this.probeIndirectly(round);
  }

  /** probeTimeoutMs after the ping with no ack yet: ask others to probe the target, while the direct ping stays open. */
  directTimedOut(): void {
    if (this.round) this.probeIndirectly(this.round);
  }

  /** A helper's answer to our ping-req: its ack ends the round; its nack says our own links work. */
  onPingReqAnswer(seq: number, message: Message | null): void {
    const round = this.round;
    if (!round || round.seq !== seq || !message) return;
    if (message.type === "ack" && message.seq === seq) this.succeeded();
    else if (message.type === "nack" && message.seq === seq && this.s.behaviour.countNacks) round.nacks++;
  }

  /**
   * End of the protocol period with no ack: accuse the target, and doubt ourselves by the nacks we
   * missed. Reached `lateMs` after it was due by more than a stall, the round gets one grace first
   * (stall.ts): the ack may be waiting unread, and the stall is counted against our own health.
   */
  endRound(lateMs = 0): void {
    const s = this.s;
    const round = this.round;
    if (round && graceOnce(round, lateMs, s.config)) {
      this.awareness.applyDelta(1);
      s.deadlines.set("round", s.now + graceMs(s.config));
      return;
    }
    this.closeRound();
    if (!round) return;
    s.counters.probeFailures++;
    // Lifeguard: missing nacks mean our own links or CPU may be the problem, not the target.
    this.awareness.applyDelta(round.expectedNacks > 0 ? Math.max(0, round.expectedNacks - round.nacks) : 1);
    const target = s.table.get(round.target);
    if (!target || (target.state !== "alive" && target.state !== "suspect")) return;
    const verdict = s.behaviour.suspicion ? "suspect" : "dead";
    this.accuse({ state: verdict, id: target.id, addr: target.addr, incarnation: target.incarnation, by: s.id });
  }

  /** Probing stops (the node is leaving). */
  stop(): void {
    this.closeRound();
  }

  private succeeded(): void {
    this.closeRound();
    this.awareness.applyDelta(-1);
  }

  /** No round in progress any more: its end and its switch to indirect probing are off. */
  private closeRound(): void {
    this.round = undefined;
    this.s.deadlines.clear("round");
    this.s.deadlines.clear("indirect");
  }

  /** The direct ping failed: ask up to indirectChecks other members to probe the target for us. */
  private probeIndirectly(round: ProbeRound): void {
    const s = this.s;
    if (round.indirectSent || !s.behaviour.indirectProbes) return;
    round.indirectSent = true;
    s.deadlines.clear("indirect");
    const target = s.table.get(round.target);
    if (!target) return;
    const helpers = s.table.sample(s.config.indirectChecks, s.random, (m) => m.state === "alive" && m.id !== round.target, s.id);
    if (helpers.length === 0) return;
    s.counters.indirectProbes++;
    round.expectedNacks = helpers.length;
    const timeoutMs = Math.max(1, round.deadline - s.now);
    for (const helper of helpers) {
      const carried: Carried = piggyback(s, this.kv);
      s.send(
        helper,
        { v: WIRE_VERSION, type: "ping-req", from: s.peer(), seq: round.seq, target: { id: target.id, addr: target.addr }, deadlineMs: timeoutMs, ...carried },
        timeoutMs,
        { kind: "probe-ping-req", seq: round.seq },
      );
    }
  }
}
