// Traffic at rest. Once nothing changes, a SWIM node starts one exchange per protocol period: its
// probe (Das et al. 2002, §3). Updates ride on probes and on gossip rounds only until each has been
// sent its retransmit limit of times (λ · log N, SWIM §4.1; memberlist's retransmitLimit), and a
// gossip round with nothing to carry is not sent. A node that retransmits forever keeps gossiping
// to its fanout every round: several times the traffic a quiet cluster needs, at any size.
import type { RecordOf } from "../../specs/history/history.js";
import type { CheckResult } from "../../specs/report/summary.js";
import type { CheckArgs } from "../../specs/scenario/scenario.js";
import { type CheckContext, fmtMs, result } from "./context.js";

type Sample = RecordOf<"traffic">;

/** Why a run has no traffic samples: only engines that can count exchanges write them. */
export const NOT_COUNTED =
  "exchanges between nodes were not counted in this run: the simulator, the embedded Toxiproxy-compatible server and the packet engine count them; another Toxiproxy and the proxy container do not";

/**
 * The exchanges per running node per period over the scenario's last `window`, against what the
 * failure detector alone starts at rest: one probe per probe period under SWIM, a heartbeat to
 * heartbeatFanout members per beat under φ. The period is the tested implementation's own (the
 * scenario's `probe`, evaluated with its settings: 200 ms for the fast profile, 1 s for memberlist).
 */
export function quiet(ctx: CheckContext, args: CheckArgs["quiet"]): CheckResult {
  const samples = ctx.records.filter((r): r is Sample => r.type === "traffic").sort((a, b) => a.t - b.t);
  if (samples.length < 2) return result("quiet", "skip", NOT_COUNTED);
  const last = samples.at(-1)!;
  const first = samples.filter((s) => s.t <= last.t - args.window).at(-1);
  if (!first)
    return result(
      "quiet",
      "fail",
      `the traffic was counted for ${fmtMs(last.t - samples[0]!.t)}, less than the ${fmtMs(args.window)} window: nothing to judge`,
    );
  const running = ctx.truth.runningAt(last.t).length;
  if (running === 0) return result("quiet", "fail", "no node was running at the end: nothing to judge");
  const phi = ctx.truth.phiDetector;
  const periodMs = args.period;
  const own = phi ? ctx.truth.setting("heartbeatFanout") : 1;
  const perNode = (last.exchanges - first.exchanges) / running / ((last.t - first.t) / periodMs);
  const ratio = perNode / own;
  const needs = phi ? `${own} heartbeat messages per beat` : "1 probe per period";
  return result(
    "quiet",
    ratio > args.max ? "fail" : "pass",
    `${perNode.toFixed(2)} exchanges per node per ${phi ? "heartbeat" : "probe period"} over the last ${fmtMs(last.t - first.t)}: ${ratio.toFixed(2)} × what the failure detector alone needs at rest (${needs}; at most ${args.max} ×)`,
    [],
    { exchangesPerNodePeriod: perNode, quietRatio: ratio },
  );
}
