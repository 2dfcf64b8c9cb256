// The implementation's own failure detector, watched from the fake members: probe rounds, ping-req, suspicion, death.
import type { MembershipEvent } from "../../../specs/admin/api.js";
import { type ConformanceCase, type Finding, info, finding, skip } from "../case.js";
import { type CaseContext, pollFor } from "../context.js";
import { FakeMember } from "../fake-member.js";

/** Members the implementation should be probing now: its live view (admin) or, without one, the fake cluster. */
async function liveMembers(ctx: CaseContext): Promise<number> {
  if (!ctx.sut.admin) return ctx.fakes.length;
  const view = await ctx.view();
  return [...view.values()].filter((m) => (m.state === "alive" || m.state === "suspect") && m.id !== ctx.sut.info?.id).length;
}

/** Shuffled round-robin reaches everyone within 2N − 1 periods; half as much again for a busy machine. */
function probeRoundBoundMs(ctx: CaseContext, n: number): number {
  return Math.ceil((2 * n + 1) * ctx.timing.periodMs * 1.5);
}

const probeRound: ConformanceCase = {
  name: "every member is probed",
  requirements: ["SWIM-PROBE-1"],
  async run(ctx) {
    const n = await liveMembers(ctx);
    const since = Date.now();
    const boundMs = probeRoundBoundMs(ctx, n);
    const pinged = (f: FakeMember) => f.messagesSince(since, "ping").some((r) => r.to === undefined || r.to === f.id);
    const tookMs = await pollFor(() => (ctx.fakes.every(pinged) ? Date.now() - since : undefined), boundMs, ctx.signal);
    const missing = ctx.fakes.filter((f) => !pinged(f)).map((f) => f.id);
    const pings = ctx.fakes.flatMap((f) => f.messagesSince(since, "ping").map((r) => r.at)).sort((a, b) => a - b);
    const gaps = pings.slice(1).map((at, i) => at - pings[i]!);
    const meanGap = gaps.length > 0 ? Math.round(gaps.reduce((a, b) => a + b, 0) / gaps.length) : undefined;
    return [
      finding(
        tookMs !== undefined,
        "SWIM-PROBE-1",
        `each of ${ctx.fakes.length} fake members pinged within ${boundMs} ms (N = ${n}, period ${ctx.timing.periodMs} ms, 50% headroom)`,
        tookMs !== undefined ? `all pinged within ${tookMs} ms; mean gap between pings ${meanGap ?? "?"} ms` : `not pinged: ${missing.join(", ")}`,
      ),
    ];
  },
};

/**
 * A member that never answers joins the cluster. The implementation should ping it, ask others to
 * ping-req it, suspect it, and after the suspicion timeout declare it dead.
 */
const silentMember: ConformanceCase = {
  name: "a member that stops answering",
  requirements: ["SWIM-PROBE-2", "SWIM-SUSPECT-1", "SWIM-SUSPECT-2"],
  async run(ctx) {
    const silent = await FakeMember.start(ctx.memberId("silent"), "silent", ctx.log);
    try {
      const eventsFrom = ctx.sut.admin ? (await ctx.sut.admin.events()).next : 0;
      const started = Date.now();
      await ctx.tell([{ state: "alive", id: silent.id, addr: silent.addr, incarnation: 1 }]);
      const n = (await liveMembers(ctx)) + 1;
      const suspicionMs = ctx.timing.suspicionMaxMs ?? 60_000;
      const watchMs = probeRoundBoundMs(ctx, n) + suspicionMs + 4 * ctx.timing.periodMs;
      const verdicts = () => verdictsAbout(ctx, silent.id, eventsFrom);
      await pollFor(async () => ((await verdicts()).some((v) => v.state === "dead" || v.state === "left") ? true : undefined), watchMs, ctx.signal, 100);
      const seen = await verdicts();
      const pingReqs = ctx.fakes.flatMap((f) =>
        f.messagesSince(started, "ping-req").filter((r) => r.message.type === "ping-req" && r.message.target.id === silent.id),
      );
      await ctx.retire([silent.id], silent.addr);
      return judgeDetection(
        ctx,
        silent.id,
        started,
        seen,
        pingReqs.map((r) => r.at),
        suspicionMs,
      );
    } finally {
      await silent.close();
    }
  },
};

interface Verdict {
  at: number;
  state: string;
}

/** What the implementation concluded about `id`: its own transitions (admin events) or, without an admin API, what it gossiped. */
async function verdictsAbout(ctx: CaseContext, id: string, eventsFrom: number): Promise<Verdict[]> {
  if (ctx.sut.admin) {
    const { events } = await ctx.sut.admin.events(eventsFrom);
    return events.filter((e: MembershipEvent) => e.id === id && e.to !== "alive").map((e) => ({ at: e.at, state: e.to }));
  }
  return ctx.fakes
    .flatMap((f) =>
      f.received.flatMap((r) =>
        ("updates" in r.message ? r.message.updates : []).filter((u) => u.id === id && u.state !== "alive").map((u) => ({ at: r.at, state: u.state })),
      ),
    )
    .sort((a, b) => a.at - b.at);
}

function judgeDetection(ctx: CaseContext, id: string, started: number, seen: Verdict[], pingReqAts: number[], suspicionMs: number): Finding[] {
  const first = seen[0];
  const suspect = seen.find((v) => v.state === "suspect");
  const dead = seen.find((v) => v.state === "dead");
  const story =
    seen.length === 0
      ? "no verdict about it"
      : seen
          .slice(0, 4)
          .map((v) => `${v.state} at +${v.at - started} ms`)
          .join(", ");
  const beforeVerdict = pingReqAts.filter((at) => first === undefined || at <= first.at + ctx.timing.periodMs).length;
  const findings: Finding[] = [
    finding(
      beforeVerdict > 0,
      "SWIM-PROBE-2",
      `ping-req about ${id} sent to other members before it is suspected`,
      `${pingReqAts.length} ping-req(s) about it reached the fake members (${beforeVerdict} before the first verdict); ${story}`,
    ),
    finding(first?.state === "suspect", "SWIM-SUSPECT-1", "first verdict: suspect", story),
  ];
  if (!suspect) {
    findings.push(skip("SWIM-SUSPECT-2", "dead after the suspicion timeout", "never suspected (see SWIM-SUSPECT-1)"));
  } else {
    const boundMs = Math.ceil(suspicionMs + 2 * ctx.timing.periodMs);
    const tookMs = dead ? dead.at - suspect.at : undefined;
    findings.push(
      finding(
        tookMs !== undefined && tookMs <= boundMs,
        "SWIM-SUSPECT-2",
        `dead within ${boundMs} ms of the suspicion${ctx.timing.suspicionMaxMs ? " (declared maximum + 2 periods)" : " (no maximum declared: 60 s)"}`,
        tookMs !== undefined ? `dead ${tookMs} ms after the suspicion` : `still not dead; ${story}`,
      ),
    );
    if (dead)
      findings.push(
        info(
          "SWIM-SUSPECT-2",
          "detection time of a silent member",
          `suspect +${suspect.at - started} ms, dead +${dead.at - started} ms after it joined`,
          "detection-latency",
        ),
      );
  }
  return findings;
}

export const DETECTION_CASES: ConformanceCase[] = [probeRound, silentMember];
