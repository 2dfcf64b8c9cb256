// Every test file runs in exactly one of the three tap runs: `npm test` (package.json's tap
// include and exclude), `npm run test:timing` (the files its script names) and
// `npm run test:engines`. A file that fell out of all three would never run anywhere, in CI
// included; one in two would run twice. tap itself lists each set, so its own globbing decides.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { packageRoot } from "../../harness/paths.js";

const root = packageRoot();
const tapBin = path.join(root, "node_modules", ".bin", "tap");

function testFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.posix.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) return testFiles(rel);
    return name.endsWith(".test.ts") ? [rel] : [];
  });
}

async function tapList(args: string[]): Promise<string[]> {
  const { stdout } = await execa(tapBin, ["list", ...args], { cwd: root });
  return stdout.split("\n").filter((line) => line.trim() !== "");
}

/** The arguments after `tap` in an npm script, split on spaces (the scripts quote no paths with spaces). */
function tapArgs(script: string): string[] {
  const tail = script.slice(script.indexOf(" tap ") + " tap ".length);
  return tail.split(" ").map((arg) => arg.replace(/^'(.*)'$/, "$1"));
}

t.test("each test file is in exactly one of npm test, test:timing and test:engines", async (t) => {
  const scripts = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const sets: Record<string, string[]> = {
    "npm test": await tapList([]),
    "test:timing": await tapList(tapArgs(scripts["test:timing"]!).filter((arg) => arg !== "--disable-coverage")),
    "test:engines": await tapList(tapArgs(scripts["test:engines"]!).filter((arg) => arg !== "--disable-coverage")),
  };
  for (const [name, files] of Object.entries(sets)) t.ok(files.length > 0, `${name} runs ${files.length} files`);
  const runs = new Map<string, string[]>();
  for (const [name, files] of Object.entries(sets)) for (const file of files) runs.set(file, [...(runs.get(file) ?? []), name]);
  const all = testFiles("test");
  t.ok(all.length > 90, `${all.length} test files`);
  t.same(
    all.filter((file) => !runs.has(file)),
    [],
    "no test file is left out of every run",
  );
  t.same(
    [...runs].filter(([, names]) => names.length > 1).map(([file, names]) => `${file}: ${names.join(", ")}`),
    [],
    "no test file runs twice",
  );
  t.same(
    [...runs.keys()].filter((file) => !all.includes(file)),
    [],
    "every listed file is a test file under test/",
  );
});
