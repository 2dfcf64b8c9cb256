// Probes on memberlist's wire: the catalogue's ping and ping-req requirements (SWIM-PING, SWIM-PINGREQ)
// said with memberlist's ping and indirect ping, and memberlist's own rules about where acks go.
import { type ConformanceCase, finding } from "../../case.js";
import { isAck, isNack, type MemberlistContext } from "../context.js";
import type { Heard } from "../fake-peer.js";
import { parseHostPort } from "../../../../specs/wire/address.js";

type Case = ConformanceCase<MemberlistContext>;

const LOOPBACK = Uint8Array.of(127, 0, 0, 1);
const seen = (h: Heard | undefined) => (h ? `${h.message.type} after the request (${h.transport}, ${h.outer})` : "nothing");
/** How long an answer that needs one probe of a target may take: memberlist waits ProbeTimeout (≤ the period) before a nack. */
const answerWithin = (ctx: MemberlistContext) => 2 * ctx.timing.periodMs + 1000;

const ping: Case = {
  name: "ping is acked with its SeqNo",
  requirements: ["SWIM-PING-1"],
  async run(ctx) {
    const missed: number[] = [];
    for (let i = 0; i < 20; i++) {
      const seq = 7_000_000 + i * 977;
      if (!(await ctx.ping(seq))) missed.push(seq);
    }
    return [
      finding(
        missed.length === 0,
        "SWIM-PING-1",
        "20 UDP pings, each acked with its SeqNo",
        missed.length ? `no ack for SeqNo ${missed.join(", ")}` : "20 of 20 acked",
      ),
    ];
  },
};

const pingForAnother: Case = {
  name: "ping addressed to another node",
  requirements: ["SWIM-PING-2"],
  async run(ctx) {
    const seq = ctx.seq();
    const ack = await ctx.ping(seq, "not-this-node", 1000);
    return [finding(!ack, "SWIM-PING-2", 'no ack to a ping whose Node is "not-this-node"', seen(ack))];
  },
};

const ackToSource: Case = {
  name: "the ack goes where the ping says it came from",
  requirements: ["ML-PING-1"],
  async run(ctx) {
    const other = ctx.fakes[1]!;
    const seq = ctx.seq();
    const since = Date.now();
    ctx.send({ type: "ping", body: { SeqNo: seq, Node: ctx.self.name, SourceAddr: LOOPBACK, SourcePort: other.port, SourceNode: other.name } });
    const there = await ctx.heard(other, since, (m) => isAck(m, seq), 2000);
    const here = ctx.driver.heard.find((h) => h.at >= since && isAck(h.message, seq));
    return [
      finding(
        !!there && !here,
        "ML-PING-1",
        `a ping sent from ${ctx.driver.name} naming ${other.name}'s address as its source is acked to ${other.name}`,
        `${other.name} heard ${seen(there)}; ${ctx.driver.name} (the packet's source) heard ${seen(here)}`,
      ),
    ];
  },
};

const indirectAnswered: Case = {
  name: "indirect ping to a member that answers",
  requirements: ["SWIM-PINGREQ-1", "ML-INDIRECT-1"],
  async run(ctx) {
    const target = ctx.fakes[1]!;
    const seq = ctx.seq();
    const since = Date.now();
    ctx.send({ type: "indirectPing", body: { SeqNo: seq, Target: LOOPBACK, Port: target.port, Node: target.name, Nack: true } });
    const relayed = await ctx.heard(target, since, (m) => m.type === "ping" && m.body.Node === target.name, answerWithin(ctx));
    const ack = await ctx.heard(ctx.driver, since, (m) => isAck(m, seq), answerWithin(ctx));
    const relay = relayed?.message.type === "ping" ? relayed.message.body : undefined;
    const { host, port } = parseHostPort(ctx.sut.wire);
    const sourceOk = relay !== undefined && relay.SourceNode === ctx.self.name && relay.SourcePort === port && [...(relay.SourceAddr ?? [])].join(".") === host;
    const relayText = relay
      ? `${target.name} heard ping SeqNo ${relay.SeqNo} Node ${relay.Node} from ${relay.SourceNode ?? "-"} at ${[...(relay.SourceAddr ?? [])].join(".")}:${relay.SourcePort ?? "-"}`
      : `${target.name} heard no ping`;
    return [
      finding(
        !!relayed && !!ack,
        "SWIM-PINGREQ-1",
        `a ping reaches ${target.name}, then ack SeqNo ${seq}`,
        `${relayText}; ${ctx.driver.name} heard ${seen(ack)}`,
      ),
      finding(
        sourceOk && relay!.SeqNo !== seq && !!ack,
        "ML-INDIRECT-1",
        `the relayed ping names ${target.name}, comes from ${ctx.self.name} at ${ctx.sut.wire} with a SeqNo of its own; the ack is relayed with SeqNo ${seq}`,
        `${relayText}; ${ctx.driver.name} heard ${seen(ack)}`,
      ),
    ];
  },
};

const indirectSilent: Case = {
  name: "indirect ping to a member that does not answer",
  requirements: ["SWIM-PINGREQ-2", "SWIM-PINGREQ-3", "ML-INDIRECT-2"],
  async run(ctx) {
    const silent = await ctx.fake("silent", "silent");
    try {
      const ask = async (nack: boolean) => {
        const seq = ctx.seq();
        const since = Date.now();
        ctx.send({ type: "indirectPing", body: { SeqNo: seq, Target: LOOPBACK, Port: silent.port, Node: silent.name, Nack: nack } });
        const nacked = await ctx.heard(ctx.driver, since, (m) => isNack(m, seq), answerWithin(ctx));
        const acked = ctx.driver.heard.find((h) => h.at >= since && isAck(h.message, seq));
        return { seq, nacked, acked, reached: silent.heardSince(since, "ping").length };
      };
      const [withNack, withoutNack] = await Promise.all([ask(true), ask(false)]);
      const text = (r: Awaited<ReturnType<typeof ask>>) => `${r.reached} ping(s) reached the target; nack: ${seen(r.nacked)}; ack: ${seen(r.acked)}`;
      return [
        finding(!!withNack.nacked, "SWIM-PINGREQ-2", `nack SeqNo ${withNack.seq}`, text(withNack)),
        finding(
          !withNack.acked && !withoutNack.acked,
          "SWIM-PINGREQ-3",
          "no ack for either indirect ping",
          `${text(withNack)}; without Nack: ${text(withoutNack)}`,
        ),
        finding(!withoutNack.nacked, "ML-INDIRECT-2", `no nack for SeqNo ${withoutNack.seq} (Nack false)`, text(withoutNack)),
      ];
    } finally {
      await silent.close();
    }
  },
};

export const PROBE_CASES: Case[] = [ping, pingForAnother, ackToSource, indirectAnswered, indirectSilent];
