// How nodes reach each other through proxies: one proxy per ordered pair `i->j` (mesh), or one per node (ingress).
import type { Proxy } from "toxiproxy-node-client";
import type { DialMap } from "../../specs/node/cli.js";
import type { Stream } from "../../specs/toxiproxy/api.js";
import type { ProxyApi } from "./proxy-api.js";

export interface TopologyNode {
  id: string;
  /** Where the node itself listens (the proxies' upstream). */
  addr: string;
}

/** A proxy and the stream on it that carries some messages. */
export interface Channel {
  proxy: Proxy;
  stream: Stream;
}

/** A fault layer error a user can cause: asking for a per-link fault on a topology that cannot express it. */
export class TopologyError extends Error {
  override readonly name = "TopologyError";
}

export type TopologyKind = "mesh" | "ingress";

/**
 * Where proxies listen and how nodes reach them. On loopback both are 127.0.0.1; in containers on
 * a network of their own, proxies listen on 0.0.0.0 of the proxy container and nodes dial it by name.
 */
export interface TopologyHosts {
  listenHost?: string;
  dialHost?: string;
}

export class Topology {
  /** mesh: "i->j" → proxy; ingress: "->j" → proxy. */
  private readonly proxies = new Map<string, Proxy>();
  private readonly nodes: TopologyNode[] = [];

  private constructor(
    private readonly api: ProxyApi,
    readonly kind: TopologyKind,
    /** Prepended to every proxy name, so that several runs can share one Toxiproxy server. */
    readonly prefix: string,
    private readonly hosts: TopologyHosts,
  ) {}

  /** A topology with no node yet: nodes come with add(), before they start. */
  static empty(api: ProxyApi, kind: TopologyKind, prefix = "", hosts: TopologyHosts = {}): Topology {
    return new Topology(api, kind, prefix, hosts);
  }

  /** N·(N−1) proxies, created in one populate call: node i dials j only through `i->j`. */
  static async mesh(api: ProxyApi, nodes: TopologyNode[], prefix = "", hosts: TopologyHosts = {}): Promise<Topology> {
    const topology = new Topology(api, "mesh", prefix, hosts);
    await topology.add(nodes);
    return topology;
  }

  /** One proxy in front of each node: every other node dials it through that proxy (per-node faults only). */
  static async ingress(api: ProxyApi, nodes: TopologyNode[], prefix = "", hosts: TopologyHosts = {}): Promise<Topology> {
    const topology = new Topology(api, "ingress", prefix, hosts);
    await topology.add(nodes);
    return topology;
  }

  static linkName(from: string, to: string): string {
    return `${from}->${to}`;
  }

  get nodeIds(): string[] {
    return this.nodes.map((n) => n.id);
  }

  get proxyCount(): number {
    return this.proxies.size;
  }

  /** Adds nodes (a join mid-run): in a mesh, the proxies between them and every existing node. */
  async add(newNodes: TopologyNode[]): Promise<void> {
    const specs: { key: string; name: string; listen: string; upstream: string }[] = [];
    const all = [...this.nodes, ...newNodes];
    const spec = (key: string, upstream: string) => ({ key, name: `${this.prefix}${key}`, listen: `${this.hosts.listenHost ?? "127.0.0.1"}:0`, upstream });
    if (this.kind === "ingress") {
      for (const to of newNodes) specs.push(spec(`->${to.id}`, to.addr));
    } else {
      for (const from of all)
        for (const to of all) {
          const isNew = newNodes.includes(from) || newNodes.includes(to);
          if (from.id !== to.id && isNew) specs.push(spec(Topology.linkName(from.id, to.id), to.addr));
        }
    }
    const created = await this.api.populate(specs);
    specs.forEach((s, i) => this.proxies.set(s.key, created[i]!));
    this.nodes.push(...newNodes);
  }

  /** What node `id` must dial to reach each other member. */
  dialMap(id: string): DialMap {
    const map: DialMap = {};
    for (const other of this.nodes) {
      if (other.id === id) continue;
      map[other.id] = this.dialAddress(this.proxyFor(id, other.id).listen);
    }
    return map;
  }

  /** A proxy's listen address as a node dials it: the same, or its port on the proxy's host name. */
  private dialAddress(listen: string): string {
    return this.hosts.dialHost ? `${this.hosts.dialHost}:${listen.slice(listen.lastIndexOf(":") + 1)}` : listen;
  }

  /** The proxy `from` dials to reach `to`. */
  proxyFor(from: string, to: string): Proxy {
    const key = this.kind === "ingress" ? `->${to}` : Topology.linkName(from, to);
    const proxy = this.proxies.get(key);
    if (!proxy) throw new TopologyError(`no proxy for ${from} → ${to}: is ${this.nodes.some((n) => n.id === from) ? to : from} part of this cluster?`);
    return proxy;
  }

  /**
   * Where messages from `from` to `to` travel. With one exchange per connection, they are
   * `from`'s requests (upstream on proxy from->to) and `from`'s responses to `to`'s requests
   * (downstream on proxy to->from). A toxic on both stops or slows every message from→to
   * while leaving to→from untouched: a true one-way fault.
   */
  channels(from: string, to: string): Channel[] {
    if (this.kind === "ingress") {
      throw new TopologyError(`a fault on messages ${from} → ${to} needs the mesh topology (one proxy per link); ingress proxies can only fault a whole node`);
    }
    return [
      { proxy: this.proxyFor(from, to), stream: "upstream" },
      { proxy: this.proxyFor(to, from), stream: "downstream" },
    ];
  }

  /** Every proxy that carries traffic into `to` (ingress: its own proxy; mesh: each i->to). */
  proxiesInto(to: string): Proxy[] {
    if (this.kind === "ingress") return [this.proxyFor("", to)];
    return this.nodes.filter((n) => n.id !== to).map((n) => this.proxyFor(n.id, to));
  }

  /** Every proxy by link name, with the address it listens on. */
  listing(): Record<string, string> {
    return Object.fromEntries([...this.proxies].map(([key, proxy]) => [key, proxy.listen]));
  }

  /** Ordered pairs (from, to) of distinct nodes: every link of the mesh. */
  allLinks(): [string, string][] {
    return this.nodes.flatMap((a) => this.nodes.filter((b) => b.id !== a.id).map((b): [string, string] => [a.id, b.id]));
  }

  /** Deletes every proxy this topology made. */
  async destroy(): Promise<void> {
    const proxies = [...this.proxies.values()];
    this.proxies.clear();
    await Promise.allSettled(proxies.map((p) => this.api.remove(p)));
  }
}
