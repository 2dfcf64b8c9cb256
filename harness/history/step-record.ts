// The history record that ends a scenario step, the same whichever runner played it.
import type { RecordOf } from "../../specs/history/history.js";
import type { CheckResult } from "../../specs/report/summary.js";
import type { ScenarioStep } from "../../specs/scenario/scenario.js";

/** The scenario field a step's result came from (steps.N, from 0): annotations point at its line. */
export function stepOrigin(index: number): string {
  return `steps.${index}`;
}

/** The step's end: ok unless it judged and failed, with what it concluded. */
export function stepEnd(index: number, step: ScenarioStep, outcome: CheckResult | undefined): Omit<RecordOf<"step">, "t" | "scenario"> {
  return {
    type: "step",
    source: "harness",
    phase: "end",
    index,
    kind: step.kind,
    args: step.args,
    ok: outcome ? outcome.verdict !== "fail" : true,
    ...(outcome ? { detail: outcome.summary, outcome: { name: outcome.name, verdict: outcome.verdict, summary: outcome.summary } } : {}),
  };
}
