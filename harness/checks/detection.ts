// Detection latency of a node taken out of service (crash, or a pause): first suspicion, first death, all live nodes.
import type { CheckArgs } from "../../specs/scenario/scenario.js";
import type { CheckResult } from "../../specs/report/summary.js";
import { type CheckContext, EVIDENCE_KEPT, fmtMs, result } from "./context.js";
import type { Evidence } from "../../specs/report/summary.js";
import { maxOf, percentile } from "../stats.js";
import { nodeList, nodesInText } from "../scenario/describe.js";

/** Who must see an outage that began at t0: the nodes running then, but not `out`, that stay running until `until` (or the end). */
function witnesses(ctx: CheckContext, t0: number, until: number, out: ReadonlySet<string>): string[] {
  return ctx.truth.runningAt(t0).filter((n) => !out.has(n) && ctx.truth.isRunning(n, Math.min(until, ctx.truth.end)));
}

/** Each observer's first dead verdict about `member` from t0 on: one pass over the member's transitions. */
function firstDeadBy(ctx: CheckContext, member: string, t0: number): Map<string, number> {
  const firstDead = new Map<string, number>();
  for (const tr of ctx.views.about(member, "dead", t0)) if (!firstDead.has(tr.observer)) firstDead.set(tr.observer, tr.t);
  return firstDead;
}

/** When `node` was last taken out of service: its crash (node-down) or the start of a pause. */
export function outageStart(ctx: CheckContext, node: string): number | undefined {
  const crashes = ctx.truth.downs.filter((d) => d.node === node && d.how === "crash").map((d) => d.t);
  const pauses = ctx.truth.faults.filter((f) => f.kind === "pause" && f.targets.includes(node)).map((f) => f.from);
  const all = [...crashes, ...pauses].sort((a, b) => a - b);
  return all.at(-1);
}

export function detection(ctx: CheckContext, args: CheckArgs["detection"]): CheckResult {
  const name = `detection ${args.node}`;
  const t0 = outageStart(ctx, args.node);
  if (t0 === undefined) return result(name, "fail", `${args.node} was never crashed or paused, so there is nothing to detect`);
  const observers = witnesses(ctx, t0, t0 + args.deadWithin, new Set([args.node]));
  const firstOf = (state: "suspect" | "dead") => ctx.views.about(args.node, state, t0)[0]?.t;
  const firstSuspect = firstOf("suspect");
  const firstDead = firstOf("dead");
  const deadAt = firstDeadBy(ctx, args.node, t0);
  const deadBy = observers.map((o) => ({ observer: o, at: deadAt.get(o) }));
  const allDead = deadBy.every((d) => d.at !== undefined) ? maxOf(deadBy.map((d) => d.at!)) : undefined;
  const metrics = {
    firstSuspectMs: firstSuspect === undefined ? null : firstSuspect - t0,
    firstDeadMs: firstDead === undefined ? null : firstDead - t0,
    allDeadMs: allDead === undefined ? null : allDead - t0,
    suspectToDeadMs: firstSuspect === undefined || firstDead === undefined ? null : firstDead - firstSuspect,
  };
  const evidence = deadBy.map(({ observer, at }) =>
    ctx.evidence(at === undefined ? `never marked ${args.node} dead` : `marked ${args.node} dead ${fmtMs(at - t0)} after the outage began`, {
      observer,
      member: args.node,
      ...(at === undefined ? {} : { at }),
    }),
  );
  const late = deadBy.filter(({ at }) => at === undefined || at - t0 > args.deadWithin);
  const problems: string[] = [];
  if (late.length) problems.push(`${nodesInText(late.map((l) => l.observer))} did not mark ${args.node} dead within ${fmtMs(args.deadWithin)}`);
  if (args.suspectWithin !== undefined && (metrics.firstSuspectMs === null || metrics.firstSuspectMs > args.suspectWithin)) {
    problems.push(`first suspicion ${fmtMs(metrics.firstSuspectMs)}, bound ${fmtMs(args.suspectWithin)}`);
  }
  if (args.confirmedWithin !== undefined && (metrics.suspectToDeadMs === null || metrics.suspectToDeadMs > args.confirmedWithin)) {
    problems.push(
      metrics.suspectToDeadMs === null
        ? `no suspicion followed by a death to time (bound ${fmtMs(args.confirmedWithin)} from the first suspicion to the first death)`
        : `first dead ${fmtMs(metrics.suspectToDeadMs)} after the first suspicion, bound ${fmtMs(args.confirmedWithin)}: the suspicion ran as if nobody confirmed it`,
    );
  }
  const line = `first suspect ${fmtMs(metrics.firstSuspectMs)}, first dead ${fmtMs(metrics.firstDeadMs)}, all ${observers.length} dead ${fmtMs(metrics.allDeadMs)}`;
  return result(name, problems.length ? "fail" : "pass", problems.length ? `${problems.join("; ")} (${line})` : line, evidence, metrics);
}

/**
 * all-dead: after a mass crash, every live node holds every crashed node dead within `within` of its
 * crash. One pass over each crashed member's transitions, so a thousand-node cluster with four
 * hundred down is judged in a moment.
 */
export function allDead(ctx: CheckContext, args: CheckArgs["all-dead"]): CheckResult {
  const name = `all-dead ${nodeList(args.nodes)}`;
  const never = args.nodes.filter((node) => outageStart(ctx, node) === undefined);
  if (never.length) return result(name, "fail", `${nodesInText(never)} never crashed or paused, so there is nothing to detect`);
  const down = new Set(args.nodes);
  const evidence: Evidence[] = [];
  const took: number[] = [];
  const late: string[] = [];
  for (const member of args.nodes) {
    const t0 = outageStart(ctx, member)!;
    const bound = t0 + args.within;
    const observers = witnesses(ctx, t0, bound, down);
    const firstDead = firstDeadBy(ctx, member, t0);
    const missing = observers.filter((o) => !(firstDead.get(o)! <= bound));
    const all = missing.length === 0 ? maxOf(observers.map((o) => firstDead.get(o)!)) : undefined;
    if (all !== undefined) took.push(all - t0);
    if (missing.length) {
      late.push(member);
      evidence.push(ctx.evidence(`${nodesInText(missing)} did not mark ${member} dead within ${fmtMs(args.within)}`, { member, tookMs: null }));
    } else evidence.push(ctx.evidence(`every live node marked ${member} dead within ${fmtMs(all! - t0)}`, { member, at: all!, tookMs: all! - t0 }));
  }
  const metrics = {
    crashed: args.nodes.length,
    late: late.length,
    medianAllDeadMs: percentile(
      [...took].sort((a, b) => a - b),
      0.5,
    ),
    maxAllDeadMs: took.length === args.nodes.length ? maxOf(took) : null,
  };
  const line = `every live node held ${took.length} of ${args.nodes.length} crashed nodes dead within the bound: median ${fmtMs(metrics.medianAllDeadMs)}, slowest ${fmtMs(metrics.maxAllDeadMs)}`;
  const slowestFirst = [...evidence].sort((a, b) => (b.tookMs ?? Infinity) - (a.tookMs ?? Infinity));
  const shown = slowestFirst.slice(0, EVIDENCE_KEPT);
  return late.length
    ? result(name, "fail", `${nodesInText(late)} not held dead by every live node within ${fmtMs(args.within)} (${line})`, shown, metrics)
    : result(
        name,
        "pass",
        `every live node held all ${args.nodes.length} crashed nodes dead within ${fmtMs(metrics.maxAllDeadMs)} (median ${fmtMs(metrics.medianAllDeadMs)}, bound ${fmtMs(args.within)})`,
        shown,
        metrics,
      );
}
