// Loading scenario files: YAML and TypeScript modules, folders in name order, and errors that name file, field and reason.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
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

t.test("--detector phi sizes the acceptable pause for the cluster it will run: the file's count, or --nodes", async (t) => {
  const file = `${packageRoot()}/specs/scenarios/01-steady-state.yaml`;
  const five = await loadScenario(file, { detector: "phi" });
  t.equal(five.scenario.config.phiAcceptablePauseMs, 600, "five nodes: three heartbeats of 200 ms");
  const thousand = await loadScenario(file, { detector: "phi", nodes: 1000 });
  t.equal(thousand.scenario.config.phiAcceptablePauseMs, 1800, "1,000 nodes: three heartbeats per decade");
  t.equal(thousand.scenario.config.detector, "phi");
  const swim = await loadScenario(file, { nodes: 1000 });
  t.equal(swim.scenario.config.phiAcceptablePauseMs, undefined, "SWIM gets no φ settings");
});

const bad: [string, RegExp][] = [
  ["bad-unknown-step.yaml", /bad-unknown-step.yaml:5: field steps.1.crsh: unknown step "crsh"/],
  ["bad-node.yaml", /bad-node.yaml:5: field steps.0.crash: node n4 is not in the cluster at this step \(3 nodes\)/],
  // The union's own hint for the member that took the value, not zod's "Invalid input".
  ["bad-duration.yaml", /bad-duration.yaml:4: field steps.0.wait.timeout: timing expression "10 seconds": "seconds" is not a timing term/],
  ["bad-yaml.yaml", /bad-yaml.yaml: not valid YAML/],
  ["missing.yaml", /missing.yaml: no such file or folder/],
];
t.test("every problem of a file, each with its line and the hint of what was meant", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "grapevine-scenario-"));
  const file = path.join(dir, "three.yaml");
  writeFileSync(
    file,
    [
      "name: Three",
      "description: three problems",
      "steps:",
      "  - wait: 1s",
      "  - wait: 2 s",
      "checks:",
      '  - detection: { node: n3, deadWithin: "8s", sooner: true }',
      "",
    ].join("\n"),
  );
  const error = await loadScenario(file).then(
    () => undefined,
    (e: Error) => e,
  );
  t.type(error, ScenarioFileError);
  t.same(
    error!.message.split("\n").map((line) => line.replace(file, "F")),
    [
      "F:1: field name: must be lowercase letters, digits and dashes",
      'F:5: field steps.1.wait: must be a duration such as "500ms", "2s" or "1m", or a timing expression such as "suspicion-max + 2 probe"',
      'F:7: field checks.0.detection: Unrecognized key: "sooner"',
    ],
  );
});

for (const [file, message] of bad) {
  t.test(`${file}: a clear error`, async (t) => {
    await t.rejects(loadScenarios([fixture(file)]), { constructor: ScenarioFileError, message });
  });
}

t.test("grapevine run on a bad file exits 2 naming the file, the field and the reason, before starting anything", async (t) => {
  const result = await execa(process.execPath, [builtCli(), "run", fixture("bad-node.yaml")], { reject: false, timeout: 20_000 });
  t.equal(result.exitCode, 2);
  t.match(result.stderr, /bad-node.yaml:5: field steps.0.crash: node n4 is not in the cluster/);
});
