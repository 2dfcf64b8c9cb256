// Encryption on memberlist's wire: a second node of the implementation, keyed with a two-key ring
// (key rotation), gets pings sealed every way and in the clear. What it acks shows what it opened.
import { randomBytes } from "node:crypto";
import { encodePacket, type Packet } from "../../../../specs/wire/memberlist/codec.js";
import { NONCE_SIZE } from "../../../../specs/wire/memberlist/security.js";
import { type ConformanceCase, type Finding, finding, skip } from "../../case.js";
import { pollFor } from "../../context.js";
import { isAck, type MemberlistContext, streamRequest, whoIs } from "../context.js";
import { MemberlistFake } from "../fake-peer.js";

type Case = ConformanceCase<MemberlistContext>;

const REQUIREMENTS = ["ML-ENC-1", "ML-ENC-2", "ML-ENC-3", "ML-KEYRING-1"];

const keyed: Case = {
  name: "a keyed node",
  requirements: REQUIREMENTS,
  async run(ctx) {
    if (!ctx.sut.startKeyed) {
      const why = ctx.sut.owned
        ? "the harness cannot key this implementation: its manifest has no wire.keyringArgs"
        : "a --target runs with whatever keys it was started with: give a manifest (--sut) so that the harness can start a keyed node";
      return REQUIREMENTS.map((id) => skip(id, "a node keyed by the harness", why));
    }
    const [primary, secondary, stranger] = [randomBytes(32), randomBytes(16), randomBytes(32)];
    const node = await ctx.sut.startKeyed([primary, secondary].map((k) => k.toString("base64")));
    const fake = await MemberlistFake.start("keyed-driver", "answer", ctx.log, { keys: [primary, secondary] });
    try {
      const self = await whoIs(node.wire, ctx.log, { keys: [primary, secondary] });
      const ping = (seq: number): Packet => ({ type: "ping", body: { SeqNo: seq, Node: self.name } });
      /** Sends the ping sealed as asked (or in the clear), and says whether a sealed ack came back. */
      const trial = async (how: { key?: Buffer; version?: 0 | 1 }, label: string) => {
        const seq = ctx.seq();
        const packet: Packet = how.key
          ? { type: "encrypted", version: how.version ?? 1, nonce: randomBytes(NONCE_SIZE), keyIndex: 0, packet: ping(seq) }
          : ping(seq);
        const since = Date.now();
        fake.sendBytes(encodePacket(packet, how.key ? { key: how.key } : {}), node.wire, { packet, note: label });
        const ack = await pollFor(() => fake.heard.find((h) => h.at >= since && isAck(h.message, seq)), 1500, ctx.signal, 20);
        return { label, acked: !!ack, sealed: ack?.outer.startsWith("encrypted") ?? false };
      };
      const plain = await trial({}, "in the clear");
      const v1 = await trial({ key: primary, version: 1 }, "primary key, version 1");
      const v0 = await trial({ key: primary, version: 0 }, "primary key, version 0");
      const second = await trial({ key: secondary, version: 1 }, "second key of the ring");
      const wrong = await trial({ key: stranger, version: 1 }, "a key not in the ring");
      const plainStream = await streamRequest(
        node.wire,
        { type: "ping", body: { SeqNo: ctx.seq(), Node: self.name } },
        2000,
        ctx.log,
        undefined,
        "stream ping in the clear",
      );
      const streamAcked = plainStream.kind === "reply" && plainStream.message.type === "ack";
      const say = (t: { label: string; acked: boolean; sealed: boolean }) =>
        `${t.label}: ${t.acked ? (t.sealed ? "acked, sealed" : "acked in the clear") : "no ack"}`;
      const findings: Finding[] = [
        finding(
          !plain.acked && !streamAcked,
          "ML-ENC-1",
          "no ack to a plaintext ping, over UDP or TCP",
          `${say(plain)}; stream ping in the clear: ${plainStream.kind === "reply" ? plainStream.message.type : plainStream.kind}`,
        ),
        finding(!wrong.acked, "ML-ENC-2", "no ack to a ping sealed with a key not in its ring", say(wrong)),
        finding(
          v1.acked && v1.sealed && v0.acked && v0.sealed,
          "ML-ENC-3",
          "sealed acks to pings sealed with its key, versions 1 and 0",
          `${say(v1)}; ${say(v0)}`,
        ),
        finding(second.acked && second.sealed, "ML-KEYRING-1", "a sealed ack to a ping sealed with the ring's second key", say(second)),
      ];
      return findings;
    } finally {
      await fake.close();
      await node.stop();
    }
  },
};

export const KEYED_CASES: Case[] = [keyed];
