// The implementation under test: a reference node the harness starts, or one someone else started (--target).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { parseHostPort } from "../../specs/wire/address.js";
import type { NodeConfig } from "../../specs/node/config.js";
import type { NodeInfo } from "../../specs/admin/api.js";
import { AdminClient } from "../observe/admin-client.js";
import type { NodeApi } from "../observe/node-api.js";
import { NodeProcess } from "../runtime/process.js";
import { AdapterRuntime, type AdapterClusterNode } from "../runtime/adapter-runtime.js";
import { fill, loadManifest } from "../adapters/manifest.js";

/** The wires conformance speaks: Grapevine's own, and memberlist's (memberlist, Serf, Consul, …). */
export type Protocol = "grapevine-v1" | "memberlist";

export interface Sut {
  name: string;
  /** HOST:PORT it gossips on (TCP for wire v1; UDP and TCP for memberlist). */
  wire: string;
  /** Which wire it speaks; wire v1 when absent. */
  protocol?: Protocol;
  /** Its view: the admin API, or an adapter's view command behind the same calls. */
  admin?: NodeApi;
  /** What its /v1/node said at the start, when it has an admin API. */
  info?: NodeInfo;
  /** Does its view give each member's incarnation? (Serf's does not.) Assumed when it serves /v1/node. */
  showsIncarnation?: boolean;
  /** The timing it declares when it has no /v1/node to say so (an adapter manifest's `timing`). */
  config?: Record<string, unknown>;
  /** True when the harness started it, so it may stop it (and ask it to leave). */
  owned: boolean;
  /**
   * Starts another node of the same implementation keyed with this keyring (base64 keys, the first
   * primary), for the encryption requirements; absent when the harness cannot key it.
   */
  startKeyed?: (keys: string[]) => Promise<Sut>;
  /** Why a leave said in memberlist's messages is not what its view shows as left (Serf has a leave message of its own). */
  leaveUnsupported?: string;
  /** Has its process exited (crashed)? Only known for a node the harness started. */
  exited?: () => boolean;
  /** What its log says about how it crashed (a Go panic and where), when it did. */
  crashReport?: () => string | undefined;
  /** Starts it again on the same address after a crash, so that a run can go on; only for a node the harness started. */
  restart?: () => Promise<void>;
  stop(): Promise<void>;
}

/**
 * The reference node runs faster than memberlist's LAN defaults so that a full conformance run
 * takes seconds, and without periodic full-state syncs, so that what reaches the fake members
 * by piggyback is all that does (a sync would hide a missing dissemination).
 */
export const REFERENCE_CONFORMANCE_CONFIG: Partial<NodeConfig> = {
  probeIntervalMs: 200,
  probeTimeoutMs: 100,
  gossipIntervalMs: 100,
  pushPullIntervalMs: 0,
  reconnectIntervalMs: 0,
  antiEntropyIntervalMs: 500,
  readTimeoutMs: 2000,
  leaveTimeoutMs: 500,
};

/**
 * Under --detector phi: heartbeats twice as often as the probes above, and thresholds far enough
 * apart (3 and 8) that suspect and dead come a few hundred milliseconds apart, so that a
 * conviction at the wrong threshold shows.
 */
export const REFERENCE_PHI_CONFIG: Partial<NodeConfig> = {
  detector: "phi",
  heartbeatIntervalMs: 100,
  phiSuspectThreshold: 3,
  phiConvictThreshold: 8,
  phiAcceptablePauseMs: 200,
  phiMinStdDeviationMs: 50,
};

export async function startReference(name: string, mutant: string | undefined, logDir: string, detector: "swim" | "phi" = "swim"): Promise<Sut> {
  const node = await NodeProcess.start({
    id: "sut",
    config: detector === "phi" ? { ...REFERENCE_CONFORMANCE_CONFIG, ...REFERENCE_PHI_CONFIG } : REFERENCE_CONFORMANCE_CONFIG,
    seed: 1,
    logFile: path.join(logDir, `${name.replace(/[^a-z0-9-]/gi, "_")}.log`),
    ...(mutant ? { mutant } : {}),
  });
  return {
    name,
    wire: node.addr,
    admin: node.admin,
    info: await node.admin.node(),
    owned: true,
    stop: () => node.stop(2000),
  };
}

export async function attachTarget(wire: string, adminUrl: string | undefined): Promise<Sut> {
  await acceptsConnections(wire);
  const admin = adminUrl ? new AdminClient(adminUrl.replace(/\/$/, "")) : undefined;
  return {
    name: wire,
    wire,
    ...(admin ? { admin, info: await admin.node() } : {}),
    owned: false,
    stop: async () => undefined,
  };
}

/** Throws, saying why, unless something accepts a TCP connection at `hostPort` within 3 s: a target nobody answers at is bad input. */
async function acceptsConnections(hostPort: string): Promise<void> {
  const { host, port } = parseHostPort(hostPort);
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve();
    });
    socket.once("timeout", () => {
      socket.destroy();
      reject(new Error(`nothing accepted a connection at ${hostPort} within 3 s`));
    });
    socket.once("error", (error: NodeJS.ErrnoException) => reject(new Error(`nothing accepts connections at ${hostPort} (${error.code ?? error.message})`)));
  });
}

/**
 * A node of an adapter manifest's implementation (memberlist, Serf), started alone on loopback through
 * the adapter runtime `run` uses; conformance surrounds it with fake members. Its timing is the one
 * its manifest declares; it can be restarted after a crash, and a keyed twin started beside it.
 */
export async function startAdapter(file: string, logDir: string): Promise<Sut> {
  const manifest = loadManifest(file);
  mkdirSync(logDir, { recursive: true });
  const runtime = new AdapterRuntime(manifest, file, logDir, 100);
  await runtime.build();
  const logOf = (id: string) => path.join(logDir, `${manifest.name}-${id}.log`);
  const start = async (id: string, port: number, extraArgs: string[] = []) =>
    (await runtime.start({ id, port, seeds: [], dialMapFile: "", extraArgs, logFile: logOf(id) })) as AdapterClusterNode;
  const wireSut = (node: AdapterClusterNode, label: string, extra: Partial<Sut> = {}): Sut => ({
    name: label,
    wire: node.addr,
    protocol: manifest.wire?.protocol ?? "grapevine-v1",
    admin: node.admin,
    config: manifest.timing,
    showsIncarnation: manifest.visible.incarnation,
    ...(typeof manifest.wire?.leave === "object" ? { leaveUnsupported: manifest.wire.leave.unsupported } : {}),
    owned: true,
    exited: () => node.hasExited,
    stop: () => node.stop(),
    ...extra,
  });
  const port = await runtime.port();
  let node = await start("sut", port);
  const keyringArgs = manifest.wire?.keyringArgs;
  let keyed = 0;
  return wireSut(node, manifest.name, {
    crashReport: () => panicIn(logOf("sut")),
    restart: async () => {
      if (!node.hasExited) await node.crash();
      node = await start("sut", port);
    },
    stop: () => node.stop(),
    exited: () => node.hasExited,
    ...(keyringArgs
      ? {
          startKeyed: async (keys: string[]) => {
            const keyring = path.join(logDir, `${manifest.name}-keyring-${++keyed}.json`);
            writeFileSync(keyring, JSON.stringify(keys));
            const twin = await start(`keyed-${keyed}`, await runtime.port(), fill(keyringArgs, { keyring }));
            return wireSut(twin, `${manifest.name} (keyed)`);
          },
        }
      : {}),
  });
}

/** The last Go panic in a log and the first source line under it ("index out of range [0] at memberlist/net.go:359"). */
export function panicIn(logFile: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(logFile, "utf8");
  } catch {
    return undefined;
  }
  const at = text.lastIndexOf("panic: ");
  if (at < 0) return undefined;
  const lines = text.slice(at).split("\n");
  const frame = lines.find((l) => /\.go:\d+/.test(l) && !/\/runtime\//.test(l) && !/go\/src\/runtime/.test(l));
  const where = frame
    ?.trim()
    .replace(/ \+0x[0-9a-f]+$/, "")
    .replace(/^.*\/src\/(github\.com\/)?/, "");
  return `${lines[0]!.slice("panic: ".length).trim()}${where ? ` at ${where}` : ""}`;
}
