// Style is not a review topic: every source file is as Prettier (configured once, .prettierrc.json)
// writes it. `npm run format` fixes what this test finds.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import * as prettier from "prettier";
import t from "tap";
import { packageRoot } from "../../harness/paths.js";

const root = packageRoot();
const FOLDERS = ["harness", "specs", "reference-node", "test", "examples"];

function files(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(path.join(root, dir));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) return files(rel);
    return /\.(ts|mjs|json)$/.test(name) ? [rel] : [];
  });
}

t.test("every source file is formatted by Prettier", async (t) => {
  const all = [...FOLDERS.flatMap(files), "package.json", "tsconfig.json"];
  t.ok(all.length > 100, `${all.length} files checked`);
  const unformatted: string[] = [];
  for (const file of all) {
    const absolute = path.join(root, file);
    if ((await prettier.getFileInfo(absolute, { ignorePath: path.join(root, ".prettierignore") })).ignored) continue;
    const options = { ...(await prettier.resolveConfig(absolute)), filepath: absolute };
    if (!(await prettier.check(readFileSync(absolute, "utf8"), options))) unformatted.push(file);
  }
  t.same(unformatted, [], `not formatted (run npm run format): ${unformatted.join(", ")}`);
});
