// fast-check arbitraries of valid values, derived from a zod schema through its JSON Schema (zod's own export).
import fc from "fast-check";
import { z } from "zod";
import { Address } from "../../../specs/wire/messages.js";

type JsonSchema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  maxItems?: number;
  minItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
};

const ADDRESS_PATTERN = (z.toJSONSchema(Address) as JsonSchema).pattern;

/** Arrays stay short and strings short: the point is structure, and valid values are only the start for mutations. */
const MAX_ITEMS = 3;
const MAX_CHARS = 12;

/**
 * A valid value of `schema`. Addresses are always on 127.0.0.1 (ports in a closed range nothing listens on), so that
 * an implementation that wrongly acts on a fuzzed message can only dial this machine's loopback.
 */
export function arbitraryOf(schema: z.ZodType): fc.Arbitrary<unknown> {
  return fromJsonSchema(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema);
}

function fromJsonSchema(s: JsonSchema): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.oneOf ?? s.anyOf;
  if (alternatives) return fc.oneof(...alternatives.map(fromJsonSchema));
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((type) => fromJsonSchema({ ...s, type })));
  switch (s.type) {
    case "string":
      return stringOf(s);
    case "integer":
      return fc.integer({ min: Math.max(s.minimum ?? 0, -(2 ** 31)), max: Math.min(s.maximum ?? 2 ** 31, 2 ** 31) });
    case "number":
      return fc.double({
        noNaN: true,
        noDefaultInfinity: true,
        ...(s.minimum !== undefined ? { min: s.minimum } : {}),
        ...(s.maximum !== undefined ? { max: s.maximum } : {}),
      });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(s.items ? fromJsonSchema(s.items) : fc.constant(null), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? MAX_ITEMS, MAX_ITEMS),
      });
    case "object": {
      const properties = s.properties ?? {};
      const model = Object.fromEntries(Object.entries(properties).map(([key, sub]) => [key, fromJsonSchema(sub)]));
      return fc.record(model, { requiredKeys: s.required ?? [] });
    }
    default:
      return fc.constant(null);
  }
}

function stringOf(s: JsonSchema): fc.Arbitrary<string> {
  if (s.pattern === ADDRESS_PATTERN) return fc.integer({ min: 1, max: 19 }).map((port) => `127.0.0.1:${port}`);
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern));
  const minLength = s.minLength ?? 0;
  return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(s.maxLength ?? MAX_CHARS, MAX_CHARS)) });
}
