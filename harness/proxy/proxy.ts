// One proxy of the embedded server: a listener, its upstream, its toxics, and the connections it carries.
import net from "node:net";
import type { ProxyJson, Stream } from "../../specs/toxiproxy/api.js";
import { Connection } from "./connection.js";
import { ApiError } from "./errors.js";
import { type ToxicDef, toxicJson } from "./toxic-def.js";

/** Splits Toxiproxy's `host:port` (host may be empty, `[v6]`, or a name). */
function splitListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(":");
  const host = at < 0 ? listen : listen.slice(0, at);
  const port = at < 0 ? 0 : Number(listen.slice(at + 1) || "0");
  return { host: host.replace(/^\[(.*)\]$/, "$1"), port };
}

function formatAddress(address: net.AddressInfo): string {
  return address.family === "IPv6" ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
}

export class ProxyInstance {
  enabled = false;
  private server: net.Server | undefined;
  private readonly connections = new Set<Connection>();
  /** Upstream toxics first, then downstream, each in insertion order (the order GET …/toxics lists them). */
  readonly toxics: Record<Stream, ToxicDef[]> = { upstream: [], downstream: [] };

  constructor(
    readonly name: string,
    public listen: string,
    public upstream: string,
    /** Called for every connection a client opens (not a Toxiproxy feature: the embedded server's exchange count). */
    private readonly onAccept: () => void = () => undefined,
  ) {}

  json(): ProxyJson {
    return { name: this.name, listen: this.listen, upstream: this.upstream, enabled: this.enabled, toxics: this.toxicList().map(toxicJson) };
  }

  toxicList(): ToxicDef[] {
    return [...this.toxics.upstream, ...this.toxics.downstream];
  }

  findToxic(name: string): ToxicDef | undefined {
    return this.toxicList().find((t) => t.name === name);
  }

  /** Listens; `listen` becomes the resolved address. Rejects with Toxiproxy's 500 and the listen error text. */
  async start(): Promise<void> {
    if (this.enabled) return;
    const { host, port } = splitListen(this.listen);
    const server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) => {
        const reason = error.code === "EADDRINUSE" ? "bind: address already in use" : error.message;
        reject(new ApiError(`listen tcp ${this.listen}: ${reason}`, 500));
      });
      // Toxiproxy resolves localhost to 127.0.0.1; an empty host means every interface.
      const bindHost = host === "localhost" ? "127.0.0.1" : host;
      if (bindHost === "") server.listen(port, () => resolve());
      else server.listen(port, bindHost, () => resolve());
    });
    server.on("error", () => undefined);
    this.server = server;
    this.listen = formatAddress(server.address() as net.AddressInfo);
    this.enabled = true;
  }

  /** Closes the listener and drops every open connection; toxics stay. */
  stop(): void {
    if (!this.enabled) return;
    this.enabled = false;
    this.server?.close();
    this.server = undefined;
    for (const connection of this.connections) connection.destroy();
    this.connections.clear();
  }

  addToxic(def: ToxicDef): void {
    this.toxics[def.stream].push(def);
    for (const c of this.connections) c.link(def.stream).added(def);
  }

  updateToxic(def: ToxicDef): void {
    const list = this.toxics[def.stream];
    list[list.findIndex((t) => t.name === def.name)] = def;
    for (const c of this.connections) c.link(def.stream).updated(def);
  }

  removeToxic(def: ToxicDef): void {
    this.toxics[def.stream] = this.toxics[def.stream].filter((t) => t.name !== def.name);
    for (const c of this.connections) c.link(def.stream).removed(def.name);
  }

  removeAllToxics(): void {
    for (const def of this.toxicList()) this.removeToxic(def);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** As Toxiproxy: dial the upstream at once; if that fails, the accepted client is closed. */
  private accept(client: net.Socket): void {
    this.onAccept();
    const { host, port } = splitListen(this.upstream);
    const upstream = net.connect({ host: host || "127.0.0.1", port });
    const connection = new Connection(client, upstream, { upstream: [...this.toxics.upstream], downstream: [...this.toxics.downstream] }, (c) =>
      this.connections.delete(c),
    );
    this.connections.add(connection);
    let connected = false;
    upstream.once("connect", () => (connected = true));
    upstream.once("error", () => {
      if (!connected) connection.destroy();
    });
  }
}
