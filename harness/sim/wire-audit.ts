// Holds every message a simulated node sends to the wire rules of harness/checks/wire.ts. The sender's
// view is the one it reported, transition by transition, as a process run's observer reads it; the
// simulator hands over each message as it is sent, so a rule judges it against that view then.
import type { RecordOf } from "../../specs/history/history.js";
import type { MemberId, Message } from "../../specs/wire/messages.js";
import type { SimTransition } from "../../reference-node/sim/cluster.js";
import { WIRE_RULES, type WireRule } from "../checks/wire.js";
import { type HeartbeatCount, heartbeatWentBack, newerHeartbeat } from "../../specs/protocol/phi.js";

const EXAMPLES_KEPT = 5;

interface Tally {
  judged: number;
  violations: number;
  examples: { at: number; from: MemberId; to: MemberId; detail: string }[];
}

export class WireAudit {
  private readonly tallies = Object.fromEntries(Object.keys(WIRE_RULES).map((rule) => [rule, { judged: 0, violations: 0, examples: [] } as Tally])) as Record<
    WireRule,
    Tally
  >;
  /** Observer → the members it holds suspect now. */
  private readonly suspected = new Map<MemberId, Set<MemberId>>();
  /** Sender → the highest own count it has sent, in its generation. */
  private readonly beats = new Map<MemberId, HeartbeatCount>();

  /** A node's view changed. */
  transition(tr: SimTransition): void {
    let held = this.suspected.get(tr.observer);
    if (tr.to === "suspect") {
      if (!held) this.suspected.set(tr.observer, (held = new Set()));
      held.add(tr.id);
    } else held?.delete(tr.id);
  }

  /** A node (re)started: its process believes nothing yet. */
  started(id: MemberId): void {
    this.suspected.delete(id);
  }

  /** `from` sent `message` to `to` (undefined: an address no simulated node has). */
  sent(at: number, from: MemberId, to: MemberId | undefined, message: Message): void {
    if (message.type === "ping") this.buddy(at, from, message.target ?? to, message);
    else if (message.type === "heartbeat") this.heartbeat(at, from, to, message);
  }

  /** LIFEGUARD-BUDDY-1: a ping to a member its sender holds suspect carries suspect(member). */
  private buddy(at: number, from: MemberId, target: MemberId | undefined, message: Extract<Message, { type: "ping" }>): void {
    if (target === undefined || !this.suspected.get(from)?.has(target)) return;
    const carries = message.updates.some((u) => u.id === target && u.state === "suspect");
    this.tally("LIFEGUARD-BUDDY-1", carries, () => ({
      at,
      from,
      to: target,
      detail: `a ping to ${target}, which ${from} held suspect, without suspect(${target})`,
    }));
  }

  /** PHI-HEARTBEAT-1: within a generation, a node's own count as it sends it never goes back. */
  private heartbeat(at: number, from: MemberId, to: MemberId | undefined, message: Extract<Message, { type: "heartbeat" }>): void {
    // The reference node puts its own count first; another order costs a scan.
    const own = message.beats[0]?.id === from ? message.beats[0] : message.beats.find((b) => b.id === from);
    if (!own) return;
    const last = this.beats.get(from);
    this.tally("PHI-HEARTBEAT-1", !heartbeatWentBack(own, last), () => ({
      at,
      from,
      to: to ?? "?",
      detail: `heartbeat ${own.heartbeat} after ${last?.heartbeat} (generation ${own.generation})`,
    }));
    if (newerHeartbeat(own, last)) this.beats.set(from, { generation: own.generation, heartbeat: own.heartbeat });
  }

  /** `example` is built only for a violation kept as one: a run at scale sends millions of messages. */
  private tally(rule: WireRule, kept: boolean, example: () => Tally["examples"][number]): void {
    const tally = this.tallies[rule];
    tally.judged++;
    if (kept) return;
    tally.violations++;
    if (tally.examples.length < EXAMPLES_KEPT) tally.examples.push(example());
  }

  /** One record per rule, for the end of the run. */
  records(t: number): Omit<RecordOf<"wire-audit">, "scenario">[] {
    return Object.entries(this.tallies).map(([requirement, tally]) => ({
      type: "wire-audit" as const,
      source: "harness" as const,
      t,
      requirement,
      judged: tally.judged,
      violations: tally.violations,
      examples: tally.examples,
    }));
  }
}
