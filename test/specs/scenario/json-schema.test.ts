// The JSON Schemas `grapevine schema` writes for editors: every shipped scenario file and adapter
// manifest is valid against them (checked with Ajv, as an editor's language server would), and a
// misspelt step kind or manifest field is not.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import t from "tap";
import { parse } from "yaml";
import { toJsonSchema } from "../../../specs/catalog.js";
import { AdapterManifest } from "../../../specs/adapter/manifest.js";
import { ScenarioAuthoring } from "../../../specs/scenario/scenario.js";
import { packageRoot } from "../../../harness/paths.js";

const root = packageRoot();
const ajv = new Ajv2020({ allErrors: true, strict: false });
const scenarioValid = ajv.compile(toJsonSchema("scenario/scenario", ScenarioAuthoring));
const manifestValid = ajv.compile(toJsonSchema("adapter/manifest", AdapterManifest));
const yamlIn = (dir: string) =>
  readdirSync(path.join(root, dir))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => path.join(dir, f));

t.test("every scenario of the suite and every good fixture is valid", async (t) => {
  const files = [...yamlIn("specs/scenarios"), ...yamlIn("fixtures/scenarios").filter((f) => !path.basename(f).startsWith("bad-"))];
  t.ok(files.length >= 17);
  for (const file of files) t.ok(scenarioValid(parse(readFileSync(path.join(root, file), "utf8"))), `${file}: ${ajv.errorsText(scenarioValid.errors)}`);
});

t.test("a misspelt step kind, an unknown check argument and a missing description are errors", async (t) => {
  const base = parse(readFileSync(path.join(root, "specs/scenarios/02-crash-detection.yaml"), "utf8"));
  t.notOk(scenarioValid({ ...base, steps: [{ crsh: { node: "n3" } }] }), "crsh");
  t.notOk(scenarioValid({ ...base, checks: [{ detection: { node: "n3", deadWithin: "8s", sooner: true } }] }), "sooner");
  const { description: _, ...nameless } = base;
  t.notOk(scenarioValid(nameless), "description");
  t.notOk(scenarioValid(parse(readFileSync(path.join(root, "fixtures/scenarios/bad-unknown-step.yaml"), "utf8"))), "the bad-unknown-step fixture");
});

t.test("every shipped adapter manifest is valid; a misspelt field is not", async (t) => {
  const dir = path.join(root, "fixtures", "adapters");
  const manifests = readdirSync(dir).filter((f) => f.endsWith(".json"));
  t.ok(manifests.length >= 4);
  for (const file of manifests) t.ok(manifestValid(JSON.parse(readFileSync(path.join(dir, file), "utf8"))), `${file}: ${ajv.errorsText(manifestValid.errors)}`);
  const serf = JSON.parse(readFileSync(path.join(dir, "serf.json"), "utf8"));
  t.notOk(manifestValid({ ...serf, timming: serf.timing }), "timming");
});
