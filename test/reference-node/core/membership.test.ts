// The merge-rule table of SWIM §4.2 (as DESIGN states it), row by row.
import t from "tap";
import type { MemberState } from "../../../specs/wire/messages.js";
import { MembershipTable, newNumberings, supersedes } from "../../../reference-node/core/membership.js";
import { seededRandom } from "../../../reference-node/core/random.js";

type Rel = "lower" | "equal" | "higher";
const incarnationFor: Record<Rel, number> = { lower: 4, equal: 5, higher: 6 };

// Expected outcome for update(state, incarnation relative to current) against current(state, 5).
// Written out in full so that a change to the rules shows up as a failing row.
const table: Record<MemberState, Record<MemberState, Record<Rel, boolean>>> = {
  alive: {
    alive: { lower: false, equal: false, higher: true },
    suspect: { lower: false, equal: false, higher: true },
    dead: { lower: false, equal: false, higher: true },
    left: { lower: false, equal: false, higher: true },
  },
  suspect: {
    alive: { lower: false, equal: true, higher: true },
    suspect: { lower: false, equal: false, higher: true },
    dead: { lower: false, equal: false, higher: false },
    left: { lower: false, equal: false, higher: false },
  },
  dead: {
    alive: { lower: false, equal: true, higher: true },
    suspect: { lower: false, equal: true, higher: true },
    dead: { lower: false, equal: false, higher: false },
    left: { lower: false, equal: false, higher: false },
  },
  left: {
    alive: { lower: false, equal: true, higher: true },
    suspect: { lower: false, equal: true, higher: true },
    dead: { lower: false, equal: true, higher: true },
    left: { lower: false, equal: false, higher: true },
  },
};

t.test("every row of the merge table", async (t) => {
  for (const [update, byCurrent] of Object.entries(table)) {
    for (const [current, byRel] of Object.entries(byCurrent)) {
      for (const [rel, expected] of Object.entries(byRel)) {
        const got = supersedes({ state: update as MemberState, incarnation: incarnationFor[rel as Rel] }, { state: current as MemberState, incarnation: 5 });
        t.equal(got, expected, `${update}(${rel}) over ${current}(5) → ${expected ? "accepted" : "ignored"}`);
      }
    }
  }
});

t.test("only alive introduces an unknown member", async (t) => {
  t.equal(supersedes({ state: "alive", incarnation: 0 }, undefined), true);
  for (const state of ["suspect", "dead", "left"] as const) t.equal(supersedes({ state, incarnation: 9 }, undefined), false, state);
});

t.test("the table records transitions and keeps `since` when only the incarnation moves", async (t) => {
  const members = new MembershipTable();
  t.same(members.set({ id: "a", addr: "h:1", state: "alive", incarnation: 0 }, 100), { id: "a", from: null, to: "alive", incarnation: 0 });
  t.equal(members.set({ id: "a", addr: "h:1", state: "alive", incarnation: 1 }, 200), null);
  t.equal(members.get("a")?.since, 100);
  t.same(members.set({ id: "a", addr: "h:1", state: "suspect", incarnation: 1 }, 300), { id: "a", from: "alive", to: "suspect", incarnation: 1 });
  t.equal(members.get("a")?.since, 300);
  members.set({ id: "b", addr: "h:2", state: "dead", incarnation: 0 }, 300);
  t.equal(members.estimatedSize(), 1, "suspect counts towards N, dead does not");
});

t.test("the table lists members by number, with every field as it was set, and forgets removed ones", async (t) => {
  const members = new MembershipTable();
  members.set({ id: "b", addr: "h:2", state: "alive", incarnation: 3 }, 10);
  members.set({ id: "a", addr: "h:1", state: "suspect", incarnation: 2 ** 40 }, 20);
  members.set({ id: "c", addr: "h:3", state: "left", incarnation: 0 }, 30);
  t.same(members.all(), [
    { id: "b", addr: "h:2", state: "alive", incarnation: 3, since: 10 },
    { id: "a", addr: "h:1", state: "suspect", incarnation: 2 ** 40, since: 20 },
    { id: "c", addr: "h:3", state: "left", incarnation: 0, since: 30 },
  ]);
  t.equal(members.get("a")?.incarnation, 2 ** 40, "an incarnation past 32 bits is kept whole");
  members.set({ id: "a", addr: "h:9", state: "suspect", incarnation: 5 }, 40);
  t.same(members.get("a"), { id: "a", addr: "h:9", state: "suspect", incarnation: 5, since: 20 });
  t.same(
    members.inState(["alive", "suspect"], "b").map((m) => m.id),
    ["a"],
  );
  t.equal(members.count(["alive", "suspect", "left"]), 3);
  members.remove("c");
  t.equal(members.get("c"), undefined);
  t.equal(members.stateOf("c"), undefined);
  t.equal(members.count(["left"]), 0);
  t.equal(members.stateOf("never-seen"), undefined);
});

t.test("tables that share a numbering keep their own views", async (t) => {
  const shared = newNumberings();
  const one = new MembershipTable(shared);
  const two = new MembershipTable(shared);
  one.set({ id: "x", addr: "h:1", state: "alive", incarnation: 1 }, 1);
  two.set({ id: "y", addr: "h:2", state: "dead", incarnation: 4 }, 2);
  two.set({ id: "x", addr: "h:1", state: "suspect", incarnation: 1 }, 3);
  t.same(
    one.all().map((m) => `${m.id}:${m.state}`),
    ["x:alive"],
  );
  t.same(
    two.all().map((m) => `${m.id}:${m.state}`),
    ["x:suspect", "y:dead"],
  );
  t.equal(one.get("y"), undefined);
});

t.test("sample draws distinct acceptable members, uniformly, and finds sparse ones too", async (t) => {
  const members = new MembershipTable();
  for (let i = 0; i < 100; i++) members.set({ id: `m${i}`, addr: `h:${i}`, state: i % 10 === 0 ? "alive" : "dead", incarnation: 0 }, 0);
  const random = seededRandom(5);
  const hits = new Map<string, number>();
  for (let round = 0; round < 2000; round++) {
    const picked = members.sample(3, random, (m) => m.state === "alive");
    t.equal(new Set(picked.map((m) => m.id)).size, 3, "three distinct");
    for (const m of picked) {
      if (m.state !== "alive") t.fail(`${m.id} is ${m.state}`);
      hits.set(m.id, (hits.get(m.id) ?? 0) + 1);
    }
    if (t.counts.fail > 0) break;
  }
  // 6000 picks over 10 members: 600 each expected; 4.5 standard deviations either side.
  t.equal(hits.size, 10);
  for (const [id, n] of hits) t.ok(n > 500 && n < 700, `${id} picked ${n} times`);
  const sparse = new MembershipTable();
  for (let i = 0; i < 5000; i++) sparse.set({ id: `m${i}`, addr: `h:${i}`, state: i === 4321 ? "alive" : "dead", incarnation: 0 }, 0);
  t.same(
    sparse.sample(3, random, (m) => m.state === "alive").map((m) => m.id),
    ["m4321"],
    "one acceptable member among 5000 is found, and fewer than k come back",
  );
  t.same(
    sparse.sample(2, random, () => false),
    [],
  );
  t.same(
    sparse.sample(3, random, (m) => m.state === "alive", "m4321"),
    [],
    "`except` is never drawn, even when it alone fits",
  );
  const dense = new MembershipTable();
  for (let i = 0; i < 4; i++) dense.set({ id: `m${i}`, addr: `h:${i}`, state: "alive", incarnation: 0 }, 0);
  const allBut = dense.sample(4, random, () => true, "m2").map((m) => m.id);
  t.same([...allBut].sort(), ["m0", "m1", "m3"], "all but `except`");
});
