// The fault layer's only door to a Toxiproxy server: toxiproxy-node-client, wrapped to keep the status and say what failed.
import { Toxiproxy, ToxiproxyError, type Proxy } from "toxiproxy-node-client";
import type { Stream, ToxicType, TypedToxic } from "../../specs/toxiproxy/api.js";

/** A Toxiproxy call that failed: which call, on what, and the HTTP status when there was one. */
export class ProxyApiError extends Error {
  override readonly name = "ProxyApiError";
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
  }
}

export interface ProxySpec {
  name: string;
  listen: string;
  upstream: string;
}

/** The toxics the fault layer uses (the client's types leave out noop, which nobody needs to add). */
export type FaultToxicType = Exclude<ToxicType, "noop">;

export type ToxicSpec<T extends FaultToxicType = FaultToxicType> = TypedToxic<T>;

/** The client reports only "Request failed with status code N"; keep N. */
function statusOf(error: unknown): number | undefined {
  const match = /status code (\d{3})/.exec((error as Error)?.message ?? "");
  return match ? Number(match[1]) : undefined;
}

export class ProxyApi {
  readonly client: Toxiproxy;

  constructor(readonly url: string) {
    this.client = new Toxiproxy(url);
  }

  /** Checks that a Toxiproxy answers at `url`; returns its version text. */
  async version(): Promise<string> {
    return this.call(`GET ${this.url}/version`, () => this.client.getVersion());
  }

  /** Creates many proxies in one request (POST /populate). */
  async populate(specs: ProxySpec[]): Promise<Proxy[]> {
    // The client crashes on the server's `proxies: null` for an empty list.
    if (specs.length === 0) return [];
    const created = await this.call(`populate ${specs.length} proxies`, () => this.client.populate(specs.map((s) => ({ ...s, enabled: true }))));
    return specs.map((s) => created[s.name]!);
  }

  async get(name: string): Promise<Proxy> {
    return this.call(`get proxy ${name}`, () => this.client.get(name));
  }

  async addToxic<T extends FaultToxicType>(proxy: Proxy, toxic: ToxicSpec<T>): Promise<void> {
    await this.call(`add ${toxic.type} toxic ${toxic.name} to ${proxy.name}`, () => proxy.addToxic(toxic));
  }

  async removeToxic(proxy: Proxy, name: string): Promise<void> {
    await this.call(`remove toxic ${name} from ${proxy.name}`, async () => (await proxy.getToxic(name)).remove());
  }

  async setEnabled(proxy: Proxy, enabled: boolean): Promise<Proxy> {
    return this.call(`${enabled ? "enable" : "disable"} ${proxy.name}`, () => proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream }));
  }

  async remove(proxy: Proxy): Promise<void> {
    await this.call(`delete proxy ${proxy.name}`, () => proxy.remove());
  }

  private async call<R>(what: string, run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ToxiproxyError || error instanceof TypeError || error instanceof Error) {
        const status = statusOf(error);
        const reason = status ? `HTTP ${status}` : (error as Error).message;
        throw new ProxyApiError(`Toxiproxy at ${this.url}: ${what} failed: ${reason}`, status);
      }
      throw error;
    }
  }
}
