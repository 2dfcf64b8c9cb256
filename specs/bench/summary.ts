// `grapevine bench` results: summary.json's schema, per implementation, with the settings each ran with.
import { z } from "zod";

export const DetectionTrial = z.object({
  victim: z.string(),
  firstSuspectMs: z.number().nullable().describe("null when the implementation's view does not show suspicion"),
  firstDeadMs: z.number().nullable(),
  allDeadMs: z.number().nullable().describe("null when some live node never marked the victim dead in time"),
  error: z.string().optional().describe("why the trial could not run (e.g. the cluster never formed); its latencies are null"),
});

export const Distribution = z.object({ n: z.number().int(), p50: z.number(), p90: z.number(), p99: z.number(), max: z.number() });

export const PausePoint = z.object({
  pauseMs: z.number(),
  trials: z.number().int(),
  observers: z.number().int().describe("live nodes watching the paused one, per trial"),
  declaredDead: z.number().int().describe("observer·trials that marked the paused node dead"),
  longestHeldMs: z.number().optional().describe("the longest pause actually held, ms (pauseMs is what was asked)"),
  watchedAfterMs: z.number().optional().describe("how long after each resume verdicts were still watched for: the longest suspicion and then some"),
  rejoined: z.number().int().describe("trials after which every observer held it alive again"),
});

export const LossPoint = z.object({
  rate: z.number().min(0).max(1),
  durationMs: z.number(),
  falseSuspect: z.number().int().describe("transitions to suspect about healthy members, all observers together"),
  falseDead: z.number().int(),
  falseSuspectPerMemberHour: z.number(),
  falseDeadPerMemberHour: z.number(),
  firstDeadMs: z.number().nullable().describe("then one node crashed under the same loss"),
  allDeadMs: z.number().nullable(),
});

export const PartitionPoint = z.object({
  partitionMs: z.number().describe("how long the cluster was cut in two halves"),
  trials: z.number().int(),
  splitMs: z
    .array(z.number().nullable())
    .describe("per trial: from the cut until each half held every member of the other dead (null: not within the partition)"),
  healMs: z
    .array(z.number().nullable())
    .describe(
      "per trial: from the heal until every node held every node alive again (null: not within the wait; e.g. plain memberlist never re-forms once it has reaped the other half)",
    ),
  waitedMs: z.number().describe("how long after the heal the bench waited"),
});

export const ImplementationBench = z.object({
  name: z.string(),
  description: z.string(),
  version: z.string(),
  timing: z.record(z.string(), z.union([z.string(), z.number()])),
  showsSuspect: z.boolean(),
  detection: z
    .object({
      nodes: z.number().int(),
      trials: z.array(DetectionTrial),
      firstSuspect: Distribution.nullable(),
      firstDead: Distribution.nullable(),
      allDead: Distribution.nullable(),
      expectation: z.object({
        firstSuspectMeanMs: z.number(),
        suspicionMinMs: z.number(),
        suspicionMaxMs: z.number(),
        probeOrder: z.string().optional().describe("the probe order the first-suspect expectation assumes: the one the implementation declares"),
      }),
    })
    .optional(),
  pause: z.array(PausePoint).optional(),
  loss: z.array(LossPoint).optional(),
  partition: z.array(PartitionPoint).optional(),
  convergence: z.array(z.object({ nodes: z.number().int(), spread: Distribution.nullable(), expectedMs: z.number() })).optional(),
  skipped: z.array(z.object({ what: z.string(), reason: z.string() })).default([]),
});

export const BenchSummary = z.object({
  tool: z.literal("grapevine bench"),
  kind: z.enum(["detection", "pause", "loss", "partition", "convergence"]),
  faults: z.string().optional().describe("what carried the network faults for loss and partition: each implementation's engine"),
  startedAt: z.number().int(),
  finishedAt: z.number().int(),
  seed: z.number().int(),
  pollMs: z.number().int().describe("how often each node's view was read: latencies are measured to this resolution"),
  implementations: z.array(ImplementationBench),
});

export type DetectionTrial = z.infer<typeof DetectionTrial>;
export type Distribution = z.infer<typeof Distribution>;
export type PausePoint = z.infer<typeof PausePoint>;
export type LossPoint = z.infer<typeof LossPoint>;
export type PartitionPoint = z.infer<typeof PartitionPoint>;
export type ImplementationBench = z.infer<typeof ImplementationBench>;
export type BenchSummary = z.infer<typeof BenchSummary>;
