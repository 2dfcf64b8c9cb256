// The Docker runtime: a network for the run, reference nodes and the proxy server in containers, all labelled and removed.
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import type Docker from "dockerode";
import { configArgs } from "../../../specs/node/config.js";
import type { NodePlacement } from "../../placement.js";
import type { NodeRuntime, NodeSpec, ProxyServer } from "../node-runtime.js";
import { freePorts } from "../../ports.js";
import { DockerNode } from "./docker-node.js";
import { connectDocker, DockerRuntimeError, LABEL_OWNER_PID, LABEL_ROLE, LABEL_RUN, removeRun, sweepLeftovers } from "./engine.js";
import { hasImage, requireImage } from "./image.js";
import { APP_DIR, GRAPEVINE_IMAGE, NODE_ENTRY, TOXIPROXY_IMAGE } from "./image-names.js";

/**
 * host: every container shares the host's network namespace and listens on 127.0.0.1 (all
 * traffic stays on loopback; the default for CI here). bridge: a user-defined network made for
 * the run; containers reach each other by name, the harness reaches them by container IP.
 */
export type DockerNetworkMode = "host" | "bridge";

export interface DockerRuntimeOptions {
  network: DockerNetworkMode;
  /** Where the proxy container's log goes. */
  logDir?: string;
  /** Extra files every node must read (dial maps): mounted read-only at the same path. */
  mounts: string[];
}

const WIRE_PORT = 7946;
const ADMIN_PORT = 8001;
const PROXY_API_PORT = 8474;

export class DockerRuntime implements NodeRuntime {
  readonly kind = "docker" as const;
  readonly proxyListenHost: string;
  readonly proxyDialHost: string | undefined;
  private generation = 0;
  private proxy: Docker.Container | undefined;
  /** Each node's namespace holder, when a fault engine places nodes (kept across restarts). */
  private readonly holders = new Map<string, { container: Docker.Container; pid: number }>();

  private readonly networkName: string | undefined;

  private constructor(
    private readonly docker: Docker,
    readonly runId: string,
    private readonly options: DockerRuntimeOptions,
    /** The run network's first three octets ("10.213.7"), when it has one. */
    private readonly subnet: string | undefined,
  ) {
    this.networkName = subnet ? runId : undefined;
    this.proxyListenHost = options.network === "host" ? "127.0.0.1" : "0.0.0.0";
    this.proxyDialHost = subnet ? this.ipFor("proxy") : undefined;
  }

  /** Connects, sweeps leftovers of crashed earlier runs, checks the image, and makes the run's network. */
  static async create(options: DockerRuntimeOptions, log: (line: string) => void = () => undefined): Promise<DockerRuntime> {
    const docker = await connectDocker();
    const swept = await sweepLeftovers(docker);
    if (swept.containers.length + swept.networks.length > 0) log(`removed leftovers of an earlier run: ${[...swept.containers, ...swept.networks].join(", ")}`);
    await requireImage(docker);
    const runId = `gv${process.pid}-${Date.now().toString(36)}`;
    const subnet = options.network === "bridge" ? await createNetwork(docker, runId) : undefined;
    return new DockerRuntime(docker, runId, options, subnet);
  }

  async port(): Promise<number> {
    return this.options.network === "host" ? (await freePorts(1))[0]! : WIRE_PORT;
  }

  nodeAddr(id: string, port: number): string {
    return `${this.subnet ? this.ipFor(id) : "127.0.0.1"}:${port}`;
  }

  /**
   * Fixed addresses on the run's network: the proxy at .2, node nK at .(10 + K). Addresses, not
   * names: the engine's DNS takes ten seconds to fail for a crashed container's name, long enough
   * to starve Node's lookup threads and cut every other link too.
   */
  private ipFor(id: string): string {
    const k = id === "proxy" ? -8 : Number(/^n(\d+)$/.exec(id)?.[1]);
    if (!Number.isInteger(k) || k < -8 || k > 240) throw new DockerRuntimeError(`node id ${id}: the docker runtime names nodes n1 … n240`);
    return `${this.subnet}.${10 + k}`;
  }

  /**
   * The proxy server in a container: a real Toxiproxy image when the engine has one, else
   * Grapevine's embedded server. Its API may take a moment to answer (the caller waits for it).
   */
  async proxyServer(): Promise<ProxyServer> {
    const host = this.options.network === "host";
    const port = host ? (await freePorts(1))[0]! : PROXY_API_PORT;
    const listen = host ? "127.0.0.1" : "0.0.0.0";
    const real = await hasImage(this.docker, TOXIPROXY_IMAGE);
    const container = await this.docker.createContainer({
      name: this.containerName("proxy"),
      Image: real ? TOXIPROXY_IMAGE : GRAPEVINE_IMAGE,
      Cmd: real ? ["-host", listen, "-port", String(port)] : ["proxy", "--host", listen, "--port", String(port)],
      Labels: labels(this.runId, "proxy"),
      HostConfig: this.hostConfig(),
      ...this.networking("proxy"),
    });
    this.proxy = container;
    await container.start();
    this.streamLogs(container, "proxy.log");
    const apiHost = host ? "127.0.0.1" : this.ipFor("proxy");
    return {
      url: `http://${apiHost}:${port}`,
      kind: real ? "container-toxiproxy" : "container-embedded",
      close: async () => void (await container.remove({ force: true }).catch(() => undefined)),
    };
  }

  /**
   * Pumba's way into a container's network: a holder container per node with no network of its own
   * (an idle node process), whose namespace the packet engine adopts and wires to its router; the
   * node's containers join it (network mode container:…), so a crash or a restart keeps the wiring.
   */
  async netnsHolder(id: string): Promise<number> {
    const known = this.holders.get(id);
    if (known) return known.pid;
    const container = await this.docker.createContainer({
      name: this.containerName(`${id}-netns`),
      Image: GRAPEVINE_IMAGE,
      Entrypoint: ["/usr/local/bin/node", "-e", "setInterval(() => {}, 1 << 30)"],
      Labels: labels(this.runId, "netns"),
      HostConfig: { NetworkMode: "none", AutoRemove: false },
    });
    await container.start();
    const pid = (await container.inspect()).State.Pid;
    if (!pid) throw new DockerRuntimeError(`the network holder of node ${id} did not stay up`);
    this.holders.set(id, { container, pid });
    return pid;
  }

  async dropNetnsHolders(): Promise<void> {
    const holders = [...this.holders.values()];
    this.holders.clear();
    await Promise.all(holders.map((h) => h.container.remove({ force: true }).catch(() => undefined)));
  }

  async start(spec: NodeSpec): Promise<DockerNode> {
    if (spec.placement) return this.startPlaced(spec, spec.placement);
    const host = this.options.network === "host";
    const listen = host
      ? ["--admin-port", "0"]
      : ["--host", "0.0.0.0", "--advertise", this.nodeAddr(spec.id, spec.port), "--admin-host", "0.0.0.0", "--admin-port", String(ADMIN_PORT)];
    return this.startNode(
      spec,
      this.nodeArgs(spec, listen),
      this.networking(spec.id),
      this.hostConfig(),
      this.nodeAddr(spec.id, spec.port),
      (adminPort) => `http://${host ? "127.0.0.1" : this.ipFor(spec.id)}:${adminPort}`,
    );
  }

  /** A node in the namespace a fault engine made of its holder's: it listens at the engine's address for it. */
  private startPlaced(spec: NodeSpec, placement: NodePlacement): Promise<DockerNode> {
    const holder = this.holders.get(spec.id);
    if (!holder) throw new DockerRuntimeError(`node ${spec.id}: placed in ${placement.netns}, but it has no network holder (netnsHolder was not called)`);
    const listen = ["--host", placement.host, "--admin-host", placement.host, "--admin-port", String(ADMIN_PORT)];
    return this.startNode(
      spec,
      this.nodeArgs(spec, listen),
      {},
      { NetworkMode: `container:${holder.container.id}`, AutoRemove: false },
      `${placement.host}:${spec.port}`,
      (adminPort) => `http://${placement.host}:${adminPort}`,
    );
  }

  /** The node's command line: its identity and dial map, where it listens (`listen`), then its settings. */
  private nodeArgs(spec: NodeSpec, listen: string[]): string[] {
    const args = ["--id", spec.id, "--port", String(spec.port), "--dial-map", spec.dialMapFile, ...listen];
    if (spec.seeds.length > 0) args.push("--seeds", spec.seeds.join(","));
    if (spec.seed !== undefined) args.push("--seed", String(spec.seed));
    if (spec.mutant) args.push("--mutant", spec.mutant);
    args.push(...configArgs(spec.config ?? {}));
    return args;
  }

  private startNode(
    spec: NodeSpec,
    args: string[],
    networking: Partial<Docker.ContainerCreateOptions>,
    hostConfig: Docker.HostConfig,
    addr: string,
    adminUrl: (adminPort: number) => string,
  ): Promise<DockerNode> {
    const name = this.containerName(`${spec.id}-${++this.generation}`);
    return DockerNode.start({
      docker: this.docker,
      id: spec.id,
      port: spec.port,
      addr,
      logFile: spec.logFile,
      create: {
        name,
        Image: GRAPEVINE_IMAGE,
        // The node's own entry, not the CLI the image's entrypoint runs: it starts in a fraction of the time.
        Entrypoint: ["/usr/local/bin/node", NODE_ENTRY],
        Cmd: args,
        WorkingDir: APP_DIR,
        Labels: labels(this.runId, "node"),
        HostConfig: { ...hostConfig, Binds: [...new Set([path.dirname(spec.dialMapFile), ...this.options.mounts])].map((dir) => `${dir}:${dir}:ro`) },
        ...networking,
      },
      adminUrl: async (_, adminPort) => adminUrl(adminPort),
    });
  }

  /** Removes every container and the network of this run (whatever state they are in). */
  async close(): Promise<void> {
    await removeRun(this.docker, this.runId);
  }

  /**
   * On the run's own network, names of other containers are answered by the engine's DNS; any
   * other name would be forwarded to the host's resolvers. Pointing that forward at the
   * container's own loopback keeps every query on the machine and makes a lookup of a crashed
   * node's name fail at once, instead of hanging for seconds and starving Node's lookup threads.
   */
  private hostConfig(): Docker.HostConfig {
    return { NetworkMode: this.networkName ?? "host", AutoRemove: false, ...(this.networkName ? { Dns: ["127.0.0.1"] } : {}) };
  }

  private networking(id: string): Partial<Docker.ContainerCreateOptions> {
    if (!this.networkName) return {};
    return { NetworkingConfig: { EndpointsConfig: { [this.networkName]: { IPAMConfig: { IPv4Address: this.ipFor(id) } } } } };
  }

  private containerName(suffix: string): string {
    return `${this.runId}-${suffix}`;
  }

  private streamLogs(container: Docker.Container, file: string): void {
    if (!this.options.logDir) return;
    mkdirSync(this.options.logDir, { recursive: true });
    const out = createWriteStream(path.join(this.options.logDir, file), { flags: "a" });
    void container.logs({ follow: true, stdout: true, stderr: true }).then(
      (stream) => {
        container.modem.demuxStream(stream, out, out);
        stream.on("end", () => out.end());
      },
      () => out.end(),
    );
  }
}

/** A /24 of its own for the run: tries a few random ones in 10.200–249.x until the engine takes one. */
async function createNetwork(docker: Docker, runId: string): Promise<string> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 8; attempt++) {
    const prefix = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}`;
    try {
      await docker.createNetwork({
        Name: runId,
        Driver: "bridge",
        Labels: labels(runId, "network"),
        IPAM: { Driver: "default", Config: [{ Subnet: `${prefix}.0/24`, Gateway: `${prefix}.1` }] },
      });
      return prefix;
    } catch (error) {
      lastError = error;
    }
  }
  throw new DockerRuntimeError(`could not create a network for the run: ${(lastError as Error).message}`);
}

function labels(runId: string, role: string): Record<string, string> {
  return { [LABEL_RUN]: runId, [LABEL_OWNER_PID]: String(process.pid), [LABEL_ROLE]: role };
}
