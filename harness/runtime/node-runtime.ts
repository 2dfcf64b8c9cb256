// What the fault layer and the scenario runner need from a runtime: start nodes, and reach them.
import type { NodeConfig } from "../../reference-node/core/config.js";
import type { ProcessTarget } from "../faults/process.js";
import type { ToxiproxySource } from "../faults/toxiproxy-source.js";
import type { AdminClient } from "../observe/admin-client.js";
import { freePorts } from "./ports.js";
import { NodeProcess } from "./process.js";

/** One running reference node, whatever runs it. */
export interface ClusterNode extends ProcessTarget {
  readonly id: string;
  /** Where the node listens, as the proxy server reaches it. */
  readonly addr: string;
  readonly port: number;
  readonly admin: AdminClient;
  /** Epoch ms just before it was started. */
  readonly startedAt: number;
  /** Epoch ms when it said it was ready: what it joins the cluster from (its boot time is not the protocol's). */
  readonly readyAt: number;
  readonly pid?: number | undefined;
  readonly exited: Promise<void>;
  readonly hasExited: boolean;
  stop(graceMs?: number): Promise<void>;
  /** Makes the node re-read its dial map file. */
  reloadDialMap(): void;
}

export interface NodeSpec {
  id: string;
  port: number;
  seeds: string[];
  dialMapFile: string;
  config?: Partial<NodeConfig> | undefined;
  seed?: number | undefined;
  logFile?: string | undefined;
  mutant?: string | undefined;
}

export interface NodeRuntime {
  readonly kind: "process" | "docker";
  /** A wire port for a new node. */
  port(): Promise<number>;
  /** The address the proxy server dials to reach node `id` on `port`. */
  nodeAddr(id: string, port: number): string;
  /** The interface proxies listen on, and the host nodes dial them at (undefined: the listen address as is). */
  readonly proxyListenHost: string;
  readonly proxyDialHost?: string | undefined;
  start(spec: NodeSpec): Promise<ClusterNode>;
  /** The proxy server this runtime's nodes can reach (undefined: the caller's choice). */
  toxiproxy?(url: string | undefined): Promise<ToxiproxySource>;
  close(): Promise<void>;
}

/** Reference nodes as child processes on loopback: the default runtime. */
export const processRuntime: NodeRuntime = {
  kind: "process",
  port: async () => (await freePorts(1))[0]!,
  nodeAddr: (_id, port) => `127.0.0.1:${port}`,
  proxyListenHost: "127.0.0.1",
  start: (spec) =>
    NodeProcess.start({
      id: spec.id,
      port: spec.port,
      seeds: spec.seeds,
      dialMapFile: spec.dialMapFile,
      ...(spec.config ? { config: spec.config } : {}),
      ...(spec.seed === undefined ? {} : { seed: spec.seed }),
      ...(spec.logFile ? { logFile: spec.logFile } : {}),
      ...(spec.mutant ? { mutant: spec.mutant } : {}),
    }),
  close: async () => undefined,
};
