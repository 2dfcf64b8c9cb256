// Names of steps and checks as people read them: in a terminal line, a report heading or a JUnit test
// case. A scenario run at a thousand nodes has node lists a thousand long, so a long list is shown by
// its first members, its last and its size.
import type { ScenarioStep } from "../../specs/scenario/scenario.js";

/** Lists longer than this are abbreviated. */
const LIST_SHOWN = 8;

/** `n1,n2,n3` — or, past eight nodes, `n1,n2,n6,…,n997 (400 nodes)`. */
export function nodeList(nodes: readonly string[]): string {
  if (nodes.length <= LIST_SHOWN) return nodes.join(",");
  return `${nodes.slice(0, 3).join(",")},…,${nodes.at(-1)} (${nodes.length} nodes)`;
}

/** `n1, n2, n3` in a sentence — or, past eight nodes, `n1, n2, n3 and 997 others`. */
export function nodesInText(nodes: readonly string[]): string {
  if (nodes.length <= LIST_SHOWN) return nodes.join(", ");
  return `${nodes.slice(0, 3).join(", ")} and ${nodes.length - 3} others`;
}

/** A step as `kind {args}`, with long node lists abbreviated. */
export function describeStep(step: ScenarioStep): string {
  if (typeof step.args === "string") return `${step.kind} ${step.args}`;
  const shorten = (_key: string, value: unknown) =>
    Array.isArray(value) && value.length > LIST_SHOWN && value.every((v) => typeof v === "string") ? nodeList(value as string[]) : value;
  return `${step.kind} ${JSON.stringify(step.args, shorten)}`;
}
