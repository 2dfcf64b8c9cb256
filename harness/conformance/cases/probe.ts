// Direct and indirect probes answered by the implementation: ping → ack, ping-req → ack or nack.
import { median } from "simple-statistics";
import { WIRE_VERSION } from "../../../specs/wire/messages.js";
import { type ConformanceCase, fail, finding } from "../case.js";
import { FakeMember } from "../fake-member.js";
import type { Outcome } from "../wire-client.js";

export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case "reply":
      return `${outcome.message.type}${"seq" in outcome.message ? ` seq ${outcome.message.seq}` : ""} after ${outcome.ms} ms`;
    case "closed":
      return `connection closed without a reply after ${outcome.ms} ms`;
    case "timeout":
      return `no reply within ${outcome.ms} ms`;
    default:
      return `${outcome.kind}: ${outcome.detail}`;
  }
}

const ping: ConformanceCase = {
  name: "ping is acked with its seq",
  requirements: ["SWIM-PING-1"],
  async run(ctx) {
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const seq = 7_000_000 + i * 977;
      const outcome = await ctx.send({ v: WIRE_VERSION, type: "ping", from: ctx.driver.peer, seq, updates: [], kv: [] });
      const ok = outcome.kind === "reply" && outcome.message.type === "ack" && outcome.message.seq === seq;
      if (!ok) return [fail("SWIM-PING-1", `ack seq ${seq}`, describeOutcome(outcome))];
      latencies.push(outcome.ms);
    }
    return [
      finding(
        true,
        "SWIM-PING-1",
        "20 pings each acked with the same seq",
        `20 of 20 acked; median round trip ${median(latencies)} ms, max ${Math.max(...latencies)} ms`,
      ),
    ];
  },
};

const pingForAnother: ConformanceCase = {
  name: "ping meant for another member",
  requirements: ["SWIM-PING-2"],
  async run(ctx) {
    const seq = ctx.seq();
    const outcome = await ctx.send({ v: WIRE_VERSION, type: "ping", from: ctx.driver.peer, seq, target: "not-this-member", updates: [], kv: [] });
    return [finding(outcome.kind !== "reply" || outcome.message.type !== "ack", "SWIM-PING-2", "no ack (connection closed)", describeOutcome(outcome))];
  },
};

const pingReqAnswered: ConformanceCase = {
  name: "ping-req to a member that answers",
  requirements: ["SWIM-PINGREQ-1"],
  async run(ctx) {
    const target = ctx.fakes[1]!;
    const since = Date.now();
    const seq = ctx.seq();
    const outcome = await ctx.send({ v: WIRE_VERSION, type: "ping-req", from: ctx.driver.peer, seq, target: target.peer, updates: [], kv: [] }, 5000);
    const relayed = target.messagesSince(since, "ping").length;
    const acked = outcome.kind === "reply" && outcome.message.type === "ack" && outcome.message.seq === seq;
    return [
      finding(
        acked && relayed > 0,
        "SWIM-PINGREQ-1",
        `a ping reaches ${target.id}, then ack seq ${seq}`,
        `${relayed} ping(s) reached ${target.id}; reply: ${describeOutcome(outcome)}`,
      ),
    ];
  },
};

const pingReqSilent: ConformanceCase = {
  name: "ping-req to a member that does not answer",
  requirements: ["SWIM-PINGREQ-2", "SWIM-PINGREQ-3"],
  async run(ctx) {
    const silent = await FakeMember.start(ctx.memberId("silent"), "silent", ctx.log);
    try {
      const seq = ctx.seq();
      const outcome = await ctx.send({ v: WIRE_VERSION, type: "ping-req", from: ctx.driver.peer, seq, target: silent.peer, updates: [], kv: [] }, 5000);
      const reached = silent.received.length;
      const reply = outcome.kind === "reply" ? outcome.message : undefined;
      const actual = `${reached} ping(s) reached the target; reply: ${describeOutcome(outcome)}`;
      return [
        finding(reply?.type === "nack" && reply.seq === seq, "SWIM-PINGREQ-2", `nack seq ${seq}`, actual),
        finding(reply?.type !== "ack", "SWIM-PINGREQ-3", "anything but an ack", actual),
      ];
    } finally {
      await silent.close();
    }
  },
};

export const PROBE_CASES: ConformanceCase[] = [ping, pingForAnother, pingReqAnswered, pingReqSilent];
