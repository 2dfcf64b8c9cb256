// An implementation under benchmark: the reference node, or another one described by an adapter manifest.
import { execa, type ResultPromise } from "execa";
import { DEFAULT_CONFIG } from "../../specs/node/config.js";
import type { AdapterManifest, DeclaredTiming } from "../../specs/adapter/manifest.js";
import type { MemberState } from "../../specs/wire/messages.js";
import { LocalCluster } from "../runtime/process.js";
import { freePorts } from "../ports.js";
import { fill, loadManifest, mapView } from "./manifest.js";

export interface ViewRow {
  id: string;
  state: MemberState;
}

export interface BenchNode {
  readonly id: string;
  /** The ports an adapter node was given (by the manifest's names). */
  readonly ports?: Record<string, number>;
  crash(): Promise<void>;
  pause(): void;
  resume(): void;
  /** This node's view now. */
  view(): Promise<ViewRow[]>;
  readonly hasExited: boolean;
}

export interface BenchCluster {
  readonly nodes: BenchNode[];
  stop(): Promise<void>;
}

export interface Implementation {
  name: string;
  description: string;
  version: string;
  timing: DeclaredTiming;
  /** Does the view show `suspect`? (Serf's does not: only alive/failed.) */
  showsSuspect: boolean;
  /** Why network faults cannot reach it, or undefined when they can (proxies, or the packet engine). */
  networkUnsupported: string | undefined;
  /** How its network faults are carried: Toxiproxy proxies (the reference node) or the packet engine (root, nft). */
  faults: "proxy" | "packet";
  /** Its manifest, for an implementation other than the reference node. */
  adapter?: { manifest: AdapterManifest; file: string };
  startCluster(size: number, seed: number): Promise<BenchCluster>;
}

/** The reference node with its defaults, which are memberlist's LAN profile: like against like with Serf. */
export function referenceImplementation(): Implementation {
  const c = DEFAULT_CONFIG;
  return {
    name: "reference",
    description: "Grapevine's reference node (SWIM + Lifeguard), child processes on loopback",
    version: "grapevine-swim/1",
    timing: {
      source: "the reference node's defaults (memberlist DefaultLANConfig)",
      probeIntervalMs: c.probeIntervalMs,
      probeTimeoutMs: c.probeTimeoutMs,
      suspicionMult: c.suspicionMult,
      suspicionMaxTimeoutMult: c.suspicionMaxTimeoutMult,
      gossipIntervalMs: c.gossipIntervalMs,
      indirectChecks: c.indirectChecks,
      // prober.ts: a shuffled round-robin list (probe-list.ts), as memberlist's.
      probeOrder: "round-robin",
    },
    showsSuspect: true,
    networkUnsupported: undefined,
    faults: "proxy",
    startCluster: async (size, seed) => {
      const cluster = await LocalCluster.start({ size, baseSeed: seed });
      return {
        nodes: cluster.nodes.map((node) => ({
          id: node.id,
          crash: () => node.crash(),
          pause: () => node.pause(),
          resume: () => node.resume(),
          view: async () => (await node.admin.members()).members.map((m) => ({ id: m.id, state: m.state })),
          get hasExited() {
            return node.hasExited;
          },
        })),
        stop: () => cluster.stopAll(),
      };
    },
  };
}

/** Every adapter child still running: killed if the harness exits. */
const children = new Set<ResultPromise>();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

export async function adapterImplementation(file: string): Promise<Implementation> {
  const manifest = loadManifest(file);
  const version = manifest.version
    ? await execa(manifest.version[0]!, manifest.version.slice(1), { reject: false }).then((r) =>
        r.exitCode === 0 ? String(r.stdout).split("\n")[0]! : `unknown (${r.shortMessage})`,
      )
    : "unknown";
  return {
    name: manifest.name,
    description: manifest.description,
    version,
    timing: manifest.timing,
    showsSuspect: manifest.visible.suspect,
    networkUnsupported: manifest.faults.network === true || manifest.faults.network === "packet" ? undefined : manifest.faults.network.unsupported,
    faults: manifest.faults.network === "packet" ? "packet" : "proxy",
    adapter: { manifest, file },
    startCluster: (size) => startAdapterCluster(manifest, size),
  };
}

async function startAdapterCluster(manifest: AdapterManifest, size: number): Promise<BenchCluster> {
  const nodes: AdapterNode[] = [];
  try {
    for (let i = 1; i <= size; i++) {
      const free = await freePorts(manifest.ports.length);
      const ports = Object.fromEntries(manifest.ports.map((name, k) => [name, free[k]!]));
      const seed = nodes[0];
      nodes.push(await AdapterNode.start(manifest, `n${i}`, ports, seed ? seed.ports : undefined));
    }
  } catch (error) {
    await Promise.all(nodes.map((n) => n.kill()));
    throw error;
  }
  return { nodes, stop: () => Promise.all(nodes.map((n) => n.stop())).then(() => undefined) };
}

class AdapterNode implements BenchNode {
  private exited = false;

  private constructor(
    readonly id: string,
    readonly ports: Record<string, number>,
    private readonly manifest: AdapterManifest,
    private readonly child: ResultPromise,
  ) {
    void child.finally(() => {
      this.exited = true;
      children.delete(child);
    });
  }

  static async start(
    manifest: AdapterManifest,
    id: string,
    ports: Record<string, number>,
    seedPorts: Record<string, number> | undefined,
  ): Promise<AdapterNode> {
    const vars = { id, host: "127.0.0.1", ...ports };
    const argv = fill(manifest.start.command, vars);
    const gossip = manifest.gossip ?? manifest.ports[0]!;
    if (seedPorts)
      argv.push(
        ...fill(manifest.start.seedArgs, {
          ...vars,
          seed: `127.0.0.1:${seedPorts[gossip]}`,
          ...Object.fromEntries(Object.entries(seedPorts).map(([k, v]) => [`seed.${k}`, v])),
        }),
      );
    const child = execa(argv[0]!, argv.slice(1), { reject: false, stdin: "ignore", stdout: "ignore", stderr: "pipe", env: manifest.start.env, all: false });
    children.add(child);
    const node = new AdapterNode(id, ports, manifest, child);
    const deadline = Date.now() + manifest.start.readyTimeoutMs;
    for (;;) {
      const view = await node.view().catch(() => undefined);
      if (view?.some((m) => m.id === id)) return node;
      if (node.exited || Date.now() > deadline) {
        child.kill("SIGKILL");
        const result = await child;
        throw new Error(
          `${manifest.name} node ${id} (${argv.join(" ")}) did not become ready: ${node.exited ? `exited ${result.exitCode}` : "timed out"}\n${String(result.stderr).slice(-1500)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  get hasExited(): boolean {
    return this.exited;
  }

  async view(): Promise<ViewRow[]> {
    const view = this.manifest.view;
    if (view.kind === "admin") {
      const response = await fetch(`${fill([view.url], { id: this.id, host: "127.0.0.1", ...this.ports })[0]}/v1/members`, {
        signal: AbortSignal.timeout(2000),
      });
      const body = (await response.json()) as { members: ViewRow[] };
      return body.members.map((m) => ({ id: m.id, state: m.state }));
    }
    const argv = fill(view.command, { id: this.id, host: "127.0.0.1", ...this.ports });
    const result = await execa(argv[0]!, argv.slice(1), { reject: false, timeout: 5000 });
    if (result.exitCode !== 0) throw new Error(`${argv.join(" ")}: exit ${result.exitCode}: ${String(result.stderr).slice(0, 300)}`);
    return mapView(JSON.parse(String(result.stdout)), view).map((m) => ({ id: m.id, state: m.state }));
  }

  async crash(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.child;
  }

  pause(): void {
    this.child.kill("SIGSTOP");
  }

  resume(): void {
    this.child.kill("SIGCONT");
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.kill("SIGCONT");
    this.child.kill(this.manifest.start.stopSignal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await this.child;
    clearTimeout(timer);
  }

  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.child;
  }
}
