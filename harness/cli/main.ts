#!/usr/bin/env node
// The `grapevine` command line: one yargs program, one module per command.
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { benchCommand } from "./commands/bench.js";
import { checkCommand } from "./commands/check.js";
import { conformanceCommand } from "./commands/conformance.js";
import { imageCommand } from "./commands/image.js";
import { nodeCommand } from "./commands/node.js";
import { proxyCommand } from "./commands/proxy.js";
import { runCommand } from "./commands/run.js";
import { schemaCommand } from "./commands/schema.js";
import { EXIT_BAD_INPUT, EXIT_INTERNAL_ERROR, UsageError } from "./usage-error.js";

function fail(message: string): never {
  process.stderr.write(`grapevine: ${message}\n`);
  process.exit(EXIT_BAD_INPUT);
}

/** Not the implementation's fault and not the user's: exit 1 would read as "a check failed". */
function internalError(error: unknown): never {
  process.stderr.write(`grapevine: internal error (exit ${EXIT_INTERNAL_ERROR}): ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(EXIT_INTERNAL_ERROR);
}
process.on("uncaughtException", internalError);
process.on("unhandledRejection", internalError);

try {
  await yargs(hideBin(process.argv))
    .scriptName("grapevine")
    .command(runCommand)
    .command(checkCommand)
    .command(benchCommand)
    .command(conformanceCommand)
    .command(nodeCommand)
    .command(imageCommand)
    .command(proxyCommand)
    .command(schemaCommand)
    .demandCommand(1, "name a command")
    .strict()
    .help()
    .fail((message, error) => {
      if (error && !(error instanceof UsageError)) throw error;
      fail(error?.message ?? message);
    })
    .parseAsync();
} catch (error) {
  if (error instanceof UsageError) fail(error.message);
  internalError(error);
}
