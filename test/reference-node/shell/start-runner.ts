// One reference node in the test's own process, on loopback ports the OS picks: what the shell tests talk to over real TCP.
import type { z } from "zod";
import { NodeConfig } from "../../../specs/node/config.js";
import { ndjsonLogger } from "../../../reference-node/shell/log.js";
import { NodeRunner } from "../../../reference-node/shell/runner.js";

/** Starts node "sut" with `config` over the defaults; its warnings and errors go to `logLines`, and a dial map file if given. */
export function startRunner(config: z.input<typeof NodeConfig>, options: { logLines?: string[]; dialMapFile?: string } = {}): Promise<NodeRunner> {
  const logLines = options.logLines ?? [];
  return NodeRunner.start({
    id: "sut",
    host: "127.0.0.1",
    port: 0,
    adminHost: "127.0.0.1",
    adminPort: 0,
    seeds: [],
    ...(options.dialMapFile ? { dialMapFile: options.dialMapFile } : {}),
    config: NodeConfig.parse(config),
    seed: 1,
    logger: ndjsonLogger("sut", "warn", (line) => logLines.push(line)),
  });
}
