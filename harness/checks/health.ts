// Lifeguard's local health (Dadgar et al. 2018, §IV-A). A node that misses acks it expected doubts
// itself before it doubts others: each point of its health score stretches its probe period by one
// more. When a probe fails for the target's sake, the helpers asked to probe it indirectly say so
// with nacks, and the prober does not count the failure against itself. So after a crash, where every
// helper is up and nacks, a correct node's score does not climb. A node that ignores the nacks takes
// each failed probe of the dead member as its own fault and slows down, at any cluster size.
import type { RecordOf } from "../../specs/history/history.js";
import type { CheckResult, Evidence } from "../../specs/report/summary.js";
import type { CheckArgs } from "../../specs/scenario/scenario.js";
import { type CheckContext, fmtMs, result } from "./context.js";
import { nodesInText } from "../scenario/describe.js";
import { maxOf } from "../stats.js";

/** Why a run has no health readings. */
export const NOT_SHOWN =
  "no node showed a local health score (`healthScore` in GET /v1/metrics, as the reference node and the memberlist agent serve it, or a command view's `health` command, as Serf's `serf info`; the simulator reads it directly)";

type Reading = RecordOf<"health">;

/** A node's largest climb: how far its score rose above the lowest it had been since `from` (its level then included). */
export interface Climb {
  rise: number;
  /** When the climb peaked, and the score there. */
  t: number;
  score: number;
}

/**
 * Each node's largest climb over its readings after `from`, starting from its level at `from` (its
 * last reading before; a node first read later starts from its first reading). A score left high by
 * start-up only comes down, so it climbs 0.
 */
export function climbs(readings: readonly Reading[], from: number): Map<string, Climb> {
  const byNode = new Map<string, Reading[]>();
  for (const r of readings) {
    const own = byNode.get(r.node);
    if (own) own.push(r);
    else byNode.set(r.node, [r]);
  }
  const out = new Map<string, Climb>();
  for (const [node, own] of byNode) {
    own.sort((a, b) => a.t - b.t);
    const before = own.filter((r) => r.t <= from).at(-1);
    const after = own.filter((r) => r.t > from);
    let low = before?.score ?? after[0]?.score ?? 0;
    let best: Climb = { rise: 0, t: before?.t ?? after[0]?.t ?? from, score: low };
    for (const r of after) {
      low = Math.min(low, r.score);
      if (r.score - low > best.rise) best = { rise: r.score - low, t: r.t, score: r.score };
    }
    out.set(node, best);
  }
  return out;
}

export function health(ctx: CheckContext, args: CheckArgs["health"]): CheckResult {
  const name = "health";
  if (ctx.truth.phiDetector) return result(name, "skip", "the φ accrual detector keeps no local health: it does not probe");
  const readings = ctx.records.filter((r): r is Reading => r.type === "health");
  if (readings.length === 0) return result(name, "skip", NOT_SHOWN);
  // As suspicions, judged from the quiet period on: before the cluster first converged, members are
  // still starting, and a node that probed one still loading rightly doubted itself. The window opens
  // at the first fault or membership change after that, so a score start-up left high, coming down
  // by a point a probe, is not read as a climb.
  const quietFrom = ctx.views.convergedTime(ctx.truth.start, ctx.truth.end) ?? ctx.truth.start;
  const from = ctx.truth.changeTimes().find((t) => t > quietFrom) ?? quietFrom;
  const climbed = climbs(readings, from);
  const over = [...climbed].filter(([, c]) => c.rise > args.max).sort((a, b) => b[1].rise - a[1].rise);
  // maxOf, not Math.max(...): a run at 10,000 nodes has more readings than a call takes arguments.
  const maxRise = maxOf([...climbed.values()].map((c) => c.rise));
  const maxHealth = maxOf(readings.map((r) => r.score));
  const evidence: Evidence[] = over.map(([node, c]) =>
    ctx.evidence(`${node}'s local health climbed ${c.rise} to ${c.score}: its probe period stretched to ${c.score + 1} ×`, { observer: node, at: c.t }),
  );
  const metrics = { maxRise, maxHealth, nodesOverMax: over.length, nodesShown: climbed.size };
  const line = `largest climb ${maxRise} over ${climbed.size} nodes from +${fmtMs(ctx.rel(from))}, at most ${args.max}; highest score ${maxHealth}`;
  return over.length
    ? result(
        name,
        "fail",
        `${nodesInText(over.map(([node]) => node))} raised their local health by more than ${args.max}: they took failed probes for their own fault (${line})`,
        evidence,
        metrics,
      )
    : result(name, "pass", line, evidence, metrics);
}
