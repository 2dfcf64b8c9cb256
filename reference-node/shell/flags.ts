// The reference node's command-line flags, declared once: `grapevine node` (yargs) shows them in its
// help, the node's own entry (reference-node/main.ts, node:util's parseArgs) parses them, and both
// validate them here into the runner's options.
import { randomInt } from "node:crypto";
import { configFlag, configKeys, NodeConfig, NodeConfigFields } from "../../specs/node/config.js";
import { Address } from "../../specs/wire/messages.js";
import { MUTANTS, type MutantName } from "../core/mutants.js";
import type { LogLevel } from "./log.js";
import { type RunnerOptions, type WireName, WIRES } from "./runner.js";

export interface FlagSpec {
  type: "string" | "number";
  describe: string;
  default?: string | number;
  choices?: readonly string[];
  required?: boolean;
  /** A heading for the help, for the protocol settings. */
  group?: string;
  /** The default the help shows when the flag has no `default` of its own (a protocol setting's comes from the config schema). */
  shownDefault?: string;
}

/** A flag the user got wrong; the message names it. Exit 2, like any other bad input. */
export class NodeFlagError extends Error {
  override readonly name = "NodeFlagError";
}

const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** One flag per protocol setting, generated from the config schema so the two never drift apart. */
function configFlags(): Record<string, FlagSpec> {
  const shape = NodeConfigFields.shape;
  return Object.fromEntries(
    configKeys().map((key) => {
      const field = shape[key] as unknown as { description?: string; def: { type: string; defaultValue?: unknown; innerType?: { options?: string[] } } };
      // Enum settings (antiEntropyMode) become choices; every other setting is a number.
      const choices = field.def.innerType?.options;
      const describe = field.description ?? key;
      // Shown, not set: an unset flag leaves the setting to the schema (and a scenario's config to override it).
      const shown = field.def.type === "default" ? { shownDefault: String(field.def.defaultValue) } : {};
      return [
        configFlag(key),
        choices
          ? { type: "string", choices, describe, group: "Protocol settings:", ...shown }
          : { type: "number", describe, group: "Protocol settings:", ...shown },
      ];
    }),
  );
}

/** Every flag of a reference node, by name. */
export function nodeFlags(): Record<string, FlagSpec> {
  return {
    id: { type: "string", required: true, describe: "member id, unique in the cluster" },
    port: { type: "number", default: 7001, describe: "wire protocol port (0: any free port)" },
    host: { type: "string", default: "127.0.0.1", describe: "interface the wire port binds to" },
    advertise: { type: "string", describe: "host:port other members reach this node at (default host:port)" },
    "admin-port": { type: "number", default: 8001, describe: "admin API port (0: any free port)" },
    "admin-host": { type: "string", default: "127.0.0.1", describe: "interface the admin API binds to" },
    seeds: { type: "string", describe: "comma-separated host:port of members to join through" },
    "dial-map": { type: "string", describe: "JSON file: member id → host:port to dial it at (reloaded on SIGHUP)" },
    seed: { type: "number", describe: "seed of the random source (default: random, shown by GET /v1/node)" },
    "log-level": { type: "string", choices: LOG_LEVELS, default: "info", describe: "least severe log line written to stderr" },
    wire: {
      type: "string",
      choices: [...WIRES],
      default: "grapevine-v1",
      describe:
        "the wire it speaks: grapevine-v1 (TCP, JSON frames) or memberlist (UDP and TCP, memberlist 0.2's packets: it joins memberlist and Serf clusters; no key-value store)",
    },
    mutant: {
      type: "string",
      choices: Object.keys(MUTANTS),
      describe:
        "run deliberately broken behaviour, to show that checks catch it: " +
        Object.entries(MUTANTS)
          .map(([k, v]) => `${k} (${v})`)
          .join("; "),
    },
    ...configFlags(),
  };
}

/** What a node starts with, validated: the runner's options, with a log level in place of a logger. */
export type NodeStart = Omit<RunnerOptions, "logger" | "mutant"> & { logLevel: LogLevel; mutant?: MutantName };

/**
 * Validates flag values (by flag name; numbers may still be text, as parseArgs gives them) into a
 * node's start options. A bad value throws NodeFlagError naming the flag.
 */
export function resolveNodeFlags(values: Record<string, unknown>): NodeStart {
  const flags = nodeFlags();
  const value = (name: string): unknown => {
    const spec = flags[name]!;
    const raw = values[name] ?? spec.default;
    if (raw === undefined) return undefined;
    if (spec.choices && !spec.choices.includes(String(raw))) throw new NodeFlagError(`--${name}: "${String(raw)}" is not one of ${spec.choices.join(", ")}`);
    return spec.type === "number" && typeof raw === "string" ? (raw.trim() === "" ? Number.NaN : Number(raw)) : raw;
  };
  const id = value("id");
  if (typeof id !== "string" || id === "") throw new NodeFlagError("--id: required (a member id, unique in the cluster)");
  const given = Object.fromEntries(configKeys().flatMap((key) => (value(configFlag(key)) === undefined ? [] : [[key, value(configFlag(key))]])));
  // A bad setting is named by its flag, not its field.
  const config = NodeConfig.safeParse(given);
  if (!config.success) {
    const issue = config.error.issues[0]!;
    throw new NodeFlagError(`--${configFlag(String(issue.path[0]))}: ${issue.message}`);
  }
  const seeds = String(value("seeds") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const seed of seeds) {
    if (!Address.safeParse(seed).success) throw new NodeFlagError(`--seeds: "${seed}" is not host:port`);
  }
  const advertise = value("advertise") as string | undefined;
  if (advertise !== undefined && !Address.safeParse(advertise).success) throw new NodeFlagError(`--advertise: "${advertise}" is not host:port`);
  for (const flag of ["port", "admin-port"]) {
    const port = value(flag);
    if (!Number.isInteger(port) || (port as number) < 0 || (port as number) > 65535)
      throw new NodeFlagError(`--${flag}: must be a port number 0-65535 (0 picks a free one)`);
  }
  const seed = value("seed");
  if (seed !== undefined && !Number.isInteger(seed)) throw new NodeFlagError("--seed: must be a whole number");
  const dialMapFile = value("dial-map") as string | undefined;
  const mutant = value("mutant") as MutantName | undefined;
  // memberlist's packets have no heartbeat message: its clusters detect failures by probing.
  if (value("wire") === "memberlist" && config.data.detector === "phi")
    throw new NodeFlagError("--detector phi: the memberlist wire has no heartbeat message; use --wire grapevine-v1");
  return {
    id,
    host: value("host") as string,
    port: value("port") as number,
    ...(advertise === undefined ? {} : { advertise }),
    adminHost: value("admin-host") as string,
    adminPort: value("admin-port") as number,
    seeds,
    ...(dialMapFile === undefined ? {} : { dialMapFile }),
    config: config.data,
    seed: (seed as number | undefined) ?? randomInt(2 ** 31),
    logLevel: value("log-level") as LogLevel,
    wire: value("wire") as WireName,
    ...(mutant === undefined ? {} : { mutant }),
  };
}
