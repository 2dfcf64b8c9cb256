// The schema of a hand-written malformed-input case (fixtures/malformed/*.json): bytes to send, described as data.
import { z } from "zod";

/** The body bytes: literal text, a JSON value, a repeated unit (for huge or deeply nested inputs), or hex. */
const Body = z.union([
  z.object({ text: z.string() }).strict(),
  z.object({ json: z.unknown() }).strict(),
  z
    .object({
      prefix: z.string().default(""),
      repeat: z.string().min(1),
      times: z.number().int().min(1).max(4_000_000),
      infix: z.string().default(""),
      repeatAfter: z.string().default(""),
      suffix: z.string().default(""),
    })
    .strict()
    .describe("prefix + repeat×times + infix + repeatAfter×times + suffix"),
  z.object({ hex: z.string().regex(/^([0-9a-fA-F]{2})*$/, "pairs of hex digits") }).strict(),
]);

export const MalformedCase = z
  .object({
    description: z.string().min(1),
    requirement: z
      .string()
      .regex(/^[A-Z]+(-[A-Z0-9]+)+$/)
      .describe("the requirement a reply (or a dead node) would break"),
    body: Body,
    /** The length prefix to declare; default the body's true length. */
    declaredLength: z.number().int().min(0).max(0xffffffff).optional(),
    /** Send only this many bytes of header + body, then close (a truncated frame). */
    sendBytes: z.number().int().min(0).optional(),
    /** Trickle the bytes: this many per tick, one tick every intervalMs, for at most durationMs (then close). */
    trickle: z
      .object({ bytesPerTick: z.number().int().min(1), intervalMs: z.number().int().min(1).max(10_000), durationMs: z.number().int().min(1).max(30_000) })
      .strict()
      .optional(),
  })
  .strict();

export type MalformedCase = z.infer<typeof MalformedCase>;
