// The scenario schema: single-key steps and checks, durations, node names, and errors that point at the field.
import t from "tap";
import { Duration, Scenario } from "../../../specs/scenario/scenario.js";

const base = { name: "s", description: "d" };
const firstIssue = (input: unknown) => {
  const r = Scenario.safeParse(input);
  return r.success ? undefined : { path: r.error.issues[0]!.path.join("."), message: r.error.issues[0]!.message };
};

t.test("durations: numbers are ms, strings carry a unit", async (t) => {
  t.same([Duration.parse(250), Duration.parse("250ms"), Duration.parse("2s"), Duration.parse("1.5s"), Duration.parse("1m")], [250, 250, 2000, 1500, 60_000]);
  t.notOk(Duration.safeParse("2 seconds").success);
  t.notOk(Duration.safeParse(-1).success);
});

t.test("steps and checks are single-key objects, turned into {kind, args}", async (t) => {
  const s = Scenario.parse({
    ...base,
    steps: [
      { wait: "1s" },
      { wait: { until: "converged", timeout: "5s" } },
      { crash: "n2" },
      { pause: "n3" },
      { partition: { from: ["n1"], to: ["n2"] } },
      { heal: null },
      { expect: { converged: { within: "2s" } } },
      { join: null },
    ],
    checks: [{ "never-dead": { nodes: ["n1"] } }],
  });
  t.same(
    s.steps.map((x) => x.kind),
    ["wait", "wait", "crash", "pause", "partition", "heal", "expect", "join"],
  );
  t.same(s.steps[0]!.args, { ms: 1000 });
  t.same(s.steps[3]!.args, { node: "n3" }, "pause n3 is short for {node: n3}");
  t.same(s.steps[6]!.args, { check: "converged", args: { within: 2000 } });
  t.same(s.checks, [{ check: "never-dead", args: { nodes: ["n1"] } }]);
  t.equal(s.nodes, 5, "five nodes by default");
});

t.test("errors name the field and say what is expected", async (t) => {
  t.match(firstIssue({ ...base, steps: [{ crsh: "n1" }] }), { path: "steps.0.crsh", message: /unknown step "crsh" \(one of: wait, crash/ });
  t.match(firstIssue({ ...base, steps: [{ crash: "n1", wait: "1s" }] }), { path: "steps.0", message: /exactly one key/ });
  t.match(firstIssue({ ...base, steps: [{ loss: { rate: 2 } }] }), { path: "steps.0.loss.rate" });
  t.match(firstIssue({ ...base, steps: [{ wait: "soon" }] }), { path: "steps.0.wait" });
  t.match(firstIssue({ ...base, steps: [{ expect: { convergd: {} } }] }), { path: "steps.0.expect.convergd", message: /unknown check/ });
  t.match(firstIssue({ ...base, steps: [{ wait: "1s" }], checks: [{ detection: { node: "n1" } }] }), { path: "checks.0.detection.deadWithin" });
  t.match(firstIssue({ ...base, steps: [{ wait: "1s" }], extra: true }), { message: /extra|Unrecognized/ });
  t.match(firstIssue({ ...base, name: "Has Spaces", steps: [{ wait: "1s" }] }), { path: "name" });
});

t.test("node names must exist at that step; a join adds the next one", async (t) => {
  t.match(firstIssue({ ...base, nodes: 3, steps: [{ crash: "n4" }] }), {
    path: "steps.0.crash",
    message: "node n4 is not in the cluster at this step (3 nodes)",
  });
  t.equal(firstIssue({ ...base, nodes: 3, steps: [{ join: null }, { crash: "n4" }] }), undefined);
  t.match(firstIssue({ ...base, nodes: 3, steps: [{ wait: "1s" }], checks: [{ "never-dead": { nodes: ["n9"] } }] }), { path: "checks.0.never-dead" });
});

t.test("settings a node would refuse are refused at load, naming the field (not a node that exits mid-run)", async (t) => {
  t.match(firstIssue({ ...base, config: { probeIntervalMs: 300, probeTimeoutMs: 400 }, steps: [{ wait: "1s" }] }), {
    path: "config.probeTimeoutMs",
    message: /must be shorter than the probe interval/,
  });
  t.match(firstIssue({ ...base, config: { probeIntervalMs: 80 }, steps: [{ wait: "1s" }] }), {
    path: "config.probeTimeoutMs",
    message: /the scenario default probeTimeoutMs 100 applies: set it too/,
  });
  t.equal(firstIssue({ ...base, config: { probeIntervalMs: 80, probeTimeoutMs: 40 }, steps: [{ wait: "1s" }] }), undefined);
});

t.test("datagram faults: duplicate and reorder take a rate within 0..1, reorder a hold-back duration", async (t) => {
  const s = Scenario.parse({
    ...base,
    steps: [{ duplicate: { rate: 0.1 } }, { reorder: { rate: 0.25, delay: "40ms", links: [["n1", "n2"]] } }],
  });
  t.same(
    s.steps.map((x) => [x.kind, x.args]),
    [
      ["duplicate", { rate: 0.1 }],
      ["reorder", { rate: 0.25, delay: 40, links: [["n1", "n2"]] }],
    ],
  );
  t.match(firstIssue({ ...base, steps: [{ duplicate: { rate: 1.5 } }] }), { path: "steps.0.duplicate.rate" });
  t.match(firstIssue({ ...base, steps: [{ reorder: { rate: 0.1 } }] }), { path: "steps.0.reorder.delay" });
});

t.test("a scenario's config holds only what it names: the scenario defaults still apply to the rest", async (t) => {
  const scenario = Scenario.parse({ name: "x", description: "d", steps: [{ wait: "1s" }], config: { antiEntropyIntervalMs: 0 } });
  // Filled with the node's defaults, the 200 ms scenario period would have become memberlist's 1 s.
  t.same(scenario.config, { antiEntropyIntervalMs: 0 });
});

t.test("--detector phi: heartbeats at the scenario's period, Akka's proportions around it, the scenario's own settings kept", async (t) => {
  const { withPhiDetector } = await import("../../../specs/scenario/scenario.js");
  t.same(withPhiDetector({}), { heartbeatIntervalMs: 200, phiAcceptablePauseMs: 600, phiMinStdDeviationMs: 20, detector: "phi" });
  // Three heartbeats per decade of cluster size, never fewer than three.
  t.equal(withPhiDetector({}, 3).phiAcceptablePauseMs, 600);
  t.equal(withPhiDetector({}, 100).phiAcceptablePauseMs, 1200);
  t.equal(withPhiDetector({}, 400).phiAcceptablePauseMs, 1561);
  t.equal(withPhiDetector({}, 1000).phiAcceptablePauseMs, 1800);
  t.equal(withPhiDetector({ phiAcceptablePauseMs: 100 }, 1000).phiAcceptablePauseMs, 100, "a scenario's own pause stays");
  t.same(withPhiDetector({ probeIntervalMs: 500, phiAcceptablePauseMs: 100 }), {
    heartbeatIntervalMs: 500,
    phiAcceptablePauseMs: 100,
    phiMinStdDeviationMs: 50,
    probeIntervalMs: 500,
    detector: "phi",
  });
});
