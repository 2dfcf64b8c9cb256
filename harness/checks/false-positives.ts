// False positives: a member declared dead (or, counted apart, suspected) while it was healthy and reachable.
import type { CheckArgs } from "../../specs/scenario/scenario.js";
import type { CheckResult } from "../../specs/report/summary.js";
import { type CheckContext, fmtMs, result } from "./context.js";

/**
 * A verdict by observer o about member m at t is a false positive when m was healthy and
 * reachable from o over the horizon before t (Truth.healthyFor: m running, never frozen, and
 * no partition or refuse cutting o–m; loss and latency count as healthy). The default horizon is the
 * longest suspicion plus two protocol periods: any verdict older evidence could explain.
 */
export function falsePositives(ctx: CheckContext, args: CheckArgs["no-false-positives"]): CheckResult {
  const horizon = args.horizon ?? ctx.truth.detectionHorizonMs();
  const wrong = (state: "dead" | "suspect") =>
    ctx.views.transitions.filter((tr) => tr.to === state && tr.id !== tr.observer && ctx.truth.healthyFor(tr.observer, tr.id, tr.t - horizon, tr.t));
  const dead = wrong("dead");
  const suspect = wrong("suspect");
  let memberMs = 0;
  for (const node of ctx.truth.nodes) {
    const step = 100;
    for (let t = ctx.truth.start; t < ctx.truth.end; t += step) if (ctx.truth.healthyThroughout(node, t, Math.min(t + step, ctx.truth.end))) memberMs += step;
  }
  const hours = memberMs / 3_600_000;
  const metrics = {
    deadFalsePositives: dead.length,
    suspectFalsePositives: suspect.length,
    deadPerMemberHour: hours > 0 ? dead.length / hours : null,
    suspectPerMemberHour: hours > 0 ? suspect.length / hours : null,
    horizonMs: horizon,
  };
  const evidence = [...dead, ...suspect].map((tr) =>
    ctx.evidence(
      `marked ${tr.id} ${tr.to} (incarnation ${tr.incarnation}) though it was healthy and reachable from ${tr.observer} for the ${fmtMs(horizon)} before`,
      {
        observer: tr.observer,
        member: tr.id,
        at: tr.t,
      },
    ),
  );
  const tooManySuspicions = args.maxSuspect !== undefined && suspect.length > args.maxSuspect;
  const verdict = dead.length > 0 || tooManySuspicions ? "fail" : "pass";
  const summary = `${dead.length} false dead, ${suspect.length} false suspicions${args.maxSuspect !== undefined ? ` (at most ${args.maxSuspect} allowed)` : ""} over ${(hours * 60).toFixed(1)} member-minutes`;
  return result("no-false-positives", verdict, summary, evidence, metrics);
}
