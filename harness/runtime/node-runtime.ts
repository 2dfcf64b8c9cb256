// What a runtime does: start nodes, stop them and signal them, and say how they are reached. It knows
// nothing of faults: the run layer (harness/run/cluster.ts) wires nodes and a fault engine together.
import type { NodeConfig } from "../../specs/node/config.js";
import type { NodePlacement } from "../placement.js";
import type { NodeApi, NodeShows } from "../observe/node-api.js";
import { freePorts } from "../ports.js";
import { NodeProcess } from "./process.js";

/** One running reference node, whatever runs it. */
export interface ClusterNode {
  readonly id: string;
  /** Where the node listens, as the proxy server reaches it. */
  readonly addr: string;
  readonly port: number;
  /** Its admin API (or, for an adapter whose view is a command, that API emulated over the command). */
  readonly admin: NodeApi;
  /** What its implementation shows (absent: everything, as the reference node does). */
  readonly shows?: NodeShows;
  /** Epoch ms just before it was started. */
  readonly startedAt: number;
  /** Epoch ms when it said it was ready: what it joins the cluster from (its boot time is not the protocol's). */
  readonly readyAt: number;
  readonly pid?: number | undefined;
  readonly exited: Promise<void>;
  readonly hasExited: boolean;
  /** SIGKILL (or the engine's kill): no goodbye. */
  crash(): Promise<void>;
  /** Graceful: SIGTERM (the node leaves, then exits), SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
  /** Freeze (SIGSTOP / cgroup freezer): the node's clock and sockets stop. */
  pause(): void | Promise<void>;
  resume(): void | Promise<void>;
  /** Makes the node re-read its dial map file. */
  reloadDialMap(): void;
  /** Makes the node leave the cluster gracefully, then exit (absent: POST /v1/leave on its admin API). */
  leave?(): Promise<void>;
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
  /** Appended to an adapter's start command (already filled in): e.g. its keyring arguments. Ignored by other runtimes. */
  extraArgs?: string[] | undefined;
  /** The network namespace to run in, and the address to listen at there (packet-level faults). */
  placement?: NodePlacement | undefined;
}

/** A proxy server a runtime started for its nodes: its API's URL, what it runs, and how to remove it. */
export interface ProxyServer {
  url: string;
  kind: "container-toxiproxy" | "container-embedded";
  close(): Promise<void>;
}

export interface NodeRuntime {
  readonly kind: "process" | "docker" | "adapter";
  /** A wire port for a new node. */
  port(): Promise<number>;
  /** The address the proxy server dials to reach node `id` on `port`. */
  nodeAddr(id: string, port: number): string;
  /** The interface proxies listen on, and the host nodes dial them at (undefined: the listen address as is). */
  readonly proxyListenHost: string;
  readonly proxyDialHost?: string | undefined;
  start(spec: NodeSpec): Promise<ClusterNode>;
  /**
   * For a runtime whose nodes cannot enter a named network namespace (containers): the pid of a
   * process holding the namespace node `id` will run in, made on first call and kept across the
   * node's restarts. A fault engine that places nodes adopts that namespace instead of a new one.
   */
  netnsHolder?(id: string): Promise<number>;
  /** Removes every namespace holder made so far (the cluster they served is gone). */
  dropNetnsHolders?(): Promise<void>;
  /**
   * Starts a proxy server where this runtime's nodes can reach it (a container beside them);
   * undefined: nodes reach a server on the harness's loopback.
   */
  proxyServer?(): Promise<ProxyServer>;
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
      ...(spec.placement ? { placement: spec.placement } : {}),
    }),
  close: async () => undefined,
};
