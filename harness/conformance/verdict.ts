// A conformance run's verdict: every MUST met, on every implementation, and something actually judged on each.
import type { ConformanceReport, ImplementationResult } from "../../specs/conformance/result.js";

/** Cases that judged the implementation: PASS, FAIL or NON-STRICT (not SKIP, not INFO). */
export function judgedCases(impl: Pick<ImplementationResult, "cases">): number {
  return impl.cases.filter((c) => c.verdict === "PASS" || c.verdict === "FAIL" || c.verdict === "NON-STRICT").length;
}

/**
 * pass only when no implementation failed a MUST and every implementation had at least one case
 * judged: a run in which every case was skipped (an unreachable node, a node that would not join)
 * tested nothing and must not read as a pass.
 */
export function runVerdict(implementations: readonly ImplementationResult[]): "pass" | "fail" {
  return implementations.length > 0 && implementations.every((i) => i.mustFailures === 0 && judgedCases(i) > 0) ? "pass" : "fail";
}

/** The run's verdict in words, for the console and the HTML heading. */
export function verdictSentence(report: Pick<ConformanceReport, "verdict" | "implementations">): string {
  if (report.verdict === "pass") return "every MUST passed";
  return report.implementations.some((i) => i.mustFailures > 0) ? "some MUST failed" : "not a pass: an implementation was not tested";
}
