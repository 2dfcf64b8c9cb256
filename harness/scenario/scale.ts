// A scenario written for k nodes, run with more (--nodes N): the extra nodes are bystanders, except in
// a partition that splits the whole cluster into groups. There they join the last group, so the
// partition still splits the whole cluster (a bystander on neither side would bridge it) and the
// `split` check judges the same sides the partition made.
import type { CheckSpec, Scenario, ScenarioStep } from "../../specs/scenario/scenario.js";

const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `n${from + i + 1}`);

/** `groups` widened to `nodes` when they cover exactly the scenario's own first `written` nodes. */
function widen(groups: string[][], written: number, nodes: number): string[][] {
  const covered = new Set(groups.flat());
  const whole = covered.size === written && names(0, written).every((n) => covered.has(n));
  if (!whole || nodes <= written || groups.length === 0) return groups;
  return [...groups.slice(0, -1), [...groups.at(-1)!, ...names(written, nodes)]];
}

function widenCheck(spec: CheckSpec, written: number, nodes: number): CheckSpec {
  return spec.check === "split" ? { ...spec, args: { ...spec.args, groups: widen(spec.args.groups, written, nodes) } } : spec;
}

function widenStep(step: ScenarioStep, written: number, nodes: number): ScenarioStep {
  if (step.kind === "partition" && "groups" in step.args) return { ...step, args: { ...step.args, groups: widen(step.args.groups, written, nodes) } };
  if (step.kind === "expect") return { ...step, args: widenCheck(step.args, written, nodes) };
  return step;
}

/** `scenario` (parsed with its node count raised from `written`) with its whole-cluster partitions widened. */
export function scaleScenario(scenario: Scenario, written: number): Scenario {
  const nodes = scenario.nodes;
  if (nodes <= written) return scenario;
  return {
    ...scenario,
    steps: scenario.steps.map((s) => widenStep(s, written, nodes)),
    checks: scenario.checks.map((c) => widenCheck(c, written, nodes)),
  };
}
