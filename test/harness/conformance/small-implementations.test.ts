// Conformance judging small implementations of our own over real TCP: one that storms an unknown sender is caught (WIRE-AMPLIFY-1); one that cannot be tested is not a pass.
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli } from "../../../harness/paths.js";
import { decodeMessage, encodeFrame, FrameAccumulator } from "../../../specs/wire/frame.js";
import type { Message } from "../../../specs/wire/messages.js";

/** Reads one frame from a socket; undefined if none comes whole. */
function readOne(socket: net.Socket): Promise<Message | undefined> {
  return new Promise((resolve) => {
    const frames = new FrameAccumulator();
    socket.on("data", (chunk: Buffer) => {
      const read = frames.push(chunk);
      if (read.status === "need-more") return;
      const decoded = read.status === "frame" ? decodeMessage(read.payload) : undefined;
      resolve(decoded?.ok ? decoded.message : undefined);
    });
    socket.on("close", () => resolve(undefined));
    socket.on("error", () => resolve(undefined));
  });
}

/**
 * A minimal wire-v1 member: answers a join's sync and acks pings. A ping from a member it does not
 * know makes it do what a node that pulls an unknown sender's state on every reply does: send that
 * sender sync after sync, each on a fresh connection (at most 300). `joins: false` makes it close
 * every connection instead: an implementation that cannot be tested at all.
 */
async function stormingNode(options: { joins: boolean }): Promise<{ addr: string; sent: () => number; close: () => void }> {
  let sent = 0;
  const self = { id: "stormer", addr: "" };
  const known = new Set<string>();
  const server = net.createServer(async (socket) => {
    const message = await readOne(socket);
    if (!options.joins) return void socket.destroy();
    if (message?.type === "sync") {
      for (const m of message.members) known.add(m.id);
      known.add(message.from.id);
      return void socket.end(encodeFrame({ v: 1, type: "sync", from: self, join: false, members: [{ ...self, state: "alive", incarnation: 0 }] }));
    }
    if (message?.type !== "ping") return void socket.destroy();
    socket.end(encodeFrame({ v: 1, type: "ack", from: self, seq: message.seq, updates: [], kv: [] }));
    if (known.has(message.from.id)) return;
    for (let i = 0; i < 300; i++) {
      const [host, port] = [
        message.from.addr.slice(0, message.from.addr.lastIndexOf(":")),
        Number(message.from.addr.slice(message.from.addr.lastIndexOf(":") + 1)),
      ];
      const out = net.connect(port, host);
      out.on("error", () => undefined);
      out.write(encodeFrame({ v: 1, type: "sync", from: self, join: false, members: [] }));
      sent++;
      const reply = await readOne(out);
      out.destroy();
      if (!reply) break;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  self.addr = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return { addr: self.addr, sent: () => sent, close: () => server.close() };
}

/**
 * A wire-v1 member that trusts what the schema admits: it indexes its Merkle tree with whatever
 * index an ae-tree names, and an index past the level's width ends it (its listener closes), as
 * an unchecked array access ends a process.
 */
async function fragileNode(): Promise<{ addr: string; died: () => boolean; close: () => void }> {
  const self = { id: "fragile", addr: "" };
  let died = false;
  const levelWidth = (level: number) => 16 ** level;
  const server = net.createServer(async (socket) => {
    const message = await readOne(socket);
    if (message?.type === "sync")
      return void socket.end(encodeFrame({ v: 1, type: "sync", from: self, join: false, members: [{ ...self, state: "alive", incarnation: 0 }] }));
    if (message?.type === "ping") return void socket.end(encodeFrame({ v: 1, type: "ack", from: self, seq: message.seq, updates: [], kv: [] }));
    if (message?.type === "ae-tree" && message.nodes.some((n) => n.index >= levelWidth(message.level))) {
      died = true;
      socket.destroy();
      return void server.close();
    }
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  self.addr = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return { addr: self.addr, died: () => died, close: () => server.close() };
}

async function conformance(target: string, only: string, generated = 0, seed = 1) {
  const dir = mkdtempSync(path.join(tmpdir(), "grapevine-amplify-"));
  const json = path.join(dir, "out.json");
  const result = await execa(
    process.execPath,
    [
      builtCli(),
      "conformance",
      "--target",
      target,
      "--only",
      only,
      "--generated",
      String(generated),
      "--seed",
      String(seed),
      "--period-ms",
      "200",
      "--report-dir",
      dir,
      "--json",
      json,
    ],
    { reject: false, timeout: 60_000 },
  );
  const cases = () => (JSON.parse(readFileSync(json, "utf8")) as { cases: { requirement: string; verdict: string; actual: string }[] }).cases;
  return { result, cases };
}

t.test("an implementation that storms a stranger with syncs fails WIRE-AMPLIFY-1, with the count", async (t) => {
  const stormer = await stormingNode({ joins: true });
  t.teardown(stormer.close);
  const { result, cases } = await conformance(stormer.addr, "WIRE-AMPLIFY-1");
  t.equal(result.exitCode, 1, result.stdout + result.stderr);
  t.match(cases(), [{ requirement: "WIRE-AMPLIFY-1", verdict: "FAIL", actual: /^\d+ request\(s\) \(sync\)/ }]);
  t.ok(stormer.sent() > 10, `it sent ${stormer.sent()} syncs`);
});

t.test("an implementation that a schema-valid hostile frame ends fails WIRE-HOSTILE-1, naming the frame", async (t) => {
  const fragile = await fragileNode();
  t.teardown(fragile.close);
  // 200 malformed bring 40 hostile: every kind on every message type, an ae-tree with its indexes at the top among them.
  const { result, cases } = await conformance(fragile.addr, "WIRE-HOSTILE", 200);
  t.equal(result.exitCode, 1, result.stdout + result.stderr);
  t.ok(fragile.died(), "a hostile ae-tree reached it");
  t.match(cases(), [{ requirement: "WIRE-HOSTILE-1", verdict: "FAIL", actual: /no ack after #\d+ \S+ ae-tree/ }]);
});

t.test("a run in which every case was skipped tested nothing: it exits 2 and never says passed", async (t) => {
  const closer = await stormingNode({ joins: false });
  t.teardown(closer.close);
  const { result, cases } = await conformance(closer.addr, "SWIM-PING");
  t.ok(cases().length > 0 && cases().every((c) => c.verdict === "SKIP"), "every case skipped");
  t.equal(result.exitCode, 2, result.stdout);
  t.match(result.stdout, /nothing was judged on 127\.0\.0\.1:\d+: every case was skipped/);
  t.match(result.stdout, /not a pass: an implementation was not tested/);
  t.notMatch(result.stdout, /every MUST passed/);
});

t.test("a target nothing answers at is bad input: exit 2, the reason, no verdict", async (t) => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const closed = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const dir = mkdtempSync(path.join(tmpdir(), "grapevine-unreachable-"));
  const result = await execa(process.execPath, [builtCli(), "conformance", "--target", closed, "--report-dir", dir], { reject: false, timeout: 60_000 });
  t.equal(result.exitCode, 2, result.stdout + result.stderr);
  t.match(result.stderr, new RegExp(`${closed}: cannot start or reach it: nothing accepts connections at ${closed} \\(ECONNREFUSED\\)`));
  t.notMatch(result.stdout + result.stderr, /passed/);
  t.notMatch(result.stderr, /\n\s+at /, "no stack trace");
  t.same(readdirSync(dir), [], "no empty run folder left behind");
});
