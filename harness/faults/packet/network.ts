// A run's own little network: a router namespace, one namespace per node with its own address, and
// a link from the harness into the router so that the harness reaches every node's admin port.
//
//     harness (host)  ──gvh…──┐
//     node n0 (netns) ──eth0──┤ router (netns): ip_forward, the nftables rules, the relay
//     node n1 (netns) ──eth0──┘
//
// Routed, not bridged: on a bridge, packets between addresses of one subnet are switched at layer 2
// and never reach the IP hooks where the faults live. Each node has a /32 and a default route via
// the router's address, which the router holds on every one of its interfaces.
import { execFileSync } from "node:child_process";
import { execa } from "execa";
import { ip, nft, requirePacketFaults } from "./host-tools.js";
import { chooseSubnet, HARNESS_LINK, NETNS_PREFIX, type NetNames, netNames, nodeNames, ownerPid } from "./names.js";
import { RelayClient } from "./relay-client.js";
import { createTable, renderRules, type RulesetState, TRAFFIC_COUNTERS } from "./ruleset.js";
import { processAlive } from "../../process-alive.js";

export interface NetNode {
  id: string;
  index: number;
  netns: string;
  addr: string;
}

/** Networks this process made and has not removed: removed synchronously if the harness exits. */
const open = new Set<PacketNetwork>();
process.on("exit", () => {
  for (const network of open) network.removeNow();
});

let runsMade = 0;

export class PacketNetwork {
  private readonly nodes: NetNode[] = [];
  private closed = false;

  private constructor(
    readonly names: NetNames,
    readonly relay: RelayClient,
  ) {}

  /**
   * Checks that packet faults can run here, sweeps what dead harnesses left, and makes the router
   * and the harness's link to it, with the empty nftables table and the relay.
   */
  static async create(): Promise<PacketNetwork> {
    await requirePacketFaults();
    await sweepPacketNetworks();
    const routes = (await ip("-4", "-o", "route", "show", "table", "all")).split("\n").map((line) => line.split(/\s+/)[0] ?? "");
    const n = runsMade++;
    const names = netNames(process.pid, n, chooseSubnet(process.pid, n, routes));
    const r = names.router;
    await ip("netns", "add", r);
    try {
      await ip("-n", r, "link", "set", "lo", "up");
      await execa("ip", ["netns", "exec", r, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.tcp_tw_reuse=1"]);
      await ip("link", "add", names.hostIf, "type", "veth", "peer", "name", names.routerHostIf, "netns", r);
      await ip("addr", "add", `${names.hostAddr}/32`, "dev", names.hostIf);
      await ip("link", "set", names.hostIf, "up");
      await ip("-n", r, "addr", "add", `${names.routerAddr}/32`, "dev", names.routerHostIf);
      await ip("-n", r, "link", "set", names.routerHostIf, "up");
      await ip("-n", r, "route", "add", `${names.hostAddr}/32`, "dev", names.routerHostIf);
      await ip("route", "add", names.routerAddr, "dev", names.hostIf, "src", names.hostAddr);
      await ip("route", "add", `${names.subnet}.0/24`, "via", names.routerAddr, "src", names.hostAddr);
      await nft(r, createTable());
      const relay = await RelayClient.start(r);
      const network = new PacketNetwork(names, relay);
      open.add(network);
      return network;
    } catch (error) {
      removeNamespaces([r]);
      throw error;
    }
  }

  get nodeList(): readonly NetNode[] {
    return this.nodes;
  }

  node(id: string): NetNode | undefined {
    return this.nodes.find((n) => n.id === id);
  }

  /**
   * Gives node `id` its namespace and address, linked to the router. With `adoptPid`, the namespace
   * is that process's own (a container's), named as ours, instead of a new one, so that a node the packet engine cannot start
   * itself (in a container) runs on the engine's network. Removal kills what runs there, as always.
   */
  async addNode(id: string, adoptPid?: number): Promise<NetNode> {
    const existing = this.node(id);
    if (existing) return existing;
    const index = this.nodes.length;
    const { netns, addr, routerIf } = nodeNames(this.names, index);
    const r = this.names.router;
    if (adoptPid === undefined) await ip("netns", "add", netns);
    else await ip("netns", "attach", netns, String(adoptPid));
    const node = { id, index, netns, addr };
    this.nodes.push(node);
    await ip("-n", netns, "link", "set", "lo", "up");
    await ip("-n", r, "link", "add", routerIf, "type", "veth", "peer", "name", "eth0", "netns", netns);
    // One segment per packet, as on a wire: with segmentation offload a veth carries 64 KB
    // super-packets, and a loss rule would drop dozens of TCP segments with one roll.
    await ip("-n", netns, "link", "set", "eth0", "gso_max_segs", "1");
    await ip("-n", r, "link", "set", routerIf, "gso_max_segs", "1");
    await ip("-n", r, "addr", "add", `${this.names.routerAddr}/32`, "dev", routerIf);
    await ip("-n", r, "link", "set", routerIf, "up");
    await ip("-n", r, "route", "add", `${addr}/32`, "dev", routerIf);
    await ip("-n", netns, "addr", "add", `${addr}/32`, "dev", "eth0");
    await ip("-n", netns, "link", "set", "eth0", "up");
    await ip("-n", netns, "route", "add", this.names.routerAddr, "dev", "eth0");
    await ip("-n", netns, "route", "add", "default", "via", this.names.routerAddr);
    return node;
  }

  /** Loads the rules `state` calls for (state.nodeAddrs is filled in here). */
  async applyRules(state: Omit<RulesetState, "routerAddr" | "nodeAddrs">): Promise<void> {
    await nft(this.names.router, renderRules({ ...state, routerAddr: this.names.routerAddr, nodeAddrs: this.nodes.map((n) => n.addr) }));
  }

  /**
   * The counters of every tagged loss rule since the rules were last loaded: packets the rule saw,
   * and packets it dropped.
   */
  async lossCounters(): Promise<Record<string, { seen: number; dropped: number }>> {
    const rules = await this.listJson<{ rule?: { comment?: string; expr: Record<string, { packets?: number }>[] } }>("chain", "faults");
    const counters: Record<string, { seen: number; dropped: number }> = {};
    for (const { rule } of rules) {
      if (!rule?.comment) continue;
      const [seen, dropped] = rule.expr.filter((e) => "counter" in e).map((e) => e.counter!.packets ?? 0);
      counters[rule.comment] = { seen: seen ?? 0, dropped: dropped ?? 0 };
    }
    return counters;
  }

  /** Datagrams and connections between nodes since the network was made (the named traffic counters). */
  async trafficCounters(): Promise<{ datagrams: number; connections: number }> {
    const read = async (name: string) =>
      (await this.listJson<{ counter?: { packets?: number } }>("counter", name)).find((e) => e.counter)?.counter?.packets ?? 0;
    const [datagrams, connections] = await Promise.all([read(TRAFFIC_COUNTERS.udp), read(TRAFFIC_COUNTERS.tcp)]);
    return { datagrams, connections };
  }

  /** `nft -j list <kind> ip grapevine <name>` in the router namespace: the entries of its JSON. */
  private async listJson<T>(kind: "chain" | "counter", name: string): Promise<T[]> {
    const listed = await execa("ip", ["netns", "exec", this.names.router, "nft", "-j", "list", kind, "ip", "grapevine", name]);
    return (JSON.parse(listed.stdout) as { nftables: T[] }).nftables;
  }

  /** The rules in force, as nft lists them (for diagnostics and tests). */
  async listRules(): Promise<string> {
    return (await execa("ip", ["netns", "exec", this.names.router, "nft", "list", "ruleset"])).stdout;
  }

  /** Stops the relay, kills whatever still runs in the namespaces and removes them (and with them every link and rule). */
  async destroy(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.relay.close().catch(() => undefined);
    this.removeNow();
    open.delete(this);
  }

  /** Synchronous removal, for the harness's exit handler. */
  removeNow(): void {
    removeNamespaces([this.names.router, ...this.nodes.map((n) => n.netns)]);
  }
}

/**
 * Kills every process inside the namespaces, then deletes them. A veth goes with its namespace, but
 * only once the kernel's cleanup of that namespace has run, which is asynchronous: the harness's own
 * link (peer of the router's "harness" interface, the one veth with an end on the host) is deleted
 * first, so that nothing is left on the host when this returns.
 */
function removeNamespaces(namespaces: string[]): void {
  for (const netns of namespaces) {
    if (netns.endsWith("-r")) {
      try {
        execFileSync("ip", ["-n", netns, "link", "del", HARNESS_LINK], { stdio: "ignore" });
      } catch {
        // no such namespace or link
      }
    }
    try {
      const pids = execFileSync("ip", ["netns", "pids", netns], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
        .split(/\s+/)
        .filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // already gone
        }
      }
    } catch {
      // no such namespace
    }
    try {
      execFileSync("ip", ["netns", "del", netns], { stdio: "ignore" });
    } catch {
      // already gone
    }
  }
}

/**
 * Removes every namespace a harness that is no longer running left behind (after a SIGKILL, say),
 * with the links, routes, rules and processes in them. Returns the namespaces removed.
 */
export async function sweepPacketNetworks(): Promise<string[]> {
  const listed = await execa("ip", ["netns", "list"], { reject: false });
  const names = String(listed.stdout)
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name.startsWith(NETNS_PREFIX));
  const stale = names.filter((name) => {
    const pid = ownerPid(name);
    return pid !== undefined && pid !== process.pid && !processAlive(pid);
  });
  removeNamespaces(stale);
  return stale;
}
