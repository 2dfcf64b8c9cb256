// summary.json: the typed result of a run, from which every report format is made.
import { z } from "zod";

/** skip: the check could not judge this implementation (it does not show what the check needs); never a pass. */
export const CheckVerdict = z.enum(["pass", "fail", "info", "skip"]);

/** One fact behind a verdict: which observer, about which member, when (ms since the scenario started). */
export const Evidence = z.object({
  observer: z.string().optional(),
  member: z.string().optional(),
  atMs: z.number().optional().describe("ms since the scenario started"),
  tookMs: z
    .number()
    .nullable()
    .optional()
    .describe("the duration this fact measured, in ms (null: it never happened); reports plot this, never numbers read out of detail"),
  detail: z.string(),
});

export const CheckResult = z.object({
  name: z.string(),
  verdict: CheckVerdict,
  summary: z.string(),
  evidence: z.array(Evidence),
  evidenceOmitted: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("facts left out of evidence: a check keeps every measurement (tookMs) but only the first 200 other facts"),
  metrics: z.record(z.string(), z.number().nullable()),
  durationMs: z
    .number()
    .min(0)
    .optional()
    .describe("a step's own time, from its start to its end (virtual ms in the simulator); checks judged after the run have none"),
  origin: z
    .string()
    .regex(/^(steps|checks)\.\d+$/)
    .optional()
    .describe(
      "the scenario field that made this result, steps.N or checks.N (from 0), so that annotations can point at its line; none for the checks every scenario gets",
    ),
});

export const ScenarioResult = z.object({
  name: z.string(),
  file: z.string(),
  description: z.string(),
  verdict: z.enum(["pass", "fail", "skip"]).describe("skip: nothing in it could be judged on this implementation (the reason is its one check)"),
  startedAt: z.number(),
  durationMs: z.number(),
  aborted: z.string().optional(),
  seed: z.number().int().optional().describe("the seed the scenario ran with: the same seed replays it"),
  checks: z.array(CheckResult),
  metrics: z.record(z.string(), z.number().nullable()),
});

export const Summary = z.object({
  suite: z.string(),
  startedAt: z.number(),
  finishedAt: z.number(),
  verdict: z.enum(["pass", "fail"]),
  mutant: z.string().optional(),
  implementation: z.string().optional().describe("what was tested: reference, reference:MUTANT, or an adapter manifest's name"),
  toxiproxy: z.string(),
  faults: z.enum(["proxy", "packet"]).optional(),
  runtime: z
    .enum(["process", "docker", "adapter", "sim"])
    .optional()
    .describe(
      "how the nodes ran: reference nodes as child processes or containers, an adapter manifest's implementation, or reference cores in one process on a virtual clock (sim)",
    ),
  scenarios: z.array(ScenarioResult),
});

export type CheckVerdict = z.infer<typeof CheckVerdict>;
export type Evidence = z.infer<typeof Evidence>;
export type CheckResult = z.infer<typeof CheckResult>;
export type ScenarioResult = z.infer<typeof ScenarioResult>;
export type Summary = z.infer<typeof Summary>;
