// A conformance case: something done to the implementation, judged against one or more requirements.
import type { CaseContext } from "./context.js";

export interface Finding {
  requirement: string;
  outcome: "pass" | "fail" | "info" | "skip";
  expected: string;
  actual: string;
  /** Set when one requirement gets several findings (corpus files, merge rows): names this one. */
  id?: string;
}

/** What a case needs beyond the wire: the admin API, a key-value store, or a node the harness may stop. */
export type Need = "admin" | "kv" | "owned";

export interface ConformanceCase {
  name: string;
  requirements: string[];
  needs?: Need[];
  run(ctx: CaseContext): Promise<Finding[]>;
}

export const pass = (requirement: string, expected: string, actual: string, id?: string): Finding => ({
  requirement,
  outcome: "pass",
  expected,
  actual,
  ...(id ? { id } : {}),
});
export const fail = (requirement: string, expected: string, actual: string, id?: string): Finding => ({
  requirement,
  outcome: "fail",
  expected,
  actual,
  ...(id ? { id } : {}),
});
export const finding = (ok: boolean, requirement: string, expected: string, actual: string, id?: string): Finding =>
  (ok ? pass : fail)(requirement, expected, actual, id);
/** The case could not judge this requirement on this implementation; `actual` says why. Never a pass. */
export const skip = (requirement: string, expected: string, actual: string, id?: string): Finding => ({
  requirement,
  outcome: "skip",
  expected,
  actual,
  ...(id ? { id } : {}),
});
export const info = (requirement: string, expected: string, actual: string, id?: string): Finding => ({
  requirement,
  outcome: "info",
  expected,
  actual,
  ...(id ? { id } : {}),
});
