// The example workflow (examples/github-actions/grapevine.yml) as GitHub would take it: parsed and
// checked against the Actions workflow schema by GitHub's own parser (@actions/workflow-parser, the
// one behind the Actions editor support). And as Grapevine would: every flag it passes to a
// grapevine command is one that command takes, it installs what the packet engine needs, annotates
// through --reporter github, and keeps the reports whatever happened.
import { execa } from "execa";
import { register } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import YAML from "yaml";
import { builtCli, packageRoot } from "../../../harness/paths.js";

// The parser imports its schema as JSON without an import attribute, which Node refuses; the hook adds it.
register("./json-import-hook.mjs", import.meta.url);
const { parseWorkflow, NoOperationTraceWriter } = await import("@actions/workflow-parser");

const file = path.join(packageRoot(), "examples", "github-actions", "grapevine.yml");
const text = readFileSync(file, "utf8");

function schemaErrors(content: string): string[] {
  const parsed = parseWorkflow({ name: "grapevine.yml", content }, new NoOperationTraceWriter());
  return parsed.context.errors.getErrors().map((e) => e.message);
}

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
}
const steps = (YAML.parse(text) as { jobs: Record<string, { steps: Step[] }> }).jobs.grapevine!.steps;
const runs = steps.flatMap((s) => (s.run ? [s.run.replace(/\\\n\s*/g, " ")] : []));

t.test("the workflow passes GitHub's workflow schema; a broken copy does not", async (t) => {
  t.same(schemaErrors(text), []);
  // The check can fail: a misspelt key and a step with neither run nor uses are refused.
  t.ok(schemaErrors(text.replace("runs-on:", "run-on:")).length > 0, "a misspelt runs-on is caught");
  t.ok(schemaErrors(text.replace("timeout-minutes: 60", "timeout-minutes: [60]")).length > 0, "a wrong type is caught");
});

t.test("every grapevine command in it takes the flags it is given", async (t) => {
  const invocations = runs.flatMap((r) => [...r.matchAll(/\$GRAPEVINE (\w+)( \w+)?([^;\n]*)/g)]);
  t.ok(invocations.length >= 4, `${invocations.length} grapevine commands`);
  const help = new Map<string, string>();
  for (const [, command, positional, rest] of invocations) {
    if (!help.has(command!)) help.set(command!, (await execa(process.execPath, [builtCli(), command!, "--help"], { cwd: packageRoot() })).stdout);
    const flags = [...rest!.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((m) => m[1]!);
    for (const flag of flags) t.match(help.get(command!), new RegExp(`\\s${flag}\\s`), `grapevine ${command}${positional ?? ""} takes ${flag}`);
  }
});

t.test("it judges the manifest through the packet engine, annotates, and keeps the reports", async (t) => {
  const all = runs.join("\n");
  t.match(all, /\$GRAPEVINE run [^\n]*--sut "\$MANIFEST"[^\n]*--faults packet[^\n]*--reporter github/, "the suite on the user's manifest, annotated");
  t.match(all, /\$GRAPEVINE conformance --sut "\$MANIFEST"[^\n]*--reporter github/);
  t.match(all, /apt-get install [^\n]*nftables/, "nft for the packet engine");
  t.match(all, /apt-get install [^\n]*iproute2/, "ip netns for the packet engine");
  t.match(all, /\$GRAPEVINE compare baseline\/bench\.json reports\/bench\.json/, "a slower detection fails the job");
  const keep = steps.find((s) => s.uses?.startsWith("actions/upload-artifact") && s.with?.path === "reports/");
  t.ok(keep, "the reports are uploaded");
  t.equal(keep?.if, "${{ always() }}", "even when a check failed");
});
