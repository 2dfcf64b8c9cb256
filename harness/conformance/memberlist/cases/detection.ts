// Failure detection and dissemination on memberlist's wire: the catalogue's SWIM and Lifeguard
// requirements, judged from what the node gossips to the fake members (and its view, when it shows
// one), plus memberlist's TCP fallback ping.
import { suspicionBoundsMs } from "../../../../specs/protocol/suspicion.js";
import { type ConformanceCase, type Finding, finding, skip } from "../../case.js";
import { pollFor } from "../../context.js";
import { unmetNeeds } from "../../runner.js";
import { type MemberlistContext, whoIs } from "../context.js";
import type { Heard, MemberlistFake } from "../fake-peer.js";

type Case = ConformanceCase<MemberlistContext>;

type Claim = "alive" | "suspect" | "dead" | "left";
/** What a message says about `node`; a dead message from the node itself is its leave (state.go:1268). */
const about = (m: Heard["message"], node: string): Claim | undefined => {
  if ((m.type !== "alive" && m.type !== "suspect" && m.type !== "dead") || m.body.Node !== node) return undefined;
  return m.type === "dead" && m.body.From === node ? "left" : m.type;
};

/** The first suspicion or death (not alive, not a leave) any fake member heard the node claim about `node` since `since`. */
function firstClaim(ctx: MemberlistContext, node: string, since: number, state?: Claim): { at: number; state: Claim } | undefined {
  let first: { at: number; state: Claim } | undefined;
  for (const fake of ctx.fakes)
    for (const h of fake.heard) {
      const claim = h.at >= since ? about(h.message, node) : undefined;
      if (claim && claim !== "alive" && claim !== "left" && (!state || claim === state) && (!first || h.at < first.at)) first = { at: h.at, state: claim };
    }
  return first;
}

/** A member that joins through the driver's alive: the node knows it once its view shows it alive, or (without a view) once it probes it. */
async function joinFake(ctx: MemberlistContext, fake: MemberlistFake): Promise<boolean> {
  const since = Date.now();
  ctx.send(fake.alive(), `${fake.name} announced`);
  if (ctx.sut.admin) return !!(await pollFor(async () => ((await ctx.view()).get(fake.name)?.state === "alive" ? true : undefined), 3000, ctx.signal));
  return !!(await ctx.heard(fake, since, (m) => m.type === "ping", (2 * (ctx.fakes.length + 3) + 1) * ctx.timing.periodMs));
}

/**
 * Two members stop answering: one entirely (a crash), one over UDP only (a firewall). The first must
 * be probed indirectly, suspected, then declared dead (sooner with confirmations); the second must be
 * pinged over TCP and left alone.
 */
const stopsAnswering: Case = {
  name: "a member stops answering",
  requirements: ["SWIM-PROBE-2", "SWIM-SUSPECT-1", "SWIM-SUSPECT-2", "LIFEGUARD-CONFIRM-1", "ML-TCP-PING-2"],
  async run(ctx) {
    const victim = await ctx.fake("victim", "answer");
    const walled = await ctx.fake("udp-walled", "answer");
    try {
      const known = (await Promise.all([joinFake(ctx, victim), joinFake(ctx, walled)])).every(Boolean);
      if (!known)
        return this.requirements.map((id) => finding(false, id, "the node probes the two new members", "it never pinged one of them after its alive"));
      const since = Date.now();
      victim.behaviour = "silent";
      walled.behaviour = "udp-silent";
      const period = ctx.timing.periodMs;
      const n = ctx.sut.admin ? Math.max((await ctx.view().catch(() => new Map())).size, ctx.fakes.length + 3) : ctx.fakes.length + 3;
      // Suspected within a round of probes; then, confirmed by two fake members (SuspicionMult − 2, memberlist's k), dead.
      const suspected = await pollFor(() => firstClaim(ctx, victim.name, since), (2 * n + 2) * period, ctx.signal);
      if (suspected?.state === "suspect")
        for (const fake of ctx.fakes.slice(1, 3))
          fake.send({ type: "suspect", body: { Incarnation: victim.incarnation, Node: victim.name, From: fake.name } }, ctx.sut.wire);
      const deadBy = (ctx.timing.suspicionMaxMs ?? 60_000) + 2 * period;
      const dead = suspected ? await pollFor(() => firstClaim(ctx, victim.name, since, "dead"), deadBy, ctx.signal) : undefined;
      const indirect = ctx.fakes.flatMap((f) =>
        f.heardSince(since, "indirectPing").filter((h) => h.message.type === "indirectPing" && h.message.body.Node === victim.name),
      );
      // Its turn in the probe order may come after the victim's death: a round of probes from `since`.
      const roundEnds = since + (2 * n + 2) * period;
      const tcpPing = await ctx.heard(walled, since, (m, h) => m.type === "ping" && h.transport === "tcp", Math.max(0, roundEnds - Date.now()));
      // The walled member must stay unsuspected for a while after its TCP ack.
      if (tcpPing) await pollFor(() => (Date.now() - tcpPing.at > 2 * period ? true : undefined), 3 * period, ctx.signal);
      const walledClaim = firstClaim(ctx, walled.name, since);
      await ctx.retire([victim.name, walled.name]);

      const timeline = `suspect ${suspected ? `${suspected.state} at +${suspected.at - since} ms` : "never heard"}; dead ${dead ? `at +${dead.at - since} ms` : "never heard"}`;
      const findings: Finding[] = [
        finding(
          indirect.length > 0,
          "SWIM-PROBE-2",
          `an indirect ping for ${victim.name} to another member`,
          `${indirect.length} indirect ping(s) reached the fake members; ${timeline}`,
        ),
        finding(suspected?.state === "suspect", "SWIM-SUSPECT-1", `${victim.name} suspected before it is declared dead`, timeline),
        finding(
          !!suspected && !!dead && dead.at - suspected.at <= (ctx.timing.suspicionMaxMs ?? Infinity),
          "SWIM-SUSPECT-2",
          `dead within ${ctx.timing.suspicionMaxMs ?? "a bounded time"} ms of the suspicion`,
          `${timeline}${suspected && dead ? ` (${dead.at - suspected.at} ms between them)` : ""}`,
        ),
      ];
      const settings = ctx.timing.suspicion;
      if (settings) {
        const { minMs, maxMs } = suspicionBoundsMs({ ...settings, probeIntervalMs: period }, n);
        const half = (minMs + maxMs) / 2;
        findings.push(
          finding(
            !!suspected && !!dead && dead.at - suspected.at < half,
            "LIFEGUARD-CONFIRM-1",
            `with 2 confirmations, dead within ${Math.round(half)} ms of the suspicion (halfway between ${Math.round(minMs)} and ${Math.round(maxMs)} ms, N = ${n})`,
            `${timeline}${suspected && dead ? ` (${dead.at - suspected.at} ms between them)` : ""}`,
          ),
        );
      } else
        findings.push(
          skip("LIFEGUARD-CONFIRM-1", "the suspicion timeout's bounds", "the implementation declares no suspicionMult and suspicionMaxTimeoutMult"),
        );
      findings.push(
        finding(
          !!tcpPing && walledClaim === undefined,
          "ML-TCP-PING-2",
          `${walled.name} (UDP dropped, TCP answered) pinged over TCP and never suspected`,
          `${tcpPing ? `TCP ping at +${tcpPing.at - since} ms` : "no TCP ping"}; ${walledClaim ? `${walledClaim.state} heard at +${walledClaim.at - since} ms` : "no suspicion heard"}`,
        ),
      );
      return findings;
    } finally {
      await Promise.all([victim.close(), walled.close()]);
    }
  },
};

const refute: Case = {
  name: "the node refutes a suspicion and a death about itself",
  requirements: ["SWIM-REFUTE-1", "SWIM-REFUTE-2"],
  async run(ctx) {
    const accuse = async (kind: "suspect" | "dead", requirement: string): Promise<Finding> => {
      const { incarnation } = await whoIs(ctx.sut.wire, ctx.log, ctx.keying);
      const since = Date.now();
      ctx.send({ type: kind, body: { Incarnation: incarnation, Node: ctx.self.name, From: ctx.driver.name } });
      const refuted = await pollFor(
        () =>
          ctx.fakes
            .flatMap((f) => f.heardSince(since, "alive"))
            .find((h) => h.message.type === "alive" && h.message.body.Node === ctx.self.name && h.message.body.Incarnation > incarnation),
        5 * ctx.timing.periodMs,
        ctx.signal,
      );
      const got =
        refuted?.message.type === "alive"
          ? `alive(${refuted.message.body.Incarnation}) heard after ${refuted.at - since} ms`
          : "no alive with a higher incarnation heard";
      return finding(!!refuted, requirement, `told ${kind}(${incarnation}) about itself: alive(> ${incarnation}) spread`, got);
    };
    return [await accuse("suspect", "SWIM-REFUTE-1"), await accuse("dead", "SWIM-REFUTE-2")];
  },
};

const dissemination: Case = {
  name: "an update is passed on",
  requirements: ["SWIM-DISSEM-1"],
  async run(ctx) {
    const id = ctx.memberId("rumor");
    const since = Date.now();
    await ctx.tell([{ state: "alive", id, addr: ctx.shared.addr, incarnation: 1 }]);
    // Any member but the teller: the fake members, or the listener that stands in for the made-up ones.
    const others = [...ctx.fakes.slice(1), ctx.shared];
    const passed = await pollFor(
      () => others.find((f) => f.heardSince(since).some((h) => h.message.type === "alive" && h.message.body.Node === id)),
      5 * ctx.timing.periodMs,
      ctx.signal,
    );
    await ctx.retire([id]);
    return [
      finding(
        !!passed,
        "SWIM-DISSEM-1",
        `alive about ${id}, told by ${ctx.driver.name}, reaches another member`,
        passed ? `${passed.name} heard it` : "no other fake member heard it",
      ),
    ];
  },
};

/**
 * Told once, an update is passed on a bounded number of times: every transmission lands at a fake
 * member (the fakes and the stand-in for made-up members are the whole cluster), so they count them
 * all. It must stop, and stay within retransmitMult · ⌈log10(N + 1)⌉ when the implementation declares
 * retransmitMult (memberlist's RetransmitMult, util.go retransmitLimit).
 */
const retransmit: Case = {
  name: "an update is passed on a bounded number of times",
  requirements: ["SWIM-RETRANSMIT-1"],
  async run(ctx) {
    const id = ctx.memberId("counted");
    const since = Date.now();
    await ctx.tell([{ state: "alive", id, addr: ctx.shared.addr, incarnation: 1 }]);
    const period = ctx.timing.periodMs;
    const count = () =>
      [...ctx.fakes, ctx.shared].reduce((n, f) => n + f.heardSince(since).filter((h) => h.message.type === "alive" && h.message.body.Node === id).length, 0);
    const wait = (ms: number) => pollFor(() => undefined, ms, ctx.signal);
    // Gossip rounds come every gossip interval (≤ a period) and probes every period: eight periods spend any sane limit.
    await wait(8 * period);
    const spent = count();
    await wait(3 * period);
    const total = count();
    const n = ctx.sut.admin ? Math.max((await ctx.view().catch(() => new Map())).size, ctx.fakes.length + 2) : ctx.fakes.length + 2;
    await ctx.retire([id]);
    const mult = ctx.timing.retransmitMult;
    const limit = mult === undefined ? undefined : mult * Math.ceil(Math.log10(n + 1));
    return [
      finding(
        total === spent && total > 0 && (limit === undefined || total <= limit),
        "SWIM-RETRANSMIT-1",
        limit === undefined ? "passed on, then no more" : `passed on at most ${mult} · ⌈log10(${n} + 1)⌉ = ${limit} times, then no more`,
        `${spent} transmission(s) in ${8 * period} ms, ${total - spent} in the ${3 * period} ms after`,
      ),
    ];
  },
};

const leftMember: Case = {
  name: "a member that left",
  requirements: ["SWIM-LEFT-1"],
  needs: ["admin"],
  async run(ctx) {
    if (ctx.sut.leaveUnsupported) return [skip("SWIM-LEFT-1", "a member that left shown as left", ctx.sut.leaveUnsupported)];
    const leaver = await ctx.fake("leaver", "answer");
    try {
      if (!(await joinFake(ctx, leaver))) return [finding(false, "SWIM-LEFT-1", `${leaver.name} known`, "it was never pinged after its alive")];
      // memberlist's leave: a dead message about itself, from itself (state.go:1268).
      ctx.send({ type: "dead", body: { Incarnation: leaver.incarnation, Node: leaver.name, From: leaver.name } });
      const left = await pollFor(async () => ((await ctx.view()).get(leaver.name)?.state === "left" ? true : undefined), 3000, ctx.signal);
      const since = Date.now();
      const watchMs = (ctx.fakes.length + 1) * ctx.timing.periodMs;
      await pollFor(() => (Date.now() - since >= watchMs ? true : undefined), watchMs + 100, ctx.signal);
      const pinged = leaver.heardSince(since, "ping").length;
      const claim = firstClaim(ctx, leaver.name, since);
      const state = (await ctx.view()).get(leaver.name)?.state ?? "absent";
      return [
        finding(
          !!left && pinged === 0 && !claim && state === "left",
          "SWIM-LEFT-1",
          `${leaver.name} shown left, not pinged and not suspected or declared dead for ${watchMs} ms`,
          `view: ${left ? "left" : "never left"}, then ${state}; ${pinged} ping(s) reached it; ${claim ? `${claim.state} heard` : "no suspicion heard"}`,
        ),
      ];
    } finally {
      await leaver.close();
    }
  },
};

const buddy: Case = {
  name: "a ping to a suspect carries the suspicion",
  requirements: ["LIFEGUARD-BUDDY-1"],
  async run(ctx) {
    const suspect = await ctx.fake("buddy", "answer");
    suspect.refutes = false;
    try {
      if (!(await joinFake(ctx, suspect))) return [finding(false, "LIFEGUARD-BUDDY-1", `${suspect.name} known`, "it was never pinged after its alive")];
      const since = Date.now();
      ctx.send({ type: "suspect", body: { Incarnation: suspect.incarnation, Node: suspect.name, From: ctx.driver.name } });
      const ping = await ctx.heard(suspect, since + 50, (m) => m.type === "ping", (2 * (ctx.fakes.length + 3) + 1) * ctx.timing.periodMs);
      const sameDatagram = ping ? suspect.heard.filter((h) => h.at === ping.at && h.transport === ping.transport) : [];
      const carries = sameDatagram.some((h) => about(h.message, suspect.name) === "suspect");
      await ctx.retire([suspect.name]);
      return [
        finding(
          carries,
          "LIFEGUARD-BUDDY-1",
          `the node's ping to ${suspect.name}, held suspect, carries suspect(${suspect.name})`,
          ping
            ? `the ping came ${ping.outer === "compound" ? "in a compound with" : "with"}: ${sameDatagram.map((h) => h.message.type).join(", ")}`
            : "no ping reached it",
        ),
      ];
    } finally {
      await suspect.close();
    }
  },
};

/**
 * Runs cases side by side, each on members of its own: what they watch takes protocol periods, and
 * one conformance run must stay under a minute at memberlist's 1 s period.
 */
function together(name: string, cases: Case[]): Case {
  return {
    name,
    requirements: cases.flatMap((c) => c.requirements),
    async run(ctx) {
      const all = await Promise.all(
        cases.map((c) => {
          const missing = unmetNeeds(c.needs ?? [], ctx.sut, false, false);
          return missing ? Promise.resolve(c.requirements.map((id) => skip(id, c.name, missing))) : c.run(ctx);
        }),
      );
      return all.flat();
    },
  };
}

export const DETECTION_CASES: Case[] = [
  refute,
  dissemination,
  together("members that stop answering, leave, or are suspected; an update's transmissions counted", [stopsAnswering, leftMember, buddy, retransmit]),
];

/** Last of all, since it ends the node's membership: asked to leave, it must tell the others (a dead message from itself). */
export const LEAVE_CASE: Case = {
  name: "the node leaves",
  requirements: ["SWIM-LEFT-2"],
  needs: ["owned"],
  async run(ctx) {
    const since = Date.now();
    // A node the harness started leaves on its stop signal (memberlist's Leave, Serf's leave); another through its admin API.
    if (ctx.sut.owned) await ctx.sut.stop();
    else if (ctx.sut.admin) await ctx.sut.admin.leave();
    else return [skip("SWIM-LEFT-2", "the node asked to leave", "a --target without an admin API cannot be asked to leave")];
    const told = await pollFor(
      () => [...ctx.fakes, ctx.shared].find((f) => f.heardSince(since).some((h) => about(h.message, ctx.self.name) === "left")),
      5 * ctx.timing.periodMs,
      ctx.signal,
    );
    return [
      finding(
        !!told,
        "SWIM-LEFT-2",
        `a dead message about ${ctx.self.name} from itself reaches another member`,
        told ? `${told.name} heard it within ${Date.now() - since} ms` : "no member heard it",
      ),
    ];
  },
};
