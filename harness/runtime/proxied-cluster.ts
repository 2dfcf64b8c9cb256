// A reference cluster wired through the fault layer: every link through its own proxy, nodes on any runtime.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { NodeConfig } from "../../reference-node/core/config.js";
import { FaultLog } from "../faults/fault-log.js";
import { NetworkFaults } from "../faults/network.js";
import { ProcessFaults } from "../faults/process.js";
import type { ProxyApi } from "../faults/proxy-api.js";
import { Topology, type TopologyKind } from "../faults/topology.js";
import { type ClusterNode, type NodeRuntime, type NodeSpec, processRuntime } from "./node-runtime.js";

export interface ProxiedClusterOptions {
  size: number;
  api: ProxyApi;
  /** How nodes run: child processes (default) or containers. */
  runtime?: NodeRuntime;
  topology?: TopologyKind;
  config?: Partial<NodeConfig>;
  baseSeed?: number;
  logDir?: string;
  /** Where dial map files go (a fresh temporary folder by default). */
  workDir?: string;
  /** Prefix of every proxy name, so that runs sharing a Toxiproxy do not collide. */
  proxyPrefix?: string;
  mutant?: string;
}

export class ProxiedCluster {
  readonly log = new FaultLog();
  readonly network: NetworkFaults;
  readonly processes: ProcessFaults;
  private readonly runtime: NodeRuntime;

  private constructor(
    readonly nodes: ClusterNode[],
    readonly topology: Topology,
    api: ProxyApi,
    private readonly options: ProxiedClusterOptions,
    private readonly workDir: string,
  ) {
    this.runtime = options.runtime ?? processRuntime;
    this.network = new NetworkFaults(api, topology, this.log);
    this.processes = new ProcessFaults({ node: (id) => this.node(id), restart: async (id) => void (await this.restart(id)) }, this.log);
  }

  /**
   * Ports are chosen first, then the proxies (which must know their upstreams), then the
   * nodes, each with the dial map of its own links and its link to n1 as seed: n1 first,
   * then the rest at once.
   */
  static async start(options: ProxiedClusterOptions): Promise<ProxiedCluster> {
    const runtime = options.runtime ?? processRuntime;
    const ids = Array.from({ length: options.size }, (_, i) => `n${i + 1}`);
    const ports: number[] = [];
    for (let i = 0; i < ids.length; i++) ports.push(await runtime.port());
    const members = ids.map((id, i) => ({ id, addr: runtime.nodeAddr(id, ports[i]!) }));
    const prefix = options.proxyPrefix ?? `gv${process.pid}-`;
    const hosts = { listenHost: runtime.proxyListenHost, ...(runtime.proxyDialHost ? { dialHost: runtime.proxyDialHost } : {}) };
    const topology = options.topology === "ingress" ? await Topology.ingress(options.api, members, prefix, hosts) : await Topology.mesh(options.api, members, prefix, hosts);
    const workDir = options.workDir ?? mkdtempSync(path.join(tmpdir(), "grapevine-dial-"));
    const cluster = new ProxiedCluster([], topology, options.api, options, workDir);
    try {
      cluster.nodes.push(await runtime.start(cluster.spec(ids[0]!, ports[0]!, [], 0)));
      // The others all join through n1, so they start together, as the machines of a cluster boot.
      const rest = await Promise.allSettled(ids.slice(1).map((id, k) => runtime.start(cluster.spec(id, ports[k + 1]!, [topology.dialMap(id).n1!], k + 1))));
      for (const started of rest) if (started.status === "fulfilled") cluster.nodes.push(started.value);
      const failed = rest.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
      return cluster;
    } catch (error) {
      await Promise.allSettled(cluster.nodes.map((n) => n.stop(3000)));
      await topology.destroy();
      throw error;
    }
  }

  node(id: string): ClusterNode {
    const node = this.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`no node ${id} in this cluster`);
    return node;
  }

  /** Starts node `id` again on its port with its settings, killing it first if it still runs. */
  async restart(id: string): Promise<ClusterNode> {
    const old = this.node(id);
    if (!old.hasExited) await old.crash();
    const index = this.nodes.indexOf(old);
    const fresh = await this.runtime.start(this.spec(id, old.port, this.seedsFor(id), index));
    this.nodes[index] = fresh;
    return fresh;
  }

  /**
   * A new node joins mid-run: proxies between it and every node, every dial map rewritten and
   * reloaded, then the node starts with the first running node as its seed.
   */
  async join(id: string): Promise<ClusterNode> {
    const port = await this.runtime.port();
    await this.topology.add([{ id, addr: this.runtime.nodeAddr(id, port) }]);
    for (const node of this.nodes) {
      this.writeDialMap(node.id);
      node.reloadDialMap();
    }
    const node = await this.runtime.start(this.spec(id, port, this.seedsFor(id), Number(id.slice(1)) - 1));
    this.nodes.push(node);
    return node;
  }

  /** Undoes every fault still in force, stops every node, deletes every proxy: safe on any exit path. */
  async close(): Promise<void> {
    await this.log.undoAll();
    await Promise.all(this.nodes.map((n) => n.stop(3000)));
    await this.topology.destroy();
  }

  private seedsFor(id: string): string[] {
    const seed = this.nodes.find((n) => !n.hasExited && n.id !== id);
    return seed ? [this.topology.dialMap(id)[seed.id]!] : [];
  }

  private writeDialMap(id: string): string {
    const file = path.join(this.workDir, `${id}.dial-map.json`);
    writeFileSync(file, JSON.stringify(this.topology.dialMap(id), null, 2));
    return file;
  }

  private spec(id: string, port: number, seeds: string[], index: number): NodeSpec {
    const o = this.options;
    return {
      id,
      port,
      seeds,
      dialMapFile: this.writeDialMap(id),
      config: o.config,
      seed: o.baseSeed === undefined ? undefined : o.baseSeed + index,
      logFile: o.logDir ? path.join(o.logDir, `${id}.log`) : undefined,
      mutant: o.mutant,
    };
  }
}
