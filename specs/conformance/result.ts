// What a conformance run produces: a verdict per case and implementation (the `--json` file's schema).
import { z } from "zod";
import { Level } from "../requirements/requirement.js";

/** Autobahn's grades: a failed SHOULD is NON-STRICT; INFO reports a measurement; SKIP says why it could not run. */
export const Verdict = z.enum(["PASS", "FAIL", "NON-STRICT", "INFO", "SKIP"]);

export const CaseResult = z.object({
  id: z.string().describe("the case: the requirement it tests, or a name for informational and corpus cases"),
  requirement: z.string().describe("requirement ID from specs/requirements"),
  level: Level,
  verdict: Verdict,
  expected: z.string(),
  actual: z.string(),
  durationMs: z.number().min(0),
  wireLog: z.string().optional().describe("path, relative to the run folder, of the frames exchanged during the case (ndjson)"),
});

export const ImplementationUnderTest = z.object({
  name: z.string().describe("as given: reference, reference:MUTANT, or host:port"),
  wire: z.string().describe("host:port its wire protocol listens on"),
  admin: z.string().optional(),
  protocol: z.string().optional().describe("what its /v1/node says"),
  config: z.record(z.string(), z.unknown()).optional(),
});

export const ImplementationResult = ImplementationUnderTest.extend({
  cases: z.array(CaseResult),
  mustFailures: z.number().int().min(0),
  durationMs: z.number().min(0),
});

export const ConformanceReport = z.object({
  tool: z.literal("grapevine conformance"),
  startedAt: z.number().int(),
  finishedAt: z.number().int(),
  seed: z.number().int().describe("seed of the generated malformed inputs"),
  generated: z.number().int().min(0).describe("how many generated malformed inputs each implementation received"),
  implementations: z.array(ImplementationResult),
  verdict: z.enum(["pass", "fail"]).describe("pass when every MUST passed on every implementation"),
});

export type Verdict = z.infer<typeof Verdict>;
export type CaseResult = z.infer<typeof CaseResult>;
export type ImplementationUnderTest = z.infer<typeof ImplementationUnderTest>;
export type ImplementationResult = z.infer<typeof ImplementationResult>;
export type ConformanceReport = z.infer<typeof ConformanceReport>;
