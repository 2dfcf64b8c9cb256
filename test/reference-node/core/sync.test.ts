// Push-pull's pieces: a remote state as updates, and the bounded memory of pulls from unknown senders.
import t from "tap";
import { PullMemory, syncToUpdates } from "../../../reference-node/core/sync.js";

t.test("a member the remote side holds dead only becomes suspect here, accused by nobody but itself", async (t) => {
  const updates = syncToUpdates(
    [
      { id: "a", addr: "127.0.0.1:1", state: "dead", incarnation: 3 },
      { id: "b", addr: "127.0.0.1:2", state: "alive", incarnation: 1 },
    ],
    "r",
  );
  t.same(updates, [
    { id: "a", addr: "127.0.0.1:1", state: "suspect", incarnation: 3, by: "a" },
    { id: "b", addr: "127.0.0.1:2", state: "alive", incarnation: 1 },
  ]);
});

t.test("one pull per unknown sender per cooldown", async (t) => {
  const pulls = new PullMemory();
  const unknown = () => false;
  t.ok(pulls.shouldPull("x", 0, 1000, unknown), "first message: pull");
  t.notOk(pulls.shouldPull("x", 999, 1000, unknown), "within the cooldown: no second pull");
  t.ok(pulls.shouldPull("y", 999, 1000, unknown), "another sender is pulled");
  t.ok(pulls.shouldPull("x", 1000, 1000, unknown), "after the cooldown: pull again");
});

t.test("a flood of distinct made-up senders cannot grow the memory past its bound", async (t) => {
  const pulls = new PullMemory(8);
  for (let i = 0; i < 100; i++) pulls.shouldPull(`fake-${i}`, i, 1_000_000, () => false);
  t.ok(pulls.size <= 8, `remembers ${pulls.size}`);
  const known = new Set(["k1", "k2"]);
  const expiring = new PullMemory(4);
  for (const id of ["k1", "k2", "u1", "u2"]) expiring.shouldPull(id, 0, 10, (x) => known.has(x));
  expiring.shouldPull("u3", 5, 10, (x) => known.has(x));
  t.equal(expiring.size, 3, "senders that became members are forgotten first (u1, u2, u3 stay)");
  t.notOk(
    expiring.shouldPull("u1", 6, 10, (x) => known.has(x)),
    "u1 is still within its cooldown",
  );
});
