// The transmit-limited broadcast queue behind piggybacking.
import t from "tap";
import { BroadcastQueue, retransmitLimit, updateBytes } from "../../../reference-node/core/broadcast.js";
import type { Update } from "../../../specs/wire/messages.js";

const alive = (id: string, incarnation = 0): Update => ({ state: "alive", id, addr: `${id}.test:1`, incarnation });

t.test("retransmit limit is mult · ceil(log10(N + 1))", async (t) => {
  t.equal(retransmitLimit(4, 5), 4);
  t.equal(retransmitLimit(4, 9), 4);
  t.equal(retransmitLimit(4, 10), 8);
  t.equal(retransmitLimit(3, 200), 9);
});

t.test("each update is sent exactly `limit` times, then goes cold", async (t) => {
  const q = new BroadcastQueue<Update>((u) => u.id);
  q.enqueue(alive("a"));
  const sends = Array.from({ length: 10 }, () => q.take(3, 10_000).length);
  t.same(sends, [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
  t.equal(q.size, 0);
});

t.test("least-sent first, newest first among equals, within the byte budget", async (t) => {
  const q = new BroadcastQueue<Update>((u) => u.id);
  q.enqueue(alive("a"));
  q.take(5, 10_000); // a sent once
  q.enqueue(alive("b"));
  q.enqueue(alive("c"));
  t.same(
    q.take(5, 10_000).map((u) => u.id),
    ["c", "b", "a"],
  );
  const oneFits = updateBytes(alive("a")) + 1;
  t.same(
    q.take(5, oneFits).map((u) => u.id),
    ["c"],
    "the budget stops at what fits",
  );
});

t.test("a newer update about a member replaces the queued one", async (t) => {
  const q = new BroadcastQueue<Update>((u) => u.id);
  q.enqueue(alive("a", 1));
  q.take(5, 10_000);
  q.enqueue({ ...alive("a", 1), state: "suspect", by: "x" });
  t.equal(q.size, 1);
  t.equal(q.transmitsOf("a"), 0, "the replacement starts fresh");
  t.equal(q.take(5, 10_000)[0]?.state, "suspect");
});
