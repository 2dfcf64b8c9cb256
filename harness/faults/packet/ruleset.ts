// The nftables rules of a packet-level network, as text: a pure function of the faults in force, so
// that what the kernel is told can be read and tested without root. Every rule lives in the run's own
// router namespace and names the run's own addresses: nothing here can touch anyone else's traffic.
//
// Where each kind of fault acts, on the router every node's packets cross:
//   faults      prerouting, priority -350 (before anything else sees the packet, with the
//               addresses it has on the wire): partitions drop, loss drops at random, refuse rejects.
//   divert_udp  prerouting, -300 (before connection tracking): datagrams of a delayed link are
//               rewritten, statelessly, to the relay's socket for that link.
//   relay_out   output, -300: what the relay sends for a link gets the original sender's address
//               and port back, so the listener sees the datagram come from its sender.
//   divert_tcp  nat prerouting: new connections of a delayed link go to the relay's listener...
//   relay_snat  nat postrouting: ...and the relay's connection onwards leaves with the dialler's address.

export const TABLE = "grapevine";

/** The relay sends datagrams from these ports; each is mapped to the sender it stands for. */
export const RELAY_UDP_OUT_PORTS: [number, number] = [50000, 59999];

/** The relay's onward TCP connections for the node at `index` leave from these ports (snat to its address). */
export function relayTcpSourcePorts(index: number): [number, number] {
  return [40000 + index * 40, 40000 + index * 40 + 39];
}

/** One directed cut, loss or refusal between two addresses. */
export interface DropRule {
  kind: "partition" | "loss" | "refuse";
  from: string;
  to: string;
  /** loss: the probability (0..1) that a packet is dropped. */
  rate?: number;
  /** Names the rule (an nft comment), so that its counters can be read back: loss rules count what they saw and what they dropped. */
  tag?: string;
}

/** Packets (or new connections) from `from` to `to:port` go to the relay's `relayPort`. */
export interface Diversion {
  proto: "udp" | "tcp";
  from: string;
  to: string;
  port: number;
  relayPort: number;
}

export interface RulesetState {
  routerAddr: string;
  drops: DropRule[];
  diversions: Diversion[];
  /** Every node's address by index, for the relay's source-address translation. */
  nodeAddrs: string[];
}

/**
 * Named counters of the traffic between nodes: every datagram, and every connection opened (a SYN).
 * Named counters outlive the rule reloads each fault change makes; the rules that feed them come
 * first in the faults chain, so packets a fault then drops are counted too (as a proxy counts a
 * connection it then blackholes).
 */
export const TRAFFIC_COUNTERS = { udp: "traffic_udp", tcp: "traffic_tcp" } as const;

/** Creates the table, its maps (filled by the relay as senders appear) and its chains, empty. */
export function createTable(): string {
  return `table ip ${TABLE} {
  map relay_src_addr { type inet_service : ipv4_addr; }
  map relay_src_port { type inet_service : inet_service; }
  counter ${TRAFFIC_COUNTERS.udp} { }
  counter ${TRAFFIC_COUNTERS.tcp} { }
  chain faults { type filter hook prerouting priority -350; policy accept; }
  chain divert_udp { type filter hook prerouting priority -300; policy accept; }
  chain relay_out { type filter hook output priority -300; policy accept; }
  chain divert_tcp { type nat hook prerouting priority dstnat; policy accept; }
  chain relay_snat { type nat hook postrouting priority srcnat; policy accept; }
}
`;
}

/** Replaces every rule with the ones `state` calls for, in one transaction (the relay's maps are kept). */
export function renderRules(state: RulesetState): string {
  const lines = ["faults", "divert_udp", "relay_out", "divert_tcp", "relay_snat"].map((chain) => `flush chain ip ${TABLE} ${chain}`);
  const add = (chain: string, rule: string) => lines.push(`add rule ip ${TABLE} ${chain} ${rule}`);
  if (state.nodeAddrs.length > 0) {
    const between = `ip saddr { ${state.nodeAddrs.join(", ")} } ip daddr { ${state.nodeAddrs.join(", ")} }`;
    add("faults", `${between} meta l4proto udp counter name "${TRAFFIC_COUNTERS.udp}"`);
    add("faults", `${between} tcp flags & (fin | syn | rst | ack) == syn counter name "${TRAFFIC_COUNTERS.tcp}"`);
  }
  for (const drop of state.drops) {
    const link = `ip saddr ${drop.from} ip daddr ${drop.to}`;
    if (drop.kind === "partition") add("faults", `${link} drop`);
    else if (drop.kind === "refuse") {
      // A connection attempt gets a reset and a datagram an ICMP port-unreachable, as from a closed port.
      add("faults", `${link} meta l4proto tcp reject with tcp reset`);
      add("faults", `${link} reject`);
    } else
      add("faults", `${link} counter numgen random mod 1000000 < ${lossThreshold(drop.rate ?? 0)} counter drop${drop.tag ? ` comment "${drop.tag}"` : ""}`);
  }
  for (const d of state.diversions) {
    const link = `ip saddr ${d.from} ip daddr ${d.to}`;
    if (d.proto === "udp") add("divert_udp", `${link} udp dport ${d.port} notrack ip daddr set ${state.routerAddr} udp dport set ${d.relayPort}`);
    else add("divert_tcp", `${link} tcp dport ${d.port} dnat to ${state.routerAddr}:${d.relayPort}`);
  }
  const [low, high] = RELAY_UDP_OUT_PORTS;
  add(
    "relay_out",
    `ip saddr ${state.routerAddr} udp sport ${low}-${high} notrack ip saddr set udp sport map @relay_src_addr udp sport set udp sport map @relay_src_port`,
  );
  state.nodeAddrs.forEach((addr, index) => {
    const [from, to] = relayTcpSourcePorts(index);
    add("relay_snat", `ip saddr ${state.routerAddr} tcp sport ${from}-${to} snat to ${addr}`);
  });
  return lines.join("\n") + "\n";
}

/** A drop probability as the threshold of `numgen random mod 1000000 < N` (N = rate × 10^6). */
export function lossThreshold(rate: number): number {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`loss rate must be within 0..1, got ${rate}`);
  return Math.round(rate * 1_000_000);
}
