// Where Grapevine's own files are, found from this module so that it works from source and from dist/.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The package root: the nearest folder above this module that holds package.json. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find Grapevine's package.json above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

/** The built CLI that child processes run. */
export function builtCli(): string {
  const cli = path.join(packageRoot(), "dist", "harness", "cli", "main.js");
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  return cli;
}

/**
 * The reference node's own entry (reference-node/main.ts) bundled into one file by `npm run build`:
 * what runtimes start. One file loads faster than the hundred modules it is made of.
 */
export function builtNode(): string {
  const entry = path.join(packageRoot(), "dist", "reference-node", "node.bundle.mjs");
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  return entry;
}

/** The packet relay's entry (harness/faults/packet/relay-main.ts), which runs inside a run's router namespace. */
export function builtRelay(): string {
  const entry = path.join(packageRoot(), "dist", "harness", "faults", "packet", "relay-main.js");
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  return entry;
}
