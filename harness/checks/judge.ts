// A scenario's verdict from its history: the outcomes its steps reported and the checks it names, run over the records.
import type { CheckResult, ScenarioResult } from "../../specs/report/summary.js";
import type { CheckSpec } from "../../specs/scenario/scenario.js";
import { withExitsCheck } from "./exits.js";
import { CheckContext, runCheck } from "./index.js";
import { withWireCheck } from "./wire.js";

/**
 * The verdict of a scenario: the outcomes its steps reported (expectations, waits) and its
 * checks run over the history. `grapevine check` calls it too, on a saved history:
 * a pure function of the step outcomes, the checks as written and the records.
 */
export function judge(
  meta: { name: string; file: string; description: string; startedAt: number; durationMs: number; aborted: string | undefined },
  stepResults: CheckResult[],
  specs: readonly CheckSpec[],
  records: Parameters<typeof runCheck>[1],
): ScenarioResult {
  const ctx = records instanceof CheckContext ? records : new CheckContext(records);
  // A cluster that never came up left no history to judge: its checks would pass on nothing.
  const ran = ctx.records.some((r) => r.type === "node-up");
  // A check written in the scenario says where (checks.N); the exits and wire checks the harness adds have no line.
  const judged = ran
    ? withWireCheck(withExitsCheck(specs), ctx.records).map((spec, i) => ({ ...runCheck(spec, ctx), ...(i < specs.length ? { origin: `checks.${i}` } : {}) }))
    : [];
  const checks = [...stepResults, ...judged];
  if (meta.aborted) checks.push({ name: "scenario", verdict: "fail", summary: `aborted: ${meta.aborted}`, evidence: [], metrics: {} });
  else if (!ran) checks.push({ name: "scenario", verdict: "fail", summary: "no node came up: nothing to judge", evidence: [], metrics: {} });
  const metrics: Record<string, number | null> = {};
  for (const check of checks) for (const [key, value] of Object.entries(check.metrics)) metrics[`${check.name}.${key}`] = value;
  const { aborted, ...rest } = meta;
  return { ...rest, ...(aborted ? { aborted } : {}), verdict: scenarioVerdict(checks), checks, metrics };
}

type ScenarioMeta = Parameters<typeof judge>[0];

/** A scenario that did not run: its one result is a SKIP with the reason. */
export function notRun(meta: Omit<ScenarioMeta, "aborted">, reason: string): ScenarioResult {
  return { ...meta, verdict: "skip", checks: [{ name: "scenario", verdict: "skip", summary: reason, evidence: [], metrics: {} }], metrics: {} };
}

/**
 * A scenario whose datagram faults found no datagram to act on (an implementation that gossips over
 * TCP only, as the reference node's wire v1 does) has not tested what it says: a pass becomes SKIP
 * with the reason. A failure stands: whatever failed, failed without them.
 */
export function datagramsUntouched(result: ScenarioResult, kinds: string): ScenarioResult {
  if (result.verdict !== "pass") return result;
  const summary = `not judged: no datagram crossed the links its ${kinds} steps faulted (the implementation sent none; its wire may be TCP only)`;
  return { ...result, verdict: "skip", checks: [{ name: "datagram faults", verdict: "skip", summary, evidence: [], metrics: {} }, ...result.checks] };
}

/** A suite's verdict. Never green on nothing: at least one scenario judged and passed, none failed, and not interrupted. */
export function suiteVerdict(results: readonly ScenarioResult[], interrupted: boolean): "pass" | "fail" {
  return results.some((r) => r.verdict === "pass") && results.every((r) => r.verdict !== "fail") && !interrupted ? "pass" : "fail";
}

/** fail if any check failed; skip if no check judged anything (all SKIP); else pass. */
export function scenarioVerdict(checks: readonly CheckResult[]): ScenarioResult["verdict"] {
  if (checks.some((c) => c.verdict === "fail")) return "fail";
  if (checks.length > 0 && checks.every((c) => c.verdict === "skip")) return "skip";
  return "pass";
}
