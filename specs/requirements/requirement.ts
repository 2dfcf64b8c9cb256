// A numbered protocol requirement: what conformance cases test, and what their verdicts cite.
import { z } from "zod";

/** RFC 2119 levels: a failed MUST fails the run, a failed SHOULD is NON-STRICT, MAY is informational. */
export const Level = z.enum(["MUST", "SHOULD", "MAY"]);

/** The part of the protocol a requirement belongs to; also how `--only` and the catalogue group them. */
export const RequirementGroup = z.enum(["wire", "probe", "detection", "lifeguard", "merge", "dissemination", "membership", "kv", "memberlist", "heartbeat"]);

/**
 * The failure-detector family a requirement judges: SWIM's probing with suspicion, or heartbeat
 * gossip with an accrual detector. An implementation of the other family gets SKIP, with the reason.
 */
export const DetectorFamily = z.enum(["swim", "phi"]);

export const Requirement = z.object({
  id: z
    .string()
    .regex(/^[A-Z]+(-[A-Z0-9]+)+$/, "upper-case words joined by '-', e.g. SWIM-PING-1")
    .describe("stable: reports, junit files and bug reports cite it"),
  level: Level,
  group: RequirementGroup,
  text: z.string().min(1).describe("the sentence the implementation must satisfy"),
  source: z.string().min(1).describe("where it comes from: SWIM paper section, Lifeguard section, or Grapevine's wire spec"),
  family: DetectorFamily.optional().describe("the detector family it judges; absent: every implementation"),
});

export type Level = z.infer<typeof Level>;
export type RequirementGroup = z.infer<typeof RequirementGroup>;
export type Requirement = z.infer<typeof Requirement>;
export type DetectorFamily = z.infer<typeof DetectorFamily>;
