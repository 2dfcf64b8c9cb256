// memberlist's TCP side: the stream ping, the push-pull state exchange (the catalogue's sync), and
// what a join merges: the members carried come alive and are probed, unless their versions cannot work.
import type { StreamMessage } from "../../../../specs/wire/memberlist/codec.js";
import { type ConformanceCase, finding, skip } from "../../case.js";
import { pollFor } from "../../context.js";
import type { MemberlistContext, StreamOutcome } from "../context.js";
import { parseHostPort } from "../../../../specs/wire/address.js";

type Case = ConformanceCase<MemberlistContext>;

const show = (o: StreamOutcome) =>
  o.kind === "reply"
    ? `${o.message.type}${"body" in o.message && o.message.body && "SeqNo" in o.message.body ? ` SeqNo ${o.message.body.SeqNo}` : ""} after ${o.ms} ms`
    : `${o.kind} after ${o.ms} ms${"detail" in o ? `: ${o.detail}` : ""}`;

const streamPing: Case = {
  name: "ping over a TCP stream",
  requirements: ["ML-TCP-PING-1"],
  async run(ctx) {
    const seq = ctx.seq();
    const mine = await ctx.stream({ type: "ping", body: { SeqNo: seq, Node: ctx.self.name } });
    const other = ctx.seq();
    const theirs = await ctx.stream({ type: "ping", body: { SeqNo: other, Node: "not-this-node" } });
    const ok =
      mine.kind === "reply" && mine.message.type === "ack" && mine.message.body.SeqNo === seq && !(theirs.kind === "reply" && theirs.message.type === "ack");
    return [
      finding(
        ok,
        "ML-TCP-PING-1",
        `ack SeqNo ${seq} on the stream; no ack for a ping naming another node`,
        `own: ${show(mine)}; another node's: ${show(theirs)}`,
      ),
    ];
  },
};

const pushPull = (states: Extract<StreamMessage, { type: "pushPull" }>["states"], join: boolean): StreamMessage => ({
  type: "pushPull",
  header: { Nodes: states.length, UserStateLen: 0, Join: join },
  states,
  userState: new Uint8Array(),
});

const stateExchange: Case = {
  name: "push-pull state exchange",
  requirements: ["ML-PUSHPULL-1", "SWIM-SYNC-1"],
  async run(ctx) {
    const newcomer = await ctx.fake("pushed", "answer");
    try {
      const since = Date.now();
      const reply = await ctx.stream(pushPull([ctx.driver.state(), newcomer.state()], false));
      if (reply.kind !== "reply" || reply.message.type !== "pushPull") {
        const text = `reply: ${show(reply)}`;
        return [finding(false, "ML-PUSHPULL-1", "a push-pull back", text), finding(false, "SWIM-SYNC-1", "a push-pull back", text)];
      }
      const states = reply.message.states;
      const own = states.find((s) => s.Name === ctx.self.name);
      const fakesListed = ctx.fakes.filter((f) => states.some((s) => s.Name === f.name && s.State === 0)).length;
      const ownOk = own !== undefined && own.State === 0 && own.Port === parseHostPort(ctx.sut.wire).port && (own.Vsn?.length ?? 0) === 6;
      const listed = `${states.length} states: ${states.map((s) => `${s.Name}(${["alive", "suspect", "dead", "left"][s.State] ?? s.State}, ${s.Incarnation})`).join(", ")}`;
      // The members carried are merged: with a view, the newcomer shows alive in it; without one, it is probed within a round.
      const inView = ctx.sut.admin
        ? await pollFor(async () => ((await ctx.view()).get(newcomer.name)?.state === "alive" ? "alive" : undefined), 2 * ctx.timing.periodMs, ctx.signal)
        : undefined;
      const probed = ctx.sut.admin
        ? undefined
        : await ctx.heard(newcomer, since, (m) => m.type === "ping", (2 * (ctx.fakes.length + 2) + 1) * ctx.timing.periodMs);
      await ctx.retire([newcomer.name]);
      return [
        finding(
          ownOk && fakesListed === ctx.fakes.length,
          "ML-PUSHPULL-1",
          `${ctx.self.name} alive at ${ctx.sut.wire} with 6 version bytes, and the ${ctx.fakes.length} fake members alive`,
          listed,
        ),
        finding(
          ownOk && (ctx.sut.admin ? inView === "alive" : !!probed),
          "SWIM-SYNC-1",
          `its full state back, and ${newcomer.name} (carried) merged: ${ctx.sut.admin ? "alive in its view" : "probed"}`,
          `${listed}; ${newcomer.name} ${ctx.sut.admin ? `in its view: ${inView ?? "not alive within two periods"}` : probed ? "was probed" : "was never probed"}`,
        ),
      ];
    } finally {
      await newcomer.close();
    }
  },
};

/** Judged on what the join left: every fake member alive in the view and pinged within 2N − 1 periods of it. */
const joined: Case = {
  name: "what a join's push-pull merged",
  requirements: ["ML-PUSHPULL-2", "SWIM-PROBE-1"],
  async run(ctx) {
    const n = ctx.fakes.length;
    const windowMs = (2 * n - 1) * ctx.timing.periodMs;
    const since = ctx.joinedAt;
    // The window may have passed already (earlier cases ran during it); otherwise wait it out.
    await pollFor(() => (Date.now() - since >= windowMs + ctx.timing.periodMs ? true : undefined), windowMs + ctx.timing.periodMs, ctx.signal);
    const firstPing = ctx.fakes.map((f) => ({ name: f.name, at: f.heardSince(since, "ping")[0]?.at }));
    const unpinged = firstPing.filter((p) => p.at === undefined || p.at - since > windowMs).map((p) => p.name);
    const view = ctx.sut.admin ? await ctx.view().catch(() => undefined) : undefined;
    const notAlive = view ? ctx.fakes.filter((f) => view.get(f.name)?.state !== "alive").map((f) => f.name) : [];
    const times = firstPing.map((p) => `${p.name} ${p.at === undefined ? "never" : `${p.at - since} ms`}`).join(", ");
    return [
      finding(
        notAlive.length === 0 && unpinged.length === 0,
        "ML-PUSHPULL-2",
        `the ${n} members of the join alive${view ? " in its view" : ""} and probed`,
        `${view ? (notAlive.length ? `not alive in its view: ${notAlive.join(", ")}; ` : "all alive in its view; ") : ""}first pings after the join: ${times}`,
      ),
      finding(
        unpinged.length === 0,
        "SWIM-PROBE-1",
        `every member pinged within (2·${n} − 1) periods = ${windowMs} ms of the join`,
        `first pings after the join: ${times}`,
      ),
    ];
  },
};

const incompatible: Case = {
  name: "a member whose protocol versions cannot work is refused",
  requirements: ["ML-VSN-1"],
  async run(ctx) {
    const future = await ctx.fake("future", "answer");
    try {
      // Protocol 6–7: above memberlist 0.2's maximum of 5 (ProtocolVersionMax).
      const own = ctx.self.vsn;
      if (own[1]! >= 6)
        return [skip("ML-VSN-1", "a node whose maximum protocol is below 6", `its versions are ${[...own].join(",")}: 6 is not above its maximum`)];
      future.vsn = Uint8Array.of(6, 7, 6, own[3]!, own[4]!, own[5]!);
      const since = Date.now();
      const reply = await ctx.stream(pushPull([future.state()], true));
      // memberlist merges right after it answers (net.go:266–280): with a view, two periods show it; without one, a round of probes.
      const waitMs = (ctx.sut.admin ? 2 : 2 * (ctx.fakes.length + 2)) * ctx.timing.periodMs;
      const probed = await ctx.heard(future, since, (m) => m.type === "ping", waitMs);
      const inView = ctx.sut.admin ? (await ctx.view().catch(() => new Map())).get(future.name)?.state : undefined;
      return [
        finding(
          !probed && inView === undefined,
          "ML-VSN-1",
          `${future.name} (protocol 6–7) not merged: never probed${ctx.sut.admin ? ", absent from its view" : ""}`,
          `push-pull reply: ${show(reply)}; ${future.name} ${probed ? "was probed" : `was not probed in ${waitMs} ms`}${ctx.sut.admin ? `; view: ${inView ?? "absent"}` : ""}`,
        ),
      ];
    } finally {
      await future.close();
    }
  },
};

export const STREAM_CASES: Case[] = [streamPing, stateExchange, incompatible];
export const JOINED_CASE: Case = joined;
