import t from "tap";
import { describeStep, nodeList } from "../../../harness/scenario/describe.js";
import { Scenario } from "../../../specs/scenario/scenario.js";

const names = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);

t.test("a short node list is shown whole; a long one by its first three, its last and its size", async (t) => {
  t.equal(nodeList(names(8)), "n1,n2,n3,n4,n5,n6,n7,n8");
  t.equal(nodeList(names(1000)), "n1,n2,n3,…,n1000 (1000 nodes)");
  t.equal(nodeList([]), "");
});

t.test("a step at a thousand nodes describes itself in one short line", async (t) => {
  const scenario = Scenario.parse({
    name: "wide",
    description: "a partition of a thousand nodes",
    nodes: 1000,
    steps: [{ partition: { groups: [names(2), names(1000).slice(2)] } }, { crash: "n3" }],
  });
  const [partition, crash] = scenario.steps;
  const line = describeStep(partition!);
  t.ok(line.length < 120, `short: ${line}`);
  t.match(line, /^partition \{"groups":\[\["n1","n2"\],"n3,n4,n5,…,n1000 \(998 nodes\)"\]\}$/);
  t.equal(describeStep(crash!), "crash n3", "a step whose argument is a name stays as it was");
});
