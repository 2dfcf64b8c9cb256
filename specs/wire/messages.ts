// Wire protocol v1: the zod schemas every frame's JSON must satisfy (the source of truth for all implementations).
import { z } from "zod";

export const WIRE_VERSION = 1 as const;

/** A member's name in the cluster; unique, chosen by the operator. */
export const MemberId = z.string().min(1).max(128).describe("member id, unique in the cluster");

/** Where a member listens for the wire protocol, as `host:port`. */
export const Address = z
  .string()
  .max(262)
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, "must be host:port")
  .describe("host:port");

export const Peer = z.object({ id: MemberId, addr: Address }).describe("a member and the address it advertises");

export const MemberState = z.enum(["alive", "suspect", "dead", "left"]);

export const Incarnation = z
  .number()
  .int()
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .describe("a member's own counter; only the member raises it, to refute suspicion");

export const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe("probe sequence number");

/**
 * A membership update as it rides on messages (SWIM's infection-style dissemination).
 * `by` names the member that raised a suspicion or declared a death, so Lifeguard can
 * count independent confirmations.
 */
export const Update = z.object({
  state: MemberState,
  id: MemberId,
  addr: Address,
  incarnation: Incarnation,
  by: MemberId.optional(),
});

/**
 * A key-value write's version: a hybrid logical clock (wall ms, logical counter) with the
 * writer's id as the tie-break. Versions order writes across nodes: last writer wins.
 */
export const KvVersion = z.object({
  wall: z.number().int().min(0),
  logical: z.number().int().min(0),
  node: MemberId,
});

/** One replicated entry; `value: null` is a tombstone (a delete). */
export const KvEntry = z.object({
  key: z.string().min(1).max(1024),
  value: z.string().nullable(),
  version: KvVersion,
});

/** At most this many updates ride on one message; the frame limit bounds them anyway. */
export const MAX_UPDATES_PER_MESSAGE = 4096;

const carriesUpdates = {
  v: z.literal(WIRE_VERSION),
  from: Peer,
  updates: z.array(Update).max(MAX_UPDATES_PER_MESSAGE).default([]),
  kv: z.array(KvEntry).max(MAX_UPDATES_PER_MESSAGE).default([]).describe("key-value writes spread by rumor mongering"),
};

export const Ping = z
  .object({
    ...carriesUpdates,
    type: z.literal("ping"),
    seq: Seq,
    target: MemberId.optional().describe("the id the sender expects to reach; a node with another id does not answer"),
  })
  .describe("direct probe; answered with an ack carrying the same seq");

export const Ack = z.object({ ...carriesUpdates, type: z.literal("ack"), seq: Seq }).describe("answer to a ping, or to a ping-req whose target answered");

export const PingReq = z
  .object({
    ...carriesUpdates,
    type: z.literal("ping-req"),
    seq: Seq,
    target: Peer,
    deadlineMs: z
      .number()
      .int()
      .min(1)
      .max(3_600_000)
      .optional()
      .describe(
        "how long the requester waits for the answer, from when it sent this; a relay whose own ping would outlast it nacks early enough to be heard (absent: the relay's own probe timeout)",
      ),
  })
  .describe("asks the receiver to probe target; answered with ack (target answered) or nack (it did not)");

export const Nack = z
  .object({ ...carriesUpdates, type: z.literal("nack"), seq: Seq })
  .describe("answer to a ping-req whose target did not answer in time (Lifeguard)");

export const Gossip = z.object({ ...carriesUpdates, type: z.literal("gossip") }).describe("one-way dissemination round; the receiver writes no response");

/**
 * One member's heartbeat as the φ detector gossips it. `generation` is when that member started
 * (Cassandra's generation): a restarted member counts from 0 again, and its new generation makes the
 * low count newer than the old high one. Newer means a higher (generation, heartbeat) pair.
 */
export const HeartbeatEntry = z.object({
  id: MemberId,
  addr: Address,
  generation: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  heartbeat: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

export const Heartbeat = z
  .object({ ...carriesUpdates, type: z.literal("heartbeat"), beats: z.array(HeartbeatEntry).max(100_000) })
  .describe("φ detector (--detector phi): the sender's table of heartbeat counters, its own just raised; one-way, the receiver writes no response");

export const SyncMember = z.object({ id: MemberId, addr: Address, state: MemberState, incarnation: Incarnation });

export const Sync = z
  .object({
    v: z.literal(WIRE_VERSION),
    type: z.literal("sync"),
    from: Peer,
    join: z.boolean().default(false).describe("true when the sender is joining through this member"),
    members: z.array(SyncMember).max(100_000),
  })
  .describe("membership push-pull: the request carries the sender's full state, the response the receiver's");

/** Merkle levels: fan-out 16, leaves at MERKLE_DEPTH (16^3 = 4096 leaves over the key-hash space). */
export const MERKLE_FANOUT = 16;
export const MERKLE_DEPTH = 3;
const TreeNode = z.object({ index: z.number().int().min(0), hash: z.string().regex(/^[0-9a-f]{16}$/) });

export const AeTree = z
  .object({
    v: z.literal(WIRE_VERSION),
    type: z.literal("ae-tree"),
    from: Peer,
    session: z.number().int().min(0),
    level: z.number().int().min(0).max(MERKLE_DEPTH),
    nodes: z.array(TreeNode).max(MERKLE_FANOUT ** MERKLE_DEPTH),
  })
  .describe(
    "KV anti-entropy: the request carries the sender's hashes of some tree nodes at `level`; the response the receiver's hashes of the children of those that differ (level + 1), or nothing when all match",
  );

export const AeEntries = z
  .object({
    v: z.literal(WIRE_VERSION),
    type: z.literal("ae-entries"),
    from: Peer,
    session: z.number().int().min(0),
    leaves: z
      .array(
        z
          .number()
          .int()
          .min(0)
          .max(MERKLE_FANOUT ** MERKLE_DEPTH - 1),
      )
      .max(MERKLE_FANOUT ** MERKLE_DEPTH),
    entries: z.array(KvEntry).max(100_000),
    want: z.boolean().default(false).describe("request only: the sender wants the receiver's entries of these leaves back (pull)"),
  })
  .describe("KV anti-entropy, last round: the entries of the differing leaves, pushed in the request and/or pulled in the response");

export const Message = z.discriminatedUnion("type", [Ping, Ack, PingReq, Nack, Gossip, Heartbeat, Sync, AeTree, AeEntries]);

export type MemberId = z.infer<typeof MemberId>;
export type Address = z.infer<typeof Address>;
export type Peer = z.infer<typeof Peer>;
export type MemberState = z.infer<typeof MemberState>;
export type Update = z.infer<typeof Update>;
export type SyncMember = z.infer<typeof SyncMember>;
export type Message = z.infer<typeof Message>;
export type MessageType = Message["type"];
export type Ping = z.infer<typeof Ping>;
export type Ack = z.infer<typeof Ack>;
export type PingReq = z.infer<typeof PingReq>;
export type Nack = z.infer<typeof Nack>;
export type Gossip = z.infer<typeof Gossip>;
export type Heartbeat = z.infer<typeof Heartbeat>;
export type HeartbeatEntry = z.infer<typeof HeartbeatEntry>;
export type Sync = z.infer<typeof Sync>;
export type KvVersion = z.infer<typeof KvVersion>;
export type KvEntry = z.infer<typeof KvEntry>;
export type AeTree = z.infer<typeof AeTree>;
export type AeEntries = z.infer<typeof AeEntries>;

export const MESSAGE_TYPES = [
  "ping",
  "ack",
  "ping-req",
  "nack",
  "gossip",
  "heartbeat",
  "sync",
  "ae-tree",
  "ae-entries",
] as const satisfies readonly MessageType[];

/** Which message types expect a response frame on the same connection. */
export function expectsResponse(type: MessageType): boolean {
  return type === "ping" || type === "ping-req" || type === "sync" || type === "ae-tree" || type === "ae-entries";
}
