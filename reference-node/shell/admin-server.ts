// The admin / observation HTTP API (specs/admin), bound to 127.0.0.1 by default.
import http from "node:http";
import type net from "node:net";
import type { EventsResponse, MembersResponse, MetricsResponse, NodeInfo } from "../../specs/admin/api.js";

/** What the admin API reads from and asks of the running node. */
export interface AdminBackend {
  nodeInfo(): NodeInfo;
  members(): MembersResponse;
  events(after: number, limit: number): EventsResponse;
  metrics(): MetricsResponse;
  leave(): void;
}

const MAX_EVENTS_PER_CALL = 10_000;

export class AdminServer {
  private readonly server: http.Server;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly backend: AdminBackend,
  ) {
    this.server = http.createServer((req, res) => this.handle(req, res));
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

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://admin");
    const route = `${req.method} ${url.pathname}`;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    // Requests carry no body we need; drain whatever was sent so the socket can be reused.
    req.resume();
    switch (route) {
      case "GET /v1/node":
        return send(200, this.backend.nodeInfo());
      case "GET /v1/members":
        return send(200, this.backend.members());
      case "GET /v1/events": {
        const after = Number(url.searchParams.get("after") ?? "0");
        if (!Number.isInteger(after) || after < 0) return send(400, { error: "after must be a whole number ≥ 0" });
        return send(200, this.backend.events(after, MAX_EVENTS_PER_CALL));
      }
      case "GET /v1/metrics":
        return send(200, this.backend.metrics());
      case "POST /v1/leave":
        this.backend.leave();
        return send(202, { leaving: true });
    }
    const known = ["/v1/node", "/v1/members", "/v1/events", "/v1/metrics", "/v1/leave"];
    if (known.includes(url.pathname)) return send(405, { error: `${req.method} not allowed on ${url.pathname}` });
    return send(404, { error: `no such endpoint: ${url.pathname}` });
  }
}
