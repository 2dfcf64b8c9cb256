// The merge-rule table of SWIM §4.2 (as DESIGN states it), row by row.
import t from "tap";
import type { MemberState } from "../../../specs/wire/messages.js";
import { MembershipTable, supersedes } from "../../../reference-node/core/membership.js";

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
