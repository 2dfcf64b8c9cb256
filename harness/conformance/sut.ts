// The implementation under test: a reference node the harness starts, or one someone else started (--target).
import net from "node:net";
import path from "node:path";
import { parseHostPort } from "../../specs/wire/address.js";
import type { NodeConfig } from "../../specs/node/config.js";
import type { NodeInfo } from "../../specs/admin/api.js";
import { AdminClient } from "../observe/admin-client.js";
import { NodeProcess } from "../runtime/process.js";

export interface Sut {
  name: string;
  wire: string;
  admin?: AdminClient;
  /** What its /v1/node said at the start, when it has an admin API. */
  info?: NodeInfo;
  /** True when the harness started it, so it may stop it (and ask it to leave). */
  owned: boolean;
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

export async function startReference(name: string, mutant: string | undefined, logDir: string): Promise<Sut> {
  const node = await NodeProcess.start({
    id: "sut",
    config: REFERENCE_CONFORMANCE_CONFIG,
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
