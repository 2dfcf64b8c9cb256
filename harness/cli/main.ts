#!/usr/bin/env node
// The `grapevine` command line: one yargs program, one module per command.
import yargs, { type CommandModule } from "yargs";
import { hideBin } from "yargs/helpers";
import { EXIT_BAD_INPUT, EXIT_INTERNAL_ERROR, UsageError } from "./usage-error.js";

/**
 * Every command, loaded only when named: `grapevine node` starts a node without loading the
 * runner, and `grapevine check` judges a history without the live runner or proxy code. In the
 * order the help lists them.
 */
type AnyCommand = CommandModule<any, any>;
const COMMANDS: Record<string, () => Promise<AnyCommand>> = {
  run: async () => (await import("./commands/run.js")).runCommand,
  check: async () => (await import("./commands/check.js")).checkCommand,
  compare: async () => (await import("./commands/compare.js")).compareCommand,
  bench: async () => (await import("./commands/bench.js")).benchCommand,
  conformance: async () => (await import("./commands/conformance.js")).conformanceCommand,
  node: async () => (await import("./commands/node.js")).nodeCommand,
  image: async () => (await import("./commands/image.js")).imageCommand,
  proxy: async () => (await import("./commands/proxy.js")).proxyCommand,
  schema: async () => (await import("./commands/schema.js")).schemaCommand,
};

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
  const args = hideBin(process.argv);
  // The command is the first word that is not an option; without one (help, a typo) every command loads.
  const named = args.find((a) => !a.startsWith("-"));
  const names = named !== undefined && named in COMMANDS ? [named] : Object.keys(COMMANDS);
  const program = yargs(args).scriptName("grapevine");
  for (const command of await Promise.all(names.map((name) => COMMANDS[name]!()))) program.command(command);
  await program
    .demandCommand(1, "name a command")
    .recommendCommands()
    .strict()
    .help()
    .alias("h", "help")
    .fail((message, error, y) => {
      if (error && !(error instanceof UsageError)) throw error;
      // Without a command, the list of commands is the answer; a typo gets the nearest command's name.
      if (!named) {
        y.showHelp((text) => process.stderr.write(`${text}\n\n`));
        fail(message);
      }
      fail(error?.message ?? message);
    })
    .parseAsync();
} catch (error) {
  if (error instanceof UsageError) fail(error.message);
  internalError(error);
}
