// The adapter runtime: nodes of another implementation (Serf, memberlist, the next manifest), started
// from an adapter manifest as child processes, in the fault engine's network namespaces when it has
// them. What a scenario does to a node (crash, pause, stop, leave) is done to that process.
import { createWriteStream, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { execa, type ResultPromise } from "execa";
import type { AdapterManifest } from "../../specs/adapter/manifest.js";
import { CommandViewApi } from "../adapters/command-view-api.js";
import { fill, ManifestError } from "../adapters/manifest.js";
import { AdminClient } from "../observe/admin-client.js";
import type { NodeApi, NodeShows } from "../observe/node-api.js";
import { freePorts } from "../ports.js";
import { ChildProcessNode } from "./child-process-node.js";
import type { ClusterNode, NodeRuntime, NodeSpec } from "./node-runtime.js";

export class AdapterRuntime implements NodeRuntime {
  readonly kind = "adapter" as const;
  readonly proxyListenHost = "127.0.0.1";

  constructor(
    readonly manifest: AdapterManifest,
    /** The manifest's file: {dir} in its templates is its folder. */
    readonly file: string,
    private readonly logDir?: string,
    /** How often at most a command view is run (each reading can make transitions). */
    private readonly viewIntervalMs = 250,
  ) {}

  get gossipPort(): string {
    return this.manifest.gossip ?? this.manifest.ports[0]!;
  }

  async port(): Promise<number> {
    return (await freePorts(1))[0]!;
  }

  nodeAddr(_id: string, port: number): string {
    return `127.0.0.1:${port}`;
  }

  /**
   * Runs the manifest's build when what it creates is missing, or older than a file beside its
   * sources (in build.cwd): an agent whose source changed is rebuilt, not run stale.
   */
  async build(log: (line: string) => void = () => undefined): Promise<void> {
    const build = this.manifest.build;
    if (!build) return;
    const dir = path.dirname(path.resolve(this.file));
    if (upToDate(path.resolve(dir, build.creates), path.resolve(dir, build.cwd))) return;
    log(`building ${this.manifest.name}: ${build.command.join(" ")}`);
    const argv = fill(build.command, { dir });
    const result = await execa(argv[0]!, argv.slice(1), { cwd: path.resolve(dir, build.cwd), env: build.env, reject: false, all: true });
    if (result.exitCode !== 0 || !existsSync(path.resolve(dir, build.creates)))
      throw new ManifestError(`${this.file}: field build: \`${argv.join(" ")}\` failed (exit ${result.exitCode}): ${String(result.all).slice(-1500)}`);
  }

  async start(spec: NodeSpec): Promise<ClusterNode> {
    const manifest = this.manifest;
    const others = manifest.ports.filter((name) => name !== this.gossipPort);
    const free = await freePorts(others.length);
    const ports: Record<string, number> = { [this.gossipPort]: spec.port, ...Object.fromEntries(others.map((name, k) => [name, free[k]!])) };
    const host = spec.placement?.host ?? "127.0.0.1";
    const vars = { id: spec.id, host, dir: path.dirname(path.resolve(this.file)), ...ports };
    const argv = fill(manifest.start.command, vars);
    for (const seed of spec.seeds) argv.push(...fill(manifest.start.seedArgs, { ...vars, seed }));
    argv.push(...(spec.extraArgs ?? []));
    const [file, args] = spec.placement ? ["ip", ["netns", "exec", spec.placement.netns, ...argv]] : [argv[0]!, argv.slice(1)];
    const logFile = spec.logFile ?? (this.logDir ? path.join(this.logDir, `${spec.id}.log`) : undefined);
    if (logFile) mkdirSync(path.dirname(logFile), { recursive: true });
    const startedAt = Date.now();
    const child = execa(file, args, { reject: false, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: manifest.start.env, buffer: false });
    if (logFile) {
      const log = createWriteStream(logFile, { flags: "a" });
      child.stdout!.pipe(log, { end: false });
      child.stderr!.pipe(log, { end: false });
      void child.finally(() => log.end());
    }
    const tail: string[] = [];
    child.stderr!.on("data", (chunk: Buffer) => {
      tail.push(chunk.toString());
      if (tail.length > 20) tail.shift();
    });
    const view = manifest.view;
    const api: NodeApi =
      view.kind === "admin"
        ? new AdminClient(fill([view.url], vars)[0]!, 1000)
        : new CommandViewApi(spec.id, fill(view.command, vars), view, this.viewIntervalMs, view.health && fill(view.health.command, vars));
    const node = new AdapterNode(
      spec.id,
      `${host}:${spec.port}`,
      spec.port,
      ports,
      api,
      { kv: manifest.visible.kv, suspect: manifest.visible.suspect },
      manifest,
      child,
      startedAt,
    );
    const deadline = Date.now() + manifest.start.readyTimeoutMs;
    for (;;) {
      const members = await api.members().catch(() => undefined);
      if (members?.members.some((m) => m.id === spec.id)) break;
      if (node.hasExited || Date.now() > deadline) {
        // Whether it exited by itself, read before the kill below makes every node an exited one.
        const exitedByItself = node.hasExited;
        child.kill("SIGKILL");
        const result = await child;
        throw new Error(
          `${manifest.name} node ${spec.id} (${argv.join(" ")}) did not become ready: ${exitedByItself ? `exited ${result.exitCode ?? result.signal}` : `not in its own view within ${manifest.start.readyTimeoutMs} ms`}\n${tail.join("").slice(-1500)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    node.markReady();
    return node;
  }

  async close(): Promise<void> {}
}

/** A node of an adapter's implementation, with the ports its manifest named. */
export interface AdapterClusterNode extends ClusterNode {
  readonly ports: Record<string, number>;
}

class AdapterNode extends ChildProcessNode implements AdapterClusterNode {
  private ready = 0;

  constructor(
    readonly id: string,
    readonly addr: string,
    readonly port: number,
    readonly ports: Record<string, number>,
    readonly admin: NodeApi,
    readonly shows: NodeShows,
    private readonly manifest: AdapterManifest,
    child: ResultPromise,
    readonly startedAt: number,
  ) {
    super(child, manifest.start.stopSignal);
  }

  markReady(): void {
    this.ready = Date.now();
  }

  get readyAt(): number {
    return this.ready;
  }

  reloadDialMap(): void {}

  /** Through its admin API when the manifest says so; else its stop signal, which is how Serf leaves. */
  async leave(): Promise<void> {
    if (this.manifest.leave === "admin") await this.admin.leave();
    else this.child.kill(this.manifest.start.stopSignal);
  }
}

/** Does `target` exist and is it at least as new as every file directly in `sourceDir` (itself aside)? */
function upToDate(target: string, sourceDir: string): boolean {
  if (!existsSync(target)) return false;
  const built = statSync(target).mtimeMs;
  return readdirSync(sourceDir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && path.resolve(sourceDir, entry.name) !== target)
    .every((entry) => statSync(path.join(sourceDir, entry.name)).mtimeMs <= built);
}
