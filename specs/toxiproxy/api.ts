// Toxiproxy 2.x HTTP API shapes, as the embedded server speaks them and any real Toxiproxy answers.
import { z } from "zod";

export const TOXIC_TYPES = ["noop", "latency", "bandwidth", "slow_close", "timeout", "reset_peer", "slicer", "limit_data"] as const;
export type ToxicType = (typeof TOXIC_TYPES)[number];

export const Stream = z.enum(["upstream", "downstream"]);
export type Stream = z.infer<typeof Stream>;

/** Go decodes attributes into int fields: a missing field is 0, a fraction or a string is a bad request. */
const goInt = () => z.number().int().default(0);

/** Each toxic type's attributes, with Toxiproxy's zero defaults. Unknown attributes are ignored, as Go's decoder does. */
export const TOXIC_ATTRIBUTES = {
  noop: z.object({}),
  latency: z.object({ latency: goInt().describe("ms"), jitter: goInt().describe("ms") }),
  bandwidth: z.object({ rate: goInt().describe("KB/s (1 KB = 1000 B)") }),
  slow_close: z.object({ delay: goInt().describe("ms") }),
  timeout: z.object({ timeout: goInt().describe("ms; 0 never closes") }),
  reset_peer: z.object({ timeout: goInt().describe("ms") }),
  slicer: z.object({
    average_size: goInt().describe("bytes"),
    size_variation: goInt().describe("bytes"),
    delay: goInt().describe("µs between pieces"),
  }),
  limit_data: z.object({ bytes: goInt() }),
} satisfies Record<ToxicType, z.ZodObject>;

export type ToxicAttributes = { [T in ToxicType]: z.infer<(typeof TOXIC_ATTRIBUTES)[T]> };

/** A toxic as the API returns it. */
export const ToxicJson = z.object({
  attributes: z.record(z.string(), z.unknown()),
  name: z.string(),
  type: z.enum(TOXIC_TYPES),
  stream: Stream,
  toxicity: z.number(),
});
export type ToxicJson = z.infer<typeof ToxicJson>;

/** A toxic of one type with that type's attributes: ToxicJson, typed (the proxy's and the fault layer's view). */
export type TypedToxic<T extends ToxicType = ToxicType> = Omit<ToxicJson, "type" | "attributes"> & { type: T; attributes: ToxicAttributes[T] };

/** A proxy as the API returns it; `listen` is resolved (`localhost:0` → `127.0.0.1:<port>`). */
export const ProxyJson = z.object({
  name: z.string(),
  listen: z.string(),
  upstream: z.string(),
  enabled: z.boolean(),
  toxics: z.array(ToxicJson),
});
export type ProxyJson = z.infer<typeof ProxyJson>;

/** Body of POST /proxies and of each /populate entry. Presence of name/upstream is checked apart, for Toxiproxy's messages. */
export const ProxyCreateBody = z.object({
  name: z.string().default(""),
  listen: z.string().default(""),
  upstream: z.string().default(""),
  enabled: z.boolean().optional(),
});

/** Body of POST/PATCH /proxies/{name}: omitted fields keep their values. */
export const ProxyUpdateBody = z.object({
  listen: z.string().optional(),
  upstream: z.string().optional(),
  enabled: z.boolean().optional(),
});

/** Body of POST /proxies/{name}/toxics. */
export const ToxicCreateBody = z.object({
  name: z.string().default(""),
  type: z.string().default(""),
  stream: z.string().default("downstream"),
  toxicity: z.number().default(1),
  attributes: z.record(z.string(), z.unknown()).default({}),
});

/** Body of POST/PATCH /proxies/{name}/toxics/{toxic}: only attributes and toxicity change. */
export const ToxicUpdateBody = z.object({
  toxicity: z.number().optional(),
  attributes: z.record(z.string(), z.unknown()).default({}),
});

/** Every error response. */
export const ApiErrorJson = z.object({ error: z.string(), status: z.number().int() });
