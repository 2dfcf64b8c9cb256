// The Toxiproxy fault engine: nodes dial each other through proxies (topology.ts), and every network
// fault is a set of toxics (or a disabled proxy) on them, applied through toxiproxy-node-client.
import type { Proxy } from "toxiproxy-node-client";
import type { DialMap } from "../../specs/node/cli.js";
import { type EngineNode, type FaultEngine, type Link, linkNodes, undoInForce } from "./engine.js";
import { type FaultHandle, type FaultKind, FaultLog } from "./fault-log.js";
import { cutPairs, type Grudge, grudgeNodes } from "./grudge.js";
import type { ProxyApi, ToxicSpec } from "./proxy-api.js";
import { type Channel, Topology, type TopologyHosts, type TopologyKind } from "./topology.js";

export type { Link } from "./engine.js";

export interface ToxiproxyEngineOptions {
  /** mesh (default): a proxy per directed link; ingress: one per node (per-node faults only). */
  topology?: TopologyKind;
  /** Prefix of every proxy name, so that runs sharing a Toxiproxy do not collide. */
  prefix?: string;
  /** Where proxies listen and the host nodes dial them at (containers on a network of their own). */
  hosts?: TopologyHosts;
  /** The server's count of connections opened through its proxies, where it can be read (the embedded server). */
  connectionsAccepted?: (() => number) | undefined;
}

export class ToxiproxyEngine implements FaultEngine {
  readonly kind = "toxiproxy";
  private nextToxic = 1;
  /** Every network fault this object applied, to find the ones heal() and clear() end. */
  private readonly handles: FaultHandle[] = [];

  /** Wire v1 opens a connection per exchange, so the proxies' connections are the exchanges. */
  readonly exchangesCarried?: () => number;

  constructor(
    private readonly api: ProxyApi,
    readonly topology: Topology,
    readonly log: FaultLog = new FaultLog(),
    connectionsAccepted?: () => number,
  ) {
    if (connectionsAccepted) this.exchangesCarried = connectionsAccepted;
  }

  /** An engine with no node yet, on the server behind `api`. */
  static create(api: ProxyApi, options: ToxiproxyEngineOptions = {}, log?: FaultLog): ToxiproxyEngine {
    return new ToxiproxyEngine(api, Topology.empty(api, options.topology ?? "mesh", options.prefix, options.hosts), log, options.connectionsAccepted);
  }

  get nodeIds(): string[] {
    return this.topology.nodeIds;
  }

  add(nodes: EngineNode[]): Promise<void> {
    return this.topology.add(nodes);
  }

  dialMap(id: string): DialMap {
    return this.topology.dialMap(id);
  }

  listing(): Record<string, string> {
    return this.topology.listing();
  }

  /** Ends every fault this engine started, then deletes every proxy. */
  async close(): Promise<void> {
    await this.clear();
    await this.topology.destroy();
  }

  /**
   * Partition as a grudge: for each listener, the senders it cannot hear. Each cut message
   * direction gets a blackhole — Toxiproxy's `timeout` toxic with timeout 0, which holds the
   * connection open and delivers nothing, so the sender waits out its own timeout as it would
   * on a real partition.
   */
  async partition(grudge: Grudge): Promise<FaultHandle> {
    const channels = cutPairs(grudge).flatMap(([from, to]) => this.topology.channels(from, to));
    return this.withToxics("partition", grudgeNodes(grudge), { grudge }, channels, () => ({ type: "timeout", attributes: { timeout: 0 } }));
  }

  /**
   * Loses a fraction `rate` of the exchanges each link's sender starts. Toxiproxy rolls
   * toxicity once per connection and direction; with one exchange per connection, a blackhole
   * with toxicity `rate` on the request stream of proxy from->to drops that fraction of
   * from's requests to `to` (and with them their responses). Messages are not lost one by one.
   */
  async loss(rate: number, links: Link[] = this.topology.allLinks()): Promise<FaultHandle> {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`loss rate must be within 0..1, got ${rate}`);
    const channels = links.map(([from, to]): Channel => ({ proxy: this.topology.proxyFor(from, to), stream: "upstream" }));
    return this.withToxics("loss", linkNodes(links), { rate, links }, channels, () => ({ type: "timeout", attributes: { timeout: 0 }, toxicity: rate }));
  }

  /** Delays every message from→to by `latencyMs` ± `jitterMs` (one way; a round trip over two such links pays twice). */
  async latency(latencyMs: number, jitterMs = 0, links: Link[] = this.topology.allLinks()): Promise<FaultHandle> {
    const channels = links.flatMap(([from, to]) => this.topology.channels(from, to));
    return this.withToxics("latency", linkNodes(links), { latencyMs, jitterMs, links }, channels, () => ({
      type: "latency",
      attributes: { latency: latencyMs, jitter: jitterMs },
    }));
  }

  /** Caps every message stream from→to at `rateKBps` (1 KB = 1000 B), per connection as Toxiproxy does. */
  async bandwidth(rateKBps: number, links: Link[] = this.topology.allLinks()): Promise<FaultHandle> {
    const channels = links.flatMap(([from, to]) => this.topology.channels(from, to));
    return this.withToxics("bandwidth", linkNodes(links), { rateKBps, links }, channels, () => ({ type: "bandwidth", attributes: { rate: rateKBps } }));
  }

  /** Connections on these links are refused: their proxies are disabled. */
  async refuse(links: Link[]): Promise<FaultHandle> {
    const proxies = unique(links.map(([from, to]) => this.topology.proxyFor(from, to)));
    const beganAt = Date.now();
    const disabled: Proxy[] = [];
    try {
      for (const proxy of proxies) disabled.push(await this.api.setEnabled(proxy, false));
    } catch (error) {
      await Promise.allSettled(disabled.map((p) => this.api.setEnabled(p, true)));
      throw error;
    }
    const handle = this.log.started(
      "refuse",
      linkNodes(links),
      { links },
      async () => {
        await Promise.all(disabled.map((p) => this.api.setEnabled(p, true)));
      },
      beganAt,
    );
    this.handles.push(handle);
    return handle;
  }

  /** Ends every partition in force. */
  heal(): Promise<void> {
    return undoInForce(this.handles, (kind) => kind === "partition");
  }

  /** Ends every network fault in force. */
  clear(): Promise<void> {
    return undoInForce(this.handles);
  }

  /** Adds one toxic per channel; if any addition fails, removes those already added and rethrows. */
  private async withToxics(
    kind: FaultKind,
    targets: string[],
    params: Record<string, unknown>,
    channels: Channel[],
    toxic: () => Omit<ToxicSpec, "name" | "stream" | "toxicity"> & { toxicity?: number },
  ): Promise<FaultHandle> {
    const id = this.nextToxic++;
    const beganAt = Date.now();
    const added: { proxy: Proxy; name: string }[] = [];
    const removeAdded = () => Promise.all(added.map(({ proxy, name }) => this.api.removeToxic(proxy, name))).then(() => undefined);
    try {
      for (const channel of channels) {
        const spec = toxic();
        const name = `gv-${kind}-${id}-${channel.stream}`;
        await this.api.addToxic(channel.proxy, { ...spec, name, stream: channel.stream, toxicity: spec.toxicity ?? 1 } as ToxicSpec);
        added.push({ proxy: channel.proxy, name });
      }
    } catch (error) {
      await removeAdded().catch(() => undefined);
      throw error;
    }
    const handle = this.log.started(kind, targets, params, removeAdded, beganAt);
    this.handles.push(handle);
    return handle;
  }
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
