// Members coming and going: `left` about others, full-state sync, and the node's own graceful leave.
import { WIRE_VERSION } from "../../../specs/wire/messages.js";
import { sendMessage } from "../wire-client.js";
import { type ConformanceCase, fail, finding } from "../case.js";
import { pollFor, sleep } from "../context.js";
import { FakeMember } from "../fake-member.js";
import { detectorFamily } from "../family.js";
import { heardSince, piggybacked, whoAmI } from "./gossip.js";

/** A member that answers is announced, probed, then announced `left`: it must not be probed or accused afterwards. */
const leftMember: ConformanceCase = {
  name: "a member that left",
  requirements: ["SWIM-LEFT-1"],
  async run(ctx) {
    const member = await FakeMember.start(ctx.memberId("leaver"), "answer", ctx.log);
    try {
      // Under a φ detector nobody pings, and a member that sends no heartbeats is convicted within a
      // second: the case then tells `left` at once and judges only what comes after it.
      const phi = detectorFamily(ctx.sut) === "phi";
      let eventsFrom = ctx.sut.admin ? (await ctx.sut.admin.events()).next : 0;
      await ctx.tell([{ state: "alive", id: member.id, addr: member.addr, incarnation: 1 }]);
      const probedMs = 4 * (ctx.fakes.length + 2) * ctx.timing.periodMs;
      if (!phi) await pollFor(() => (member.received.some((r) => r.message.type === "ping") ? true : undefined), probedMs, ctx.signal);
      const pingedBefore = member.received.some((r) => r.message.type === "ping");
      if (phi && ctx.sut.admin) eventsFrom = (await ctx.sut.admin.events()).next;
      await ctx.tell([{ state: "left", id: member.id, addr: member.addr, incarnation: 1, by: member.id }]);
      // A probe already under way may still arrive: allow one period, then watch for ten.
      await sleep(ctx.timing.periodMs, ctx.signal);
      const quietFrom = Date.now();
      await sleep(10 * ctx.timing.periodMs, ctx.signal);
      const pingsAfter = member.messagesSince(quietFrom, "ping").length;
      const problems: string[] = [];
      if (pingsAfter > 0) problems.push(`pinged ${pingsAfter} time(s) after it left`);
      if (ctx.sut.admin) {
        const shown = (await ctx.view()).get(member.id);
        if (shown?.state !== "left") problems.push(`view shows ${shown ? shown.state : "nothing"} instead of left`);
        const { events } = await ctx.sut.admin.events(eventsFrom);
        const accused = events.filter((e) => e.id === member.id && (e.to === "suspect" || e.to === "dead"));
        if (accused.length > 0) problems.push(`declared ${accused.map((e) => e.to).join(", ")}`);
      }
      return [
        finding(
          problems.length === 0,
          "SWIM-LEFT-1",
          `shown left, not pinged during the ${10 * ctx.timing.periodMs} ms after, never suspected or dead`,
          problems.length === 0 ? `as expected (${pingedBefore ? "it was probed before it left" : "it was not probed before it left"})` : problems.join("; "),
        ),
      ];
    } finally {
      await member.close();
    }
  },
};

/** A sync that carries a new member: the reply must carry the node's full state, and the new member must be merged. */
const sync: ConformanceCase = {
  name: "sync exchanges full state",
  requirements: ["SWIM-SYNC-1"],
  async run(ctx) {
    const newcomer = ctx.memberId("synced");
    const members = [
      ...ctx.fakes.map((f) => ({ id: f.id, addr: f.addr, state: "alive" as const, incarnation: 0 })),
      { id: newcomer, addr: ctx.shared.addr, state: "alive" as const, incarnation: 3 },
    ];
    const outcome = await ctx.send({ v: WIRE_VERSION, type: "sync", from: ctx.driver.peer, join: false, members });
    if (outcome.kind !== "reply" || outcome.message.type !== "sync")
      return [fail("SWIM-SYNC-1", "a sync reply", outcome.kind === "reply" ? `a ${outcome.message.type}` : outcome.kind)];
    const reply = outcome.message;
    const self = reply.members.find((m) => m.id === reply.from.id);
    const missingFakes = ctx.fakes.filter((f) => !reply.members.some((m) => m.id === f.id)).map((f) => f.id);
    const merged = await pollFor(
      async () => {
        const again = await ctx.send({ v: WIRE_VERSION, type: "sync", from: ctx.driver.peer, join: false, members: [] });
        return again.kind === "reply" && again.message.type === "sync" && again.message.members.some((m) => m.id === newcomer && m.incarnation === 3)
          ? true
          : undefined;
      },
      3000,
      ctx.signal,
      200,
    );
    await ctx.retire([newcomer]);
    const problems = [
      ...(self?.state === "alive" ? [] : [`the reply does not list ${reply.from.id} itself as alive`]),
      ...(missingFakes.length > 0 ? [`the reply leaves out ${missingFakes.join(", ")}`] : []),
      ...(merged ? [] : [`${newcomer} was not merged (a later sync reply does not carry it)`]),
    ];
    return [
      finding(
        problems.length === 0,
        "SWIM-SYNC-1",
        `a sync reply listing the node itself and the ${ctx.fakes.length} fake members; ${newcomer} merged`,
        problems.length === 0 ? `reply with ${reply.members.length} members; ${newcomer} merged` : problems.join("; "),
      ),
    ];
  },
};

/**
 * A stranger (a member the node has never heard of) pings it. Its replies to whatever the node asks
 * it, a sync included, come from it but list nobody, so the node never learns it. A node that pulls
 * an unknown sender's state on every reply asks again at once, and again: a storm that starves the
 * stranger and everyone who shares its machine. Counted: every request the stranger receives.
 */
const noStorm: ConformanceCase = {
  name: "an unknown sender draws no storm of requests",
  requirements: ["WIRE-AMPLIFY-1"],
  async run(ctx) {
    const stranger = await FakeMember.start(ctx.memberId("stranger"), "answer", ctx.log);
    try {
      const watchMs = Math.max(10 * ctx.timing.periodMs, 2000);
      const since = Date.now();
      await sendMessage(
        ctx.sut.wire,
        { v: WIRE_VERSION, type: "ping", from: stranger.peer, seq: ctx.seq(), updates: [], kv: [] },
        { timeoutMs: 2000, log: ctx.log },
      );
      await sleep(watchMs, ctx.signal);
      const requests = stranger.messagesSince(since);
      const limit = Math.ceil(watchMs / ctx.timing.periodMs);
      const kinds = [...new Set(requests.map((r) => r.message.type))].join(", ");
      return [
        finding(
          requests.length <= limit,
          "WIRE-AMPLIFY-1",
          `at most ${limit} requests to the stranger in ${watchMs} ms (one per ${ctx.timing.periodMs} ms period)`,
          `${requests.length} request(s)${kinds ? ` (${kinds})` : ""}`,
        ),
      ];
    } finally {
      await stranger.close();
    }
  },
};

/** Run last: the node leaves the cluster (and the reference node exits). */
const leave: ConformanceCase = {
  name: "graceful leave",
  requirements: ["SWIM-LEFT-2"],
  needs: ["admin", "owned"],
  async run(ctx) {
    const me = await whoAmI(ctx);
    const since = Date.now();
    await ctx.sut.admin!.leave();
    const windowMs = Math.max(20 * ctx.timing.periodMs, 2000);
    const heard = await pollFor(
      () => heardSince(ctx, since).find((h) => piggybacked(h).some((u) => u.id === me?.id && u.state === "left")),
      windowMs,
      ctx.signal,
    );
    return [
      finding(
        heard !== undefined,
        "SWIM-LEFT-2",
        `left(${me?.id ?? "the node"}) reaches a fake member within ${windowMs} ms`,
        heard ? `${heard.by} heard it on a ${heard.message.type} after ${heard.at - since} ms` : "no fake member heard it",
      ),
    ];
  },
};

export const MEMBERSHIP_CASES: ConformanceCase[] = [leftMember, sync, noStorm];
export const LEAVE_CASE = leave;
