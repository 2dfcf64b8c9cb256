// Packets generated from memberlist's message specs (specs/wire/memberlist/messages.ts) with
// fast-check: hostile ones the specs admit (numbers at the ends of their ranges, empty and long
// strings and byte strings, claims about the node itself) and ones they do not (a field of the wrong
// msgpack type, a field missing). Every address in them is on loopback, so a node that acts on one
// can only send to this machine.
import fc from "fast-check";
import { BODIES, type Field, MESSAGE_TYPES } from "../../../specs/wire/memberlist/messages.js";
import { sortedMap } from "./corpus.js";

export interface GeneratedPacket {
  valid: boolean;
  type: string;
  bytes: Uint8Array;
  body: Record<string, unknown>;
}

/** Address fields: loopback, or lengths no address has (never another host). */
const ADDRESS_FIELDS = new Set(["Addr", "Target", "SourceAddr"]);
const safeAddress = fc.constantFrom(
  Buffer.of(127, 0, 0, 1),
  Buffer.alloc(0),
  Buffer.of(127, 0, 0),
  Buffer.of(127, 0, 0, 1, 0),
  Buffer.from("00000000000000000000000000000001", "hex"),
);

function validValue(field: Field, selfName: string): fc.Arbitrary<unknown> {
  const [name, kind] = field;
  if (ADDRESS_FIELDS.has(name)) return safeAddress;
  switch (kind) {
    case "u32":
      return fc.oneof(fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 31), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
    case "u16":
      return fc.oneof(fc.constantFrom(0, 1, 65535), fc.integer({ min: 1, max: 65535 }));
    case "u8":
      return fc.integer({ min: 0, max: 255 });
    case "int":
      return fc.oneof(fc.constantFrom(0, 1, 2 ** 31 - 1), fc.integer({ min: 0, max: 1000 }));
    case "bool":
      return fc.boolean();
    case "str":
      return fc.oneof(fc.constant(selfName), fc.constant(""), fc.string({ maxLength: 40 }), fc.constant("x".repeat(1200)));
    case "bytes":
      return fc.oneof(
        fc.constant(null),
        fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
        fc.constantFrom(Buffer.of(1, 5, 2, 0, 0, 0), Buffer.of(255, 255, 255, 255, 255, 255)),
      );
  }
}

/** A value of another msgpack type than the field's: what go-msgpack must refuse to decode into it. */
function wrongValue(field: Field): fc.Arbitrary<unknown> {
  const [, kind] = field;
  if (kind === "str" || kind === "bytes") return fc.oneof(fc.integer(), fc.boolean(), fc.constant([1, 2]));
  if (kind === "bool") return fc.oneof(fc.string({ maxLength: 8 }), fc.constant([true]));
  return fc.oneof(fc.string({ maxLength: 8 }), fc.constant({ nested: 1 }), fc.constant([0]), fc.double({ noNaN: true }));
}

/** The body types a node handles on UDP (compress has its own corpus entries). */
const TYPES = ["ping", "indirectPing", "ack", "nack", "suspect", "alive", "dead"] as const;

export function generatedPacket(selfName: string): fc.Arbitrary<GeneratedPacket> {
  return fc.constantFrom(...TYPES).chain((type) => {
    const fields = BODIES[type].fields as readonly Field[];
    const valid = fc.record(Object.fromEntries(fields.map((f) => [f[0], validValue(f, selfName)])) as Record<string, fc.Arbitrary<unknown>>);
    const broken = fc.tuple(valid, fc.integer({ min: 0, max: fields.length - 1 }), fc.boolean()).chain(([body, index, drop]) => {
      const field = fields[index]!;
      if (drop) {
        const { [field[0]]: _gone, ...rest } = body;
        return fc.constant(rest);
      }
      return wrongValue(field).map((value) => ({ ...body, [field[0]]: value }));
    });
    // Valid means what the spec says: the body passes the message's zod schema.
    return fc.oneof(valid, broken).map((body) => ({
      valid: BODIES[type].schema.safeParse(body).success,
      type,
      body,
      bytes: Buffer.concat([Buffer.of(MESSAGE_TYPES[type]), sortedMap(body)]),
    }));
  });
}

/** `count` packets, the same for the same seed. */
export function generatedPackets(selfName: string, count: number, seed: number): GeneratedPacket[] {
  return fc.sample(generatedPacket(selfName), { numRuns: count, seed });
}
