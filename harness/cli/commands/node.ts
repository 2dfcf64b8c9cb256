// `grapevine node`: runs one reference node in this process until it leaves or is signalled. The
// flags, their validation and the serving live with the node (reference-node/shell/flags.ts,
// serve.ts), which runtimes start through its own lighter entry, reference-node/main.ts.
import type { CommandModule, Options } from "yargs";
import { nodeFlags, NodeFlagError, resolveNodeFlags } from "../../../reference-node/shell/flags.js";
import { serveNode } from "../../../reference-node/shell/serve.js";
import { UsageError } from "../usage-error.js";

/** The node's flags as yargs options, for parsing and for the help. */
function yargsOptions(): Record<string, Options> {
  return Object.fromEntries(
    Object.entries(nodeFlags()).map(([name, spec]) => [
      name,
      {
        describe: spec.describe,
        ...(spec.choices ? { choices: [...spec.choices] } : { type: spec.type }),
        ...(spec.default === undefined ? {} : { default: spec.default }),
        ...(spec.shownDefault === undefined ? {} : { defaultDescription: spec.shownDefault }),
        ...(spec.required ? { demandOption: true } : {}),
        ...(spec.group ? { group: spec.group } : {}),
      } satisfies Options,
    ]),
  );
}

export const nodeCommand: CommandModule<object, Record<string, unknown>> = {
  command: "node",
  describe: "Run one reference node (SWIM with Lifeguard) until it leaves, SIGTERM or SIGINT",
  builder: (y) =>
    y
      .options(yargsOptions())
      .example("$0 node --id n1 --port 7001 --admin-port 8001", "the first node of a cluster")
      .example("$0 node --id n2 --port 7002 --admin-port 8002 --seeds 127.0.0.1:7001", "a second one joining it") as never,
  handler: async (args) => {
    try {
      await serveNode(resolveNodeFlags(args));
    } catch (error) {
      if (error instanceof NodeFlagError) throw new UsageError(error.message);
      throw error;
    }
  },
};
