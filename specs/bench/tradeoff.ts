// The summary.json of `grapevine bench tradeoff`: one row per detector setting and network condition.
import { z } from "zod";

/** The network conditions the bench puts on every link (harness/bench/tradeoff/plan.ts says what each is). */
export const TradeoffCondition = z.enum(["clean", "jitter", "loss-10", "loss-30", "latency-step"]);

export const TradeoffRow = z.object({
  implementation: z.string().describe("reference, or an adapter manifest's name"),
  family: z.enum(["swim", "phi"]),
  setting: z.number().describe("suspicionMult (swim) or the φ conviction threshold (phi)"),
  condition: TradeoffCondition,
  detectionP50Ms: z.number().nullable().describe("crash to an observer's dead verdict, over every observer of every crash"),
  detectionP90Ms: z.number().nullable(),
  detections: z.number().int().min(0).describe("observer verdicts measured"),
  missed: z.number().int().min(0).describe("observers whose verdict did not come within the limit"),
  falseDeadPerMemberHour: z.number().min(0),
  falseSuspectPerMemberHour: z.number().min(0),
  memberHours: z.number().min(0),
  unjudged: z.number().int().min(0).optional().describe("processes: observers that already held the victim dead when it was killed"),
  faults: z.array(z.string()).optional().describe("processes: the faults the engine put on the network, as its log recorded them"),
  error: z.string().optional().describe("why the trial could not run: no figures"),
});

export const TradeoffSummary = z.object({
  tool: z.literal("grapevine bench tradeoff"),
  seed: z.number().int(),
  startedAt: z.number(),
  finishedAt: z.number(),
  runtime: z.enum(["sim", "process"]),
  nodes: z.number().int(),
  quietMs: z.number(),
  crashes: z.number().int(),
  implementations: z.array(z.object({ name: z.string(), version: z.string(), settings: z.string() })),
  rows: z.array(TradeoffRow),
});

export type TradeoffRow = z.infer<typeof TradeoffRow>;
export type TradeoffSummary = z.infer<typeof TradeoffSummary>;
