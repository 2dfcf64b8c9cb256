// One reference node in a container: started through dockerode, its ready line read from the container's stdout.
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { finished } from "node:stream/promises";
import type Docker from "dockerode";
import type { ReadyLine } from "../../../specs/node/cli.js";
import { AdminClient } from "../../observe/admin-client.js";
import type { ClusterNode } from "../node-runtime.js";
import { readReadyLine } from "../ready-line.js";

export interface DockerNodeOptions {
  docker: Docker;
  /** What to create: the caller fills in image, command, network and labels. */
  create: Docker.ContainerCreateOptions;
  id: string;
  port: number;
  /** How the proxy server reaches it. */
  addr: string;
  /** Where the admin API is, once the ready line has said its port. */
  adminUrl: (container: Docker.Container, adminPort: number) => Promise<string>;
  logFile?: string | undefined;
  readyTimeoutMs?: number;
}

export class DockerNode implements ClusterNode {
  readonly exited: Promise<void>;
  private exitedFlag = false;
  /** Engine calls for pause/resume, in order: the fault layer calls them without waiting. */
  private ops: Promise<unknown> = Promise.resolve();
  private paused = false;
  readonly readyAt = Date.now();

  private constructor(
    readonly id: string,
    readonly port: number,
    readonly addr: string,
    readonly admin: AdminClient,
    readonly startedAt: number,
    private readonly container: Docker.Container,
  ) {
    this.exited = container
      .wait()
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.exitedFlag = true;
        // Gone for good: free its address (a restart takes the same one) and its copy of the image.
        void container.remove({ force: true }).catch(() => undefined);
      });
  }

  static async start(options: DockerNodeOptions): Promise<DockerNode> {
    const startedAt = Date.now();
    const container = await options.docker.createContainer(options.create);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    if (options.logFile) mkdirSync(path.dirname(options.logFile), { recursive: true });
    const log = options.logFile ? createWriteStream(options.logFile, { flags: "a" }) : undefined;
    const tail: string[] = [];
    stderr.on("data", (chunk: Buffer) => {
      log?.write(chunk);
      tail.push(chunk.toString());
      if (tail.length > 20) tail.shift();
    });
    stderr.on("end", () => log?.end());
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    container.modem.demuxStream(stream, stdout, stderr);
    stream.on("end", () => {
      stdout.end();
      stderr.end();
    });
    await container.start();
    let ready: ReadyLine;
    try {
      const ended = finished(stdout).then(
        () => "the container exited",
        () => "the container exited",
      );
      ready = await readReadyLine(stdout, options.readyTimeoutMs ?? 30_000, ended);
    } catch (error) {
      await container.kill().catch(() => undefined);
      throw new Error(`node ${options.id} (container ${options.create.name}) did not start: ${(error as Error).message}\n${tail.join("").slice(-2000)}`);
    }
    const admin = new AdminClient(await options.adminUrl(container, ready.adminPort));
    return new DockerNode(options.id, options.port, options.addr, admin, startedAt, container);
  }

  get hasExited(): boolean {
    return this.exitedFlag;
  }

  get containerId(): string {
    return this.container.id;
  }

  /** docker kill: SIGKILL, no goodbye. */
  async crash(): Promise<void> {
    if (this.exitedFlag) return;
    await this.settle();
    if (this.paused) await this.container.unpause().catch(() => undefined);
    await this.container.kill({ signal: "SIGKILL" }).catch(() => undefined);
    await this.exited;
  }

  /** The cgroup freezer (docker pause): the node's clock and sockets stop. */
  /** Freezes the container (the engine's cgroup freezer); resolves once the engine has done it. Calls run in order. */
  pause(): Promise<void> {
    this.ops = this.ops.then(() => this.container.pause().then(() => void (this.paused = true))).catch(() => undefined);
    return this.ops.then(() => undefined);
  }

  resume(): Promise<void> {
    this.ops = this.ops.then(() => this.container.unpause().then(() => void (this.paused = false))).catch(() => undefined);
    return this.ops.then(() => undefined);
  }

  /** Graceful: SIGTERM makes the node spread `left` and exit; SIGKILL if it has not within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exitedFlag) return;
    await this.settle();
    if (this.paused) await this.container.unpause().catch(() => undefined);
    await this.container.kill({ signal: "SIGTERM" }).catch(() => undefined);
    const timer = setTimeout(() => void this.container.kill({ signal: "SIGKILL" }).catch(() => undefined), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  reloadDialMap(): void {
    if (!this.exitedFlag) void this.container.kill({ signal: "SIGHUP" }).catch(() => undefined);
  }

  /** Waits for pause/resume calls already made to reach the engine. */
  settle(): Promise<unknown> {
    return this.ops.then(() => undefined);
  }
}
