// memberlist's packet framing: compound packets, CRC frames, compression, and what a node must drop
// (an unknown message type, a body of the wrong shape). Each packet carries pings, so what the node
// handled shows as acks.
import msgpack5 from "msgpack5";
import { encodePacket, type Packet } from "../../../../specs/wire/memberlist/codec.js";
import { lzwCompress } from "../../../../specs/wire/memberlist/lzw.js";
import { type ConformanceCase, finding } from "../../case.js";
import { pollFor, sleep } from "../../context.js";
import { isAck, type MemberlistContext } from "../context.js";

type Case = ConformanceCase<MemberlistContext>;

/** How long an ack may take on loopback (and so how long one that should not come is watched); how long to let a drop settle. */
const ACK_MS = 1000;
const QUIET_MS = 300;

const pingOf = (ctx: MemberlistContext, seq: number): Packet => ({ type: "ping", body: { SeqNo: seq, Node: ctx.self.name } });

/** Sends bytes from the driver and reports which of `seqs` were acked. */
async function acked(ctx: MemberlistContext, bytes: Uint8Array, seqs: number[], note: string): Promise<number[]> {
  const since = Date.now();
  const ackedNow = () => seqs.filter((s) => ctx.driver.heard.some((h) => h.at >= since && isAck(h.message, s)));
  ctx.driver.sendBytes(bytes, ctx.sut.wire, { note });
  // Every ack, or the time is up (a packet that should be dropped always waits the whole time).
  await pollFor(() => (ackedNow().length === seqs.length ? true : undefined), ACK_MS, ctx.signal, 20);
  return ackedNow();
}

const list = (seqs: number[]) => (seqs.length ? seqs.join(", ") : "none");

const compound: Case = {
  name: "compound packets",
  requirements: ["ML-COMPOUND-1", "ML-COMPOUND-2"],
  async run(ctx) {
    const seqs = [ctx.seq(), ctx.seq(), ctx.seq()];
    const whole = await acked(ctx, encodePacket({ type: "compound", parts: seqs.map((s) => pingOf(ctx, s)) }), seqs, "compound of 3 pings");
    const cut = [ctx.seq(), ctx.seq(), ctx.seq()];
    const bytes = encodePacket({ type: "compound", parts: cut.map((s) => pingOf(ctx, s)) });
    // The length table still promises three parts; the third one's last 3 bytes are missing.
    const short = await acked(ctx, bytes.subarray(0, bytes.length - 3), cut, "compound of 3 pings, the third cut short");
    return [
      finding(whole.length === 3, "ML-COMPOUND-1", `acks for SeqNo ${list(seqs)}`, `acked: ${list(whole)}`),
      finding(
        short.length === 2 && short.includes(cut[0]!) && short.includes(cut[1]!),
        "ML-COMPOUND-2",
        `acks for SeqNo ${cut[0]} and ${cut[1]}, none for the cut ${cut[2]}`,
        `acked: ${list(short)}`,
      ),
    ];
  },
};

const crc: Case = {
  name: "CRC-checked packets",
  requirements: ["ML-CRC-1"],
  async run(ctx) {
    const good = ctx.seq();
    const bad = ctx.seq();
    const okAck = await acked(ctx, encodePacket({ type: "hasCrc", crc: 0, valid: true, packet: pingOf(ctx, good) }), [good], "hasCrc, right CRC");
    const badBytes = encodePacket({ type: "hasCrc", crc: 0, valid: true, packet: pingOf(ctx, bad) });
    badBytes.writeUInt32BE((badBytes.readUInt32BE(1) ^ 0x1) >>> 0, 1);
    const badAck = await acked(ctx, badBytes, [bad], "hasCrc, CRC off by one bit");
    return [
      finding(
        okAck.length === 1 && badAck.length === 0,
        "ML-CRC-1",
        `ack for SeqNo ${good} (right CRC), none for ${bad} (wrong CRC)`,
        `acked: ${list([...okAck, ...badAck])}`,
      ),
    ];
  },
};

const compressed: Case = {
  name: "compressed messages",
  requirements: ["ML-COMPRESS-1"],
  async run(ctx) {
    const seq = ctx.seq();
    const inner = encodePacket(pingOf(ctx, seq));
    const bytes = encodePacket({ type: "compress", body: { Algo: 0, Buf: lzwCompress(inner) } });
    const got = await acked(ctx, bytes, [seq], "LZW-compressed ping");
    return [finding(got.length === 1, "ML-COMPRESS-1", `ack for the compressed ping's SeqNo ${seq}`, `acked: ${list(got)}`)];
  },
};

/** A ping with every byte right except the type byte, or a body whose SeqNo is a string: the spec says drop both. */
const mutated: Case = {
  name: "mutated messages are dropped",
  requirements: ["ML-TYPE-1", "ML-DECODE-1"],
  async run(ctx) {
    const typeSeq = ctx.seq();
    const wrongType = encodePacket(pingOf(ctx, typeSeq));
    wrongType[0] = 99;
    const typeAck = await acked(ctx, wrongType, [typeSeq], "a ping with message type 99");
    const decodeSeq = ctx.seq();
    // go-msgpack's map of the ping, SeqNo written as a string.
    const body = msgpack5({ compatibilityMode: true }).encode({ Node: ctx.self.name, SeqNo: String(decodeSeq) });
    const decodeAck = await acked(ctx, Buffer.concat([Buffer.of(0), body.slice()]), [decodeSeq], "a ping whose SeqNo is a msgpack string");
    await sleep(QUIET_MS, ctx.signal);
    const after = ctx.seq();
    const alive = await ctx.ping(after);
    const still = alive ? `; a ping afterwards was acked` : "; a ping afterwards was not acked";
    return [
      finding(
        typeAck.length === 0 && !!alive,
        "ML-TYPE-1",
        "no ack to a ping whose type byte is 99, and the node still answers",
        `acked: ${list(typeAck)}${still}`,
      ),
      finding(
        decodeAck.length === 0 && !!alive,
        "ML-DECODE-1",
        "no ack to a ping whose SeqNo is a string, and the node still answers",
        `acked: ${list(decodeAck)}${still}`,
      ),
    ];
  },
};

export const FRAMING_CASES: Case[] = [compound, crc, compressed, mutated];
