// Key-value checks: digests agree, no acknowledged write is lost, and how far each write spread (the dissemination curve).
import type { RecordOf } from "../../specs/history/history.js";
import type { CheckResult } from "../../specs/report/summary.js";
import type { CheckArgs } from "../../specs/scenario/scenario.js";
import type { KvVersion } from "../../specs/wire/messages.js";
import { compareVersions } from "../../specs/wire/version-order.js";
import { percentile } from "../stats.js";
import { type CheckContext, fmtMs, result } from "./context.js";
import { maxOf } from "../stats.js";
import { nodesInText } from "../scenario/describe.js";

type Write = RecordOf<"kv-write">;

function writes(ctx: CheckContext): Write[] {
  return ctx.records.filter((r): r is Write => r.type === "kv-write");
}

/** Each observer's digests over time. */
function digests(ctx: CheckContext): RecordOf<"kv-digest">[] {
  return ctx.records.filter((r): r is RecordOf<"kv-digest"> => r.type === "kv-digest").sort((a, b) => a.t - b.t);
}

/**
 * The digest roots of the nodes running at t: each one's latest sample taken from `since` to t
 * (undefined where a node has none in that window). A sample from before `since` says nothing
 * about the store after it.
 */
export function rootsAt(ctx: CheckContext, t: number, since = ctx.truth.start, samples = digests(ctx)): Map<string, string | undefined> {
  const latest = new Map<string, string>();
  for (const d of samples) if (d.t >= since && d.t <= t && (ctx.truth.upSince(d.observer, t) ?? Infinity) <= d.t) latest.set(d.observer, d.root);
  return new Map(ctx.truth.runningAt(t).map((n) => [n, latest.get(n)]));
}

/** A key-value check over a run with no acknowledged write tested nothing: it fails, saying so. */
const nothingWritten = (name: string) =>
  result(name, "fail", "no acknowledged write in this scenario: nothing to check (a check that tested nothing is not a pass)", [], {
    acknowledgedWrites: 0,
  });

export function kvConverged(ctx: CheckContext, args: CheckArgs["kv-converged"]): CheckResult {
  if (writes(ctx).length === 0) return nothingWritten("kv-converged");
  const lastWrite = maxOf(writes(ctx).map((w) => w.t));
  // Convergence cannot come before the last write or the last fault change; only digests sampled since count.
  const from = Math.max(lastWrite, ctx.truth.lastChange());
  // Sorted once, and each sampling instant tried once: a cluster of thousands samples every node at the same instant.
  const samples = digests(ctx).filter((d) => d.t >= from);
  const agree = (t: number) => {
    const roots = [...rootsAt(ctx, t, from, samples).values()];
    return roots.length > 0 && roots.every((r) => r !== undefined && r === roots[0]);
  };
  const candidates = [from, ...new Set(samples.filter((d) => d.t > from && d.t <= Math.min(from + args.within, ctx.truth.end)).map((d) => d.t))];
  const at = candidates.find(agree);
  const final = [...rootsAt(ctx, ctx.truth.end, from, samples)];
  const evidence = final.map(([node, root]) => ctx.evidence(`final digest ${root ?? "none"}`, { observer: node }));
  if (at === undefined)
    return result("kv-converged", "fail", `key-value digests did not agree within ${fmtMs(args.within)} of the last write or change`, evidence, {
      kvConvergenceMs: null,
      sinceLastChangeMs: null,
    });
  // Reported from the last write (what a user waits for), judged from the last write or change (the bound's start).
  const metrics = { kvConvergenceMs: at - lastWrite, sinceLastChangeMs: at - from };
  if (!agree(ctx.truth.end))
    return result("kv-converged", "fail", `digests agreed ${fmtMs(at - lastWrite)} after the last write but not at the end`, evidence, metrics);
  const sinceChange = from > lastWrite ? `, ${fmtMs(at - from)} after the last fault change` : "";
  return result(
    "kv-converged",
    "pass",
    `every node's digest agreed ${fmtMs(at - lastWrite)} after the last write${sinceChange} (bound ${fmtMs(args.within)} from the later of the two)`,
    evidence,
    metrics,
  );
}

/** Every acknowledged write is on every running node at the end, or superseded there by a newer version of its key. */
export function noDataLoss(ctx: CheckContext): CheckResult {
  const snapshots = ctx.records.filter((r): r is RecordOf<"kv-snapshot"> => r.type === "kv-snapshot");
  const acknowledged = writes(ctx);
  if (acknowledged.length === 0) return nothingWritten("no-data-loss");
  if (snapshots.length === 0) return result("no-data-loss", "fail", "no final key-value snapshot was recorded");
  // A node running at the end whose store was never read cannot be said to hold anything.
  const unread = ctx.truth.runningAt(ctx.truth.end).filter((n) => !snapshots.some((s) => s.observer === n));
  if (unread.length > 0)
    return result(
      "no-data-loss",
      "fail",
      `no final key-value snapshot of ${nodesInText(unread)}: what they hold is unknown`,
      unread.map((n) => ctx.evidence("no final snapshot", { observer: n })),
      { acknowledgedWrites: acknowledged.length, lostWrites: null },
    );
  const lost: { observer: string; write: Write; held: KvVersion | undefined }[] = [];
  for (const snap of snapshots) {
    const held = new Map(snap.entries.map((e) => [e.key, e.version]));
    for (const w of acknowledged) {
      const version = held.get(w.key);
      if (!version || compareVersions(version, w.version) < 0) lost.push({ observer: snap.observer, write: w, held: version });
    }
  }
  const evidence = lost.slice(0, 100).map(({ observer, write, held }) =>
    ctx.evidence(
      `lacks ${write.key}@${write.version.wall}.${write.version.logical}.${write.version.node} (written through ${write.node}); holds ${held ? `${held.wall}.${held.logical}.${held.node}` : "nothing"}`,
      {
        observer,
        at: write.t,
      },
    ),
  );
  const summary = lost.length
    ? `${lost.length} acknowledged writes missing across ${snapshots.length} nodes`
    : `all ${acknowledged.length} acknowledged writes present (or superseded) on all ${snapshots.length} nodes`;
  return result("no-data-loss", lost.length ? "fail" : "pass", summary, evidence, { acknowledgedWrites: acknowledged.length, lostWrites: lost.length });
}

/**
 * A hybrid logical clock stays within a bounded offset of its node's physical clock (Kulkarni et al.
 * 2014) only if it refuses versions from too far ahead. One that takes any version is dragged to the
 * furthest clock in the cluster and drags every node it talks to: their writes are then stamped with
 * a time nobody's clock reads. Each acknowledged write's stamp is compared with the clock of the node
 * that took it, at the time it was acknowledged (a `clock` step's offset included).
 */
export function kvClock(ctx: CheckContext, args: CheckArgs["kv-clock"]): CheckResult {
  const acknowledged = writes(ctx);
  if (acknowledged.length === 0) return nothingWritten("kv-clock");
  const skews = acknowledged.map((w) => ({ write: w, skewMs: w.version.wall - (w.t + ctx.truth.clockOffsetMs(w.node, w.t)) }));
  const off = skews.filter((s) => Math.abs(s.skewMs) > args.within);
  const evidence = off.slice(0, 100).map(({ write, skewMs }) =>
    ctx.evidence(`stamped ${write.key} ${fmtMs(Math.abs(skewMs))} ${skewMs > 0 ? "ahead of" : "behind"} its own clock`, {
      observer: write.node,
      at: write.t,
    }),
  );
  const worst = maxOf(skews.map((s) => Math.abs(s.skewMs)));
  const writers = [...new Set(off.map((s) => s.write.node))].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  const summary = off.length
    ? `${off.length} of ${acknowledged.length} writes stamped more than ${fmtMs(args.within)} away from their node's clock, by ${nodesInText(writers)} (worst ${fmtMs(worst)})`
    : `all ${acknowledged.length} writes stamped within ${fmtMs(worst)} of their node's clock (bound ${fmtMs(args.within)})`;
  return result("kv-clock", off.length ? "fail" : "pass", summary, evidence, {
    acknowledgedWrites: acknowledged.length,
    offWrites: off.length,
    worstSkewMs: worst,
  });
}

/**
 * For each write: how long after it was made each node first held it (or a newer version of
 * its key). The write was made at its version's wall time, on the writer's clock — before
 * the harness heard the acknowledgement — so that, not the record's time, is time zero.
 */
export function spreadOf(ctx: CheckContext): { write: Write; reachedMs: number[]; nodes: number }[] {
  const applied = ctx.records.filter((r): r is RecordOf<"kv-applied"> => r.type === "kv-applied");
  return writes(ctx).map((write) => {
    const firsts = new Map<string, number>();
    for (const a of applied) {
      if (a.key === write.key && compareVersions(a.version, write.version) >= 0 && !firsts.has(a.observer)) firsts.set(a.observer, a.t);
    }
    const running = ctx.truth.runningAt(ctx.truth.end);
    const reachedMs = running.flatMap((n) => (firsts.has(n) ? [Math.max(0, firsts.get(n)! - write.version.wall)] : [])).sort((a, b) => a - b);
    return { write, reachedMs, nodes: running.length };
  });
}

export function dissemination(ctx: CheckContext, args: CheckArgs["dissemination"]): CheckResult {
  if (args.complete && writes(ctx).length === 0) return nothingWritten("dissemination");
  const spreads = spreadOf(ctx);
  const complete = spreads.filter((s) => s.reachedMs.length === s.nodes);
  const fullTimes = complete.map((s) => s.reachedMs.at(-1)!).sort((a, b) => a - b);
  const pct = (p: number) => {
    const value = percentile(fullTimes, p);
    return value === null ? null : Math.round(value);
  };
  const coverage = spreads.length ? spreads.reduce((sum, s) => sum + s.reachedMs.length / s.nodes, 0) / spreads.length : null;
  const metrics = { writes: spreads.length, completeWrites: complete.length, meanCoverage: coverage, fullSpreadP50Ms: pct(0.5), fullSpreadP90Ms: pct(0.9) };
  const incomplete = spreads.filter((s) => s.reachedMs.length < s.nodes);
  const evidence = incomplete.slice(0, 50).map((s) => ctx.evidence(`${s.write.key} reached ${s.reachedMs.length} of ${s.nodes} nodes`, { at: s.write.t }));
  const summary = `${incomplete.length ? "incomplete delivery: " : ""}${complete.length} of ${spreads.length} writes reached every node (mean coverage ${coverage === null ? "—" : `${(coverage * 100).toFixed(1)}%`}; full spread p50 ${fmtMs(metrics.fullSpreadP50Ms)}, p90 ${fmtMs(metrics.fullSpreadP90Ms)})`;
  const verdict = args.complete ? (incomplete.length ? "fail" : "pass") : "info";
  // The name stays the same whatever the outcome: it is the check's identity in comparisons and reports.
  return result("dissemination", verdict, summary, evidence, metrics);
}
