// The packet-level fault engine: every node in its own network namespace, and every network fault
// acting on the packets between them, UDP and TCP alike, whatever the implementation. Cuts, loss and
// refusals are nftables rules in the run's router namespace; delay, jitter and rate caps go through
// the relay there (this kernel has no netem). Nodes dial each other at their real addresses: there
// is no dial map to honour, which is what lets it reach implementations we did not write.
import type { DialMap } from "../../../specs/node/cli.js";
import type { NodePlacement } from "../../placement.js";
import { type EngineNode, type FaultEngine, type Link, linkNodes, undoInForce } from "../engine.js";
import { type FaultHandle, type FaultKind, FaultLog } from "../fault-log.js";
import { cutPairs, type Grudge, grudgeNodes } from "../grudge.js";
import { PacketNetwork } from "./network.js";
import { LinkShape, type RelayListener } from "./relay-protocol.js";
import { type Diversion, type DropRule, relayTcpSourcePorts } from "./ruleset.js";

/** A fault in force, in the engine's terms: the drops it adds and the shapes it gives links. */
interface ActiveFault {
  id: number;
  kind: FaultKind;
  drops: { kind: DropRule["kind"]; link: Link; rate?: number }[];
  shapes: { link: Link; shape: Partial<LinkShape> }[];
}

const linkKey = ([from, to]: Link) => `${from}>${to}`;

function requireRate(kind: string, rate: number): void {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${kind} rate must be within 0..1, got ${rate}`);
}

export class PacketEngine implements FaultEngine {
  readonly kind = "packet";
  private readonly ports = new Map<string, number>();
  private readonly active: ActiveFault[] = [];
  private readonly handles: FaultHandle[] = [];
  private readonly relayPorts = new Map<string, number>();
  private nextId = 1;
  /** Changes to the rules and the relay, one at a time, so that none sees another half-done. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly network: PacketNetwork,
    readonly log: FaultLog,
  ) {}

  /** Makes the run's network (root and nft needed: PacketFaultsUnavailable says what is missing). */
  static async create(log: FaultLog = new FaultLog()): Promise<PacketEngine> {
    return new PacketEngine(await PacketNetwork.create(), log);
  }

  get nodeIds(): string[] {
    return this.network.nodeList.map((n) => n.id);
  }

  /** Gives each node a namespace and an address; the node keeps the port of `addr`. */
  async add(nodes: EngineNode[]): Promise<void> {
    for (const node of nodes) {
      const port = Number(node.addr.slice(node.addr.lastIndexOf(":") + 1));
      if (!Number.isInteger(port) || port <= 0) throw new Error(`node ${node.id}: no port in "${node.addr}"`);
      await this.network.addNode(node.id, node.netnsPid);
      this.ports.set(node.id, port);
    }
    await this.sync();
  }

  placement(id: string): NodePlacement {
    const node = this.network.node(id);
    if (!node) throw new Error(`node ${id} is not on the packet network`);
    return { netns: node.netns, host: node.addr };
  }

  /** Nodes dial each other at their own addresses: the faults are on the packets' path, not in the dialling. */
  dialMap(): DialMap {
    return {};
  }

  listing(): Record<string, string> {
    const names = this.network.names;
    return {
      router: `${names.router} (${names.routerAddr}, nftables table grapevine, relay)`,
      ...Object.fromEntries(this.network.nodeList.map((n) => [n.id, `${n.netns} ${n.addr}:${this.ports.get(n.id)}`])),
    };
  }

  private addr(id: string): string {
    const node = this.network.node(id);
    if (!node) throw new Error(`no node ${id} on the packet network`);
    return node.addr;
  }

  private allLinks(): Link[] {
    const ids = this.nodeIds;
    return ids.flatMap((from) => ids.filter((to) => to !== from).map((to): Link => [from, to]));
  }

  partition(grudge: Grudge): Promise<FaultHandle> {
    const drops = cutPairs(grudge).map((link) => ({ kind: "partition" as const, link }));
    return this.start("partition", grudgeNodes(grudge), { grudge }, drops, []);
  }

  /** Each packet on the links is dropped with probability `rate`: datagrams are lost, TCP segments resent. */
  loss(rate: number, links: Link[] = this.allLinks()): Promise<FaultHandle> {
    requireRate("loss", rate);
    return this.start(
      "loss",
      linkNodes(links),
      { rate, links },
      links.map((link) => ({ kind: "loss" as const, link, rate })),
      [],
    );
  }

  latency(latencyMs: number, jitterMs = 0, links: Link[] = this.allLinks()): Promise<FaultHandle> {
    return this.start(
      "latency",
      linkNodes(links),
      { latencyMs, jitterMs, links },
      [],
      links.map((link) => ({ link, shape: { latencyMs, jitterMs } })),
    );
  }

  bandwidth(rateKBps: number, links: Link[] = this.allLinks()): Promise<FaultHandle> {
    return this.start(
      "bandwidth",
      linkNodes(links),
      { rateKBps, links },
      [],
      links.map((link) => ({ link, shape: { rateKBps } })),
    );
  }

  /** Each datagram on the links is sent on twice with probability `rate` (by the relay). */
  duplicate(rate: number, links: Link[] = this.allLinks()): Promise<FaultHandle> {
    requireRate("duplicate", rate);
    return this.start(
      "duplicate",
      linkNodes(links),
      { rate, links },
      [],
      links.map((link) => ({ link, shape: { duplicate: rate } })),
    );
  }

  /** Each datagram on the links is held `delayMs` longer with probability `rate` (by the relay), so later ones overtake it. */
  reorder(rate: number, delayMs: number, links: Link[] = this.allLinks()): Promise<FaultHandle> {
    requireRate("reorder", rate);
    return this.start(
      "reorder",
      linkNodes(links),
      { rate, delayMs, links },
      [],
      links.map((link) => ({ link, shape: { reorderRate: rate, reorderMs: delayMs } })),
    );
  }

  /** Connections are reset and datagrams answered with port-unreachable, as from a closed port. */
  refuse(links: Link[]): Promise<FaultHandle> {
    return this.start(
      "refuse",
      linkNodes(links),
      { links },
      links.map((link) => ({ kind: "refuse" as const, link })),
      [],
    );
  }

  heal(): Promise<void> {
    return undoInForce(this.handles, (kind) => kind === "partition");
  }

  clear(): Promise<void> {
    return undoInForce(this.handles);
  }

  async close(): Promise<void> {
    await this.clear().catch(() => undefined);
    await this.network.destroy();
  }

  /**
   * Per loss fault in force and link ("loss 3 n1>n2"): the packets its rule saw and dropped, UDP
   * and TCP alike, since the rules were last changed.
   */
  lossCounters() {
    return this.network.lossCounters();
  }

  /**
   * Exchanges between nodes so far: each connection opened, and each two datagrams (a UDP exchange
   * is a ping and its ack; a one-way gossip datagram so counts half, which errs towards quiet).
   */
  async exchangesCarried(): Promise<number> {
    const { datagrams, connections } = await this.network.trafficCounters();
    return connections + Math.floor(datagrams / 2);
  }

  async datagramsCarried(): Promise<number> {
    return Object.values((await this.network.relay.stats()).udp).reduce((sum, link) => sum + link.received, 0);
  }

  /** What the relay counted (datagrams per link, connections, errors): for tests and diagnostics. */
  relayStats() {
    return this.network.relay.stats();
  }

  private async start(kind: FaultKind, targets: string[], params: Record<string, unknown>, drops: ActiveFault["drops"], shapes: ActiveFault["shapes"]) {
    for (const { link } of [...drops, ...shapes]) for (const id of link) this.addr(id);
    const beganAt = Date.now();
    const fault: ActiveFault = { id: this.nextId++, kind, drops, shapes };
    this.active.push(fault);
    try {
      await this.sync();
    } catch (error) {
      this.active.splice(this.active.indexOf(fault), 1);
      await this.sync().catch(() => undefined);
      throw error;
    }
    const handle = this.log.started(
      kind,
      targets,
      params,
      async () => {
        this.active.splice(this.active.indexOf(fault), 1);
        await this.sync();
      },
      beganAt,
    );
    this.handles.push(handle);
    return handle;
  }

  /** Brings the relay and the rules in line with the faults in force: the relay first, so that diverted packets find their socket. */
  private sync(): Promise<void> {
    const next = this.queue.then(async () => {
      const shapes = this.linkShapes();
      const wanted: RelayListener[] = [];
      for (const key of Object.keys(shapes)) {
        const [from, to] = key.split(">") as Link;
        const reverse = linkKey([to, from]);
        // Datagrams from→to; connections from dials to, whose bytes from→to are this link's; and
        // connections to dials from, whose answers (from→to) are this link's too, as with Toxiproxy.
        wanted.push(this.listener("udp", from, to, key, reverse));
        wanted.push(this.listener("tcp", from, to, key, reverse));
        wanted.push(this.listener("tcp", to, from, reverse, key));
      }
      // Two shaped directions of one pair want the same TCP listeners: one of each, and a diversion for each.
      const listeners = [...new Map(wanted.map((l) => [`${l.proto}:${l.port}`, l])).values()];
      const diversions: Diversion[] = listeners.map((l) => {
        const [from, to] = l.link.split(">") as Link;
        return { proto: l.proto, from: this.addr(from), to: this.addr(to), port: this.ports.get(to)!, relayPort: l.port };
      });
      const senders = this.network.nodeList.map((n) => ({ host: n.addr, port: this.ports.get(n.id)! }));
      await this.network.relay.request({ op: "configure", routerAddr: this.network.names.routerAddr, listeners, links: shapes, senders });
      const drops: DropRule[] = this.active.flatMap((f) =>
        f.drops.map((d) => ({
          kind: d.kind,
          from: this.addr(d.link[0]),
          to: this.addr(d.link[1]),
          tag: `${d.kind} ${f.id} ${linkKey(d.link)}`,
          ...(d.rate === undefined ? {} : { rate: d.rate }),
        })),
      );
      await this.network.applyRules({ drops, diversions });
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Every link some fault shapes, with the shapes in force on it added up: delays add, the lowest
   * rate cap wins, chances of a copy combine as independent rolls, and the longest hold-back wins.
   */
  private linkShapes(): Record<string, LinkShape> {
    const shapes: Record<string, LinkShape> = {};
    for (const fault of this.active)
      for (const { link, shape } of fault.shapes) {
        const s = (shapes[linkKey(link)] ??= LinkShape.parse({}));
        s.latencyMs += shape.latencyMs ?? 0;
        s.jitterMs += shape.jitterMs ?? 0;
        if (shape.rateKBps) s.rateKBps = s.rateKBps === 0 ? shape.rateKBps : Math.min(s.rateKBps, shape.rateKBps);
        if (shape.duplicate) s.duplicate = 1 - (1 - s.duplicate) * (1 - shape.duplicate);
        if (shape.reorderRate) {
          s.reorderRate = 1 - (1 - s.reorderRate) * (1 - shape.reorderRate);
          s.reorderMs = Math.max(s.reorderMs, shape.reorderMs ?? 0);
        }
      }
    return shapes;
  }

  /** The relay's socket for `proto` traffic that `from` sends to `to`: one port per pair, kept for the run. */
  private listener(proto: "udp" | "tcp", from: string, to: string, link: string, reverse: string): RelayListener {
    const key = `${proto}:${from}>${to}`;
    let port = this.relayPorts.get(key);
    if (port === undefined) this.relayPorts.set(key, (port = 20000 + this.relayPorts.size));
    const dialler = this.network.node(from)!;
    return {
      proto,
      port,
      target: { host: this.addr(to), port: this.ports.get(to)! },
      link,
      reverse,
      ...(proto === "tcp" ? { sourcePorts: relayTcpSourcePorts(dialler.index) } : {}),
    };
  }
}
