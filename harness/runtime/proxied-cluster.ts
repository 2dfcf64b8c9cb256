// A reference cluster wired through the fault layer: nodes as processes, every link through its own proxy.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { NodeConfig } from "../../reference-node/core/config.js";
import { FaultLog } from "../faults/fault-log.js";
import { NetworkFaults } from "../faults/network.js";
import { ProcessFaults } from "../faults/process.js";
import type { ProxyApi } from "../faults/proxy-api.js";
import { Topology, type TopologyKind } from "../faults/topology.js";
import { freePorts } from "./ports.js";
import { LocalCluster, NodeProcess } from "./process.js";

export interface ProxiedClusterOptions {
  size: number;
  api: ProxyApi;
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

function writeDialMap(workDir: string, id: string, topology: Topology): string {
  const file = path.join(workDir, `${id}.dial-map.json`);
  writeFileSync(file, JSON.stringify(topology.dialMap(id), null, 2));
  return file;
}

export class ProxiedCluster {
  readonly log = new FaultLog();
  readonly network: NetworkFaults;
  readonly processes: ProcessFaults;

  private constructor(
    readonly cluster: LocalCluster,
    readonly topology: Topology,
    api: ProxyApi,
    private readonly options: ProxiedClusterOptions,
    private readonly workDir: string,
  ) {
    this.network = new NetworkFaults(api, topology, this.log);
    this.processes = new ProcessFaults(
      { node: (id) => cluster.node(id), restart: async (id) => void (await cluster.restart(id)) },
      this.log,
    );
  }

  /**
   * Ports are chosen first, then the proxies (which must know their upstreams), then the
   * nodes, each with the dial map of its own links and its links to n1 as seed.
   */
  static async start(options: ProxiedClusterOptions): Promise<ProxiedCluster> {
    const ports = await freePorts(options.size);
    const ids = ports.map((_, i) => `n${i + 1}`);
    const nodes = ids.map((id, i) => ({ id, addr: `127.0.0.1:${ports[i]}` }));
    const prefix = options.proxyPrefix ?? `gv${process.pid}-`;
    const topology =
      options.topology === "ingress" ? await Topology.ingress(options.api, nodes, prefix) : await Topology.mesh(options.api, nodes, prefix);
    const workDir = options.workDir ?? mkdtempSync(path.join(tmpdir(), "grapevine-dial-"));
    try {
      const cluster = await LocalCluster.start({
        size: options.size,
        ports,
        ...(options.mutant ? { mutant: options.mutant } : {}),
        ...(options.config ? { config: options.config } : {}),
        ...(options.baseSeed === undefined ? {} : { baseSeed: options.baseSeed }),
        ...(options.logDir ? { logDir: options.logDir } : {}),
        routing: (id, index) => {
          const dialMapFile = writeDialMap(workDir, id, topology);
          return { dialMapFile, seeds: index === 0 ? [] : [topology.dialMap(id).n1!] };
        },
      });
      return new ProxiedCluster(cluster, topology, options.api, options, workDir);
    } catch (error) {
      await topology.destroy();
      throw error;
    }
  }

  get nodes(): NodeProcess[] {
    return this.cluster.nodes;
  }

  node(id: string): NodeProcess {
    return this.cluster.node(id);
  }

  /**
   * A new node joins mid-run: proxies between it and every node, every dial map rewritten and
   * reloaded (SIGHUP), then the node starts with the first running node as its seed.
   */
  async join(id: string): Promise<NodeProcess> {
    const [port] = await freePorts(1);
    await this.topology.add([{ id, addr: `127.0.0.1:${port}` }]);
    for (const node of this.cluster.nodes) {
      writeDialMap(this.workDir, node.id, this.topology);
      node.reloadDialMap();
    }
    const seed = this.cluster.nodes.find((n) => !n.hasExited);
    const o = this.options;
    const node = await NodeProcess.start({
      id,
      port: port!,
      dialMapFile: writeDialMap(this.workDir, id, this.topology),
      seeds: seed ? [this.topology.dialMap(id)[seed.id]!] : [],
      ...(o.config ? { config: o.config } : {}),
      ...(o.baseSeed === undefined ? {} : { seed: o.baseSeed + Number(id.slice(1)) - 1 }),
      ...(o.logDir ? { logFile: `${o.logDir}/${id}.log` } : {}),
      ...(o.mutant ? { mutant: o.mutant } : {}),
    });
    this.cluster.add(node);
    return node;
  }

  /** Undoes every fault still in force, stops every node, deletes every proxy: safe on any exit path. */
  async close(): Promise<void> {
    await this.log.undoAll();
    await this.cluster.stopAll();
    await this.topology.destroy();
  }
}
