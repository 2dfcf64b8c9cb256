// The memberlist driver's pure parts: how catalogue updates are said in memberlist's messages, the
// LZW compressor against Go's own bytes, the malformed corpus, the generated packets, and how a crash
// is read from a node's log.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { cannotSayOnMemberlist } from "../../../../harness/conformance/memberlist/context.js";
import { updateToMessage } from "../../../../specs/wire/memberlist/updates.js";
import { memberlistCorpus } from "../../../../harness/conformance/memberlist/corpus.js";
import { generatedPackets } from "../../../../harness/conformance/memberlist/generated.js";
import { panicIn } from "../../../../harness/conformance/sut.js";
import { REQUIREMENTS } from "../../../../specs/requirements/catalogue.js";
import { decodePacket, decodeStream, type Packet, type StreamMessage } from "../../../../specs/wire/memberlist/codec.js";
import { lzwCompress, lzwDecompress } from "../../../../specs/wire/memberlist/lzw.js";
import { BODIES } from "../../../../specs/wire/memberlist/messages.js";

const VSN = Uint8Array.of(1, 5, 2, 0, 0, 0);

t.test("catalogue updates in memberlist's messages: a leave is a dead message from the member itself", async (t) => {
  const alive = updateToMessage({ state: "alive", id: "m", addr: "127.0.0.1:7946", incarnation: 3 }, VSN, "fake-1");
  t.same(alive, { type: "alive", body: { Incarnation: 3, Node: "m", Addr: Uint8Array.of(127, 0, 0, 1), Port: 7946, Meta: null, Vsn: VSN } });
  t.same(updateToMessage({ state: "suspect", id: "m", addr: "127.0.0.1:1", incarnation: 4 }, VSN, "fake-1"), {
    type: "suspect",
    body: { Incarnation: 4, Node: "m", From: "fake-1" },
  });
  t.same(updateToMessage({ state: "dead", id: "m", addr: "127.0.0.1:1", incarnation: 5, by: "fake-2" }, VSN, "fake-1"), {
    type: "dead",
    body: { Incarnation: 5, Node: "m", From: "fake-2" },
  });
  t.same(updateToMessage({ state: "left", id: "m", addr: "127.0.0.1:1", incarnation: 6, by: "fake-2" }, VSN, "fake-1"), {
    type: "dead",
    body: { Incarnation: 6, Node: "m", From: "m" },
  });
  // Every message the driver makes is one the spec admits.
  for (const state of ["alive", "suspect", "dead", "left"] as const) {
    const message = updateToMessage({ state, id: "m", addr: "127.0.0.1:9", incarnation: 1 }, VSN, "f") as Extract<
      Packet,
      { type: "alive" | "suspect" | "dead" }
    >;
    t.ok(BODIES[message.type].schema.safeParse(message.body).success, `${state}: a valid ${message.type}`);
  }
});

t.test("merge-table rows memberlist cannot say are named, with the reason", async (t) => {
  t.match(cannotSayOnMemberlist("left", "dead"), /no leave distinct from death.*state\.go:1242/);
  t.match(cannotSayOnMemberlist("left", "left"), /drops any dead message/);
  t.equal(cannotSayOnMemberlist("left", "alive"), undefined, "left over alive is a dead from itself, which memberlist applies");
  t.equal(cannotSayOnMemberlist("dead", "dead"), undefined);
  t.equal(
    cannotSayOnMemberlist("left", "alive", "Serf has its own leave"),
    "Serf has its own leave",
    "an implementation with a leave of its own: every left row",
  );
  t.equal(cannotSayOnMemberlist("alive", "left", "Serf has its own leave"), undefined);
});

/** Every compress frame in the captures, as the node sent it. */
function capturedCompressed(): Uint8Array[] {
  const found: Uint8Array[] = [];
  const visitPacket = (p: Packet): void => {
    if (p.type === "compress") found.push(p.body.Buf!);
    if (p.type === "encrypted" || p.type === "hasCrc") visitPacket(p.packet);
    if (p.type === "compound") p.parts.forEach(visitPacket);
  };
  const visitStream = (m: StreamMessage): void => {
    if (m.type === "compress") found.push(m.body.Buf!);
    if (m.type === "encrypt" && m.opened) visitStream(m.opened.message);
  };
  for (const file of ["captured.json", "captured-keyed.json"]) {
    const fixture = JSON.parse(readFileSync(path.join("fixtures", "wire", "memberlist", file), "utf8")) as {
      key?: string;
      packets: { transport: string; hex: string }[];
    };
    const keys = fixture.key ? { keys: [Buffer.from(fixture.key, "base64")] } : {};
    for (const p of fixture.packets) {
      const bytes = Buffer.from(p.hex, "hex");
      if (p.transport === "udp") visitPacket(decodePacket(bytes, keys));
      else visitStream(decodeStream(bytes, keys).message);
    }
  }
  return found;
}

t.test("the LZW compressor writes what Go's compress/lzw wrote in the captured packets, byte for byte", async (t) => {
  const frames = capturedCompressed();
  t.ok(frames.length >= 4, `${frames.length} compressed frames captured from a real node`);
  for (const [i, buf] of frames.entries()) t.same(Buffer.from(lzwCompress(lzwDecompress(buf))), Buffer.from(buf), `frame ${i} (${buf.length} bytes)`);
  for (const size of [0, 1, 300, 9000]) {
    const input = Buffer.alloc(size, "gossip");
    t.same(Buffer.from(lzwDecompress(lzwCompress(input))), input, `${size} bytes round-trip (the table fills and is cleared past ~3800 codes)`);
  }
});

t.test("the malformed corpus: each entry says what it aims at, and no length in it can make a node allocate", async (t) => {
  const corpus = memberlistCorpus("node-1");
  t.equal(new Set(corpus.map((e) => e.id)).size, corpus.length, "ids are unique");
  for (const entry of corpus) {
    t.match(entry.why, /\S/, `${entry.id}: says what it is`);
    if (entry.transport === "udp") t.ok(entry.bytes.length <= 65_507, `${entry.id}: fits one datagram`);
  }
  t.ok(corpus.some((e) => e.transport === "udp") && corpus.some((e) => e.transport === "tcp"), "packets and streams");
  // Lengths are either negative or above Go's allocation limit (2^48 on amd64), so makeslice refuses them at once.
  const lengths = corpus.filter((e) => /huge|negative/.test(e.id)).map((e) => e.why);
  t.ok(lengths.length >= 3, "length-field entries");
  for (const why of lengths) t.match(why, /−1|2\^50/);
});

t.test("generated packets: the same seed gives the same packets; `valid` is the spec's verdict; every address is loopback", async (t) => {
  const a = generatedPackets("node-1", 300, 42);
  const b = generatedPackets("node-1", 300, 42);
  t.same(
    a.map((p) => Buffer.from(p.bytes).toString("hex")),
    b.map((p) => Buffer.from(p.bytes).toString("hex")),
  );
  t.ok(a.some((p) => p.valid) && a.some((p) => !p.valid), "both kinds appear in 300");
  for (const p of a) {
    const spec = BODIES[p.type as keyof typeof BODIES];
    t.equal(spec.schema.safeParse(p.body).success, p.valid, `${p.type}: valid flag agrees with the schema`);
    for (const field of ["Addr", "Target", "SourceAddr"]) {
      const value = p.body[field];
      if (!(value instanceof Uint8Array) || value.length !== 4) continue;
      t.equal(value[0], 127, `${p.type}.${field} is on loopback`);
    }
  }
});

t.test("a crash is read from the node's log: the panic and the first frame of the implementation's source", async (t) => {
  t.equal(
    panicIn(path.join("fixtures", "logs", "memberlist-panic.txt")),
    "runtime error: index out of range [0] with length 0 at hashicorp/memberlist/net.go:359",
  );
  t.equal(panicIn(path.join("fixtures", "logs", "no-such.log")), undefined);
});

const MEMBERLIST_SOURCE = "/usr/share/gocode/src/github.com/hashicorp/memberlist";
const noSource = existsSync(MEMBERLIST_SOURCE) ? false : `memberlist's source is not installed (apt-get install golang-github-hashicorp-memberlist-dev)`;

t.test("every memberlist requirement cites a line of memberlist's source that exists", { skip: noSource }, async (t) => {
  const root = MEMBERLIST_SOURCE;
  const ml = REQUIREMENTS.filter((r) => r.id.startsWith("ML-"));
  t.ok(ml.length >= 15, `${ml.length} memberlist requirements`);
  for (const r of ml) {
    const cites = [...r.source.matchAll(/(\w+\.go):(\d+)(?:–(\d+))?/g)];
    t.ok(cites.length > 0, `${r.id} cites a line`);
    for (const [, file, from, to] of cites) {
      const lines = readFileSync(path.join(root, file!), "utf8").split("\n").length;
      t.ok(Number(to ?? from) <= lines, `${r.id}: ${file}:${from}${to ? `–${to}` : ""} is inside the file (${lines} lines)`);
    }
  }
});
