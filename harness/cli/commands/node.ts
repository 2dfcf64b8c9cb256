// `grapevine node`: runs one reference node in this process until it leaves or is signalled.
import { randomInt } from "node:crypto";
import type { CommandModule, Options } from "yargs";
import { ReadyLine } from "../../../specs/node/cli.js";
import { Address } from "../../../specs/wire/messages.js";
import { configKeys, NodeConfig, NodeConfigFields } from "../../../reference-node/core/config.js";
import { MUTANTS, type MutantName } from "../../../reference-node/core/mutants.js";
import { ndjsonLogger, type LogLevel } from "../../../reference-node/shell/log.js";
import { DialMapError, NodeRunner } from "../../../reference-node/shell/runner.js";
import { UsageError } from "../usage-error.js";

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

interface NodeArgs {
  id: string;
  port: number;
  host: string;
  advertise?: string;
  "admin-port": number;
  "admin-host": string;
  seeds?: string;
  "dial-map"?: string;
  seed?: number;
  "log-level": LogLevel;
  mutant?: MutantName;
  [config: string]: unknown;
}

/** One flag per protocol setting, generated from the config schema so the two never drift apart. */
function configOptions(): Record<string, Options> {
  const shape = NodeConfigFields.shape;
  return Object.fromEntries(
    configKeys().map((key) => {
      const field = shape[key] as unknown as { description?: string; def: { innerType?: { options?: string[] } } };
      // Enum settings (antiEntropyMode) become choices; every other setting is a number.
      const choices = field.def.innerType?.options;
      return [kebab(key), choices ? { choices, group: "Protocol settings:", describe: field.description } : { type: "number", group: "Protocol settings:", describe: field.description }];
    }),
  );
}

/** Validates flags into runner options; a bad value throws UsageError naming the flag. */
export function parseNodeArgs(args: NodeArgs) {
  const given = Object.fromEntries(configKeys().flatMap((key) => (args[kebab(key)] === undefined ? [] : [[key, args[kebab(key)]]])));
  const config = NodeConfig.safeParse(given);
  if (!config.success) {
    const issue = config.error.issues[0]!;
    throw new UsageError(`--${kebab(String(issue.path[0]))}: ${issue.message}`);
  }
  const seeds = (args.seeds ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const seed of seeds) {
    if (!Address.safeParse(seed).success) throw new UsageError(`--seeds: "${seed}" is not host:port`);
  }
  if (args.advertise !== undefined && !Address.safeParse(args.advertise).success) {
    throw new UsageError(`--advertise: "${args.advertise}" is not host:port`);
  }
  for (const flag of ["port", "admin-port"] as const) {
    const port = args[flag];
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--${flag}: must be a port number 0-65535 (0 picks a free one)`);
  }
  if (args.seed !== undefined && !Number.isInteger(args.seed)) throw new UsageError("--seed: must be a whole number");
  return { config: config.data, seeds, seed: args.seed ?? randomInt(2 ** 31) };
}

/**
 * A node started by the harness gets its pid in GRAPEVINE_PARENT_PID and exits when that
 * process is gone, so that even a harness killed with SIGKILL leaves no node behind.
 */
function watchParent(logger: ReturnType<typeof ndjsonLogger>, exit: () => void): void {
  const parent = Number(process.env.GRAPEVINE_PARENT_PID);
  if (!Number.isInteger(parent) || parent <= 0) return;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      logger.log("warn", "the harness that started this node is gone; exiting", { parent });
      exit();
    }
  }, 500).unref();
}

export const nodeCommand: CommandModule<object, NodeArgs> = {
  command: "node",
  describe: "Run one reference node (SWIM with Lifeguard) until it leaves, SIGTERM or SIGINT",
  builder: (y) =>
    y
      .option("id", { type: "string", demandOption: true, describe: "member id, unique in the cluster" })
      .option("port", { type: "number", default: 7001, describe: "wire protocol port (0: any free port)" })
      .option("host", { type: "string", default: "127.0.0.1", describe: "interface the wire port binds to" })
      .option("advertise", { type: "string", describe: "host:port other members reach this node at (default host:port)" })
      .option("admin-port", { type: "number", default: 8001, describe: "admin API port (0: any free port)" })
      .option("admin-host", { type: "string", default: "127.0.0.1", describe: "interface the admin API binds to" })
      .option("seeds", { type: "string", describe: "comma-separated host:port of members to join through" })
      .option("dial-map", { type: "string", describe: "JSON file: member id → host:port to dial it at (reloaded on SIGHUP)" })
      .option("seed", { type: "number", describe: "seed of the random source (default: random, shown by GET /v1/node)" })
      .option("log-level", { choices: ["debug", "info", "warn", "error"] as const, default: "info" as LogLevel })
      .option("mutant", {
        choices: Object.keys(MUTANTS) as MutantName[],
        describe: "run deliberately broken behaviour, to show that checks catch it: " + Object.entries(MUTANTS).map(([k, v]) => `${k} (${v})`).join("; "),
      })
      .options(configOptions()) as never,
  handler: async (args) => {
    const { config, seeds, seed } = parseNodeArgs(args);
    const logger = ndjsonLogger(args.id, args["log-level"]);
    let runner: NodeRunner;
    try {
      runner = await NodeRunner.start({
        id: args.id,
        host: args.host,
        port: args.port,
        ...(args.advertise === undefined ? {} : { advertise: args.advertise }),
        adminHost: args["admin-host"],
        adminPort: args["admin-port"],
        seeds,
        ...(args["dial-map"] === undefined ? {} : { dialMapFile: args["dial-map"] }),
        config,
        seed,
        logger,
        mutant: args.mutant,
      });
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { port?: number };
      if (error instanceof DialMapError) throw new UsageError(`--dial-map ${error.message}`);
      if (e.code === "EADDRINUSE") throw new UsageError(`port ${e.port ?? ""} is already in use: choose another --port/--admin-port, or 0 for any free port`);
      if (e.code === "EADDRNOTAVAIL") throw new UsageError(`cannot bind: address not available on this machine (${e.message})`);
      throw error;
    }
    const ready: ReadyLine = { ready: true, id: args.id, port: runner.port, adminPort: runner.adminPort };
    process.stdout.write(`${JSON.stringify(ready)}\n`);

    const exit = async (code: number) => {
      await runner.close();
      process.exit(code);
    };
    // A leave (POST /v1/leave or a signal) ends the process once `left` has spread, as `serf leave` does.
    runner.onLeft(() => void exit(0));
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) process.exit(130);
      signalled = true;
      logger.log("info", "leaving on signal", { signal });
      void runner.leave();
      // The core finishes the leave within leaveTimeoutMs; this is only a backstop.
      setTimeout(() => void exit(0), config.leaveTimeoutMs + 1000).unref();
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    process.on("SIGHUP", () => runner.reloadDialMap());
    watchParent(logger, () => void exit(0));
  },
};
