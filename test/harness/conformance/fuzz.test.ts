// Generated malformed messages: derived from the wire schema, reproducible, really off-schema, loopback-only.
import fc from "fast-check";
import t from "tap";
import { generateMalformed, MUTATION_KINDS, mutate } from "../../../harness/conformance/fuzz/mutate.js";
import { arbitraryOf } from "../../../harness/conformance/fuzz/schema-arbitrary.js";
import { Message } from "../../../specs/wire/messages.js";

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
  t.equal(types.size, 8, `all eight message types (${[...types].join(", ")})`);
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
