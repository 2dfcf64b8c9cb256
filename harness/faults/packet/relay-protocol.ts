// What the harness and the packet relay say to each other, one JSON object per line on the relay's
// stdin and stdout. The relay runs inside the run's router namespace; the harness cannot open
// sockets there itself, so it tells the relay what to listen for and how to hold each link.
import { z } from "zod";

/**
 * How a directed link's traffic is held: one-way delay ± jitter, and a rate cap (0: none); for
 * datagrams also the chance of a second copy, and the chance of being held `reorderMs` longer.
 */
export const LinkShape = z.object({
  latencyMs: z.number().min(0).default(0),
  jitterMs: z.number().min(0).default(0),
  rateKBps: z.number().min(0).default(0),
  duplicate: z.number().min(0).max(1).default(0),
  reorderRate: z.number().min(0).max(1).default(0),
  reorderMs: z.number().min(0).default(0),
});
export type LinkShape = z.infer<typeof LinkShape>;

/** A socket of the relay: what arrives on `port` goes on to `target`, shaped as link `link`. */
export const RelayListener = z.object({
  proto: z.enum(["udp", "tcp"]),
  port: z.number().int().min(1).max(65535),
  target: z.object({ host: z.string(), port: z.number().int().min(1).max(65535) }),
  /** The link its arrivals travel ("n1>n2"); for TCP, the answers travel `reverse`. */
  link: z.string(),
  reverse: z.string(),
  /** TCP: the local ports the onward connection may leave from (they are translated to the dialler's address). */
  sourcePorts: z.tuple([z.number().int(), z.number().int()]).optional(),
});
export type RelayListener = z.infer<typeof RelayListener>;

export const RelayRequest = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("configure"),
    seq: z.number().int(),
    routerAddr: z.string(),
    listeners: z.array(RelayListener),
    links: z.record(z.string(), LinkShape),
    /** Senders to map before their first datagram, so that it is not held while the rule is added. */
    senders: z.array(z.object({ host: z.string(), port: z.number().int() })),
  }),
  z.object({ op: z.literal("stats"), seq: z.number().int() }),
]);
export type RelayRequest = z.infer<typeof RelayRequest>;

export const RelayStats = z.object({
  /**
   * Per link: datagrams received and sent on (copies included), dropped because the link's queue
   * was full, sent twice, and held back to be overtaken.
   */
  udp: z.record(z.string(), z.object({ received: z.number(), sent: z.number(), dropped: z.number(), duplicated: z.number(), reordered: z.number() })),
  tcpConnections: z.number(),
  errors: z.array(z.string()),
});
export type RelayStats = z.infer<typeof RelayStats>;

export const RelayReply = z.union([
  z.object({ ready: z.literal(true) }),
  z.object({ seq: z.number().int(), ok: z.literal(true), stats: RelayStats.optional() }),
  z.object({ seq: z.number().int(), ok: z.literal(false), error: z.string() }),
]);
export type RelayReply = z.infer<typeof RelayReply>;
