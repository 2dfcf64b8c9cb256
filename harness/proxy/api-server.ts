// The embedded Toxiproxy-compatible HTTP API: Toxiproxy 2.x paths, bodies, status codes and error messages.
import http from "node:http";
import type net from "node:net";
import type { z } from "zod";
import { ProxyCreateBody, ProxyUpdateBody, ToxicCreateBody, ToxicUpdateBody } from "../../specs/toxiproxy/api.js";
import { ProxyCollection } from "./collection.js";
import { ApiError, badRequestBody, toxicNotFound } from "./errors.js";

/** What GET /version reports: the Toxiproxy API generation this server follows, and that it is Grapevine's. */
export const EMBEDDED_VERSION = "2.12.0-grapevine";
const MAX_BODY_BYTES = 16 * 1024 * 1024;

type Reply = { status: number; body?: unknown };

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(badRequestBody("body too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** JSON-decodes and validates a body; every failure is Toxiproxy's 400 "bad request body: …". */
function parseJson<S extends z.ZodType>(text: string, schema: S): z.infer<S> {
  if (text.trim() === "") throw badRequestBody("EOF");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw badRequestBody((error as Error).message);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badRequestBody(`${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  return parsed.data;
}

export class ToxiproxyServer {
  readonly collection = new ProxyCollection();
  private readonly http: http.Server;
  private address: net.AddressInfo | undefined;

  constructor() {
    this.http = http.createServer((req, res) => void this.handle(req, res));
    this.http.keepAliveTimeout = 5000;
  }

  /** Starts the API; resolves with the bound address (port 0 picks a free one). */
  listen(host: string, port: number): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(port, host, () => {
        this.http.off("error", reject);
        this.address = this.http.address() as net.AddressInfo;
        resolve(this.address);
      });
    });
  }

  get url(): string {
    if (!this.address) throw new Error("not listening");
    const host = this.address.family === "IPv6" ? `[${this.address.address}]` : this.address.address;
    return `http://${host}:${this.address.port}`;
  }

  /** Stops the API and every proxy, dropping their connections. */
  async close(): Promise<void> {
    this.collection.closeAll();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      reply = await this.route(req);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError((error as Error).message, 500);
      reply = { status: apiError.status, body: apiError.toJSON() };
    }
    if (reply.body === undefined) {
      res.writeHead(reply.status);
      res.end();
      return;
    }
    res.writeHead(reply.status, { "content-type": "application/json" });
    res.end(JSON.stringify(reply.body));
  }

  private async route(req: http.IncomingMessage): Promise<Reply> {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://api").pathname;
    // Names are not URL-encoded by the Node client, but fetch escapes characters such as ">" in `n1->n2`.
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    const body = () => readBody(req);
    const c = this.collection;
    const isUpdate = method === "POST" || method === "PATCH";

    if (parts.length === 1 && parts[0] === "version" && method === "GET") return { status: 200, body: { version: EMBEDDED_VERSION } };
    if (parts.length === 1 && parts[0] === "reset" && method === "POST") {
      await c.reset();
      return { status: 204 };
    }
    if (parts.length === 1 && parts[0] === "populate" && method === "POST") {
      const text = await body();
      const entries = parseJson(text, ProxyCreateBody.array());
      const result = await c.populate(entries);
      if (result.error) return { status: result.error.status, body: { ...result.error.toJSON(), proxies: result.proxies } };
      return { status: 201, body: { proxies: result.proxies } };
    }
    if (parts[0] !== "proxies" || parts.length > 4 || (parts.length > 2 && parts[2] !== "toxics")) throw new ApiError("404 page not found", 404);
    const [, proxyName, sub, toxicName] = parts;

    if (parts.length === 1) {
      if (method === "GET") return { status: 200, body: c.list() };
      if (method === "POST") return { status: 201, body: await c.create(parseJson(await body(), ProxyCreateBody)) };
    }
    if (parts.length === 2 && proxyName !== undefined) {
      if (method === "GET") return { status: 200, body: c.get(proxyName).json() };
      if (isUpdate) {
        c.get(proxyName);
        return { status: 200, body: await c.update(proxyName, parseJson(await body(), ProxyUpdateBody)) };
      }
      if (method === "DELETE") {
        c.remove(proxyName);
        return { status: 204 };
      }
    }
    if (sub === "toxics" && proxyName !== undefined) {
      if (parts.length === 3) {
        if (method === "GET") return { status: 200, body: c.get(proxyName).json().toxics };
        if (method === "POST") {
          c.get(proxyName);
          // Toxiproxy answers a created toxic with 200, not 201.
          return { status: 200, body: c.addToxic(proxyName, parseJson(await body(), ToxicCreateBody)) };
        }
      }
      if (parts.length === 4 && toxicName !== undefined) {
        if (method === "GET") {
          const toxic = c
            .get(proxyName)
            .json()
            .toxics.find((t) => t.name === toxicName);
          if (!toxic) throw toxicNotFound();
          return { status: 200, body: toxic };
        }
        if (isUpdate) {
          c.get(proxyName);
          return { status: 200, body: c.updateToxic(proxyName, toxicName, parseJson(await body(), ToxicUpdateBody)) };
        }
        if (method === "DELETE") {
          c.removeToxic(proxyName, toxicName);
          return { status: 204 };
        }
      }
    }
    throw new ApiError(`${method} ${path} is not part of the Toxiproxy API`, 405);
  }
}
