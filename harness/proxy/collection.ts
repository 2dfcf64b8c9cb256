// The embedded server's state and the semantics of every Toxiproxy API call, apart from HTTP.
import type { z } from "zod";
import {
  type ProxyCreateBody,
  type ProxyJson,
  Stream,
  TOXIC_ATTRIBUTES,
  type ToxicCreateBody,
  type ToxicJson,
  type ToxicType,
  type ToxicUpdateBody,
} from "../../specs/toxiproxy/api.js";
import {
  ApiError,
  badRequestBody,
  invalidStream,
  invalidToxicType,
  missingField,
  proxyAlreadyExists,
  proxyNotFound,
  toxicAlreadyExists,
  toxicNotFound,
} from "./errors.js";
import { ProxyInstance } from "./proxy.js";
import { type ToxicDef, toxicJson } from "./toxic-def.js";
import { isToxicType } from "./toxics/registry.js";

type CreateBody = z.infer<typeof ProxyCreateBody>;

/** Validates a toxic's attributes against its type, as Go's decoder would (zero defaults, ints only). */
function parseAttributes(type: ToxicType, attributes: Record<string, unknown>): ToxicDef["attributes"] {
  const parsed = TOXIC_ATTRIBUTES[type].safeParse(attributes);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badRequestBody(`attribute ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data as ToxicDef["attributes"];
}

export class ProxyCollection {
  private readonly proxies = new Map<string, ProxyInstance>();
  /**
   * Connections clients opened through any proxy since the server started. Wire v1 opens one per
   * exchange (a request and its answer, or a one-way message), so this counts the messages nodes
   * start: what `quiet` judges. Toxiproxy's API has no such count; the harness reads it in process.
   */
  connectionsAccepted = 0;

  list(): Record<string, ProxyJson> {
    return Object.fromEntries([...this.proxies].map(([name, proxy]) => [name, proxy.json()]));
  }

  get(name: string): ProxyInstance {
    const proxy = this.proxies.get(name);
    if (!proxy) throw proxyNotFound();
    return proxy;
  }

  get size(): number {
    return this.proxies.size;
  }

  async create(body: CreateBody): Promise<ProxyJson> {
    if (body.name.length < 1) throw missingField("name");
    if (body.upstream.length < 1) throw missingField("upstream");
    if (this.proxies.has(body.name)) throw proxyAlreadyExists();
    const proxy = new ProxyInstance(body.name, body.listen, body.upstream, () => this.connectionsAccepted++);
    if (body.enabled ?? true) await proxy.start();
    this.proxies.set(body.name, proxy);
    return proxy.json();
  }

  /**
   * POST /populate: every entry is checked before anything changes. An existing proxy with
   * the same listen and upstream is kept with its toxics; otherwise it is replaced. A listen
   * failure stops there, keeping what was created (Toxiproxy 2.x).
   */
  async populate(bodies: CreateBody[]): Promise<{ proxies: ProxyJson[] | null; error?: ApiError }> {
    const names = new Set<string>();
    for (const [i, body] of bodies.entries()) {
      if (body.name.length < 1) throw missingField(`name at proxy ${i + 1}`);
      if (body.upstream.length < 1) throw missingField(`upstream at proxy ${i + 1}`);
      if (names.has(body.name)) throw new ApiError(`duplicate proxy name "${body.name}"`, 400);
      names.add(body.name);
    }
    const created: ProxyJson[] = [];
    for (const body of bodies) {
      const existing = this.proxies.get(body.name);
      if (existing && existing.upstream === body.upstream && existing.listen === body.listen) {
        created.push(existing.json());
        continue;
      }
      if (existing) this.remove(body.name);
      try {
        created.push(await this.create(body));
      } catch (error) {
        if (error instanceof ApiError) return { proxies: created, error };
        throw error;
      }
    }
    // Go marshals an empty slice that was never appended to as null.
    return { proxies: created.length === 0 ? null : created };
  }

  /** POST/PATCH /proxies/{name}: a changed listen or upstream restarts the proxy, dropping its connections. */
  async update(name: string, body: { listen?: string | undefined; upstream?: string | undefined; enabled?: boolean | undefined }): Promise<ProxyJson> {
    const proxy = this.get(name);
    const listen = body.listen ?? proxy.listen;
    const upstream = body.upstream ?? proxy.upstream;
    const enabled = body.enabled ?? proxy.enabled;
    if (listen !== proxy.listen || upstream !== proxy.upstream) {
      proxy.stop();
      proxy.listen = listen;
      proxy.upstream = upstream;
    }
    if (enabled) await proxy.start();
    else proxy.stop();
    return proxy.json();
  }

  remove(name: string): void {
    const proxy = this.get(name);
    proxy.stop();
    this.proxies.delete(name);
  }

  /** POST /reset: every proxy enabled again, every toxic removed; proxies are kept. */
  async reset(): Promise<void> {
    for (const proxy of this.proxies.values()) {
      await proxy.start();
      proxy.removeAllToxics();
    }
  }

  /** Toxiproxy checks, in this order: stream, type, name clash across both streams, attributes. */
  addToxic(proxyName: string, body: z.infer<typeof ToxicCreateBody>): ToxicJson {
    const proxy = this.get(proxyName);
    const stream = Stream.safeParse(body.stream.toLowerCase());
    if (!stream.success) throw invalidStream();
    const name = body.name || `${body.type}_${stream.data}`;
    if (!isToxicType(body.type)) throw invalidToxicType();
    if (proxy.findToxic(name)) throw toxicAlreadyExists();
    const def: ToxicDef = { name, type: body.type, stream: stream.data, toxicity: body.toxicity, attributes: parseAttributes(body.type, body.attributes) };
    proxy.addToxic(def);
    return toxicJson(def);
  }

  /** Attributes merge onto the current ones; toxicity is kept when omitted. Name, type and stream never change. */
  updateToxic(proxyName: string, toxicName: string, body: z.infer<typeof ToxicUpdateBody>): ToxicJson {
    const proxy = this.get(proxyName);
    const current = proxy.findToxic(toxicName);
    if (!current) throw toxicNotFound();
    const def: ToxicDef = {
      ...current,
      toxicity: body.toxicity ?? current.toxicity,
      attributes: parseAttributes(current.type, { ...current.attributes, ...body.attributes }),
    };
    proxy.updateToxic(def);
    return toxicJson(def);
  }

  removeToxic(proxyName: string, toxicName: string): void {
    const proxy = this.get(proxyName);
    const current = proxy.findToxic(toxicName);
    if (!current) throw toxicNotFound();
    proxy.removeToxic(current);
  }

  /** Stops every proxy (server shutdown). */
  closeAll(): void {
    for (const proxy of this.proxies.values()) proxy.stop();
    this.proxies.clear();
  }
}
