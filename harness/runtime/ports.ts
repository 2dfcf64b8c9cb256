// Free TCP ports on loopback, found by binding port 0: for nodes whose address proxies must know before they start.
import net from "node:net";

/**
 * Reserves `count` distinct ports by holding them all open at once, then releases them.
 * Another process could take one in between; the window is a few milliseconds.
 */
export async function freePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once("error", reject);
          server.listen(0, host, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
