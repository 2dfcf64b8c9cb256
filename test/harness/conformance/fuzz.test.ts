// Generated malformed messages: derived from the wire schema, reproducible, really off-schema, loopback-only.
import fc from "fast-check";
import t from "tap";
import { generateHostile, HOSTILE_KINDS } from "../../../harness/conformance/fuzz/hostile.js";
import { generateMalformed, MUTATION_KINDS, mutate } from "../../../harness/conformance/fuzz/mutate.js";
import { arbitraryOf } from "../../../harness/conformance/fuzz/schema-arbitrary.js";
import { MAX_FRAME_BYTES } from "../../../specs/wire/frame.js";
import { Message, MESSAGE_TYPES } from "../../../specs/wire/messages.js";

t.test("the schema arbitrary yields valid messages of every type, addresses on loopback", async (t) => {
  const samples = fc.sample(arbitraryOf(Message), { seed: 7, numRuns: 400 });
  const types = new Set<string>();
  for (const sample of samples) {
    const parsed = Message.safeParse(sample);
    t.ok(parsed.success, `valid: ${JSON.stringify(sample).slice(0, 200)}`);
    if (!parsed.success) break;
    types.add(parsed.data.type);
    for (const addr of JSON.stringify(sample).match(/"addr":"[^"]*"/g) ?? []) t.match(addr, /^"addr":"127\.0\.0\.1:\d+"$/);
  }
  t.same([...types].sort(), [...MESSAGE_TYPES].sort(), `every message type (${[...types].join(", ")})`);
});

t.test("500 generated inputs: all rejected by the schema, every mutation kind, same seed same inputs", async (t) => {
  const a = generateMalformed(500, 42);
  t.equal(a.length, 500);
  t.ok(
    a.every((m) => !Message.safeParse(m.value).success),
    "every one fails the schema",
  );
  t.same(new Set(a.map((m) => m.kind)), new Set(MUTATION_KINDS));
  t.same(generateMalformed(500, 42), a, "reproducible");
  t.notSame(generateMalformed(50, 43), a.slice(0, 50), "another seed, other inputs");
});

t.test("mutations change what they say they change", async (t) => {
  const ping = { v: 1, type: "ping", seq: 3, from: { id: "a", addr: "127.0.0.1:1" }, updates: [], kv: [] };
  t.equal((mutate(ping, "bad-version", 1).value as { v: unknown }).v, 2);
  t.equal((mutate(ping, "unknown-type", 0).value as { type: unknown }).type, "pong");
  const dropped = mutate(ping, "drop-field", 0);
  t.notOk(dropped.path in (dropped.value as object), `dropped ${dropped.path}`);
  t.ok(Array.isArray(mutate(ping, "not-an-object", 0).value));
  t.same(ping.from, { id: "a", addr: "127.0.0.1:1" }, "the original is untouched");
});

t.test("hostile inputs: every one admitted by the schema and within a frame, every kind, reproducible, loopback-only", async (t) => {
  const self = { id: "sut", addr: "127.0.0.1:5000" };
  const a = generateHostile(60, 9, self);
  t.equal(a.length, 60);
  t.same(
    a.filter((h) => !Message.safeParse(h.value).success || Buffer.byteLength(JSON.stringify(h.value)) > MAX_FRAME_BYTES).map((h) => `${h.kind} ${h.type}`),
    [],
    "every one satisfies the schema and fits a frame",
  );
  t.same(new Set(a.map((h) => h.kind)), new Set(HOSTILE_KINDS));
  t.ok(
    a.some((h) => JSON.stringify(h.value).includes(`"incarnation":${Number.MAX_SAFE_INTEGER}`)),
    "some claim the largest incarnation",
  );
  t.ok(
    a.some((h) => h.kind === "lists-at-limit" && Buffer.byteLength(JSON.stringify(h.value)) > 100_000),
    "some fill a list to its limit",
  );
  for (const h of a) for (const addr of JSON.stringify(h.value).match(/"addr":"[^"]*"/g) ?? []) t.match(addr, /^"addr":"127\.0\.0\.1:\d+"$/);
  t.same(generateHostile(60, 9, self), a, "reproducible");
  t.notOk(
    generateHostile(20, 9).some((h) => h.kind === "claims-about-you"),
    "without the node's identity there are no claims about it",
  );
});
