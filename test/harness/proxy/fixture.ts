// Shared pieces of the proxy tests: a Toxiproxy to talk to (embedded, or TOXIPROXY_URL), an echo server, timed TCP clients.
import net from "node:net";
import { Toxiproxy } from "toxiproxy-node-client";
import { ToxiproxyServer } from "../../../harness/proxy/api-server.js";

/** A Toxiproxy API: the embedded server started here, or a real one when TOXIPROXY_URL is set. */
export async function toxiproxyUnderTest(): Promise<{ url: string; client: Toxiproxy; embedded: boolean; close: () => Promise<void> }> {
  const external = process.env.TOXIPROXY_URL;
  if (external) return { url: external, client: new Toxiproxy(external), embedded: false, close: async () => undefined };
  const server = new ToxiproxyServer();
  await server.listen("127.0.0.1", 0);
  return { url: server.url, client: new Toxiproxy(server.url), embedded: true, close: () => server.close() };
}

/** A TCP server on loopback that echoes every byte back, optionally closing after the first reply. */
export async function echoServer(options: { closeAfterReply?: boolean } = {}): Promise<{ addr: string; port: number; close: () => void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    socket.on("data", (data) => {
      if (options.closeAfterReply) socket.end(data);
      else socket.write(data);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    addr: `127.0.0.1:${port}`,
    port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

export const portOf = (listen: string) => Number(listen.slice(listen.lastIndexOf(":") + 1));

export interface Exchange {
  /** Everything received, in order. */
  received: Buffer;
  /** How many separate reads it took. */
  reads: number;
  /** ms from connect to the first byte back, or undefined. */
  firstByteMs: number | undefined;
  /** ms from connect until the socket closed, or undefined if it was still open at the deadline. */
  closedMs: number | undefined;
  /** The socket error, if any (ECONNRESET, ECONNREFUSED). */
  error: string | undefined;
}

/**
 * Connects, writes `payload`, and collects what comes back until the socket closes, `expectBytes`
 * have arrived, or `waitMs` passes. Bounded in time; always destroys its socket.
 */
export function talk(port: number, payload: Buffer | string, options: { waitMs: number; expectBytes?: number; end?: boolean }): Promise<Exchange> {
  return new Promise((resolve) => {
    const started = performance.now();
    const chunks: Buffer[] = [];
    let firstByteMs: number | undefined;
    let error: string | undefined;
    let reads = 0;
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.write(payload);
      if (options.end) socket.end();
    });
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ received: Buffer.concat(chunks), reads, firstByteMs, closedMs: closed ? performance.now() - started : undefined, error });
    };
    const timer = setTimeout(() => finish(false), options.waitMs);
    socket.on("data", (data) => {
      reads++;
      firstByteMs ??= performance.now() - started;
      chunks.push(data);
      if (options.expectBytes !== undefined && Buffer.concat(chunks).length >= options.expectBytes) finish(false);
    });
    socket.on("error", (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on("close", () => finish(true));
  });
}

/** The raw HTTP answer of the API, for status codes and messages the client library does not keep. */
export async function raw(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}
