// A scenario written for w nodes, run with more (--nodes N): the extra nodes are bystanders, except in
// a partition that splits the whole cluster into groups. There node n(k + w) sits with n(k), so the
// sides keep the proportions the scenario wrote ({n1,n2} | {n3,n4,n5} becomes 40 % | 60 %) and the
// `split` check judges the same sides the partition made (after an `isolate`, the node against all
// the others). A bystander on neither side would bridge the cut. Scaling only the last group would
// leave a side of two against a thousand, which must probe every member of the other side in turn,
// at the slowed pace Lifeguard sets for a node whose probes all fail: a different scenario from the
// one written. A `crash` step's list is a share of the cluster in the same way: n(k + w) falls with
// n(k), so "two of five crash at once" stays 40 % (a single `crash: n3` stays one node). Likewise a
// fault on every link of a node covers its links to the extra nodes too (widenLinks).
import type { CheckSpec, Scenario, ScenarioStep } from "../../specs/scenario/scenario.js";

const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `n${from + i + 1}`);

/** Do `groups` name exactly the scenario's own first `written` nodes? */
function whole(groups: string[][], written: number): boolean {
  const covered = new Set(groups.flat());
  return groups.length > 0 && covered.size === written && names(0, written).every((n) => covered.has(n));
}

/** A partition's `groups` widened to `nodes`: n(k + written) joins n(k)'s group. */
function widenPartition(groups: string[][], written: number, nodes: number): string[][] {
  if (!whole(groups, written) || nodes <= written) return groups;
  const sideOf = new Map(groups.flatMap((g, i) => g.map((n) => [n, i] as const)));
  const widened = groups.map((g) => [...g]);
  for (const extra of names(written, nodes)) {
    const k = ((Number(extra.slice(1)) - 1) % written) + 1;
    widened[sideOf.get(`n${k}`)!]!.push(extra);
  }
  return widened;
}

const keyOf = (groups: string[][]) => JSON.stringify(groups.map((g) => [...g].sort()).sort());

/**
 * A `split` check's groups widened as the fault that made them was: like the partition step with the
 * same groups, if there is one; otherwise (an `isolate`, which cuts one node from all others) the
 * extra nodes join the largest group, the rest of the cluster.
 */
function widenSplit(groups: string[][], written: number, nodes: number, partitions: Map<string, string[][]>): string[][] {
  if (!whole(groups, written) || nodes <= written) return groups;
  const made = partitions.get(keyOf(groups));
  if (made) return made;
  const largest = groups.reduce((best, g, i) => (g.length >= groups[best]!.length ? i : best), 0);
  return groups.map((g, i) => (i === largest ? [...g, ...names(written, nodes)] : [...g]));
}

/** A share of the written cluster (a `crash` step's list) widened to `nodes`: n(k + written) falls with n(k). */
export function widenShare(share: readonly string[], written: number, nodes: number): string[] {
  const inShare = new Set(share);
  return [...share, ...names(written, nodes).filter((extra) => inShare.has(`n${((Number(extra.slice(1)) - 1) % written) + 1}`))];
}

/** The widened lists of a scenario's crash steps, by their written list. */
type Shares = Map<string, string[]>;
const shareKey = (nodes: readonly string[]) => JSON.stringify([...nodes].sort());

function widenCheck(spec: CheckSpec, written: number, nodes: number, partitions: Map<string, string[][]>, shares: Shares): CheckSpec {
  if (spec.check === "split") return { ...spec, args: { ...spec.args, groups: widenSplit(spec.args.groups, written, nodes, partitions) } };
  // The nodes a mass crash took down, judged as the crash widened them; a list no crash names stays as written.
  if (spec.check === "all-dead") return { ...spec, args: { ...spec.args, nodes: shares.get(shareKey(spec.args.nodes)) ?? spec.args.nodes } };
  return spec;
}

type Link = readonly [string, string];

/**
 * A link fault's links widened to `nodes`: where they reach from node x to every other written node,
 * x's links to the extra nodes join them, and likewise for the links into x. "Every message to and
 * from n1 is slow" stays that at any size; a fault on some of x's links stays on those.
 */
export function widenLinks(links: readonly Link[], written: number, nodes: number): Link[] {
  const widened: Link[] = [...links];
  if (nodes <= written) return widened;
  const own = names(0, written);
  const has = new Set(links.map(([from, to]) => `${from}>${to}`));
  const extras = names(written, nodes);
  for (const x of own) {
    const others = own.filter((y) => y !== x);
    if (others.every((y) => has.has(`${x}>${y}`))) widened.push(...extras.map((y): Link => [x, y]));
    if (others.every((y) => has.has(`${y}>${x}`))) widened.push(...extras.map((y): Link => [y, x]));
  }
  return widened;
}

const LINK_FAULTS: ReadonlySet<ScenarioStep["kind"]> = new Set(["loss", "latency", "bandwidth", "duplicate", "reorder", "refuse"]);

function widenStep(step: ScenarioStep, written: number, nodes: number, partitions: Map<string, string[][]>, shares: Shares): ScenarioStep {
  if (step.kind === "crash" && typeof step.args !== "string") return { ...step, args: widenShare(step.args, written, nodes) };
  if (step.kind === "partition" && "groups" in step.args) return { ...step, args: { ...step.args, groups: widenPartition(step.args.groups, written, nodes) } };
  if (LINK_FAULTS.has(step.kind)) {
    const args = step.args as { links?: Link[] };
    if (args.links) return { ...step, args: { ...args, links: widenLinks(args.links, written, nodes) } } as ScenarioStep;
  }
  if (step.kind === "expect") return { ...step, args: widenCheck(step.args, written, nodes, partitions, shares) };
  return step;
}

/** `scenario` (parsed with its node count raised from `written`) with its whole-cluster partitions widened. */
export function scaleScenario(scenario: Scenario, written: number): Scenario {
  const nodes = scenario.nodes;
  if (nodes <= written) return scenario;
  const partitions = new Map<string, string[][]>();
  const shares: Shares = new Map();
  for (const step of scenario.steps) {
    if (step.kind === "partition" && "groups" in step.args) partitions.set(keyOf(step.args.groups), widenPartition(step.args.groups, written, nodes));
    if (step.kind === "crash" && typeof step.args !== "string") shares.set(shareKey(step.args), widenShare(step.args, written, nodes));
  }
  return {
    ...scenario,
    steps: scenario.steps.map((s) => widenStep(s, written, nodes, partitions, shares)),
    checks: scenario.checks.map((c) => widenCheck(c, written, nodes, partitions, shares)),
  };
}
