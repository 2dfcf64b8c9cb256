// The process runtime: reference nodes as child processes (execa), with their ready line, logs and process faults.
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import path from "node:path";
import { execa, type ResultPromise } from "execa";
import { configArgs, type NodeConfig } from "../../specs/node/config.js";
import { AdminClient } from "../observe/admin-client.js";
import type { NodePlacement } from "../placement.js";
import { builtNode } from "../paths.js";
import { ChildProcessNode } from "./child-process-node.js";
import { readReadyLine } from "./ready-line.js";

export interface NodeProcessOptions {
  id: string;
  /** Wire port; 0 (the default) lets the node pick one. A restart reuses the port the node had. */
  port?: number;
  /** host:port of members to join through. */
  seeds?: string[];
  /** Protocol settings; those left out keep the node's defaults. */
  config?: Partial<NodeConfig>;
  dialMapFile?: string;
  /** Where the node's stderr (ndjson logs) goes; discarded when not given. */
  logFile?: string;
  seed?: number;
  /** How long to wait for the ready line. */
  readyTimeoutMs?: number;
  /** Deliberately broken behaviour for every node (see reference-node/core/mutants.ts). */
  mutant?: string;
  /** Extra flags. */
  extraArgs?: string[];
  /** Run inside this network namespace, listening (wire and admin) at its address: packet-level faults. */
  placement?: NodePlacement;
}

export class NodeProcess extends ChildProcessNode {
  readonly admin: AdminClient;
  readonly addr: string;
  readonly readyAt = Date.now();

  private constructor(
    /** Epoch ms just before the process was spawned: its first transitions come after this. */
    readonly startedAt: number,
    readonly options: NodeProcessOptions,
    readonly id: string,
    readonly port: number,
    readonly adminPort: number,
    child: ResultPromise,
    private readonly log: WriteStream | undefined,
  ) {
    // SIGTERM makes a reference node spread `left` and exit.
    super(child, "SIGTERM");
    const host = options.placement?.host ?? "127.0.0.1";
    this.addr = `${host}:${port}`;
    this.admin = new AdminClient(`http://${host}:${adminPort}`);
  }

  static async start(options: NodeProcessOptions): Promise<NodeProcess> {
    const args = [builtNode(), "--id", options.id, "--port", String(options.port ?? 0), "--admin-port", "0"];
    if (options.seeds?.length) args.push("--seeds", options.seeds.join(","));
    if (options.dialMapFile) args.push("--dial-map", options.dialMapFile);
    if (options.seed !== undefined) args.push("--seed", String(options.seed));
    if (options.mutant) args.push("--mutant", options.mutant);
    args.push(...configArgs(options.config ?? {}));
    if (options.placement) args.push("--host", options.placement.host, "--admin-host", options.placement.host);
    args.push(...(options.extraArgs ?? []));
    if (options.logFile) mkdirSync(path.dirname(options.logFile), { recursive: true });
    const log = options.logFile ? createWriteStream(options.logFile, { flags: "a" }) : undefined;
    const startedAt = Date.now();
    // `ip netns exec` enters the namespace and then execs node itself: the pid is the node's, so signals reach it.
    const [file, argv] = options.placement ? ["ip", ["netns", "exec", options.placement.netns, process.execPath, ...args]] : [process.execPath, args];
    const child = execa(file, argv, {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      reject: false,
      buffer: false,
      // The node exits by itself if this process dies without cleaning up (see the node command).
      env: { GRAPEVINE_PARENT_PID: String(process.pid) },
    });
    const stderrTail: string[] = [];
    child.stderr!.on("data", (chunk: Buffer) => {
      log?.write(chunk);
      stderrTail.push(chunk.toString());
      if (stderrTail.length > 20) stderrTail.shift();
    });
    const exited = child.then((result) => `exited with ${result.exitCode ?? result.signal}`);
    const ready = await readReadyLine(child.stdout!, options.readyTimeoutMs ?? 15_000, exited).catch((error: Error) => {
      child.kill("SIGKILL");
      log?.end();
      throw new Error(`node ${options.id} did not start: ${error.message}\n${stderrTail.join("").slice(-2000)}`);
    });
    return new NodeProcess(startedAt, options, options.id, ready.port, ready.adminPort, child, log);
  }

  protected override onExit(): void {
    this.log?.end();
  }

  /** Tells the node to re-read its dial map (SIGHUP). */
  reloadDialMap(): void {
    if (!this.hasExited) this.child.kill("SIGHUP");
  }
}

export interface LocalClusterOptions {
  size: number;
  config?: Partial<NodeConfig>;
  /** Node i gets seed baseSeed + i, so a run can be repeated. */
  baseSeed?: number;
  logDir?: string;
  /** Fixed wire ports, one per node (needed when proxies must know them first). */
  ports?: number[];
  mutant?: string;
  /** Per node: its dial map file and the seed addresses it joins through (default: node 1's address). */
  routing?: (id: string, index: number) => { dialMapFile?: string; seeds?: string[] };
}

/** N reference nodes on loopback, the first being everyone's seed unless `routing` says otherwise. */
export class LocalCluster {
  private constructor(readonly nodes: NodeProcess[]) {}

  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const nodes: NodeProcess[] = [];
    const cluster = new LocalCluster(nodes);
    try {
      for (let i = 0; i < options.size; i++) {
        const id = `n${i + 1}`;
        const routing = options.routing?.(id, i) ?? {};
        nodes.push(
          await NodeProcess.start({
            id,
            seeds: routing.seeds ?? (i === 0 ? [] : [nodes[0]!.addr]),
            ...(routing.dialMapFile ? { dialMapFile: routing.dialMapFile } : {}),
            ...(options.ports ? { port: options.ports[i]! } : {}),
            ...(options.mutant ? { mutant: options.mutant } : {}),
            ...(options.config ? { config: options.config } : {}),
            ...(options.baseSeed === undefined ? {} : { seed: options.baseSeed + i }),
            ...(options.logDir ? { logFile: `${options.logDir}/${id}.log` } : {}),
          }),
        );
      }
    } catch (error) {
      await cluster.stopAll();
      throw error;
    }
    return cluster;
  }

  node(id: string): NodeProcess {
    const node = this.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`no node ${id} in this cluster`);
    return node;
  }

  /** Adds a node started elsewhere (a join mid-run). */
  add(node: NodeProcess): void {
    this.nodes.push(node);
  }

  /** Starts node `id` again on its port with its settings, killing it first if it still runs. */
  async restart(id: string): Promise<NodeProcess> {
    const old = this.node(id);
    if (!old.hasExited) await old.crash();
    const fresh = await NodeProcess.start({ ...old.options, port: old.port });
    this.nodes[this.nodes.indexOf(old)] = fresh;
    return fresh;
  }

  /** Stops every node still running, paused ones included. */
  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop(3000)));
  }
}
