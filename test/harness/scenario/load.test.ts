// Loading scenario files: YAML and TypeScript modules, folders in name order, and errors that name file, field and reason.
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../../harness/paths.js";
import { loadScenario, loadScenarios, ScenarioFileError } from "../../../harness/scenario/load.js";

const fixture = (name: string) => `${packageRoot()}/fixtures/scenarios/${name}`;

t.test("the default suite loads: every scenario valid, names unique, in file order", async (t) => {
  const loaded = await loadScenarios([`${packageRoot()}/specs/scenarios`]);
  t.ok(loaded.length >= 11);
  t.same(loaded.map((l) => l.scenario.name).slice(0, 2), ["steady-state", "crash-detection"]);
  t.ok(
    loaded.some((l) => l.file.endsWith(".ts")),
    "TypeScript modules load too",
  );
});

t.test("a TypeScript scenario is validated like YAML", async (t) => {
  const { scenario } = await loadScenario(fixture("quick-crash.ts"));
  t.equal(scenario.nodes, 3);
  t.same(scenario.steps[0], { kind: "wait", args: { until: "converged", timeout: 10_000 } });
});

t.test("--nodes overrides every scenario, and node names are checked against it", async (t) => {
  const { scenario } = await loadScenario(fixture("quick-pause.yaml"), { nodes: 4 });
  t.equal(scenario.nodes, 4);
  await t.rejects(loadScenario(fixture("quick-crash.ts"), { nodes: 2 }), { message: /field steps.1.crash: node n3 is not in the cluster/ });
});

const bad: [string, RegExp][] = [
  ["bad-unknown-step.yaml", /bad-unknown-step.yaml: field steps.1.crsh: unknown step "crsh"/],
  ["bad-node.yaml", /bad-node.yaml: field steps.0.crash: node n4 is not in the cluster at this step \(3 nodes\)/],
  ["bad-duration.yaml", /bad-duration.yaml: field steps.0.wait/],
  ["bad-yaml.yaml", /bad-yaml.yaml: not valid YAML/],
  ["missing.yaml", /missing.yaml: no such file or folder/],
];
for (const [file, message] of bad) {
  t.test(`${file}: a clear error`, async (t) => {
    await t.rejects(loadScenarios([fixture(file)]), { constructor: ScenarioFileError, message });
  });
}

t.test("grapevine run on a bad file exits 2 naming the file, the field and the reason, before starting anything", async (t) => {
  const result = await execa(process.execPath, [builtCli(), "run", fixture("bad-node.yaml")], { reject: false, timeout: 20_000 });
  t.equal(result.exitCode, 2);
  t.match(result.stderr, /bad-node.yaml: field steps.0.crash: node n4 is not in the cluster/);
});
