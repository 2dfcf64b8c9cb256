// Admin / observation API: the HTTP/JSON shapes any implementation (or its adapter) exposes to the harness.
import { z } from "zod";
import { Address, Incarnation, KvEntry, KvVersion, MemberId, MemberState, MESSAGE_TYPES } from "../wire/messages.js";

const EpochMs = z.number().int().min(0).describe("milliseconds since the Unix epoch");

/** `GET /v1/node` */
export const NodeInfo = z.object({
  id: MemberId,
  addr: Address,
  incarnation: Incarnation,
  protocol: z.string().describe("implementation and protocol name, e.g. grapevine-swim/1"),
  config: z.record(z.string(), z.unknown()).describe("the protocol settings this node runs with"),
  seed: z.number().int().optional().describe("seed of the node's random source, to replay a run"),
});

/** One row of a node's membership view. */
export const MemberView = z.object({
  id: MemberId,
  addr: Address,
  state: MemberState,
  incarnation: Incarnation,
  since: EpochMs.describe("when this node last saw the member's state change"),
});

/** `GET /v1/members`: this node's view, itself included. */
export const MembersResponse = z.object({ self: MemberId, members: z.array(MemberView) });

/** A membership transition this node made: member `id` went `from` → `to`. */
export const MembershipEvent = z.object({
  seq: z.number().int().min(1),
  at: EpochMs,
  id: MemberId,
  from: MemberState.nullable().describe("null when the member was not known before"),
  to: MemberState,
  incarnation: Incarnation,
});

/** `GET /v1/events?after=SEQ`: transitions with seq > SEQ; `next` is the `after` to ask with next time. */
export const EventsResponse = z.object({ events: z.array(MembershipEvent), next: z.number().int().min(0) });

// `heartbeat` came with the φ detector: an implementation that predates it may leave it out.
const ByMessageType = z.object(
  Object.fromEntries(MESSAGE_TYPES.map((t) => [t, t === "heartbeat" ? z.number().int().min(0).default(0) : z.number().int().min(0)])) as Record<
    (typeof MESSAGE_TYPES)[number],
    z.ZodNumber
  >,
);

/**
 * `GET /v1/phi` (nodes with a φ accrual detector): each watched member's window of heartbeat
 * inter-arrival times, its last arrival and φ at `at`, so that φ can be recomputed from the formula
 * and the node's declared settings. A SWIM node answers 404.
 */
export const PhiResponse = z.object({
  at: EpochMs,
  members: z.array(
    z.object({
      id: MemberId,
      phi: z.number().min(0).nullable().describe("null: infinite (JSON has no Infinity)"),
      lastArrivalAt: EpochMs,
      intervalsMs: z.array(z.number().min(0)).describe("the window, oldest first, including the two seeded from the first heartbeat estimate"),
    }),
  ),
});

/** `GET /v1/metrics`: counters since the node started. */
export const MetricsResponse = z.object({
  messagesSent: ByMessageType,
  messagesReceived: ByMessageType,
  bytesSent: ByMessageType,
  bytesReceived: ByMessageType,
  rejectedFrames: z.number().int().min(0).describe("frames dropped as oversize, truncated, not JSON or off-schema"),
  idleConnectionsClosed: z.number().int().min(0).describe("connections cut off for sending nothing in time"),
  dialFailures: z.number().int().min(0),
  probes: z.number().int().min(0),
  probeFailures: z.number().int().min(0),
  indirectProbes: z.number().int().min(0),
  suspicions: z.number().int().min(0),
  confirmations: z.number().int().min(0),
  refutations: z.number().int().min(0),
  deathsDeclared: z.number().int().min(0),
  healthScore: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("Lifeguard local health: 0 is healthy; absent where the node keeps none (the φ detector does not probe)"),
  kvWrites: z.number().int().min(0).describe("writes accepted through this node's admin API"),
  kvApplied: z.number().int().min(0).describe("entries stored, from any source"),
  aeSessions: z.number().int().min(0).describe("anti-entropy sessions this node started"),
  aeRounds: z.number().int().min(0).describe("anti-entropy exchanges this node started (tree levels and entries)"),
  aeEntriesSent: z.number().int().min(0),
  aeEntriesReceived: z.number().int().min(0),
  kvClockRejections: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe("key-value entries refused because their version lies beyond the maximum clock offset ahead of this node's clock"),
  internalErrors: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe("inputs the node failed to handle (an exception while handling a frame or timer); each was dropped and the node kept running"),
});

/**
 * The part of `GET /v1/metrics` the observer reads from any implementation: Lifeguard's local health
 * score. An outside implementation may serve this field alone (the memberlist agent does).
 */
export const HealthReading = MetricsResponse.pick({ healthScore: true });

/** `PUT /v1/kv/:key` body. */
export const KvPutBody = z.object({ value: z.string() }).strict();
/** `PUT` and `DELETE /v1/kv/:key`: the version the write was stored under. */
export const KvWriteResponse = z.object({ key: z.string(), version: KvVersion });
/** `GET /v1/kv/:key` */
export const KvEntryResponse = KvEntry;
/** `GET /v1/kv`: every entry, tombstones (value null) included. */
export const KvListResponse = z.object({ entries: z.array(KvEntry) });
/** `GET /v1/kv-digest`: the Merkle root and counts; equal roots mean equal stores. */
export const KvDigestResponse = z.object({
  root: z.string().regex(/^[0-9a-f]{16}$/),
  keys: z.number().int().min(0).describe("keys with a value"),
  entries: z.number().int().min(0).describe("entries, tombstones included"),
});
/** How a key-value entry reached a node: written through it, by rumor, or in an anti-entropy session. */
export const KvOrigin = z.enum(["local", "rumor", "anti-entropy"]);
export type KvOrigin = z.infer<typeof KvOrigin>;

/** A key-value entry this node stored, and how it arrived. */
export const KvEvent = z.object({
  seq: z.number().int().min(1),
  at: z.number().int().min(0),
  key: z.string(),
  version: KvVersion,
  origin: KvOrigin,
});
/** `GET /v1/kv-events?after=SEQ` */
export const KvEventsResponse = z.object({ events: z.array(KvEvent), next: z.number().int().min(0) });

/** `POST /v1/leave` */
export const LeaveResponse = z.object({ leaving: z.literal(true) });

/** Body of every admin error response. */
export const AdminError = z.object({ error: z.string() });

export type NodeInfo = z.infer<typeof NodeInfo>;
export type MemberView = z.infer<typeof MemberView>;
export type MembersResponse = z.infer<typeof MembersResponse>;
export type MembershipEvent = z.infer<typeof MembershipEvent>;
export type EventsResponse = z.infer<typeof EventsResponse>;
export type MetricsResponse = z.infer<typeof MetricsResponse>;
export type PhiResponse = z.infer<typeof PhiResponse>;
/** The metrics a node's I/O layer counts (the rest come from its protocol core). */
export type TrafficMetrics = Pick<
  MetricsResponse,
  "messagesSent" | "messagesReceived" | "bytesSent" | "bytesReceived" | "rejectedFrames" | "idleConnectionsClosed" | "dialFailures" | "internalErrors"
>;
/** The metrics a node's protocol core counts. */
export type ProtocolCounters = Omit<MetricsResponse, keyof TrafficMetrics | "healthScore">;
export type KvWriteResponse = z.infer<typeof KvWriteResponse>;
export type KvDigestResponse = z.infer<typeof KvDigestResponse>;
export type KvEvent = z.infer<typeof KvEvent>;
