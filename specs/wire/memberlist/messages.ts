// HashiCorp memberlist's wire (0.2.x), as zod schemas: every message body, field by field, in the
// order Go declares them (go-msgpack writes them sorted by name; the codec does the same). The source of truth is
// Debian's golang-github-hashicorp-memberlist-dev, /usr/share/gocode/src/github.com/hashicorp/memberlist;
// each schema cites the struct it mirrors.
import { z } from "zod";

/** The first byte of every packet and stream message (net.go:44–59, an iota). */
export const MESSAGE_TYPES = {
  ping: 0,
  indirectPing: 1,
  ack: 2,
  suspect: 3,
  alive: 4,
  dead: 5,
  pushPull: 6,
  compound: 7,
  user: 8,
  compress: 9,
  encrypt: 10,
  nack: 11,
  hasCrc: 12,
  err: 13,
} as const;
export type MessageTypeName = keyof typeof MESSAGE_TYPES;

/**
 * How go-msgpack writes a Go field: strings and byte slices ([]byte, []uint8) both as msgpack raw
 * (no bin family: memberlist's MsgpackHandle leaves WriteExt off), integers in the shortest form.
 */
export type FieldKind = "str" | "bytes" | "u8" | "u16" | "u32" | "int" | "bool";

/** A Go struct field: its name on the wire, its kind, and whether `codec:",omitempty"` drops its zero value. */
export type Field = readonly [name: string, kind: FieldKind, omitempty?: "omitempty"];

/** A Go byte slice: nil (msgpack nil) is not the empty slice (a raw of length 0), and both occur. */
const Bytes = z.instanceof(Uint8Array).describe("bytes: a msgpack raw, as go-msgpack writes a Go []byte").nullable();
const KIND_SCHEMAS = {
  str: z.string(),
  bytes: Bytes,
  u8: z.number().int().min(0).max(0xff),
  u16: z.number().int().min(0).max(0xffff),
  u32: z.number().int().min(0).max(0xffffffff),
  // Go's int on the 64-bit machines memberlist runs on; JavaScript numbers hold it exactly to 2^53.
  int: z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
  bool: z.boolean(),
} as const;

type FieldValue<K extends FieldKind> = z.output<(typeof KIND_SCHEMAS)[K]>;
type BodyOf<F extends readonly Field[]> = {
  [E in F[number] as E[2] extends "omitempty" ? never : E[0]]: FieldValue<E[1]>;
} & {
  [E in F[number] as E[2] extends "omitempty" ? E[0] : never]?: FieldValue<E[1]>;
};

/** A message body: its fields in wire order, and the zod schema of the decoded object. */
export interface BodySpec<F extends readonly Field[] = readonly Field[]> {
  fields: F;
  schema: z.ZodType<BodyOf<F>>;
}

function body<const F extends readonly Field[]>(fields: F): BodySpec<F> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, kind, omitempty] of fields) shape[name] = omitempty ? KIND_SCHEMAS[kind].optional() : KIND_SCHEMAS[kind];
  return { fields, schema: z.object(shape).strict() as unknown as z.ZodType<BodyOf<F>> };
}

/** net.go:80 `ping`: sent directly to a node; Node lets the target check it is the one meant. */
export const Ping = body([
  ["SeqNo", "u32"],
  ["Node", "str"],
  ["SourceAddr", "bytes", "omitempty"],
  ["SourcePort", "u16", "omitempty"],
  ["SourceNode", "str", "omitempty"],
] as const);

/** net.go:94 `indirectPingReq`: ask a node to ping Target:Port for us; Nack asks for a nack on failure (protocol ≥ 4). */
export const IndirectPing = body([
  ["SeqNo", "u32"],
  ["Target", "bytes"],
  ["Port", "u16"],
  ["Node", "str"],
  ["Nack", "bool"],
  ["SourceAddr", "bytes", "omitempty"],
  ["SourcePort", "u16", "omitempty"],
  ["SourceNode", "str", "omitempty"],
] as const);

/** net.go:112 `ackResp`: the answer to a ping, with the ping delegate's payload. */
export const Ack = body([
  ["SeqNo", "u32"],
  ["Payload", "bytes"],
] as const);

/** net.go:120 `nackResp`: an indirect ping's target did not answer in time. */
export const Nack = body([["SeqNo", "u32"]] as const);

/** net.go:125 `errResp`: a stream request failed on the remote end. */
export const ErrResp = body([["Error", "str"]] as const);

/** net.go:130 `suspect`: From suspects Node at Incarnation. */
export const Suspect = body([
  ["Incarnation", "u32"],
  ["Node", "str"],
  ["From", "str"],
] as const);

/**
 * net.go:138 `alive`: Node is alive at Incarnation, at Addr:Port, with Meta; Vsn is the six
 * protocol and delegate versions (pmin, pmax, pcur, dmin, dmax, dcur). Also a join's announcement.
 */
export const Alive = body([
  ["Incarnation", "u32"],
  ["Node", "str"],
  ["Addr", "bytes"],
  ["Port", "u16"],
  ["Meta", "bytes"],
  ["Vsn", "bytes"],
] as const);

/** net.go:152 `dead`: From confirms Node dead at Incarnation; From = Node is a graceful leave. */
export const Dead = body([
  ["Incarnation", "u32"],
  ["Node", "str"],
  ["From", "str"],
] as const);

/** net.go:160 `pushPullHeader`: a state exchange's first message: how many node states, and how long the user state. */
export const PushPullHeader = body([
  ["Nodes", "int"],
  ["UserStateLen", "int"],
  ["Join", "bool"],
] as const);

/** net.go:167 `userMsgHeader`: a user message over a stream: its length. */
export const UserMsgHeader = body([["UserMsgLen", "int"]] as const);

/** net.go:173 `pushNodeState`: one member as a state exchange carries it; State is alive 0, suspect 1, dead 2, left 3 (state.go:17–22). */
export const PushNodeState = body([
  ["Name", "str"],
  ["Addr", "bytes"],
  ["Port", "u16"],
  ["Meta", "bytes"],
  ["Incarnation", "u32"],
  ["State", "int"],
  ["Vsn", "bytes"],
] as const);

/** net.go:185 `compress`: Buf is a whole message compressed with Algo (0: LZW, LSB first, 8-bit literals; util.go:238). */
export const Compress = body([
  ["Algo", "int"],
  ["Buf", "bytes"],
] as const);

/** Member states as pushNodeState carries them (state.go:17–22). */
export const NODE_STATES = ["alive", "suspect", "dead", "left"] as const;

/** The message types whose whole payload is one msgpack body, and that body. */
export const BODIES = {
  ping: Ping,
  indirectPing: IndirectPing,
  ack: Ack,
  nack: Nack,
  err: ErrResp,
  suspect: Suspect,
  alive: Alive,
  dead: Dead,
  compress: Compress,
} as const;
export type BodyMessage = keyof typeof BODIES;
