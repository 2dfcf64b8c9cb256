// Frames the wire schema accepts but a peer could send to do harm: out-of-range indexes, repeats at the
// list limits, replies that would outgrow the frame, counters at the top of their range. The core must
// answer each within the frame limit, keep running, and keep its own messages valid.
import t from "tap";
import { NodeConfig } from "../../../specs/node/config.js";
import type { Effect } from "../../../reference-node/core/io.js";
import { SwimNode } from "../../../reference-node/core/node.js";
import { SimCluster } from "../../../reference-node/sim/cluster.js";
import { MAX_FRAME_BYTES } from "../../../specs/wire/frame.js";
import { MERKLE_DEPTH, MERKLE_FANOUT, Message, type KvEntry } from "../../../specs/wire/messages.js";

const config = NodeConfig.parse({ probeIntervalMs: 1000, pushPullIntervalMs: 0, reconnectIntervalMs: 0, antiEntropyIntervalMs: 0 });
const addr = (id: string) => `${id}.test:7000`;
const peer = (id: string) => ({ id, addr: addr(id) });
const NOW = 1_700_000_000_000;

function started(): SwimNode {
  const node = new SwimNode({ id: "me", addr: addr("me"), config, seed: 1 });
  node.step({ type: "start" }, NOW);
  return node;
}

let conn = 1;
/** Steps one request and returns the reply's message (or null), checking the reply fits a frame and satisfies the schema. */
function ask(t: { ok(value: unknown, message: string): void }, node: SwimNode, message: Message, now = NOW): Message | null {
  const effects = node.step({ type: "request", conn: conn++, message }, now);
  const reply = effects.find((e): e is Extract<Effect, { type: "reply" }> => e.type === "reply");
  t.ok(reply, `${message.type}: answered (or closed) on its connection`);
  if (!reply?.message) return null;
  t.ok(Buffer.byteLength(JSON.stringify(reply.message)) <= MAX_FRAME_BYTES, `${message.type}: the reply fits in one frame`);
  t.ok(Message.safeParse(reply.message).success, `${message.type}: the reply satisfies the wire schema`);
  return reply.message;
}

/** Every message the node sends during a few periods, so a test can check none went out of range. */
function outgoing(node: SwimNode, from: number, ms: number): Message[] {
  const sent: Message[] = [];
  for (let at = node.nextWakeAt(); at !== undefined && at <= from + ms; at = node.nextWakeAt()) {
    for (const e of node.step({ type: "tick" }, at)) if (e.type === "send") sent.push(e.message);
  }
  return sent;
}

const bigValue = "v".repeat(60_000);
function fill(node: SwimNode, keys: number): void {
  for (let i = 0; i < keys; i++) node.step({ type: "kv-put", request: i, key: `key-${i}`, value: bigValue }, NOW + i);
}

t.test("ae-tree: indexes beyond their level and repeats at the list limit get a bounded, valid answer", async (t) => {
  const node = started();
  node.step({ type: "kv-put", request: 1, key: "k", value: "v" }, NOW);
  const session = { v: 1 as const, type: "ae-tree" as const, from: peer("x"), session: 1 };
  const outOfRange = ask(t, node, { ...session, level: 1, nodes: [{ index: 9999, hash: "0".repeat(16) }] });
  t.same(outOfRange?.type === "ae-tree" && outOfRange.nodes, [], "a node that does not exist at that level is ignored");
  const repeats = ask(t, node, {
    ...session,
    level: MERKLE_DEPTH - 1,
    nodes: Array.from({ length: MERKLE_FANOUT ** MERKLE_DEPTH }, () => ({ index: 0, hash: "f".repeat(16) })),
  });
  t.equal(repeats?.type === "ae-tree" && repeats.nodes.length, MERKLE_FANOUT, "4096 copies of one node are answered once: its 16 children");
  const top = ask(t, node, { ...session, session: Number.MAX_SAFE_INTEGER, level: MERKLE_DEPTH, nodes: [] });
  t.equal(top?.type, "ae-tree", "a session number at the top of its range is echoed");
});

t.test("ae-entries: a pull of every leaf is capped at one frame, and repeated leaves are answered once", async (t) => {
  const node = started();
  fill(node, 40); // 40 × 60 kB: 2.4 MB, more than two frames
  const leaves = Array.from({ length: MERKLE_FANOUT ** MERKLE_DEPTH }, (_, i) => i);
  const reply = ask(t, node, { v: 1, type: "ae-entries", from: peer("x"), session: 1, leaves, entries: [], want: true });
  const got = reply?.type === "ae-entries" ? reply.entries.length : 0;
  t.ok(got > 0 && got < 40, `some entries, not all (${got} of 40)`);
  const twice = ask(t, node, { v: 1, type: "ae-entries", from: peer("x"), session: 2, leaves: [...leaves, ...leaves].slice(0, 4096), entries: [], want: true });
  const keys = twice?.type === "ae-entries" ? twice.entries.map((e) => e.key) : [];
  t.equal(new Set(keys).size, keys.length, "no entry twice");
});

t.test("sync: a table grown past one frame by made-up members is answered within the frame, the node itself first", async (t) => {
  const node = started();
  for (let batch = 0; batch < 4; batch++) {
    const members = Array.from({ length: 5000 }, (_, i) => ({
      id: `fake-${batch}-${i}`.padEnd(100, "x"),
      addr: `127.0.0.1:${1 + (i % 19)}`,
      state: "alive" as const,
      incarnation: 0,
    }));
    ask(t, node, { v: 1, type: "sync", from: peer("x"), join: false, members });
  }
  t.ok(node.members().length > 20_000, "the table holds every made-up member");
  const reply = ask(t, node, { v: 1, type: "sync", from: peer("x"), join: false, members: [] });
  t.equal(reply?.type === "sync" && reply.members[0]?.id, "me", "the node's own entry leads");
  t.ok(reply?.type === "sync" && reply.members.length < node.members().length, "cut to fit");
  const sent = outgoing(node, NOW, 3 * config.probeIntervalMs);
  t.ok(sent.length > 0 && sent.every((m) => Buffer.byteLength(JSON.stringify(m)) <= MAX_FRAME_BYTES), "every message it sends fits a frame");
});

t.test("an accusation at the largest incarnation is refuted without leaving the range the wire admits", async (t) => {
  const node = started();
  ask(t, node, {
    v: 1,
    type: "ping",
    from: peer("x"),
    seq: Number.MAX_SAFE_INTEGER,
    updates: [{ state: "suspect", id: "me", addr: addr("me"), incarnation: Number.MAX_SAFE_INTEGER, by: "x" }],
    kv: [],
  });
  t.equal(node.currentIncarnation, Number.MAX_SAFE_INTEGER);
  ask(t, node, { v: 1, type: "sync", from: peer("x"), join: false, members: [{ id: "y", addr: addr("y"), state: "alive", incarnation: 0 }] });
  const sent = outgoing(node, NOW, 3 * config.probeIntervalMs);
  t.ok(sent.length > 0, "the node goes on probing");
  const invalid = sent.filter((m) => !Message.safeParse(m).success);
  t.same(invalid, [], "every message it sends still satisfies the schema");
});

t.test("clock: a far-future version is refused and counted; the node's own writes stay near its clock", async (t) => {
  const node = started();
  const future: KvEntry = { key: "pin", value: "x", version: { wall: NOW + 10 * 365 * 24 * 3600 * 1000, logical: 0, node: "x" } };
  const atTop: KvEntry = { key: "top", value: "x", version: { wall: NOW, logical: Number.MAX_SAFE_INTEGER, node: "x" } };
  const near: KvEntry = { key: "near", value: "x", version: { wall: NOW + config.kvMaxClockOffsetMs - 1, logical: 0, node: "x" } };
  ask(t, node, { v: 1, type: "gossip", from: peer("x"), updates: [], kv: [future, atTop, near] });
  t.equal(node.kv.get("pin"), undefined, "the far-future entry is not stored");
  t.equal(node.kv.get("top"), undefined, "an entry whose logical counter is at the top is not stored");
  t.ok(node.kv.get("near"), "an entry within the maximum offset is stored");
  t.equal(node.counters.kvClockRejections, 2, "both refusals counted");
  const effects = node.step({ type: "kv-put", request: 9, key: "mine", value: "y" }, NOW + 1000);
  const written = effects.find((e) => e.type === "kv-written");
  t.equal(written?.type === "kv-written" && written.version.wall, NOW + 1000, "a later local write is stamped with local time, not the far future");
});

t.test("simulator: anti-entropy moves a store larger than one frame in batches, and no message exceeds the frame", async (t) => {
  const sim = new SimCluster({ config: NodeConfig.parse({ probeIntervalMs: 200, antiEntropyIntervalMs: 300, kvRetransmitMult: 0 }) });
  sim.add("a", 1);
  for (let i = 0; i < 40; i++) sim.put("a", `key-${i}`, bigValue);
  sim.add("b", 2, ["a"]);
  sim.runFor(20_000);
  t.equal(sim.node("b").kv.size, 40, "every entry reached b");
  t.equal(sim.messages.oversize, 0, "nothing was stopped by the frame limit");
});
