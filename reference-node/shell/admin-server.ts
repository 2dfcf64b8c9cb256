// The admin / observation API (specs/admin), bound to 127.0.0.1 by default.
import http from "node:http";
import type net from "node:net";
import {
  type EventsResponse,
  type KvDigestResponse,
  type KvEvent,
  KvPutBody,
  type KvWriteResponse,
  type MembersResponse,
  type MetricsResponse,
  type NodeInfo,
  type PhiResponse,
} from "../../specs/admin/api.js";
import type { KvEntry } from "../../specs/wire/messages.js";

/** What the admin API reads from and asks of the running node. */
export interface AdminBackend {
  nodeInfo(): NodeInfo;
  members(): MembersResponse;
  events(after: number, limit: number): EventsResponse;
  metrics(): MetricsResponse;
  leave(): void;
  kvLimits(): { keyBytes: number; valueBytes: number };
  kvPut(key: string, value: string | null): Promise<KvWriteResponse>;
  kvGet(key: string): KvEntry | undefined;
  kvList(): KvEntry[];
  kvDigest(): KvDigestResponse;
  kvEvents(after: number, limit: number): { events: KvEvent[]; next: number };
  /** Heartbeat windows and φ, or undefined for a node that does not run the φ detector. */
  phi(): PhiResponse | undefined;
}

const MAX_EVENTS_PER_CALL = 10_000;

/** A client error: the status and a message that says what to change. */
class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BadRequest(413, `body over ${limit} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export class AdminServer {
  private readonly server: http.Server;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly backend: AdminBackend,
  ) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.port, this.host, () => {
        this.server.off("error", reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      if (res.headersSent) return;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      const [status, body] = await this.route(req);
      send(status, body);
    } catch (error) {
      if (error instanceof BadRequest) send(error.status, { error: error.message });
      else send(500, { error: (error as Error).message });
    }
  }

  private async route(req: http.IncomingMessage): Promise<[number, unknown]> {
    const url = new URL(req.url ?? "/", "http://admin");
    const after = () => {
      const value = Number(url.searchParams.get("after") ?? "0");
      if (!Number.isInteger(value) || value < 0) throw new BadRequest(400, "after must be a whole number ≥ 0");
      return value;
    };
    const b = this.backend;
    if (url.pathname.startsWith("/v1/kv/")) return this.kvKey(req, decodeURIComponent(url.pathname.slice("/v1/kv/".length)));
    if (req.method !== "PUT") req.resume();
    switch (`${req.method} ${url.pathname}`) {
      case "GET /v1/node":
        return [200, b.nodeInfo()];
      case "GET /v1/members":
        return [200, b.members()];
      case "GET /v1/events":
        return [200, b.events(after(), MAX_EVENTS_PER_CALL)];
      case "GET /v1/metrics":
        return [200, b.metrics()];
      case "POST /v1/leave":
        b.leave();
        return [202, { leaving: true }];
      case "GET /v1/kv":
        return [200, { entries: b.kvList() }];
      case "GET /v1/kv-digest":
        return [200, b.kvDigest()];
      case "GET /v1/kv-events":
        return [200, b.kvEvents(after(), MAX_EVENTS_PER_CALL)];
      case "GET /v1/phi": {
        const phi = b.phi();
        if (!phi) throw new BadRequest(404, "this node runs the swim detector: no heartbeat windows (start it with --detector phi)");
        return [200, phi];
      }
    }
    const known = ["/v1/phi", "/v1/node", "/v1/members", "/v1/events", "/v1/metrics", "/v1/leave", "/v1/kv", "/v1/kv-digest", "/v1/kv-events"];
    if (known.includes(url.pathname)) throw new BadRequest(405, `${req.method} not allowed on ${url.pathname}`);
    throw new BadRequest(404, `no such endpoint: ${url.pathname}`);
  }

  /** GET, PUT and DELETE of one key, with the size limits named in every refusal. */
  private async kvKey(req: http.IncomingMessage, key: string): Promise<[number, unknown]> {
    const limits = this.backend.kvLimits();
    if (key.length === 0) throw new BadRequest(400, "the key is empty");
    if (Buffer.byteLength(key) > limits.keyBytes)
      throw new BadRequest(400, `key is ${Buffer.byteLength(key)} bytes; the limit is ${limits.keyBytes} (--kv-max-key-bytes)`);
    switch (req.method) {
      case "GET": {
        req.resume();
        const entry = this.backend.kvGet(key);
        if (!entry || entry.value === null) throw new BadRequest(404, entry ? `${key} was deleted` : `no such key: ${key}`);
        return [200, entry];
      }
      case "PUT": {
        // JSON quoting can roughly double a value's size; anything beyond that is over the limit anyway.
        const text = await readBody(req, 2 * limits.valueBytes + 1024);
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new BadRequest(400, 'body must be JSON: {"value": "…"}');
        }
        const parsed = KvPutBody.safeParse(json);
        if (!parsed.success)
          throw new BadRequest(400, `body: ${parsed.error.issues[0]!.path.join(".") || "(root)"}: ${parsed.error.issues[0]!.message}; expected {"value": "…"}`);
        const bytes = Buffer.byteLength(parsed.data.value);
        if (bytes > limits.valueBytes) throw new BadRequest(400, `value is ${bytes} bytes; the limit is ${limits.valueBytes} (--kv-max-value-bytes)`);
        return [200, await this.backend.kvPut(key, parsed.data.value)];
      }
      case "DELETE":
        req.resume();
        return [200, await this.backend.kvPut(key, null)];
      default:
        req.resume();
        throw new BadRequest(405, `${req.method} not allowed on /v1/kv/:key`);
    }
  }
}
