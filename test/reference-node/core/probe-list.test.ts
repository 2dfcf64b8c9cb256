// Shuffled round-robin probe selection.
import t from "tap";
import { Numbering } from "../../../reference-node/core/membership.js";
import { type ProbeCandidates, ProbeList } from "../../../reference-node/core/probe-list.js";
import { seededRandom } from "../../../reference-node/core/random.js";

const among = (ids: Set<string>): ProbeCandidates => ({ has: (id) => ids.has(id), list: () => [...ids] });

t.test("every member is probed once per pass, in a new order each pass", async (t) => {
  const list = new ProbeList(new Numbering());
  const random = seededRandom(7);
  const members = among(new Set(["a", "b", "c", "d", "e"]));
  const passes = Array.from({ length: 4 }, () => Array.from({ length: 5 }, () => list.next(members, random)!));
  for (const pass of passes) t.same([...pass].sort(), ["a", "b", "c", "d", "e"], `pass ${pass.join("")}`);
  t.ok(new Set(passes.map((p) => p.join(""))).size > 1, "orders differ between passes");
});

t.test("members that left the candidates are skipped; none gives undefined", async (t) => {
  const list = new ProbeList(new Numbering());
  const random = seededRandom(1);
  list.next(among(new Set(["a", "b", "c"])), random);
  const seen = Array.from({ length: 4 }, () => list.next(among(new Set(["a"])), random));
  t.same(seen, ["a", "a", "a", "a"]);
  t.equal(list.next(among(new Set()), random), undefined);
});

t.test("a new member is probed within the current pass, wherever it lands", async (t) => {
  for (let seed = 1; seed <= 50; seed++) {
    const list = new ProbeList(new Numbering());
    const random = seededRandom(seed);
    const ids = new Set(["a", "b", "c", "d"]);
    list.next(among(ids), random);
    ids.add("z");
    list.add("z", random);
    list.add("z", random);
    const rest = [1, 2, 3, 4].map(() => list.next(among(ids), random));
    t.ok(rest.includes("z") && new Set(rest).size === 4, `seed ${seed}: the rest of the pass (${rest.join(",")}) holds z once and nobody twice`);
  }
});

t.test("members added one by one are each probed exactly once in the first pass", async (t) => {
  const list = new ProbeList(new Numbering());
  const random = seededRandom(9);
  const ids = new Set<string>();
  for (let i = 0; i < 300; i++) {
    ids.add(`m${i}`);
    list.add(`m${i}`, random);
  }
  const pass = Array.from({ length: 300 }, () => list.next(among(ids), random)!);
  t.equal(new Set(pass).size, 300, "no member twice, none left out");
});
