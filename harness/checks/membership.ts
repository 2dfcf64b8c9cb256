// Checks on particular members: a graceful leave, members that must never die, suspicion counts, rejoining, flaps.
import type { CheckArgs } from "../../specs/scenario/scenario.js";
import type { CheckResult } from "../../specs/report/summary.js";
import { type CheckContext, fmtMs, result } from "./context.js";
import { maxOf } from "../stats.js";
import { nodeList, nodesInText } from "../scenario/describe.js";
import type { Transition } from "./views.js";

export function left(ctx: CheckContext, args: CheckArgs["left"]): CheckResult {
  const name = `left ${args.node}`;
  const leave = ctx.truth.downs.filter((d) => d.node === args.node && (d.how === "leave" || d.how === "stop")).at(-1);
  if (!leave) return result(name, "fail", `${args.node} never left`);
  const observers = ctx.truth.runningAt(leave.t).filter((n) => n !== args.node);
  const deaths = ctx.views.about(args.node, "dead");
  const seen = observers.map((o) => ({ observer: o, at: ctx.views.about(args.node, "left").find((tr) => tr.observer === o)?.t }));
  const evidence = [
    ...seen.map(({ observer, at }) =>
      ctx.evidence(at === undefined ? "never saw it leave" : `saw it leave after ${fmtMs(at - leave.t)}`, {
        observer,
        member: args.node,
        ...(at ? { at } : {}),
      }),
    ),
    ...deaths.map((tr) => ctx.evidence("marked it dead instead", { observer: tr.observer, member: args.node, at: tr.t })),
  ];
  const missing = seen.filter((s) => s.at === undefined || s.at - leave.t > args.within);
  const worst = missing.length ? null : maxOf(seen.map((s) => s.at! - leave.t));
  const ok = missing.length === 0 && deaths.length === 0;
  const summary = ok
    ? `every node saw ${args.node} leave within ${fmtMs(worst)} (bound ${fmtMs(args.within)})`
    : [
        missing.length ? `${nodesInText(missing.map((m) => m.observer))} did not see it leave in time` : "",
        deaths.length ? `${deaths.length} marked it dead` : "",
      ]
        .filter(Boolean)
        .join("; ");
  return result(name, ok ? "pass" : "fail", summary, evidence, { leftMs: worst });
}

export function neverDead(ctx: CheckContext, args: CheckArgs["never-dead"]): CheckResult {
  const deaths = args.nodes.flatMap((n) => ctx.views.about(n, "dead")).filter((tr) => args.by === undefined || args.by.includes(tr.observer));
  const evidence = deaths.map((tr) => ctx.evidence(`marked ${tr.id} dead`, { observer: tr.observer, member: tr.id, at: tr.t }));
  return result(
    `never-dead ${nodeList(args.nodes)}${args.by ? ` by ${nodeList(args.by)}` : ""}`,
    deaths.length ? "fail" : "pass",
    deaths.length ? `${deaths.length} dead verdicts about ${nodesInText(args.nodes)}` : `nobody marked ${nodesInText(args.nodes)} dead`,
    evidence,
    { deadVerdicts: deaths.length },
  );
}

/** The members a check names: `nodes`, or every node but `except` (a set: at scale there are thousands of transitions to test). */
function membersOf(ctx: CheckContext, args: { nodes?: string[]; except?: string[] }): Set<string> {
  return new Set(args.nodes ?? ctx.truth.nodes.filter((n) => !args.except?.includes(n)));
}

/** " about n1 and n2", " about members other than n1", or nothing: whom a count is about. */
function aboutText(args: { nodes?: string[]; except?: string[] }): string {
  return args.nodes ? ` about ${nodesInText(args.nodes)}` : args.except ? ` about members other than ${nodesInText(args.except)}` : "";
}

/** The check's name: "suspicions", "suspicions n1,n2" or "suspicions but n1". */
function scopedName(name: string, args: { nodes?: string[]; except?: string[] }): string {
  return `${name}${args.nodes ? ` ${nodeList(args.nodes)}` : args.except ? ` but ${nodeList(args.except)}` : ""}`;
}

/**
 * Suspicions count from the moment the cluster first converged (every running node holding every
 * running node alive): the quiet period. Before it, members are still starting and joining, and a
 * process that is still loading can miss its first probes on a busy machine; those start-up
 * suspicions are reported apart (evidence and `startupSuspicions`), not counted against `max`.
 * A cluster that never converged has no quiet period, so nothing is set apart.
 */
export function suspicions(ctx: CheckContext, args: CheckArgs["suspicions"]): CheckResult {
  const members = membersOf(ctx, args);
  const quietFrom = ctx.views.convergedTime(ctx.truth.start, ctx.truth.end) ?? ctx.truth.start;
  const ofMembers = ctx.views.transitions.filter((tr) => members.has(tr.id));
  const counted = args.count === "episodes" ? openingSuspicions(ctx, ofMembers) : ofMembers.filter((tr) => tr.to === "suspect");
  const found = counted.filter((tr) => tr.t >= quietFrom);
  const startup = counted.filter((tr) => tr.t < quietFrom);
  const evidence = [
    ...found.map((tr) => ctx.evidence(`suspected ${tr.id} (incarnation ${tr.incarnation})`, { observer: tr.observer, member: tr.id, at: tr.t })),
    ...startup.map((tr) =>
      ctx.evidence(`suspected ${tr.id} (incarnation ${tr.incarnation}) during start-up, before the cluster first converged (not counted)`, {
        observer: tr.observer,
        member: tr.id,
        at: tr.t,
      }),
    ),
  ];
  const what = args.count === "episodes" ? "suspicion episodes" : "suspicions";
  const quiet =
    startup.length > 0 ? `; ${startup.length} more during start-up, before the cluster first converged at +${fmtMs(ctx.rel(quietFrom))} (not counted)` : "";
  return result(
    scopedName("suspicions", args),
    found.length > args.max ? "fail" : "pass",
    `${found.length} ${what}${aboutText(args)} (at most ${args.max})${quiet}`,
    evidence,
    { suspicions: found.length, startupSuspicions: startup.length },
  );
}

/**
 * The suspicions that open an episode: a span during which at least one running node holds the
 * member suspect. One suspicion that gossip carries to the whole cluster is one episode, at 5 nodes
 * or 1,000; so is a suspicion a second node raises before the first is refuted. It needs no
 * incarnation numbers, which not every implementation shows. An observer that goes down stops
 * holding anything.
 */
function openingSuspicions(ctx: CheckContext, transitions: readonly Transition[]): Transition[] {
  type Event = { t: number; tr?: Transition; down?: string };
  const events: Event[] = [...transitions.map((tr) => ({ t: tr.t, tr })), ...ctx.truth.downs.map((d) => ({ t: d.t, down: d.node }))];
  events.sort((x, y) => x.t - y.t);
  const holders = new Map<string, Set<string>>();
  const opening: Transition[] = [];
  for (const e of events) {
    if (e.down !== undefined) {
      for (const set of holders.values()) set.delete(e.down);
      continue;
    }
    const tr = e.tr!;
    const set = holders.get(tr.id) ?? new Set<string>();
    holders.set(tr.id, set);
    if (tr.to !== "suspect") set.delete(tr.observer);
    else {
      if (set.size === 0) opening.push(tr);
      set.add(tr.observer);
    }
  }
  return opening;
}

export function deaths(ctx: CheckContext, args: CheckArgs["deaths"]): CheckResult {
  const members = membersOf(ctx, args);
  const found = ctx.views.transitions.filter((tr) => tr.to === "dead" && members.has(tr.id) && (args.by === undefined || args.by.includes(tr.observer)));
  const evidence = found.map((tr) =>
    ctx.evidence(`declared ${tr.id} dead (incarnation ${tr.incarnation})`, { observer: tr.observer, member: tr.id, at: tr.t }),
  );
  const scope = `${aboutText(args)}${args.by ? ` by ${nodesInText(args.by)}` : ""}`;
  return result(
    scopedName("deaths", args),
    found.length > args.max ? "fail" : "pass",
    `${found.length} dead verdicts${scope} (at most ${args.max})`,
    evidence,
    {
      deadVerdicts: found.length,
    },
  );
}

/**
 * SWIM §4.2: an update about a member wins only with a higher incarnation (or a stronger state at
 * the same one), so the incarnation an observer holds for a member never goes down while the
 * observer's process lives. A transition to a lower one means the update was merged by the order
 * it arrived in: a stale rumor believed.
 */
export function incarnationOrder(ctx: CheckContext): CheckResult {
  const held = new Map<string, { incarnation: number; since: number }>();
  const stale: { tr: (typeof ctx.views.transitions)[number]; heldThen: number }[] = [];
  for (const tr of ctx.views.transitions) {
    const life = ctx.truth.upSince(tr.observer, tr.t) ?? -Infinity;
    const key = `${tr.observer}\u0000${tr.id}`;
    const before = held.get(key);
    // A restarted observer starts from nothing: what its earlier process held does not count.
    if (before !== undefined && before.since === life && tr.incarnation < before.incarnation) stale.push({ tr, heldThen: before.incarnation });
    else held.set(key, { incarnation: tr.incarnation, since: life });
  }
  const evidence = stale.map(({ tr, heldThen }) =>
    ctx.evidence(`moved ${tr.id} to ${tr.to} at incarnation ${tr.incarnation}, below the ${heldThen} it held`, {
      observer: tr.observer,
      member: tr.id,
      at: tr.t,
    }),
  );
  return result(
    "incarnation-order",
    stale.length ? "fail" : "pass",
    stale.length
      ? `${stale.length} transitions to a lower incarnation than the observer held (a stale update believed)`
      : `no transition to a lower incarnation in ${ctx.views.transitions.length} transitions`,
    evidence,
    {
      staleMerges: stale.length,
    },
  );
}

/** After a pause or restart: every other running node holds the member alive again, above the incarnation it was declared dead at. */
export function rejoined(ctx: CheckContext, args: CheckArgs["rejoined"]): CheckResult {
  const name = `rejoined ${args.node}`;
  const resumes = ctx.truth.faults.filter((f) => f.kind === "pause" && f.targets.includes(args.node) && f.to < ctx.truth.end).map((f) => f.to);
  const restarts = ctx.truth.ups
    .filter((u) => u.node === args.node)
    .slice(1)
    .map((u) => u.t);
  const back = [...resumes, ...restarts].sort((a, b) => a - b).at(-1);
  if (back === undefined) return result(name, "fail", `${args.node} was never resumed or restarted`);
  const deaths = ctx.views.about(args.node, "dead").filter((tr) => tr.t <= back);
  const deadIncarnation = maxOf(
    deaths.map((d) => d.incarnation),
    -1,
  );
  const observers = ctx.truth.runningAt(back).filter((n) => n !== args.node);
  const phi = ctx.truth.phiDetector;
  const seen = observers.map((o) => ({
    observer: o,
    // SWIM brings a member back by its refutation, at a higher incarnation; the φ detector by its next heartbeat, at the same one.
    at: ctx.views.about(args.node, "alive", back).find((tr) => tr.observer === o && (tr.incarnation > deadIncarnation || phi))?.t,
  }));
  const late = seen.filter((s) => s.at === undefined || s.at - back > args.within);
  const evidence = [
    ...deaths.map((d) => ctx.evidence(`marked it dead at incarnation ${d.incarnation}`, { observer: d.observer, member: args.node, at: d.t })),
    ...seen.map((s) =>
      ctx.evidence(s.at === undefined ? "never held it alive again" : `held it alive again ${fmtMs(s.at - back)} after it came back`, {
        observer: s.observer,
        member: args.node,
        ...(s.at ? { at: s.at } : {}),
      }),
    ),
  ];
  const worst = late.length
    ? null
    : maxOf(
        seen.map((s) => s.at! - back),
        0,
      );
  const wasDead = deaths.length > 0;
  const ok = wasDead && late.length === 0;
  const summary = !wasDead
    ? `${args.node} was never declared dead before it came back`
    : late.length
      ? `${nodesInText(late.map((l) => l.observer))} did not hold ${args.node} alive ${phi ? "again" : `above incarnation ${deadIncarnation}`} within ${fmtMs(args.within)}`
      : `declared dead at incarnation ${deadIncarnation}, alive again everywhere within ${fmtMs(worst)}${phi ? " (φ: by its heartbeats, no refutation)" : " at a higher incarnation"}`;
  return result(name, ok ? "pass" : "fail", summary, evidence, { rejoinMs: worst });
}

/** Suspicions that were refuted (suspect → alive): a flap. Counted; a failure only above `max`. */
export function flaps(ctx: CheckContext, args: CheckArgs["flaps"]): CheckResult {
  const found = ctx.views.transitions.filter((tr) => tr.from === "suspect" && tr.to === "alive");
  const evidence = found.map((tr) =>
    ctx.evidence(`refuted suspicion of ${tr.id} (now incarnation ${tr.incarnation})`, { observer: tr.observer, member: tr.id, at: tr.t }),
  );
  const verdict = args.max === undefined ? "info" : found.length > args.max ? "fail" : "pass";
  return result("flaps", verdict, `${found.length} flaps${args.max === undefined ? "" : ` (at most ${args.max})`}`, evidence, { flaps: found.length });
}

/** During the last partition: each group holds every member of the other groups dead, within the bound. */
export function split(ctx: CheckContext, args: CheckArgs["split"]): CheckResult {
  const name = `split ${args.groups.map(nodeList).join(" | ")}`;
  const partition = ctx.truth.faults.filter((f) => f.kind === "partition").at(-1);
  if (!partition) return result(name, "fail", "no partition in this scenario");
  const until = Math.min(partition.from + args.within, partition.to, ctx.truth.end);
  const at = firstSplit(ctx, args.groups, partition.from, until);
  if (at === undefined)
    return result(name, "fail", `the sides did not all hold each other dead within ${fmtMs(args.within)} of the partition`, [], { splitMs: null });
  return result(name, "pass", `each side held the other dead ${fmtMs(at - partition.from)} after the partition began (bound ${fmtMs(args.within)})`, [], {
    splitMs: at - partition.from,
  });
}

/**
 * The first instant in [from, until] at which every node of each group holds every node of the other
 * groups dead. One sweep over the transitions, counting the (observer, member) pairs across the cut
 * held dead: two sides of 500 nodes are 500,000 pairs, too many to re-read at every change.
 */
function firstSplit(ctx: CheckContext, groups: readonly (readonly string[])[], from: number, until: number): number | undefined {
  const sideOf = new Map(groups.flatMap((g, i) => g.map((n) => [n, i] as const)));
  const across = (observer: string, member: string) => sideOf.has(member) && sideOf.get(member) !== sideOf.get(observer);
  const pairs = groups.reduce((sum, g) => sum + g.length * (sideOf.size - g.length), 0);
  const deadHeld = new Map<string, Set<string>>();
  let dead = 0;
  /** An observer's view starts afresh (at `t`, from the views as rebuilt from the records). */
  const reset = (observer: string, t: number) => {
    dead -= deadHeld.get(observer)?.size ?? 0;
    const held = new Set([...ctx.views.viewAt(observer, t)].filter(([member, m]) => m.state === "dead" && across(observer, member)).map(([member]) => member));
    deadHeld.set(observer, held);
    dead += held.size;
  };
  for (const observer of sideOf.keys()) reset(observer, from);
  if (dead === pairs) return from;
  // A restart within the window empties the observer's view; it is read again at the instant it came up.
  const restarts = ctx.truth.ups.filter((u) => sideOf.has(u.node) && u.t > from && u.t <= until);
  const events = [
    ...restarts.map((u) => ({ t: u.t, restart: u.node })),
    ...ctx.views.transitions
      .filter((tr) => tr.t > from && tr.t <= until && sideOf.has(tr.observer) && across(tr.observer, tr.id))
      .map((tr) => ({ t: tr.t, tr })),
  ].sort((x, y) => x.t - y.t || ("restart" in x ? 0 : 1) - ("restart" in y ? 0 : 1));
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    if ("restart" in event) reset(event.restart, event.t);
    else {
      const held = deadHeld.get(event.tr.observer)!;
      const was = held.has(event.tr.id);
      if (event.tr.to === "dead" && !was) {
        held.add(event.tr.id);
        dead++;
      } else if (event.tr.to !== "dead" && was) {
        held.delete(event.tr.id);
        dead--;
      }
    }
    const last = i === events.length - 1 || events[i + 1]!.t !== event.t;
    if (last && dead === pairs) return event.t;
  }
  return undefined;
}
