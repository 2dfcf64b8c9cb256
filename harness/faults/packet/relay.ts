// The packet relay: runs inside a run's router namespace and holds the datagrams and TCP streams of
// delayed or throttled links, because this kernel has no netem and no nfqueue to do it. Datagrams
// arrive rewritten to one of its sockets (ruleset.ts, divert_udp) and leave from a socket whose
// packets the kernel gives the original sender's address and port back (relay_out); connections
// arrive by dnat and go on from the dialler's address (relay_snat).
import dgram from "node:dgram";
import net from "node:net";
import readline from "node:readline";
import { execa } from "execa";
import { LinkShape, type RelayListener, RelayRequest, type RelayReply, type RelayStats } from "./relay-protocol.js";
import { RELAY_UDP_OUT_PORTS, TABLE } from "./ruleset.js";

/** Past this much queued time on a throttled link, datagrams are dropped (a router's queue is finite). */
const MAX_QUEUE_MS = 2000;

/** When a link's next unit of traffic may leave, so that a throttled or jittered stream keeps its order. */
class LinkClock {
  private nextFreeAt = 0;

  /** Departure time (epoch ms) of `bytes` sent now; `ordered` keeps departures in arrival order (a stream). */
  departure(shape: LinkShape, bytes: number, ordered: boolean): number {
    const now = Date.now();
    const jitter = shape.jitterMs > 0 ? (Math.random() * 2 - 1) * shape.jitterMs : 0;
    let at = now + Math.max(0, shape.latencyMs + jitter);
    if (ordered || shape.rateKBps > 0) at = Math.max(at, this.nextFreeAt);
    // KB/s = bytes per ms.
    const busyMs = shape.rateKBps > 0 ? bytes / shape.rateKBps : 0;
    if (ordered || shape.rateKBps > 0) this.nextFreeAt = at + busyMs;
    return at + busyMs;
  }
}

export class Relay {
  private routerAddr = "";
  private links: Record<string, LinkShape> = {};
  private readonly clocks = new Map<string, LinkClock>();
  private readonly listeners = new Map<string, dgram.Socket | net.Server>();
  /** One outgoing socket per original sender ("host:port"), bound to a port the kernel maps back to it. */
  private readonly senders = new Map<string, Promise<dgram.Socket>>();
  private nextOutPort = RELAY_UDP_OUT_PORTS[0];
  private readonly nextSourcePort = new Map<string, number>();
  private readonly stats: RelayStats = { udp: {}, tcpConnections: 0, errors: [] };

  shape(link: string): LinkShape {
    return this.links[link] ?? LinkShape.parse({});
  }

  private clock(key: string): LinkClock {
    let clock = this.clocks.get(key);
    if (!clock) this.clocks.set(key, (clock = new LinkClock()));
    return clock;
  }

  private error(message: string): void {
    if (this.stats.errors.length < 50) this.stats.errors.push(message);
  }

  async configure(request: Extract<RelayRequest, { op: "configure" }>): Promise<void> {
    this.routerAddr = request.routerAddr;
    this.links = request.links;
    for (const sender of request.senders) await this.sender(sender.host, sender.port);
    for (const listener of request.listeners) {
      const key = `${listener.proto}:${listener.port}`;
      if (!this.listeners.has(key)) this.listeners.set(key, await (listener.proto === "udp" ? this.listenUdp(listener) : this.listenTcp(listener)));
    }
  }

  report(): RelayStats {
    return this.stats;
  }

  close(): void {
    for (const listener of this.listeners.values()) listener.close();
    for (const sender of this.senders.values()) void sender.then((s) => s.close()).catch(() => undefined);
  }

  /** The socket that sends on behalf of `host:port`: made, and mapped in the kernel, on first use. */
  private sender(host: string, port: number): Promise<dgram.Socket> {
    const key = `${host}:${port}`;
    let socket = this.senders.get(key);
    if (!socket) {
      const outPort = this.nextOutPort++;
      if (outPort > RELAY_UDP_OUT_PORTS[1]) return Promise.reject(new Error("the relay has no sending port left"));
      socket = (async () => {
        const script = `add element ip ${TABLE} relay_src_addr { ${outPort} : ${host} }\nadd element ip ${TABLE} relay_src_port { ${outPort} : ${port} }\n`;
        await execa("nft", ["-f", "-"], { input: script });
        const s = dgram.createSocket("udp4");
        await new Promise<void>((resolve, reject) => {
          s.once("error", reject);
          s.bind(outPort, this.routerAddr, () => resolve());
        });
        s.on("error", (error) => this.error(`sending as ${key}: ${error.message}`));
        return s;
      })();
      this.senders.set(key, socket);
    }
    return socket;
  }

  private async listenUdp(listener: RelayListener): Promise<dgram.Socket> {
    const socket = dgram.createSocket("udp4");
    const counts = (this.stats.udp[listener.link] ??= { received: 0, sent: 0, dropped: 0, duplicated: 0, reordered: 0 });
    socket.on("message", (message, from) => {
      counts.received++;
      const shape = this.shape(listener.link);
      let at = this.clock(`udp:${listener.link}`).departure(shape, message.length, false);
      if (at - Date.now() > MAX_QUEUE_MS + shape.latencyMs + shape.jitterMs) {
        counts.dropped++;
        return;
      }
      // Held back past the datagrams that follow it (the link's clock is not moved: they keep their times).
      if (shape.reorderRate > 0 && Math.random() < shape.reorderRate) {
        at += shape.reorderMs;
        counts.reordered++;
      }
      const copies = shape.duplicate > 0 && Math.random() < shape.duplicate ? 2 : 1;
      if (copies === 2) counts.duplicated++;
      void this.sender(from.address, from.port).then(
        (out) => {
          const send = () => {
            for (let i = 0; i < copies; i++) out.send(message, listener.target.port, listener.target.host, () => counts.sent++);
          };
          const wait = at - Date.now();
          if (wait <= 0) send();
          else setTimeout(send, wait);
        },
        (error: Error) => this.error(`mapping ${from.address}:${from.port}: ${error.message}`),
      );
    });
    socket.on("error", (error) => this.error(`udp ${listener.port}: ${error.message}`));
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(listener.port, this.routerAddr, () => resolve());
    });
    return socket;
  }

  private async listenTcp(listener: RelayListener): Promise<net.Server> {
    const server = net.createServer((client) => this.relayConnection(listener, client));
    server.on("error", (error) => this.error(`tcp ${listener.port}: ${error.message}`));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(listener.port, this.routerAddr, () => resolve());
    });
    return server;
  }

  /** The next local port for an onward connection of `listener`'s dialler, round the range it may use. */
  private sourcePort(listener: RelayListener): number | undefined {
    if (!listener.sourcePorts) return undefined;
    const [low, high] = listener.sourcePorts;
    const key = `${low}`;
    const port = this.nextSourcePort.get(key) ?? low;
    this.nextSourcePort.set(key, port >= high ? low : port + 1);
    return port;
  }

  private relayConnection(listener: RelayListener, client: net.Socket, attempt = 0): void {
    this.stats.tcpConnections++;
    client.pause();
    const upstream = net.connect({
      host: listener.target.host,
      port: listener.target.port,
      localAddress: this.routerAddr,
      localPort: this.sourcePort(listener),
    });
    upstream.once("error", (error: NodeJS.ErrnoException) => {
      // The port may still be in use by an earlier connection: the next one in the range will do.
      if (error.code === "EADDRINUSE" && attempt < 40) return this.relayConnection(listener, client, attempt + 1);
      this.error(`tcp ${listener.port} → ${listener.target.host}:${listener.target.port}: ${error.message}`);
      client.destroy();
    });
    upstream.once("connect", () => {
      upstream.removeAllListeners("error");
      this.pipe(client, upstream, listener.link);
      this.pipe(upstream, client, listener.reverse);
      client.resume();
    });
  }

  /** Copies `from` to `to`, each chunk held as `link`'s shape says, in order; the end follows the last chunk. */
  private pipe(from: net.Socket, to: net.Socket, link: string): void {
    const clock = new LinkClock();
    let lastAt = Date.now();
    from.on("data", (chunk) => {
      const at = clock.departure(this.shape(link), chunk.length, true);
      lastAt = at;
      const wait = at - Date.now();
      if (wait <= 0) to.write(chunk);
      else setTimeout(() => to.writable && to.write(chunk), wait);
    });
    from.on("end", () => setTimeout(() => to.end(), Math.max(0, lastAt - Date.now())));
    from.on("error", () => to.destroy());
    from.on("close", () => setTimeout(() => to.destroy(), Math.max(0, lastAt - Date.now()) + 10));
  }
}

/** The relay's process: requests on stdin, replies on stdout, until stdin closes. */
export function runRelay(): void {
  const relay = new Relay();
  const reply = (message: RelayReply) => process.stdout.write(JSON.stringify(message) + "\n");
  const lines = readline.createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  lines.on("line", (line) => {
    queue = queue.then(async () => {
      let request: RelayRequest;
      try {
        request = RelayRequest.parse(JSON.parse(line));
      } catch (error) {
        reply({ seq: -1, ok: false, error: `bad request: ${(error as Error).message}` });
        return;
      }
      try {
        if (request.op === "configure") {
          await relay.configure(request);
          reply({ seq: request.seq, ok: true });
        } else reply({ seq: request.seq, ok: true, stats: relay.report() });
      } catch (error) {
        reply({ seq: request.seq, ok: false, error: (error as Error).message });
      }
    });
  });
  // The harness went away (it closed our stdin, or died): nothing is left to relay for.
  lines.on("close", () => {
    relay.close();
    process.exit(0);
  });
  reply({ ready: true });
}
