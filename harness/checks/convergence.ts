// Convergence: every running node's view equals the true live set; after the last change, and after each partition heals.
import type { CheckArgs } from "../../specs/scenario/scenario.js";
import type { CheckResult } from "../../specs/report/summary.js";
import { type CheckContext, fmtMs, result } from "./context.js";

/** Time from each harness change to the next instant the cluster is converged (the time-to-convergence series). */
export function convergenceAfterChanges(ctx: CheckContext): { at: number; tookMs: number | null }[] {
  return ctx.truth.changeTimes().map((at) => {
    const t = ctx.views.convergedTime(at, ctx.truth.end);
    return { at, tookMs: t === undefined ? null : t - at };
  });
}

export function converged(ctx: CheckContext, args: CheckArgs["converged"]): CheckResult {
  const from = ctx.truth.lastChange();
  const reached = ctx.views.convergedTime(from, Math.min(from + args.within, ctx.truth.end));
  const atEnd = ctx.views.convergedAt(ctx.truth.end);
  const tookMs = reached === undefined ? null : reached - from;
  const evidence = convergenceAfterChanges(ctx).map((c) => ctx.evidence(`converged ${fmtMs(c.tookMs)} after this change`, { at: c.at, tookMs: c.tookMs }));
  if (reached === undefined) {
    const why = ctx.views.convergedAt(Math.min(from + args.within, ctx.truth.end)).reason ?? "";
    return result("converged", "fail", `not converged within ${fmtMs(args.within)} of the last change: ${why}`, evidence, { convergenceMs: null });
  }
  if (!atEnd.ok)
    return result("converged", "fail", `converged after ${fmtMs(tookMs)} but not at the end: ${atEnd.reason}`, evidence, { convergenceMs: tookMs });
  return result("converged", "pass", `converged ${fmtMs(tookMs)} after the last change (bound ${fmtMs(args.within)})`, evidence, { convergenceMs: tookMs });
}

export function heal(ctx: CheckContext, args: CheckArgs["heal"]): CheckResult {
  const ends = ctx.truth.faults.filter((f) => f.kind === "partition" && f.to < ctx.truth.end);
  if (ends.length === 0) return result("heal", "fail", "no partition ended in this scenario");
  const times = ends.map((f) => {
    const t = ctx.views.convergedTime(f.to, Math.min(f.to + args.within, ctx.truth.end));
    return { fault: f, tookMs: t === undefined ? null : t - f.to };
  });
  const evidence = times.map(({ fault, tookMs }) =>
    ctx.evidence(tookMs === null ? `not converged within ${fmtMs(args.within)} of the heal` : `re-formed ${fmtMs(tookMs)} after the heal`, {
      at: fault.to,
      tookMs,
    }),
  );
  const worst = times.some((x) => x.tookMs === null) ? null : Math.max(...times.map((x) => x.tookMs!));
  const verdict = worst === null ? "fail" : "pass";
  return result(
    "heal",
    verdict,
    worst === null ? `a partition did not heal within ${fmtMs(args.within)}` : `healed in ${fmtMs(worst)} (bound ${fmtMs(args.within)})`,
    evidence,
    {
      healTimeMs: worst,
    },
  );
}
