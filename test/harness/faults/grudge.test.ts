// Grudges: which sender → listener pairs a partition cuts.
import t from "tap";
import { cutPairs, grudgeFromGroups, grudgeIsolate, grudgeNodes, grudgeOneWay } from "../../../harness/faults/grudge.js";

t.test("groups cut every pair across groups, both ways", async (t) => {
  const grudge = grudgeFromGroups([["a", "b"], ["c"]]);
  t.same(grudge, { a: ["c"], b: ["c"], c: ["a", "b"] });
  t.same(cutPairs(grudge).sort(), [
    ["a", "c"],
    ["b", "c"],
    ["c", "a"],
    ["c", "b"],
  ]);
});

t.test("a one-way cut only stops messages from → to", async (t) => {
  t.same(cutPairs(grudgeOneWay(["n1"], ["n2"])), [["n1", "n2"]]);
});

t.test("isolate cuts a node off in both directions; nodes are listed once", async (t) => {
  const grudge = grudgeIsolate("x", ["x", "y", "z"]);
  t.same(cutPairs(grudge).length, 4);
  t.same(grudgeNodes(grudge), ["x", "y", "z"]);
  t.same(cutPairs({ a: ["a", "b", "b"] }), [["b", "a"]], "self-pairs and duplicates dropped");
});
