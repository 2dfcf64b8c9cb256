// A cluster under test: nodes started by a runtime, wired through a fault engine, with the process
// faults on them. This is where a runtime (start, stop, signal) meets a fault engine (cut, drop,
// delay): neither knows the other.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { NodeConfig } from "../../specs/node/config.js";
import type { EngineNode, FaultEngine } from "../faults/engine.js";
import { FaultLog } from "../faults/fault-log.js";
import { ProcessFaults } from "../faults/process.js";
import { type ClusterNode, type NodeRuntime, type NodeSpec, processRuntime } from "../runtime/node-runtime.js";

export interface ClusterOptions {
  size: number;
  /** The network's fault engine, made with the cluster's fault log so that every fault lands in one record. */
  faults: (log: FaultLog) => FaultEngine | Promise<FaultEngine>;
  /** How nodes run: child processes (default) or containers. */
  runtime?: NodeRuntime;
  config?: Partial<NodeConfig>;
  baseSeed?: number;
  logDir?: string;
  /** Where dial map files go (a fresh temporary folder by default). */
  workDir?: string;
  mutant?: string;
}

export class Cluster {
  readonly faults: FaultEngine;
  readonly processes: ProcessFaults;
  readonly nodes: ClusterNode[] = [];
  private readonly runtime: NodeRuntime;
  private readonly workDir: string;

  private constructor(
    private readonly options: ClusterOptions,
    readonly log: FaultLog,
    faults: FaultEngine,
  ) {
    this.runtime = options.runtime ?? processRuntime;
    this.faults = faults;
    this.processes = new ProcessFaults({ node: (id) => this.node(id), restart: async (id) => void (await this.restart(id)) }, this.log);
    this.workDir = options.workDir ?? mkdtempSync(path.join(tmpdir(), "grapevine-dial-"));
  }

  /**
   * Ports are chosen first, then the nodes are put on the engine's network (proxies must know
   * their upstreams), then the nodes start, each with the dial map of its own links and its link
   * to n1 as seed: n1 first, then the rest at once.
   */
  static async start(options: ClusterOptions): Promise<Cluster> {
    const log = new FaultLog();
    const cluster = new Cluster(options, log, await options.faults(log));
    const runtime = cluster.runtime;
    const ids = Array.from({ length: options.size }, (_, i) => `n${i + 1}`);
    try {
      const ports: number[] = [];
      for (let i = 0; i < ids.length; i++) ports.push(await runtime.port());
      await cluster.faults.add(await Promise.all(ids.map((id, i) => cluster.engineNode(id, ports[i]!))));
      cluster.nodes.push(await runtime.start(cluster.spec(ids[0]!, ports[0]!, [], 0)));
      // The others all join through n1, so they start together, as the machines of a cluster boot.
      const rest = await Promise.allSettled(ids.slice(1).map((id, k) => runtime.start(cluster.spec(id, ports[k + 1]!, cluster.seedsFor(id), k + 1))));
      for (const started of rest) if (started.status === "fulfilled") cluster.nodes.push(started.value);
      const failed = rest.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
      return cluster;
    } catch (error) {
      await cluster.close();
      throw error;
    }
  }

  /**
   * Node `id` as the engine takes it. An engine that places nodes in namespaces gets, from a
   * runtime that cannot enter one (containers), the holder of the namespace the node will share.
   */
  private async engineNode(id: string, port: number): Promise<EngineNode> {
    const node: EngineNode = { id, addr: this.runtime.nodeAddr(id, port) };
    if (this.faults.placement && this.runtime.netnsHolder) node.netnsPid = await this.runtime.netnsHolder(id);
    return node;
  }

  /** Every node id the cluster has had, in the order they were added. */
  get nodeIds(): string[] {
    return this.faults.nodeIds;
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
   * A new node joins mid-run: the engine wires it to every node, every dial map is rewritten and
   * reloaded, then the node starts with the first running node as its seed.
   */
  async join(id: string): Promise<ClusterNode> {
    const port = await this.runtime.port();
    await this.faults.add([await this.engineNode(id, port)]);
    for (const node of this.nodes) {
      this.writeDialMap(node.id);
      node.reloadDialMap();
    }
    const node = await this.runtime.start(this.spec(id, port, this.seedsFor(id), Number(id.slice(1)) - 1));
    this.nodes.push(node);
    return node;
  }

  /** Undoes every fault still in force, stops every node, removes what the engine set up: safe on any exit path. */
  async close(): Promise<void> {
    await this.log.undoAll();
    await Promise.allSettled(this.nodes.map((n) => n.stop(3000)));
    await this.faults.close();
    await this.runtime.dropNetnsHolders?.();
  }

  /** The first running node other than `id`, as `id` dials it (n1 while the cluster starts). */
  private seedsFor(id: string): string[] {
    const seed = this.nodes.find((n) => !n.hasExited && n.id !== id);
    if (!seed) return [];
    return [this.faults.dialMap(id)[seed.id] ?? seed.addr];
  }

  private writeDialMap(id: string): string {
    const file = path.join(this.workDir, `${id}.dial-map.json`);
    writeFileSync(file, JSON.stringify(this.faults.dialMap(id), null, 2));
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
      placement: this.faults.placement?.(id),
    };
  }
}
