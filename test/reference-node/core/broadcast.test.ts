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

/** The queue's rule written the plain way: sort everything, take what fits. The tiered queue must pick exactly the same. */
class SortingQueue {
  private readonly queued = new Map<string, { item: { id: string; pad: string }; transmits: number; order: number; bytes: number }>();
  private counter = 0;
  enqueue(item: { id: string; pad: string }) {
    this.queued.set(item.id, { item, transmits: 0, order: this.counter++, bytes: updateBytes(item) });
  }
  take(limit: number, maxBytes: number) {
    const ordered = [...this.queued.values()].sort((a, b) => a.transmits - b.transmits || b.order - a.order);
    const picked: { id: string; pad: string }[] = [];
    let room = maxBytes;
    for (const entry of ordered) {
      if (entry.bytes > room) continue;
      room -= entry.bytes;
      picked.push(entry.item);
      if (++entry.transmits >= limit) this.queued.delete(entry.item.id);
    }
    return picked;
  }
}

t.test("the tiered queue picks what sorting the whole queue would, over random enqueues, replacements, budgets and limits", async (t) => {
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  let mismatches = 0;
  let picks = 0;
  for (let run = 0; run < 20; run++) {
    const tiered = new BroadcastQueue<{ id: string; pad: string }>((u) => u.id);
    const plain = new SortingQueue();
    for (let step = 0; step < 400; step++) {
      if (random(3) > 0) {
        // Sizes vary, so that an item too large for what is left is skipped and a smaller one after it fits.
        const item = { id: `m${random(60)}`, pad: "x".repeat(random(80)) };
        tiered.enqueue(item);
        plain.enqueue(item);
      } else {
        // The limit shrinks and grows as a cluster's size estimate does.
        const limit = 1 + random(8);
        const budget = 50 + random(600);
        const a = tiered.take(limit, budget);
        const b = plain.take(limit, budget);
        picks += b.length;
        if (JSON.stringify(a) !== JSON.stringify(b)) mismatches++;
      }
      if (tiered.size !== (plain as unknown as { queued: Map<string, unknown> }).queued.size) mismatches++;
    }
  }
  t.ok(picks > 1000, `the runs picked ${picks} items`);
  t.equal(mismatches, 0, "every pick and every queue size agree");
});
