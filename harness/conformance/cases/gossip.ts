// What the implementation says to others: refuting suspicion of itself, passing updates on, and how often.
import type { Message, MemberState, Update } from "../../../specs/wire/messages.js";
import { WIRE_VERSION } from "../../../specs/wire/messages.js";
import { type ConformanceCase, fail, type Finding, info, finding, skip } from "../case.js";
import { type CaseContext, pollFor, sleep } from "../context.js";
import type { Outcome } from "../wire-client.js";

/** A message the implementation sent, as some fake member (or the harness's client) received it. */
interface Heard {
  at: number;
  by: string;
  message: Message;
}

/** Everything the implementation sent since `since`: to the fake members, and as replies to the harness. */
function heardSince(ctx: CaseContext, since: number, replies: Heard[] = []): Heard[] {
  const fromFakes = [...ctx.fakes, ctx.shared].flatMap((f) => f.messagesSince(since).map((r) => ({ at: r.at, by: f.id, message: r.message })));
  return [...fromFakes, ...replies].sort((a, b) => a.at - b.at);
}

/** Piggybacked updates only: a sync carries full state, which is not dissemination. */
function piggybacked(heard: Heard): Update[] {
  return heard.message.type !== "sync" && "updates" in heard.message ? heard.message.updates : [];
}

const asHeard = (outcome: Outcome, by = "client"): Heard[] => (outcome.kind === "reply" ? [{ at: Date.now(), by, message: outcome.message }] : []);

/** The implementation's own id and incarnation, from the sync it answers with (works without an admin API). */
async function whoAmI(ctx: CaseContext): Promise<{ id: string; incarnation: number; addr: string } | undefined> {
  const outcome = await ctx.send({ v: WIRE_VERSION, type: "sync", from: ctx.driver.peer, join: false, members: [] });
  if (outcome.kind !== "reply" || outcome.message.type !== "sync") return undefined;
  const reply = outcome.message;
  const self = reply.members.find((m) => m.id === reply.from.id);
  return self ? { id: self.id, incarnation: self.incarnation, addr: self.addr } : undefined;
}

function refuteCase(state: Extract<MemberState, "suspect" | "dead">, requirement: string): ConformanceCase {
  return {
    name: `refutes being ${state}`,
    requirements: [requirement],
    async run(ctx) {
      const me = await whoAmI(ctx);
      if (!me) return [fail(requirement, "a sync reply naming the node itself", "no usable sync reply (see SWIM-SYNC-1)")];
      const since = Date.now();
      const outcome = await ctx.tell([{ state, id: me.id, addr: me.addr, incarnation: me.incarnation, by: ctx.driver.id }]);
      const expected = `alive(${me.id}) with incarnation > ${me.incarnation} spread within ${20 * ctx.timing.periodMs} ms`;
      const refuted = (heard: Heard[]) => heard.flatMap(piggybacked).find((u) => u.id === me.id && u.state === "alive" && u.incarnation > me.incarnation);
      const found = await pollFor(() => refuted(heardSince(ctx, since, asHeard(outcome))), 20 * ctx.timing.periodMs, ctx.signal);
      const after = await whoAmI(ctx);
      return [
        finding(
          found !== undefined,
          requirement,
          expected,
          found
            ? `alive(${found.incarnation}) spread; incarnation now ${after?.incarnation ?? "?"}`
            : `no refutation heard; incarnation now ${after?.incarnation ?? "?"}`,
        ),
      ];
    },
  };
}

/**
 * A made-up member is announced to the implementation once. It should pass the news to other members
 * (dissemination), a bounded number of times (retransmit limit), and then stop.
 */
const dissemination: ConformanceCase = {
  name: "updates are passed on, a bounded number of times",
  requirements: ["SWIM-DISSEM-1", "SWIM-RETRANSMIT-1"],
  async run(ctx) {
    const id = ctx.memberId("rumor");
    const since = Date.now();
    const outcome = await ctx.tell([{ state: "alive", id, addr: ctx.shared.addr, incarnation: 7 }]);
    const replies = asHeard(outcome, ctx.driver.id);
    const carrying = () => heardSince(ctx, since, replies).filter((h) => piggybacked(h).some((u) => u.id === id && u.state === "alive" && u.incarnation === 7));
    const spreadMs = 20 * ctx.timing.periodMs;
    const onward = await pollFor(() => carrying().find((h) => h.by !== ctx.driver.id), spreadMs, ctx.signal);
    const findings: Finding[] = [
      finding(
        onward !== undefined,
        "SWIM-DISSEM-1",
        `alive(${id}) piggybacked to a member other than the one that told it, within ${spreadMs} ms`,
        onward
          ? `reached ${onward.by} on a ${onward.message.type} after ${onward.at - since} ms`
          : `heard ${carrying().length} time(s), never by another member`,
      ),
    ];
    if (!onward) {
      findings.push(skip("SWIM-RETRANSMIT-1", "a bounded number of transmissions", "the update was never passed on (see SWIM-DISSEM-1)"));
      await ctx.retire([id]);
      return findings;
    }
    // Watch long enough for every transmission a correct node could still make, then a quiet stretch.
    const watchMs = Math.max(30 * ctx.timing.periodMs, 3000);
    await sleep(watchMs, ctx.signal);
    const all = carrying();
    const quietFromMs = watchMs / 2;
    const late = all.filter((h) => h.at - since > quietFromMs);
    const n = ctx.sut.admin ? [...(await ctx.view()).values()].filter((m) => m.state === "alive" || m.state === "suspect").length : ctx.fakes.length + 2;
    const mult = ctx.timing.retransmitMult;
    // The node's own N may differ by one from ours (whether it counts itself or the new member yet).
    const limit = mult === undefined ? undefined : mult * Math.ceil(Math.log10(n + 2));
    const expected =
      limit === undefined
        ? `transmissions stop (none in the last ${watchMs - quietFromMs} ms)`
        : `at most ${limit} transmissions (retransmitMult ${mult}, N ≈ ${n}), none in the last ${watchMs - quietFromMs} ms`;
    findings.push(
      finding(
        late.length === 0 && (limit === undefined || all.length <= limit),
        "SWIM-RETRANSMIT-1",
        expected,
        `${all.length} transmission(s), the last ${all.length > 0 ? all[all.length - 1]!.at - since : 0} ms after it was told`,
      ),
      info("SWIM-RETRANSMIT-1", "who heard it", all.map((h) => `${h.by}/${h.message.type}@+${h.at - since}`).join(" "), "transmissions"),
    );
    await ctx.retire([id]);
    return findings;
  },
};

export const GOSSIP_CASES: ConformanceCase[] = [refuteCase("suspect", "SWIM-REFUTE-1"), refuteCase("dead", "SWIM-REFUTE-2"), dissemination];
export { heardSince, piggybacked, whoAmI };
