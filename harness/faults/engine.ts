// The seam between the scenario runner and what carries network faults. The runner plays the
// scenario's network steps on a FaultEngine; the engine decides how: Toxiproxy toxics on a proxy per
// link (toxiproxy-engine.ts), rules and a relay on the packets between network namespaces
// (packet/packet-engine.ts), or any other mechanism that can cut, drop, delay and throttle the
// messages of a directed link. Runtimes start nodes and know nothing of engines; harness/run/cluster.ts
// wires the two together, as Jepsen pairs a db with a nemesis.
import type { DialMap } from "../../specs/node/cli.js";
import type { NodePlacement } from "../placement.js";
import type { FaultHandle, FaultKind } from "./fault-log.js";
import type { Grudge } from "./grudge.js";

/** A directed link: messages from `from` to `to`. */
export type Link = [from: string, to: string];

/** Every node some link names, sorted: a link fault's targets. */
export function linkNodes(links: Link[]): string[] {
  return [...new Set(links.flat())].sort();
}

/** Undoes the faults among `handles` still in force whose kind `match` accepts (heal: partitions; clear: all). */
export async function undoInForce(handles: readonly FaultHandle[], match: (kind: FaultKind) => boolean = () => true): Promise<void> {
  await Promise.all(handles.filter((h) => h.record.endedAt === undefined && match(h.record.kind)).map((h) => h.undo()));
}

/** A node as an engine sees it: its id and where it listens. */
export interface EngineNode {
  id: string;
  addr: string;
  /**
   * For an engine that places nodes in network namespaces: a process whose namespace the node will
   * share (a container's holder), to use instead of a new namespace. Other engines ignore it.
   */
  netnsPid?: number;
}

export interface FaultEngine {
  /** What carries the faults, as the history records it. */
  readonly kind: string;
  /** The nodes on the engine's network so far, in the order they were added. */
  readonly nodeIds: string[];
  /** Puts nodes on the faultable network; called before they start (and again for a node joining mid-run). */
  add(nodes: EngineNode[]): Promise<void>;
  /** Where node `id` must run (packet engine); undefined or absent: anywhere (the proxy engine's nodes share loopback). */
  placement?(id: string): NodePlacement | undefined;
  /** Where node `id` must dial each peer for the traffic to pass the engine; a peer not in it is dialled at its own address. */
  dialMap(id: string): DialMap;
  /** What the engine set up (for Toxiproxy: each proxy's name and listen address), for the history. */
  listing(): Record<string, string>;

  /** Cuts the links a grudge names: for each listener, the senders it cannot hear. */
  partition(grudge: Grudge): Promise<FaultHandle>;
  /** Loses a fraction `rate` (0..1) of the messages on the links (all links by default). */
  loss(rate: number, links?: Link[]): Promise<FaultHandle>;
  /** Delays messages on the links by `latencyMs` ± `jitterMs`, one way. */
  latency(latencyMs: number, jitterMs?: number, links?: Link[]): Promise<FaultHandle>;
  /** Caps the links at `rateKBps` (1 KB = 1000 B). */
  bandwidth(rateKBps: number, links?: Link[]): Promise<FaultHandle>;
  /**
   * Delivers each datagram on the links twice with probability `rate`. Datagrams only (a TCP stream
   * is put back in order and deduplicated by the kernel); absent where the engine cannot touch
   * datagrams (Toxiproxy relays TCP streams).
   */
  duplicate?(rate: number, links?: Link[]): Promise<FaultHandle>;
  /** Holds each datagram on the links `delayMs` longer with probability `rate`, so later ones overtake it. Datagrams only, as duplicate. */
  reorder?(rate: number, delayMs: number, links?: Link[]): Promise<FaultHandle>;
  /**
   * Exchanges nodes have started over the engine's links so far (a request and its answer count
   * once, as does a one-way message); absent where the engine cannot count them.
   */
  exchangesCarried?(): number | Promise<number>;
  /** Datagrams that crossed a duplicate, reorder or delay fault so far (absent: the engine carries none). */
  datagramsCarried?(): Promise<number>;
  /** Connections on the links are refused outright. */
  refuse(links: Link[]): Promise<FaultHandle>;
  /** Ends every partition in force. */
  heal(): Promise<void>;
  /** Ends every network fault in force. */
  clear(): Promise<void>;
  /** Ends every fault and removes everything the engine set up: safe on any exit path. */
  close(): Promise<void>;
}
