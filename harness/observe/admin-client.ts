// A typed client for the admin / observation API: every response is validated against specs/admin.
import { parseWith } from "../../specs/parse.js";
import type { z } from "zod";
import {
  EventsResponse,
  KvDigestResponse,
  KvEventsResponse,
  KvListResponse,
  KvWriteResponse,
  LeaveResponse,
  MembersResponse,
  MetricsResponse,
  NodeInfo,
  HealthReading,
  PhiResponse,
} from "../../specs/admin/api.js";

/** An admin call that failed: unreachable, an error status, or a body off the schema. */
export class AdminCallError extends Error {
  override readonly name = "AdminCallError";
}

export class AdminClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 2000,
  ) {}

  node() {
    return this.call("GET", "/v1/node", NodeInfo);
  }

  members() {
    return this.call("GET", "/v1/members", MembersResponse);
  }

  events(after = 0) {
    return this.call("GET", `/v1/events?after=${after}`, EventsResponse);
  }

  metrics() {
    return this.call("GET", "/v1/metrics", MetricsResponse);
  }

  leave() {
    return this.call("POST", "/v1/leave", LeaveResponse);
  }

  kvPut(key: string, value: string) {
    return this.call("PUT", `/v1/kv/${encodeURIComponent(key)}`, KvWriteResponse, { value });
  }

  kvDelete(key: string) {
    return this.call("DELETE", `/v1/kv/${encodeURIComponent(key)}`, KvWriteResponse);
  }

  kvList() {
    return this.call("GET", "/v1/kv", KvListResponse);
  }

  kvDigest() {
    return this.call("GET", "/v1/kv-digest", KvDigestResponse);
  }

  /**
   * Lifeguard's local health score, read from /v1/metrics; undefined where the node shows none (no
   * such endpoint, or no `healthScore` in it). Only that field is asked of the body, so an outside
   * implementation may serve it alone.
   */
  async health(): Promise<number | undefined> {
    const { response, text, url } = await this.request("GET", "/v1/metrics");
    if (response.status === 404) return undefined;
    if (!response.ok) throw new AdminCallError(`GET ${url}: HTTP ${response.status} ${text.slice(0, 200)}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return undefined;
    }
    const reading = HealthReading.safeParse(json);
    return reading.success ? reading.data.healthScore : undefined;
  }

  /** Heartbeat windows and φ: only nodes with a φ accrual detector serve it (404 otherwise). */
  phi() {
    return this.call("GET", "/v1/phi", PhiResponse);
  }

  kvEvents(after = 0) {
    return this.call("GET", `/v1/kv-events?after=${after}`, KvEventsResponse);
  }

  private async call<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.infer<S>> {
    const { response, text, url } = await this.request(method, path, body);
    if (!response.ok) throw new AdminCallError(`${method} ${url}: HTTP ${response.status} ${text.slice(0, 200)}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AdminCallError(`${method} ${url}: response is not JSON: ${text.slice(0, 200)}`);
    }
    return parseWith(schema, json, `${method} ${url}`, (message) => new AdminCallError(message));
  }

  /** One request; an unreachable node or a timeout is an AdminCallError. */
  private async request(method: string, path: string, body?: unknown): Promise<{ response: Response; text: string; url: string }> {
    const url = `${this.baseUrl}${path}`;
    try {
      const response = await fetch(url, {
        method,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
      });
      return { response, text: await response.text(), url };
    } catch (error) {
      throw new AdminCallError(`${method} ${url}: ${(error as Error).message}`);
    }
  }
}
