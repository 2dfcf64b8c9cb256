// memberlist's UDP packets, decoded and encoded: a message-type byte, then a msgpack body written
// as hashicorp/go-msgpack writes it (util.go:37–52), or a frame around other messages — compound
// (util.go:157–215), CRC-checked (net.go:344–352, 782–788), compressed, encrypted. Encoding a
// decoded packet gives back its bytes exactly: tests hold the codec to packets captured from a real
// memberlist node.
import { randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { decode as unpack } from "@msgpack/msgpack";
import { BufferList } from "bl";
import msgpack5 from "msgpack5";
import type { z } from "zod";
import { lzwDecompress } from "./lzw.js";
import { decryptPayload, encryptedLength, encryptPayload, type EncryptionVersion, NONCE_SIZE } from "./security.js";
import { BODIES, type BodyMessage, type BodySpec, MESSAGE_TYPES, type MessageTypeName, PushNodeState, PushPullHeader, UserMsgHeader } from "./messages.js";

// go-msgpack without WriteExt: strings and byte slices as raw (no str8, no bin), the old spec that
// msgpack5's compatibility mode writes.
const goMsgpack = msgpack5({ compatibilityMode: true });

export type Packet =
  | { [K in Exclude<BodyMessage, "compress">]: { type: K; body: z.output<(typeof BODIES)[K]["schema"]> } }[Exclude<BodyMessage, "compress">]
  /** A compressed message: the body as sent, and what it decompresses to (LZW, algorithm 0), when it does. */
  | { type: "compress"; body: z.output<(typeof BODIES)["compress"]["schema"]>; packet?: Packet }
  /** A user message: the delegate's bytes, not msgpack. */
  | { type: "user"; payload: Uint8Array }
  /** Several messages in one packet; `truncated` counts parts the length table promised but the packet did not hold. */
  | { type: "compound"; parts: Packet[]; truncated?: number }
  /** A packet behind a CRC-32 (IEEE) of its bytes, big-endian; `valid` says whether it matched. */
  | { type: "hasCrc"; crc: number; valid: boolean; packet: Packet }
  /**
   * A packet of a keyed cluster: encrypted whole, with no type byte (net.go:326–340). Decoded only
   * with the keys; `keyIndex` says which opened it. Encoding it again needs that key.
   */
  | { type: "encrypted"; version: EncryptionVersion; nonce: Uint8Array; keyIndex: number; packet: Packet };

/** The keyring of a keyed cluster, primary key first; the key to seal with when encoding. */
export interface Keys {
  keys?: readonly Uint8Array[];
  key?: Uint8Array;
}

export class MemberlistDecodeError extends Error {
  override name = "MemberlistDecodeError";
}

/** The bytes so far end before the stream message does: not malformed, only incomplete (read more, then decode again). */
export class MemberlistIncompleteError extends MemberlistDecodeError {}

const TYPE_NAMES = Object.fromEntries(Object.entries(MESSAGE_TYPES).map(([name, byte]) => [byte, name])) as Record<number, MessageTypeName>;

/** Decodes one msgpack body as `spec` says: raw values become strings or bytes by the field's kind. */
export function decodeBody<S extends BodySpec>(spec: S, bytes: Uint8Array): z.output<S["schema"]> {
  let raw: unknown;
  try {
    raw = unpack(bytes, { rawStrings: true });
  } catch (error) {
    throw new MemberlistDecodeError(`not one msgpack value: ${(error as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || raw instanceof Uint8Array)
    throw new MemberlistDecodeError("the body is not a msgpack map");
  const kinds = new Map(spec.fields.map(([name, kind]) => [name, kind]));
  const object: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    object[key] = kinds.get(key) === "str" && value instanceof Uint8Array ? new TextDecoder("utf-8", { fatal: false }).decode(value) : value;
  }
  const parsed = spec.schema.safeParse(object);
  if (!parsed.success) throw new MemberlistDecodeError(parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  return parsed.data as z.output<S["schema"]>;
}

/**
 * Encodes a body as go-msgpack does: a map of the fields sorted by name (go-msgpack sorts a struct's
 * fields by their encoded names for map encoding: codec/helper.go:490, encode.go:463–468), zero
 * values of omitempty fields left out.
 */
export function encodeBody<S extends BodySpec>(spec: S, body: z.output<S["schema"]>): Buffer {
  const values = body as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const [name, kind, omitempty] of [...spec.fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const value = values[name];
    if (omitempty && isZero(value)) continue;
    ordered[name] = kind === "str" ? Buffer.from(value as string, "utf8") : kind === "bytes" && value !== null ? Buffer.from(value as Uint8Array) : value;
  }
  return goMsgpack.encode(ordered).slice();
}

function isZero(value: unknown): boolean {
  return value === undefined || value === null || value === 0 || value === "" || value === false || (value instanceof Uint8Array && value.length === 0);
}

/** Decodes a whole UDP packet; a keyed cluster's packets need `keys` (and are all encrypted). */
export function decodePacket(bytes: Uint8Array, options: Keys = {}): Packet {
  if (options.keys && options.keys.length > 0) {
    const opened = decryptPayload(options.keys, bytes);
    return { type: "encrypted", version: opened.version, nonce: opened.nonce, keyIndex: opened.keyIndex, packet: decodePacket(opened.plain) };
  }
  if (bytes.length < 1) throw new MemberlistDecodeError("an empty packet");
  const type = TYPE_NAMES[bytes[0]!];
  const rest = bytes.subarray(1);
  if (type === undefined) throw new MemberlistDecodeError(`unknown message type ${bytes[0]}`);
  switch (type) {
    case "user":
      return { type, payload: rest };
    case "encrypt":
      throw new MemberlistDecodeError(
        "message type 10 (encrypt) marks an encrypted stream; an encrypted packet has no type byte: decode it with the cluster's keys",
      );
    case "compound":
      return decodeCompound(rest);
    case "hasCrc": {
      if (rest.length < 4) throw new MemberlistDecodeError("a CRC packet shorter than its checksum");
      const crc = Buffer.from(rest.subarray(0, 4)).readUInt32BE(0);
      const inner = rest.subarray(4);
      return { type, crc, valid: crc32(inner) === crc, packet: decodePacket(inner) };
    }
    case "pushPull":
      throw new MemberlistDecodeError("a push-pull message travels on a stream, not in a packet");
    case "compress": {
      const body = decodeBody(BODIES.compress, rest);
      if (body.Algo !== 0 || !body.Buf) return { type, body };
      return { type, body, packet: decodePacket(lzwDecompress(body.Buf)) };
    }
    default:
      return { type, body: decodeBody(BODIES[type] as unknown as BodySpec, rest) } as Packet;
  }
}

/** util.go:183 decodeCompoundMessage: a count byte, that many big-endian uint16 lengths, then the parts. */
function decodeCompound(bytes: Uint8Array): Packet {
  if (bytes.length < 1) throw new MemberlistDecodeError("missing compound length byte");
  const count = bytes[0]!;
  const table = 1 + 2 * count;
  if (bytes.length < table) throw new MemberlistDecodeError("truncated compound length table");
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Packet[] = [];
  let offset = table;
  let truncated = 0;
  for (let i = 0; i < count; i++) {
    const length = view.readUInt16BE(1 + 2 * i);
    if (offset + length > bytes.length) {
      truncated = count - i;
      break;
    }
    parts.push(decodePacket(bytes.subarray(offset, offset + length)));
    offset += length;
  }
  return truncated > 0 ? { type: "compound", parts, truncated } : { type: "compound", parts };
}

/** Encodes a packet; a CRC frame is recomputed from what it holds (so a mutated packet gets a right one unless `crc` is forced). */
export function encodePacket(packet: Packet, options: { keepCrc?: boolean; key?: Uint8Array } = {}): Buffer {
  if (packet.type === "encrypted") {
    if (!options.key) throw new MemberlistDecodeError("an encrypted packet is encoded with a key");
    return encryptPayload(packet.version, options.key, encodePacket(packet.packet, { ...options, key: undefined }), undefined, packet.nonce);
  }
  const typeByte = Buffer.of(MESSAGE_TYPES[packet.type]);
  switch (packet.type) {
    case "user":
      return Buffer.concat([typeByte, packet.payload]);
    case "compound": {
      const parts = packet.parts.map((p) => encodePacket(p, options));
      const header = Buffer.alloc(1 + 2 * parts.length);
      header[0] = parts.length;
      parts.forEach((p, i) => header.writeUInt16BE(p.length, 1 + 2 * i));
      return Buffer.concat([typeByte, header, ...parts]);
    }
    case "hasCrc": {
      const inner = encodePacket(packet.packet, options);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(options.keepCrc ? packet.crc : crc32(inner), 0);
      return Buffer.concat([typeByte, crc, inner]);
    }
    default:
      return Buffer.concat([typeByte, encodeBody(BODIES[packet.type] as unknown as BodySpec, packet.body as never)]);
  }
}

// ---- streams (TCP): push-pull state exchange, stream ping, user messages --------------------

type Body<S extends BodySpec> = z.output<S["schema"]>;

/**
 * A message on a stream (net.go:1035–1140 readStream, readRemoteState): a type byte, then msgpack
 * values one after another and, for push-pull, the delegate's user state as raw bytes. memberlist
 * compresses every stream it sends when compression is on (the default: rawSendMsgStream).
 */
export type StreamMessage =
  | {
      type: "pushPull";
      header: Body<typeof PushPullHeader>;
      states: Body<typeof PushNodeState>[];
      userState: Uint8Array;
    }
  | { type: "ping"; body: Body<typeof BODIES.ping> }
  | { type: "ack"; body: Body<typeof BODIES.ack> }
  | { type: "err"; body: Body<typeof BODIES.err> }
  | { type: "user"; header: Body<typeof UserMsgHeader>; payload: Uint8Array }
  | { type: "compress"; body: Body<typeof BODIES.compress>; message?: StreamMessage }
  /** An encrypted stream: a uint32 length, then the payload; opened when the keys are given. */
  | { type: "encrypt"; payload: Uint8Array; opened?: { version: EncryptionVersion; nonce: Uint8Array; keyIndex: number; message: StreamMessage } };

/** Reads a stream message's parts in order: msgpack values (msgpack5 finds where each ends), then raw bytes. */
class StreamReader {
  private readonly list: InstanceType<typeof BufferList>;

  constructor(private readonly bytes: Uint8Array) {
    this.list = new BufferList([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  }

  get offset(): number {
    return this.bytes.length - this.list.length;
  }

  get left(): number {
    return this.list.length;
  }

  /** The bytes of the next msgpack value. */
  value(): Uint8Array {
    const start = this.offset;
    try {
      goMsgpack.decode(this.list as never); // consumes the value from the list
    } catch (error) {
      throw new MemberlistIncompleteError(`the stream ends inside a msgpack value (${(error as Error).message})`);
    }
    return this.bytes.subarray(start, this.offset);
  }

  /** The next `n` raw bytes. */
  raw(n: number): Uint8Array {
    if (n < 0 || n > this.left) throw new MemberlistIncompleteError(`${n} raw bytes wanted, ${this.left} left on the stream`);
    const start = this.offset;
    this.list.consume(n);
    return this.bytes.subarray(start, start + n);
  }

  rest(): Uint8Array {
    return this.bytes.subarray(this.offset);
  }
}

/** Decodes one whole stream message; `rest` is what follows it on the stream. */
export function decodeStream(bytes: Uint8Array, options: Keys = {}): { message: StreamMessage; rest: Uint8Array } {
  if (bytes.length < 1) throw new MemberlistDecodeError("an empty stream");
  const type = TYPE_NAMES[bytes[0]!];
  const reader = new StreamReader(bytes.subarray(1));
  const done = (message: StreamMessage) => ({ message, rest: reader.rest() });
  switch (type) {
    case "pushPull": {
      const header = decodeBody(PushPullHeader, reader.value());
      if (header.Nodes < 0 || header.UserStateLen < 0) throw new MemberlistDecodeError("a push-pull header with a negative count");
      const states = [];
      for (let i = 0; i < header.Nodes; i++) states.push(decodeBody(PushNodeState, reader.value()));
      return done({ type, header, states, userState: reader.raw(header.UserStateLen) });
    }
    case "ping":
    case "ack":
    case "err":
      return done({ type, body: decodeBody(BODIES[type] as unknown as BodySpec, reader.value()) } as StreamMessage);
    case "user": {
      const header = decodeBody(UserMsgHeader, reader.value());
      return done({ type, header, payload: reader.raw(header.UserMsgLen) });
    }
    case "compress": {
      const body = decodeBody(BODIES.compress, reader.value());
      const message = body.Algo === 0 && body.Buf ? decodeStream(lzwDecompress(body.Buf)).message : undefined;
      return done(message ? { type, body, message } : { type, body });
    }
    case "encrypt": {
      const length = Buffer.from(reader.raw(4)).readUInt32BE(0);
      const payload = reader.raw(length);
      if (!options.keys || options.keys.length === 0) return done({ type, payload });
      const opened = decryptPayload(options.keys, payload, bytes.subarray(0, 5));
      const { message } = decodeStream(opened.plain);
      return done({ type, payload, opened: { version: opened.version, nonce: opened.nonce, keyIndex: opened.keyIndex, message } });
    }
    default:
      throw new MemberlistDecodeError(`message type ${bytes[0]} (${type ?? "unknown"}) does not travel on a stream`);
  }
}

/** Encodes a stream message as memberlist writes it (a compressed one from its body as received). */
export function encodeStream(message: StreamMessage, options: { key?: Uint8Array } = {}): Buffer {
  const typeByte = Buffer.of(MESSAGE_TYPES[message.type]);
  switch (message.type) {
    case "pushPull":
      return Buffer.concat([
        typeByte,
        encodeBody(PushPullHeader, message.header),
        ...message.states.map((s) => encodeBody(PushNodeState, s)),
        message.userState,
      ]);
    case "user":
      return Buffer.concat([typeByte, encodeBody(UserMsgHeader, message.header), message.payload]);
    case "encrypt": {
      // Sealed again when its content and a key are given; else the payload as it came.
      const header = Buffer.alloc(5);
      header[0] = MESSAGE_TYPES.encrypt;
      if (!message.opened || !options.key) {
        header.writeUInt32BE(message.payload.length, 1);
        return Buffer.concat([header, message.payload]);
      }
      const plain = encodeStream(message.opened.message);
      header.writeUInt32BE(encryptedLength(message.opened.version, plain.length), 1);
      return Buffer.concat([header, encryptPayload(message.opened.version, options.key, plain, header, message.opened.nonce)]);
    }
    default:
      return Buffer.concat([typeByte, encodeBody(BODIES[message.type] as unknown as BodySpec, message.body as never)]);
  }
}

/** The messages a packet carries, unwrapped from encryption, CRC, compression and compounds; a compress frame that did not open carries none. */
export function packetMessages(packet: Packet): Packet[] {
  if (packet.type === "encrypted" || packet.type === "hasCrc") return packetMessages(packet.packet);
  if (packet.type === "compress") return packet.packet ? packetMessages(packet.packet) : [];
  if (packet.type === "compound") return packet.parts.flatMap(packetMessages);
  return [packet];
}

/** What a stream message carries, unwrapped from encryption and compression (as far as they opened). */
export function streamContent(message: StreamMessage): StreamMessage {
  if (message.type === "encrypt" && message.opened) return streamContent(message.opened.message);
  if (message.type === "compress" && message.message) return streamContent(message.message);
  return message;
}

/** A packet as a member of a keyed cluster sends it: sealed with `key` (encryption version 1, a fresh nonce); without a key, in the clear. */
export function encodeSealedPacket(packet: Packet, key: Uint8Array | undefined): Buffer {
  return key ? encodePacket({ type: "encrypted", version: 1, nonce: randomBytes(NONCE_SIZE), keyIndex: 0, packet }, { key }) : encodePacket(packet);
}

/** A stream message as a member of a keyed cluster writes it: sealed with `key` (version 1, a fresh nonce); without a key, in the clear. */
export function encodeSealedStream(message: StreamMessage, key: Uint8Array | undefined): Buffer {
  if (!key) return encodeStream(message);
  return encodeStream({ type: "encrypt", payload: new Uint8Array(), opened: { version: 1, nonce: randomBytes(NONCE_SIZE), keyIndex: 0, message } }, { key });
}
