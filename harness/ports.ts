// Free TCP ports on loopback, for nodes whose address proxies must know before they start.
import { readFileSync } from "node:fs";
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
 * Reserves `count` distinct ports by holding them all open at once, then releases them. Drawn at
 * random from the reservable range (see above), or from the kernel's choice where there is none.
 */
export async function freePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const range = reservablePortRange();
  const held: net.Server[] = [];
  try {
    for (let attempts = 0; held.length < count; attempts++) {
      if (attempts > count * 50) throw new Error(`no ${count} free ports on ${host} after ${attempts} attempts`);
      const server = await listen(range ? randomInt(range[0], range[1]) : 0, host);
      if (server) held.push(server);
    }
    return held.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
