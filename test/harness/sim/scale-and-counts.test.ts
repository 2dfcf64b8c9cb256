// Scenarios raised to more nodes than they were written for, and the aggregated view stream's judgement.
import t from "tap";
import { scaleScenario, widenLinks } from "../../../harness/scenario/scale.js";
import { ViewCounts } from "../../../harness/checks/view-counts.js";
import { viewShares } from "../../../harness/report/view-shares.js";
import { Scenario } from "../../../specs/scenario/scenario.js";
import type { HistoryRecord } from "../../../specs/history/history.js";

const written = {
  name: "split",
  description: "a whole-cluster partition, a one-way cut and an isolated node",
  steps: [
    {
      partition: {
        groups: [
          ["n1", "n2"],
          ["n3", "n4", "n5"],
        ],
      },
    },
    {
      expect: {
        split: {
          groups: [
            ["n1", "n2"],
            ["n3", "n4", "n5"],
          ],
          within: "10s",
        },
      },
    },
    { heal: null },
    { partition: { groups: [["n1"], ["n2"]] } },
    { partition: { from: ["n1"], to: ["n2"] } },
  ],
  checks: [{ split: { groups: [["n5"], ["n1", "n2", "n3", "n4"]], within: "10s" } }],
};

t.test("in a whole-cluster partition n(k+5) sits with n(k), keeping the sides' proportions; other partitions are left alone", async (t) => {
  const scaled = scaleScenario(Scenario.parse({ ...written, nodes: 8 }), 5);
  const steps = scaled.steps as { kind: string; args: Record<string, unknown> }[];
  t.same(
    steps[0]!.args.groups,
    [
      ["n1", "n2", "n6", "n7"],
      ["n3", "n4", "n5", "n8"],
    ],
    "n6 and n7 sit with n1 and n2, n8 with n3",
  );
  t.same(
    (steps[1]!.args.args as { groups: string[][] }).groups,
    [
      ["n1", "n2", "n6", "n7"],
      ["n3", "n4", "n5", "n8"],
    ],
    "and so does the split it expects",
  );
  const large = scaleScenario(Scenario.parse({ ...written, nodes: 1000 }), 5).steps[0] as { args: { groups: string[][] } };
  t.same(
    large.args.groups.map((g) => g.length),
    [400, 600],
    "at 1,000 nodes the sides are 40 % and 60 %, as written",
  );
  t.same(steps[3]!.args.groups, [["n1"], ["n2"]], "a partition of some nodes only is not widened");
  t.same(steps[4]!.args, { from: ["n1"], to: ["n2"] }, "a one-way cut is not widened");
  t.same((scaled.checks[0]!.args as { groups: string[][] }).groups, [["n5"], ["n1", "n2", "n3", "n4", "n6", "n7", "n8"]], "checks are widened too");
  const ten = scaleScenario(Scenario.parse({ ...written, nodes: 10 }), 5);
  t.same(
    (ten.checks[0]!.args as { groups: string[][] }).groups,
    [["n5"], ["n1", "n2", "n3", "n4", "n6", "n7", "n8", "n9", "n10"]],
    "a split no partition step made (an isolated n5) keeps n5 alone: n10 joins the rest, not n5",
  );
  const same = Scenario.parse({ ...written, nodes: 5 });
  t.equal(scaleScenario(same, 5), same, "at the written size nothing changes");
});

t.test("a crash list is a share of the cluster: n(k+5) falls with n(k); a single crash stays one node", async (t) => {
  const massCrash = {
    name: "mass-crash",
    description: "two of five at once, then one more",
    steps: [{ crash: ["n4", "n5"] }, { expect: { "all-dead": { nodes: ["n5", "n4"], within: "10s" } } }, { crash: "n3" }],
    checks: [{ "all-dead": { nodes: ["n4", "n5"], within: "10s" } }, { "all-dead": { nodes: ["n3"], within: "10s" } }],
  };
  const scaled = scaleScenario(Scenario.parse({ ...massCrash, nodes: 12 }), 5);
  const steps = scaled.steps as { kind: string; args: unknown }[];
  t.same(steps[0]!.args, ["n4", "n5", "n9", "n10"], "n9 and n10 fall with n4 and n5 (n14 and n15 would be next)");
  t.same(
    (steps[1]!.args as { args: { nodes: string[] } }).args.nodes,
    ["n4", "n5", "n9", "n10"],
    "the expect judges the nodes the crash took, in any order written",
  );
  t.equal(steps[2]!.args, "n3", "a single crash is one node at any size");
  t.same((scaled.checks[0]!.args as { nodes: string[] }).nodes, ["n4", "n5", "n9", "n10"], "the check is widened with the crash");
  t.same((scaled.checks[1]!.args as { nodes: string[] }).nodes, ["n3"], "a list no crash step names stays as written");
  const large = scaleScenario(Scenario.parse({ ...massCrash, nodes: 1000 }), 5).steps[0] as { args: string[] };
  t.equal(large.args.length, 400, "at 1,000 nodes 40 % crash, as written");
  t.equal(new Set(large.args).size, 400, "each once");
  t.throws(() => Scenario.parse({ ...massCrash, steps: [{ crash: ["n4", "n6"] }] }), /node n6 is not in the cluster at this step/, "a listed node must exist");
  t.throws(() => Scenario.parse({ ...massCrash, steps: [{ crash: [] }] }), /crash/, "an empty list is an error");
});

t.test("a fault on every link of a node covers its links to the extra nodes; a fault on some of its links stays on those", async (t) => {
  const others = ["n2", "n3", "n4", "n5"];
  const star = [...others.map((y) => ["n1", y]), ...others.map((y) => [y, "n1"])];
  const slow = {
    name: "slow",
    description: "d",
    nodes: 7,
    steps: [
      { latency: { latency: 250, links: star } },
      { loss: { rate: 0.5, links: others.map((y) => ["n1", y]) } },
      {
        refuse: {
          links: [
            ["n1", "n2"],
            ["n3", "n1"],
          ],
        },
      },
      { latency: { latency: 10 } },
    ],
    checks: [],
  };
  const steps = scaleScenario(Scenario.parse(slow), 5).steps as { args: { links?: string[][] } }[];
  t.same(
    steps[0]!.args.links!.slice(star.length),
    [
      ["n1", "n6"],
      ["n1", "n7"],
      ["n6", "n1"],
      ["n7", "n1"],
    ],
    "every link to and from n1: n6 and n7's too",
  );
  t.same(
    steps[1]!.args.links!.slice(4),
    [
      ["n1", "n6"],
      ["n1", "n7"],
    ],
    "every link from n1 only: the links from n1 to n6 and n7",
  );
  t.same(
    steps[2]!.args.links,
    [
      ["n1", "n2"],
      ["n3", "n1"],
    ],
    "some of n1's links: unchanged",
  );
  t.equal(steps[3]!.args.links, undefined, "a fault on every link needs no widening");
  t.equal(widenLinks(star as [string, string][], 5, 1000).length, 2 * 999, "at 1,000 nodes: n1's 999 links each way");
});

const start = (nodes: string[]): HistoryRecord[] => [
  {
    t: 0,
    scenario: "s",
    type: "scenario-start",
    source: "harness",
    nodes,
    config: {},
    seed: 1,
    toxiproxy: "none",
    file: "f",
    description: "d",
    checks: [],
    proxies: {},
  },
  ...nodes.map((node): HistoryRecord => ({ t: 0, scenario: "s", type: "node-up", source: "harness", node, addr: `${node}.sim:7000` })),
];
const counts = (t: number, c: Record<string, [number, number, number, number]>): HistoryRecord => ({
  t,
  scenario: "s",
  type: "view-count",
  source: "sim",
  counts: c,
});

t.test("view counts: converged when every running node holds exactly the running nodes alive", async (t) => {
  const records = [
    ...start(["n1", "n2", "n3"]),
    counts(100, { n1: [2, 0, 0, 0], n2: [3, 0, 0, 0], n3: [3, 0, 0, 0] }),
    counts(200, { n1: [3, 0, 0, 0] }),
    { t: 300, scenario: "s", type: "node-down", source: "harness", node: "n3", how: "crash" } as HistoryRecord,
    counts(300, { n1: [2, 0, 0, 0], n2: [2, 0, 0, 0], n3: [2, 0, 0, 0] }),
    counts(900, { n3: [0, 0, 2, 0] }),
    { t: 1000, scenario: "s", type: "scenario-end", source: "harness" } as HistoryRecord,
  ];
  const view = ViewCounts.from(records)!;
  t.same(view.at("n1", 150), [2, 0, 0, 0], "counts read at an instant are the last written before it");
  t.same(view.at("n2", 50), [0, 0, 0, 0], "before any record: nobody holds it");
  t.notOk(view.convergedAt(150, ["n1", "n2", "n3"]).ok, "n1 held alive by 2 of 3");
  t.match(view.convergedAt(150, ["n1", "n2", "n3"]).reason, /1 of 3 running nodes do not hold n1 alive/);
  t.ok(view.convergedAt(250, ["n1", "n2", "n3"]).ok, "all three hold all three");
  t.match(view.convergedAt(500, ["n1", "n2"]).reason, /2 running nodes hold n3 alive but it is not running/, "a crashed member still held alive");
  t.ok(view.convergedAt(950, ["n1", "n2"]).ok, "once both hold it dead");
  t.notOk(ViewCounts.from(start(["n1"])), "a history without view-count records has no stream");
});

t.test("view shares: the share of views in each state, from counts or from transitions alike", async (t) => {
  const transition = (t: number, observer: string, id: string, to: "alive" | "dead", from: "alive" | null): HistoryRecord => ({
    t,
    scenario: "s",
    type: "transition",
    source: `node:${observer}`,
    observer,
    seq: 1,
    id,
    from,
    to,
    incarnation: 0,
  });
  const nodes = ["n1", "n2"];
  const end = { t: 1000, scenario: "s", type: "scenario-end", source: "harness" } as HistoryRecord;
  const fromTransitions = [
    ...start(nodes),
    ...nodes.flatMap((o) => nodes.map((m) => transition(100, o, m, "alive", null))),
    transition(500, "n1", "n2", "dead", "alive"),
    end,
  ];
  const fromCounts = [...start(nodes), counts(100, { n1: [2, 0, 0, 0], n2: [2, 0, 0, 0] }), counts(500, { n2: [1, 0, 1, 0] }), end];
  for (const [what, records] of [
    ["transitions", fromTransitions],
    ["counts", fromCounts],
  ] as const) {
    const { curve, heat } = viewShares(records, 10, 10);
    const at = (s: number, state: string) => curve.find((c) => c.s === s && c.state === state)?.share;
    t.equal(at(0.2, "alive"), 1, `${what}: at 0.2 s every view is alive`);
    t.equal(at(0.6, "alive"), 0.75, `${what}: at 0.6 s three of four`);
    t.equal(at(0.6, "dead"), 0.25, `${what}: and one dead`);
    t.equal(heat.find((h) => h.s === 0.6 && h.band === "n2")?.alive, 0.5, `${what}: n2 held alive by half`);
  }
});
