// Free TCP ports on loopback, for nodes whose address proxies must know before they start.
import { readFileSync } from "node:fs";
import dgram from "node:dgram";
import net from "node:net";
import { randomInt } from "node:crypto";

/**
 * Where ports are drawn from: below the kernel's ephemeral range. The kernel never hands those
 * out by itself, neither to listen(0) nor as the local port of an outgoing connection, so a port
 * released here stays free until its node binds it, however many proxies and connections other
 * runs open in between. (A port taken with listen(0) and released can become the local port of an
 * outgoing connection before the node binds it; the node then fails with "port already in use".)
 */
export function reservablePortRange(rangeFile = "/proc/sys/net/ipv4/ip_local_port_range"): [number, number] | undefined {
  let ephemeralLow = 32768;
  try {
    const [low] = readFileSync(rangeFile, "utf8").trim().split(/\s+/).map(Number);
    if (low !== undefined && Number.isInteger(low)) ephemeralLow = low;
  } catch {
    // Not Linux, or no /proc: the IANA range's start, which most systems use.
  }
  const low = 10_000;
  return ephemeralLow - low >= 1000 ? [low, ephemeralLow] : undefined;
}

function listen(port: number, host: string): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * Ports this process handed out lately, with when. A node binds its port within seconds, but
 * until it does, the port is free again to anyone who looks; without this memory two nodes of one
 * cluster, each given a port by its own call, draw the same one about once in 2,000 clusters.
 */
const handedOut = new Map<number, number>();
const REMEMBER_MS = 10 * 60_000;

function recentlyHandedOut(port: number, now: number): boolean {
  const at = handedOut.get(port);
  if (at === undefined) return false;
  if (now - at < REMEMBER_MS) return true;
  handedOut.delete(port);
  return false;
}

/** Whether a UDP socket can bind `port` too: the memberlist wire and its agents use both. */
function udpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket("udp4");
    socket.once("error", () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

/**
 * Reserves `count` distinct ports by holding them all open at once, then releases them. Drawn at
 * random from the reservable range (see above), or from the kernel's choice where there is none;
 * free for TCP and UDP, and not handed out by this process in the last ten minutes.
 */
export async function freePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const range = reservablePortRange();
  const held: net.Server[] = [];
  const now = Date.now();
  try {
    for (let attempts = 0; held.length < count; attempts++) {
      if (attempts > count * 50) throw new Error(`no ${count} free ports on ${host} after ${attempts} attempts`);
      // Past half the attempts the range is crowded: a port handed out long enough ago will do.
      const fresh = attempts < count * 25;
      const candidate = range ? randomInt(range[0], range[1]) : 0;
      if (candidate !== 0 && fresh && recentlyHandedOut(candidate, now)) continue;
      const server = await listen(candidate, host);
      if (!server) continue;
      if (await udpFree((server.address() as net.AddressInfo).port, host)) held.push(server);
      else await new Promise((resolve) => server.close(resolve));
    }
    const ports = held.map((s) => (s.address() as net.AddressInfo).port);
    for (const port of ports) handedOut.set(port, now);
    return ports;
  } finally {
    await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
