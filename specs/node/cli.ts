// What a reference node process promises the harness: its ready line and the dial map it reads.
import { z } from "zod";
import { Address, MemberId } from "../wire/messages.js";

/** The one JSON line a node prints on stdout once its wire and admin ports listen. */
export const ReadyLine = z.object({
  ready: z.literal(true),
  id: MemberId,
  port: z.number().int().min(1).max(65535),
  adminPort: z.number().int().min(1).max(65535),
});

/**
 * `--dial-map FILE`: member id → the host:port to dial for it. The harness points each
 * entry at the proxy for that link; members not in the map are dialled at their own address.
 */
export const DialMap = z.record(MemberId, Address);

export type ReadyLine = z.infer<typeof ReadyLine>;
export type DialMap = z.infer<typeof DialMap>;
