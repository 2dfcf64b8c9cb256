// Which folder may import which. What judges implementations (specs, checks, reports, history,
// observation, conformance) never borrows from the reference node, which is one implementation among
// several; runtimes start nodes and know no fault engine; fault engines know no runtime.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { packageRoot } from "../../harness/paths.js";

const root = packageRoot();

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) return sources(rel);
    return rel.endsWith(".ts") ? [rel] : [];
  });
}

/** Every relative import of a file (static, type-only and dynamic), as repository paths. */
export function importsOf(file: string): string[] {
  const text = readFileSync(path.join(root, file), "utf8");
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)["'](\.{1,2}\/[^"']+)["']/gm)].map((m) => m[1]!);
  return specifiers.map((s) => path.normalize(path.join(path.dirname(file), s)).replace(/\.js$/, ".ts"));
}

/** [folder whose files are checked, folders they must not import from, why]. */
const RULES: [string, string[], string][] = [
  ["specs", ["harness", "reference-node"], "the contracts depend on nothing but zod and each other"],
  ["reference-node", ["harness"], "the reference node is an implementation under test, not part of the harness"],
  [
    "harness/checks",
    ["reference-node", "harness/run", "harness/runtime", "harness/faults", "harness/proxy", "harness/cli", "harness/sim"],
    "checks are pure functions of a history",
  ],
  ["harness/report", ["reference-node", "harness/run", "harness/runtime", "harness/faults", "harness/proxy"], "reports read results and histories only"],
  ["harness/history", ["reference-node", "harness/run", "harness/runtime", "harness/faults"], "the history is a record, not a runner"],
  ["harness/observe", ["reference-node", "harness/run", "harness/runtime", "harness/faults"], "observing reads any implementation's admin API"],
  ["harness/conformance", ["reference-node", "harness/run", "harness/faults", "harness/proxy"], "conformance judges any implementation on the wire"],
  ["harness/runtime", ["harness/faults", "harness/proxy", "harness/run"], "a runtime starts, stops and signals nodes; the run layer wires faults in"],
  ["harness/faults", ["harness/runtime", "harness/run", "harness/cli"], "a fault engine acts on links and processes, whatever runs them"],
  ["harness/proxy", ["harness/faults", "harness/runtime", "harness/run", "reference-node"], "the embedded Toxiproxy server stands alone, like Toxiproxy"],
  [
    "harness/regression",
    ["reference-node", "harness/run", "harness/runtime", "harness/faults", "harness/proxy", "harness/sim", "harness/cli"],
    "a comparison reads two summaries and runs nothing",
  ],
  [
    "harness/sim",
    ["harness/runtime", "harness/proxy", "harness/observe", "harness/faults/packet", "harness/cli"],
    "the simulator runs cores in this process on its own network: no runtime, proxy or observer of real nodes",
  ],
];

for (const [folder, forbidden, why] of RULES) {
  t.test(`${folder} imports nothing from ${forbidden.join(", ")}: ${why}`, async (t) => {
    const files = sources(folder);
    t.ok(files.length > 0, `${folder} has sources`);
    const offences = files.flatMap((file) =>
      importsOf(file)
        .filter((target) => forbidden.some((f) => target === f || target.startsWith(`${f}/`)))
        .map((target) => `${file} imports ${target}`),
    );
    t.same(offences, [], offences.join("\n"));
  });
}

t.test("the import scanner sees static, type-only and dynamic imports", async (t) => {
  const imports = importsOf("harness/cli/commands/check.ts");
  t.ok(imports.includes("harness/checks/judge.ts"), "static");
  t.ok(imports.includes("specs/history/history.ts"), "type-only");
  t.ok(imports.includes("harness/report/terminal.ts"), "dynamic");
});
