// Shuffled round-robin probe selection.
import t from "tap";
import { ProbeList } from "../../../reference-node/core/probe-list.js";
import { seededRandom } from "../../../reference-node/core/random.js";

t.test("every member is probed once per pass, in a new order each pass", async (t) => {
  const list = new ProbeList();
  const random = seededRandom(7);
  const members = new Set(["a", "b", "c", "d", "e"]);
  const passes = Array.from({ length: 4 }, () => Array.from({ length: 5 }, () => list.next(members, random)!));
  for (const pass of passes) t.same([...pass].sort(), ["a", "b", "c", "d", "e"], `pass ${pass.join("")}`);
  t.ok(new Set(passes.map((p) => p.join(""))).size > 1, "orders differ between passes");
});

t.test("members that left the candidates are skipped; none gives undefined", async (t) => {
  const list = new ProbeList();
  const random = seededRandom(1);
  list.next(new Set(["a", "b", "c"]), random);
  const seen = Array.from({ length: 4 }, () => list.next(new Set(["a"]), random));
  t.same(seen, ["a", "a", "a", "a"]);
  t.equal(list.next(new Set(), random), undefined);
});

t.test("a new member is probed within the current pass", async (t) => {
  const list = new ProbeList();
  const random = seededRandom(3);
  const members = new Set(["a", "b", "c"]);
  list.next(members, random);
  members.add("z");
  list.add("z", random);
  const rest = [list.next(members, random), list.next(members, random), list.next(members, random)];
  t.ok(rest.includes("z"), `z probed in ${rest.join(",")}`);
});
