#!/usr/bin/env node
// The reference node's own entry: what runtimes start. It loads the core, the shell and the
// contracts only (no yargs, no harness), so a node is up in a few hundred milliseconds.
// `grapevine node` takes the same flags and shows them in its help.
import { parseArgs } from "node:util";
import { nodeFlags, NodeFlagError, resolveNodeFlags } from "./shell/flags.js";
import { serveNode } from "./shell/serve.js";

/** Exit codes as the grapevine CLI uses them: 2 bad input, 3 internal error. */
const EXIT_BAD_INPUT = 2;
const EXIT_INTERNAL_ERROR = 3;

try {
  const options = Object.fromEntries(Object.keys(nodeFlags()).map((name) => [name, { type: "string" as const }]));
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: process.argv.slice(2), options, strict: true, allowPositionals: false }));
  } catch (error) {
    // parseArgs names the flag: "Unknown option '--x'", "Option '--port <value>' argument missing".
    throw new NodeFlagError((error as Error).message);
  }
  await serveNode(resolveNodeFlags(values));
} catch (error) {
  if (error instanceof NodeFlagError) {
    process.stderr.write(`grapevine node: ${error.message}\n`);
    process.exit(EXIT_BAD_INPUT);
  }
  process.stderr.write(`grapevine node: internal error (exit ${EXIT_INTERNAL_ERROR}): ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(EXIT_INTERNAL_ERROR);
}
