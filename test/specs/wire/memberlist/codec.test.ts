// memberlist's wire spec against packets a real memberlist node sent (fixtures/wire/memberlist/
// captured.json, from `npm run capture:memberlist`): each decodes under the schemas, and the codec
// writes it back byte for byte. Then round trips of generated bodies, and the frames' failure modes.
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import t from "tap";
import { packageRoot } from "../../../../harness/paths.js";
import { decodeBody, decodePacket, decodeStream, encodeBody, encodePacket, encodeStream, type Packet } from "../../../../specs/wire/memberlist/codec.js";
import { lzwDecompress } from "../../../../specs/wire/memberlist/lzw.js";
import { decryptPayload, encryptPayload } from "../../../../specs/wire/memberlist/security.js";
import { BODIES, type Field } from "../../../../specs/wire/memberlist/messages.js";

interface Captured {
  source: string;
  packets: { transport: "udp" | "tcp"; context: string; shape: string; hex: string }[];
}
const udp = () => captured.packets.filter((p) => p.transport === "udp");
const tcp = () => captured.packets.filter((p) => p.transport === "tcp");
const load = (file: string) =>
  JSON.parse(readFileSync(path.join(packageRoot(), "fixtures", "wire", "memberlist", file), "utf8")) as Captured & { key?: string };
const captured = load("captured.json");
const keyed = load("captured-keyed.json");

/** The messages inside a packet, unwrapped from CRC, compression and compounds. */
const messages = (packet: Packet): Packet[] =>
  packet.type === "hasCrc" || packet.type === "encrypted"
    ? messages(packet.packet)
    : packet.type === "compress"
      ? packet.packet
        ? messages(packet.packet)
        : []
      : packet.type === "compound"
        ? packet.parts.flatMap(messages)
        : [packet];

t.test("every packet a real memberlist node sent decodes under the spec and re-encodes byte for byte", async (t) => {
  t.match(captured.source, /^memberlist 0\.2\.2/);
  t.ok(captured.packets.length >= 10, `${captured.packets.length} packets`);
  for (const { shape, hex, context } of udp()) {
    const bytes = Buffer.from(hex, "hex");
    const packet = decodePacket(bytes);
    t.equal(encodePacket(packet).toString("hex"), hex, `${shape} (${context}): the same bytes`);
    if (packet.type === "hasCrc") t.ok(packet.valid, `${shape}: its CRC-32 checks`);
  }
  const shapes = new Set(udp().map((p) => p.shape));
  for (const wanted of ["ping", "ack", "nack", "hasCrc > suspect", "hasCrc > dead", "hasCrc > compound > ping, suspect"])
    t.ok(shapes.has(wanted), `the capture holds ${wanted}`);
  t.ok(
    [...shapes].some((s) => s.startsWith("compress > compound")),
    "and a compressed compound, decompressed (LZW)",
  );
});

t.test("every message a real memberlist node wrote on a stream decodes and re-encodes byte for byte", async (t) => {
  for (const { shape, hex, context } of tcp()) {
    const { message, rest } = decodeStream(Buffer.from(hex, "hex"));
    t.equal(rest.length, 0, `${shape} (${context}): one whole message`);
    t.equal(encodeStream(message).toString("hex"), hex, `${shape}: the same bytes`);
  }
  const join = tcp().find((p) => p.shape === "compress > pushPull");
  t.ok(join, "the node's join: a compressed push-pull");
  const { message } = decodeStream(Buffer.from(join!.hex, "hex"));
  const inner = message.type === "compress" ? message.message : undefined;
  t.match(inner, { type: "pushPull", header: { Join: true, UserStateLen: 0 } }, "a join's state exchange");
  if (inner?.type === "pushPull") {
    t.equal(inner.header.Nodes, inner.states.length);
    t.ok(
      inner.states.some((s) => s.Name === "ml" && s.State === 0),
      "it sends its own state, alive",
    );
  }
  t.ok(
    tcp().some((p) => p.shape === "compress > ping"),
    "and pings over TCP once UDP goes unanswered (protocol ≥ 3 fallback)",
  );
  t.throws(() => decodeStream(Buffer.from(join!.hex, "hex").subarray(0, 40)), { name: "MemberlistDecodeError", message: /ends inside a msgpack value/ });
});

t.test("what the captured messages say, as the node meant it", async (t) => {
  const all = udp().flatMap((p) => messages(decodePacket(Buffer.from(p.hex, "hex"))));
  const ack = all.find((m) => m.type === "ack");
  t.match(ack, { type: "ack", body: { SeqNo: 4242 } }, "the ack answers the fake member's ping 4242");
  t.match(
    all.find((m) => m.type === "nack"),
    { type: "nack", body: { SeqNo: 4343 } },
    "the nack answers the indirect ping 4343",
  );
  const relayed = all.find((m) => m.type === "ping" && m.body.Node === "ghost");
  t.ok(relayed, "the node relayed the indirect ping to its target, naming it");
  const self = all.find((m) => m.type === "alive" && m.body.Node === "ml");
  t.ok(self, "it announced itself");
  if (self?.type === "alive") {
    t.same([...self.body.Vsn!], [1, 5, 2, 0, 0, 0], "protocol 1–5, speaking 2 (memberlist's defaults)");
    t.same([...self.body.Addr!], [127, 0, 0, 1]);
  }
  const suspect = all.find((m) => m.type === "suspect");
  t.match(suspect, { body: { Node: "fake", From: "ml" } }, "it suspected the silent fake member");
  t.match(
    all.find((m) => m.type === "dead"),
    { body: { Node: "fake", From: "ml" } },
    "and declared it dead",
  );
});

/** Values of a field's kind, within what Go's type holds. */
function arbitraryOf([, kind]: Field): fc.Arbitrary<unknown> {
  switch (kind) {
    case "str":
      return fc.string({ maxLength: 40 });
    case "bytes":
      return fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null });
    case "u8":
      return fc.integer({ min: 0, max: 0xff });
    case "u16":
      return fc.integer({ min: 0, max: 0xffff });
    case "u32":
      return fc.integer({ min: 0, max: 0xffffffff });
    case "int":
      return fc.integer({ min: -(2 ** 40), max: 2 ** 40 });
    case "bool":
      return fc.boolean();
  }
}

t.test("every body survives encode then decode (fast-check), omitempty zero values dropped as Go drops them", async (t) => {
  for (const [name, spec] of Object.entries(BODIES)) {
    const arbitrary = fc.record(Object.fromEntries(spec.fields.map((f) => [f[0], arbitraryOf(f)])));
    fc.assert(
      fc.property(arbitrary, (body) => {
        const decoded = decodeBody(spec as never, encodeBody(spec as never, body as never)) as Record<string, unknown>;
        for (const [field, , omitempty] of spec.fields) {
          const value = (body as Record<string, unknown>)[field];
          const zero = value === null || value === 0 || value === "" || value === false || (value instanceof Uint8Array && value.length === 0);
          if (omitempty && zero) {
            if (field in decoded) return false;
          } else if (value instanceof Uint8Array) {
            if (!(decoded[field] instanceof Uint8Array) || Buffer.compare(Buffer.from(value), Buffer.from(decoded[field] as Uint8Array)) !== 0) return false;
          } else if (decoded[field] !== value) return false;
        }
        return true;
      }),
      { numRuns: 200 },
    );
    t.pass(`${name}: 200 generated bodies`);
  }
});

t.test("frames: a wrong CRC is seen, a truncated compound is counted, junk is refused with the reason", async (t) => {
  const crcPacket = udp().find((p) => p.shape === "hasCrc > suspect")!;
  const bytes = Buffer.from(crcPacket.hex, "hex");
  bytes[bytes.length - 1]! ^= 0xff;
  const flipped = decodePacket(bytes);
  t.equal(flipped.type === "hasCrc" && flipped.valid, false, "a flipped byte fails the CRC");

  const compound = encodePacket({
    type: "compound",
    parts: [
      { type: "nack", body: { SeqNo: 1 } },
      { type: "nack", body: { SeqNo: 2 } },
    ],
  });
  const cut = decodePacket(compound.subarray(0, compound.length - 2));
  t.match(
    cut,
    { type: "compound", parts: [{ type: "nack", body: { SeqNo: 1 } }], truncated: 1 },
    "the part that did not fit is counted, as memberlist counts it",
  );

  t.throws(() => decodePacket(Buffer.of(99)), { name: "MemberlistDecodeError", message: "unknown message type 99" });
  t.throws(() => decodePacket(Buffer.of(0, 0xc1)), { name: "MemberlistDecodeError", message: /^not one msgpack value/ });
  t.throws(
    () => decodePacket(Buffer.concat([Buffer.of(0), encodeBody(BODIES.nack, { SeqNo: 1 })])),
    { name: "MemberlistDecodeError", message: /^Node: / },
    "a ping without its Node",
  );
  t.throws(() => lzwDecompress(Buffer.of(0x00)), { name: "LzwError", message: /ended before its end code/ });
});

t.test("a keyed node's packets and streams: opened with its key, sealed again to the same bytes; no other key opens them", async (t) => {
  const key = Buffer.from(keyed.key!, "base64");
  t.equal(key.length, 32, "AES-256");
  const shapes = new Set<string>();
  for (const { transport, hex, shape } of keyed.packets) {
    const bytes = Buffer.from(hex, "hex");
    if (transport === "udp") {
      const packet = decodePacket(bytes, { keys: [key] });
      t.match(packet, { type: "encrypted", version: 1, keyIndex: 0 }, `${shape}: version 1 (no padding), the primary key`);
      t.equal(encodePacket(packet, { key }).toString("hex"), hex, `${shape}: sealed again, the same bytes`);
      t.throws(() => decodePacket(bytes), { name: "MemberlistDecodeError" }, `${shape}: not readable as plaintext`);
    } else {
      const { message, rest } = decodeStream(bytes, { keys: [key] });
      t.equal(rest.length, 0);
      t.ok(message.type === "encrypt" && message.opened, `${shape}: opened`);
      t.equal(encodeStream(message, { key }).toString("hex"), hex, `${shape}: sealed again, the same bytes`);
    }
    shapes.add(shape);
  }
  for (const wanted of ["encrypted > ack", "encrypted > nack", "encrypt > compress > pushPull"]) t.ok(shapes.has(wanted), `the keyed capture holds ${wanted}`);

  const packet = Buffer.from(keyed.packets.find((p) => p.transport === "udp")!.hex, "hex");
  const wrong = Buffer.alloc(32, 7);
  t.throws(() => decodePacket(packet, { keys: [wrong] }), { name: "MemberlistCryptoError", message: "No installed keys could decrypt the message" });
  t.match(
    decodePacket(packet, { keys: [wrong, Buffer.alloc(16, 1), key] }),
    { type: "encrypted", keyIndex: 2 },
    "a keyring tries every key, as memberlist does during rotation",
  );
});

t.test("encryption version 0 pads PKCS#7 and opens again; AES-128, -192 and -256 keys", async (t) => {
  for (const size of [16, 24, 32]) {
    const key = Buffer.alloc(size, size);
    for (const length of [0, 5, 16, 33]) {
      const message = Buffer.alloc(length, 9);
      const sealed = encryptPayload(0, key, message);
      t.equal(sealed.length, 1 + 12 + length + (16 - (length % 16)) + 16, `AES-${size * 8}, ${length} bytes: padded to the block`);
      t.same(decryptPayload([key], sealed).plain, message);
    }
  }
  t.throws(() => encryptPayload(1, Buffer.alloc(10), Buffer.alloc(1)), { message: /16, 24 or 32 bytes, not 10/ });
  t.throws(() => decryptPayload([Buffer.alloc(16)], Buffer.of(2, ...Buffer.alloc(40))), { message: "Unsupported encryption version 2" });
});
