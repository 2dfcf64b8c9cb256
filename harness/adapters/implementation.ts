// An implementation under benchmark: the reference node, or another one described by an adapter manifest.
import { execa } from "execa";
import { DEFAULT_CONFIG } from "../../specs/node/config.js";
import type { AdapterManifest, DeclaredTiming } from "../../specs/adapter/manifest.js";
import type { MemberState } from "../../specs/wire/messages.js";
import { LocalCluster } from "../runtime/process.js";
import { AdapterRuntime, type AdapterClusterNode } from "../runtime/adapter-runtime.js";
import type { ClusterNode } from "../runtime/node-runtime.js";
import { loadManifest } from "./manifest.js";

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

/** A running node as a bench drives it: its view read through its admin API (or an adapter's view). */
function benchNode(node: Pick<ClusterNode, "id" | "crash" | "pause" | "resume" | "admin" | "hasExited">, ports?: Record<string, number>): BenchNode {
  return {
    id: node.id,
    ...(ports ? { ports } : {}),
    crash: () => node.crash(),
    pause: () => void node.pause(),
    resume: () => void node.resume(),
    view: async () => (await node.admin.members()).members.map((m) => ({ id: m.id, state: m.state })),
    get hasExited() {
      return node.hasExited;
    },
  };
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
        nodes: cluster.nodes.map((node) => benchNode(node)),
        stop: () => cluster.stopAll(),
      };
    },
  };
}

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
    startCluster: (size) => startAdapterCluster(manifest, file, size),
  };
}

/** N nodes of a manifest's implementation on loopback, node 1 everyone's seed, through the adapter runtime `run` uses. */
async function startAdapterCluster(manifest: AdapterManifest, file: string, size: number): Promise<BenchCluster> {
  // The bench reads views every POLL_MS (100 ms); a command view is read as often.
  const runtime = new AdapterRuntime(manifest, file, undefined, 100);
  await runtime.build();
  const nodes: AdapterClusterNode[] = [];
  try {
    for (let i = 1; i <= size; i++) {
      const seeds = nodes[0] ? [nodes[0].addr] : [];
      nodes.push((await runtime.start({ id: `n${i}`, port: await runtime.port(), seeds, dialMapFile: "" })) as AdapterClusterNode);
    }
  } catch (error) {
    await Promise.all(nodes.map((n) => n.crash()));
    throw error;
  }
  return {
    nodes: nodes.map((node) => benchNode(node, node.ports)),
    stop: () => Promise.all(nodes.map((n) => n.stop())).then(() => undefined),
  };
}
