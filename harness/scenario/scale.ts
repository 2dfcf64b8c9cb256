// A scenario written for w nodes, run with more (--nodes N): the extra nodes are bystanders, except in
// a partition that splits the whole cluster into groups. There node n(k + w) sits with n(k), so the
// sides keep the proportions the scenario wrote ({n1,n2} | {n3,n4,n5} becomes 40 % | 60 %) and the
// `split` check judges the same sides the partition made. A bystander on neither side would bridge the
// cut. Scaling only the last group would leave a side of two against a thousand, which must probe
// every member of the other side in turn, at the slowed pace Lifeguard sets for a node whose probes
// all fail: a different scenario from the one written.
import type { CheckSpec, Scenario, ScenarioStep } from "../../specs/scenario/scenario.js";

const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `n${from + i + 1}`);

/** `groups` widened to `nodes` when they cover exactly the scenario's own first `written` nodes. */
function widen(groups: string[][], written: number, nodes: number): string[][] {
  const covered = new Set(groups.flat());
  const whole = covered.size === written && names(0, written).every((n) => covered.has(n));
  if (!whole || nodes <= written || groups.length === 0) return groups;
  const sideOf = new Map(groups.flatMap((g, i) => g.map((n) => [n, i] as const)));
  const widened = groups.map((g) => [...g]);
  for (const extra of names(written, nodes)) {
    const k = ((Number(extra.slice(1)) - 1) % written) + 1;
    widened[sideOf.get(`n${k}`)!]!.push(extra);
  }
  return widened;
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
