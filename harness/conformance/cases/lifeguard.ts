// Lifeguard (Dadgar, Phillips, Currey 2018) seen from outside the node: local health rises when the node
// has to refute and not when helpers nack, confirmations shorten a suspicion, and a suspected member
// hears of it on the node's next ping to it (the buddy system).
import { suspicionBoundsMs } from "../../../specs/protocol/suspicion.js";
import type { Finding } from "../case.js";
import { type ConformanceCase, finding, skip } from "../case.js";
import { type CaseContext, pollFor, sleep } from "../context.js";
import { FakeMember } from "../fake-member.js";
import { piggybacked } from "./gossip.js";

async function healthScore(ctx: CaseContext): Promise<number | undefined> {
  return (await ctx.sut.admin!.metrics().catch(() => undefined))?.healthScore;
}

/** Health decays by one per successful probe: wait until it is back to 0, so a case starts from a healthy node. */
async function untilHealthy(ctx: CaseContext): Promise<boolean> {
  return (await pollFor(async () => ((await healthScore(ctx)) === 0 ? true : undefined), 30 * ctx.timing.periodMs, ctx.signal, 50)) === true;
}

/** A SKIP for `requirement` when the node shows no health score or never gets back to 0; undefined when it is ready. */
async function cannotStartHealthy(ctx: CaseContext, requirement: string): Promise<Finding | undefined> {
  if ((await healthScore(ctx)) === undefined) return skip(requirement, "a health score", "no healthScore in /v1/metrics");
  if (!(await untilHealthy(ctx))) return skip(requirement, "health score 0 to start from", "it never came back to 0");
  return undefined;
}

/** The highest health score sampled every 25 ms for `ms`. */
async function highestHealth(ctx: CaseContext, ms: number): Promise<number> {
  let highest = 0;
  const until = Date.now() + ms;
  while (Date.now() < until && !ctx.signal.aborted) {
    highest = Math.max(highest, (await healthScore(ctx)) ?? 0);
    await sleep(25, ctx.signal);
  }
  return highest;
}

/** Refuting raises local health (Lifeguard §IV-A: "refute a suspect message about self" is one of its inputs). */
const refuteRaisesHealth: ConformanceCase = {
  name: "refuting raises local health",
  requirements: ["LIFEGUARD-LHM-1"],
  needs: ["admin"],
  async run(ctx) {
    const cannot = await cannotStartHealthy(ctx, "LIFEGUARD-LHM-1");
    if (cannot) return [cannot];
    const refuted: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { id, addr, incarnation } = await ctx.sut.admin!.node();
      await ctx.tell([{ state: "suspect", id, addr, incarnation, by: ctx.driver.id }]);
      const raised = await pollFor(async () => ((await ctx.sut.admin!.node()).incarnation > incarnation ? true : undefined), 2000, ctx.signal, 25);
      if (raised) refuted.push(incarnation);
    }
    if (refuted.length === 0) return [skip("LIFEGUARD-LHM-1", "refutations to watch", "the node refuted none of three suspicions (see SWIM-REFUTE-1)")];
    const highest = await highestHealth(ctx, 500);
    return [
      finding(
        highest >= 1,
        "LIFEGUARD-LHM-1",
        `health score above 0 after ${refuted.length} refutation(s)`,
        `highest health score in the 500 ms after: ${highest}`,
      ),
    ];
  },
};

/**
 * A member that never answers: the node's ping fails, it asks the fake members to ping-req it, and they
 * nack at once. The nacks prove the node's own links work, so its health must not move (Lifeguard §IV-A).
 */
const nackedProbeKeepsHealth: ConformanceCase = {
  name: "a failed probe whose helpers nack leaves local health alone",
  requirements: ["LIFEGUARD-NACK-1"],
  needs: ["admin"],
  async run(ctx) {
    const cannot = await cannotStartHealthy(ctx, "LIFEGUARD-NACK-1");
    if (cannot) return [cannot];
    const silent = await FakeMember.start(ctx.memberId("silent"), "silent", ctx.log);
    try {
      const since = Date.now();
      await ctx.tell([{ state: "alive", id: silent.id, addr: silent.addr, incarnation: 1 }]);
      let highest = 0;
      const pingReqs = () =>
        ctx.fakes.flatMap((f) => f.messagesSince(since, "ping-req")).filter((r) => r.message.type === "ping-req" && r.message.target.id === silent.id);
      const suspected = await pollFor(
        async () => {
          highest = Math.max(highest, (await healthScore(ctx)) ?? 0);
          const view = await ctx.view();
          return view.get(silent.id)?.state !== "alive" && pingReqs().length > 0 ? true : undefined;
        },
        60 * ctx.timing.periodMs,
        ctx.signal,
        25,
      );
      // The period's end, when a node counts the nacks it missed, comes just after the suspicion.
      highest = Math.max(highest, await highestHealth(ctx, 2 * ctx.timing.periodMs));
      await ctx.retire([silent.id], silent.addr);
      if (!suspected) return [skip("LIFEGUARD-NACK-1", "a failed probe with ping-reqs to the fake members", `${pingReqs().length} ping-req(s), no suspicion`)];
      return [
        finding(
          highest === 0,
          "LIFEGUARD-NACK-1",
          "health score stays 0 while every helper nacks",
          `${pingReqs().length} ping-req(s) nacked at once; highest health score ${highest}`,
        ),
      ];
    } finally {
      await silent.close();
    }
  },
};

/**
 * A made-up member (on the shared fake, which acks, so the node's own probes never add to the
 * suspicion) is suspected by one fake member and confirmed by two more. With its declared settings
 * the node's timeout must fall from its maximum toward its minimum: dead before halfway between them.
 */
const confirmationsShorten: ConformanceCase = {
  name: "independent confirmations shorten a suspicion",
  requirements: ["LIFEGUARD-CONFIRM-1"],
  needs: ["admin"],
  async run(ctx) {
    const config = ctx.sut.info?.config ?? {};
    const mult = config.suspicionMult;
    const maxMult = config.suspicionMaxTimeoutMult;
    if (typeof mult !== "number" || typeof maxMult !== "number")
      return [skip("LIFEGUARD-CONFIRM-1", "suspicionMult and suspicionMaxTimeoutMult", "the node does not declare them in /v1/node")];
    const expected = mult - 2;
    if (expected < 1 || maxMult <= 1 || ctx.fakes.length < expected + 1)
      return [skip("LIFEGUARD-CONFIRM-1", "confirmations that can shorten the timeout", `mult ${mult}, max mult ${maxMult}, ${ctx.fakes.length} fake members`)];
    const id = ctx.memberId("suspected");
    const addr = ctx.shared.addr;
    await ctx.tell([{ state: "alive", id, addr, incarnation: 1 }]);
    const n = [...(await ctx.view()).values()].filter((m) => m.state === "alive" || m.state === "suspect").length;
    const { minMs, maxMs } = suspicionBoundsMs({ suspicionMult: mult, suspicionMaxTimeoutMult: maxMult, probeIntervalMs: ctx.timing.periodMs }, n);
    const { next } = await ctx.sut.admin!.events();
    const suspectors = ctx.fakes.slice(0, expected + 1).map((f) => f.id);
    for (const by of suspectors) await ctx.tell([{ state: "suspect", id, addr, incarnation: 1, by }]);
    const halfway = Math.round((minMs + maxMs) / 2);
    const events = async () => (await ctx.sut.admin!.events(next)).events.filter((e) => e.id === id);
    await pollFor(async () => ((await events()).some((e) => e.to === "dead") ? true : undefined), maxMs + 4 * ctx.timing.periodMs, ctx.signal, 50);
    const seen = await events();
    await ctx.retire([id]);
    const suspect = seen.find((e) => e.to === "suspect");
    const dead = seen.find((e) => e.to === "dead");
    const tookMs = suspect && dead ? dead.at - suspect.at : undefined;
    return [
      finding(
        tookMs !== undefined && tookMs < halfway,
        "LIFEGUARD-CONFIRM-1",
        `suspected by ${suspectors.join(", ")}: dead within ${halfway} ms of the suspicion (timeout ${minMs}–${maxMs} ms for N = ${n}, ${expected} confirmations expected)`,
        tookMs !== undefined ? `dead ${tookMs} ms after the suspicion` : `no suspicion and death seen: ${seen.map((e) => e.to).join(", ") || "no transition"}`,
      ),
    ];
  },
};

/**
 * One fake member is suspected (at the incarnation the node holds for it). Every ping the node sends it
 * while the suspicion lasts must carry that suspicion, so an alive member hears it and refutes, even
 * after the rumor has used up its retransmissions elsewhere (Lifeguard §IV-C).
 */
const buddySystem: ConformanceCase = {
  name: "a suspected member is told on the next ping (buddy system)",
  requirements: ["LIFEGUARD-BUDDY-1"],
  needs: ["admin"],
  async run(ctx) {
    const target = ctx.fakes[ctx.fakes.length - 1]!;
    const held = (await ctx.view()).get(target.id);
    if (!held || held.state !== "alive") return [skip("LIFEGUARD-BUDDY-1", `${target.id} alive in the node's view`, held?.state ?? "unknown to it")];
    const since = Date.now();
    await ctx.tell([{ state: "suspect", id: target.id, addr: target.addr, incarnation: held.incarnation, by: ctx.driver.id }]);
    const pings = () => target.messagesSince(since, "ping").filter((r) => r.to === undefined || r.to === target.id);
    // Two pings: the second comes well after the rumor has gone cold, which is when the buddy system matters.
    const watchMs = Math.min(suspicionWindowMs(ctx), 24 * ctx.timing.periodMs);
    await pollFor(() => (pings().length >= 2 ? true : undefined), watchMs, ctx.signal, 25);
    const seen = pings();
    // Refute on the member's behalf, so the node does not go on to declare an answering member dead.
    await ctx.tell([{ state: "alive", id: target.id, addr: target.addr, incarnation: held.incarnation + 1 }]);
    if (seen.length === 0) return [skip("LIFEGUARD-BUDDY-1", `a ping to ${target.id} while it is suspected`, `none within ${watchMs} ms`)];
    const carries = seen.map((r) => piggybacked({ at: r.at, by: target.id, message: r.message }).some((u) => u.id === target.id && u.state === "suspect"));
    return [
      finding(
        carries.every(Boolean),
        "LIFEGUARD-BUDDY-1",
        `each ping to ${target.id} while it is suspected carries suspect(${target.id})`,
        seen.map((r, i) => `ping at +${r.at - since} ms ${carries[i] ? "carries it" : "does not"}`).join("; "),
      ),
    ];
  },
};

/**
 * How long an unconfirmed suspicion surely lasts: Lifeguard starts it at its maximum, maxMult · mult
 * periods in a small cluster (80 % of that, for slack), or four periods when the node declares neither.
 */
function suspicionWindowMs(ctx: CaseContext): number {
  const config = ctx.sut.info?.config ?? {};
  const { suspicionMult: mult, suspicionMaxTimeoutMult: maxMult } = config;
  if (typeof mult !== "number") return 4 * ctx.timing.periodMs;
  return Math.floor(0.8 * mult * (typeof maxMult === "number" ? maxMult : 1) * ctx.timing.periodMs);
}

export const LIFEGUARD_CASES: ConformanceCase[] = [refuteRaisesHealth, nackedProbeKeepsHealth, confirmationsShorten, buddySystem];
