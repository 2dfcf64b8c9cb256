// SWIM §4.2's merge rules as a table: for every held state and every incoming claim, does the claim win?
// Written out row by row (not computed from the reference node) so that conformance checks the node against the rules.
import type { MemberState } from "../wire/messages.js";

/** How the incoming incarnation compares with the one held. */
export type Relation = "lower" | "equal" | "higher";

export interface MergeRow {
  update: MemberState;
  /** What the implementation holds about the member before the update; "unknown" when nothing. */
  current: MemberState | "unknown";
  /** Absent when `current` is "unknown" (any incarnation). */
  relation?: Relation;
  /** Whether the update replaces what is held (or, for an unknown member, whether it adds it). */
  wins: boolean;
}

const RELATIONS: Relation[] = ["lower", "equal", "higher"];
const STATES: MemberState[] = ["alive", "suspect", "dead", "left"];

/**
 * - alive(i) beats alive/suspect/dead/left(j) iff i > j (a refutation, or a rejoin)
 * - suspect(i) beats alive(j) iff i ≥ j, suspect(j) iff i > j; never dead or left
 * - dead(i) beats alive/suspect(j) iff i ≥ j; a dead member stays dead until it is alive again
 * - left(i) beats alive/suspect/dead(j) iff i ≥ j, left(j) iff i > j
 * - only alive introduces an unknown member: rumours about strangers are dropped
 */
function wins(update: MemberState, current: MemberState, relation: Relation): boolean {
  const atLeast = relation !== "lower";
  const above = relation === "higher";
  switch (update) {
    case "alive":
      return above;
    case "suspect":
      return current === "alive" ? atLeast : current === "suspect" ? above : false;
    case "dead":
      return current === "alive" || current === "suspect" ? atLeast : false;
    case "left":
      return current === "left" ? above : atLeast;
  }
}

export const MERGE_TABLE: readonly MergeRow[] = [
  ...STATES.map((update) => ({ update, current: "unknown" as const, wins: update === "alive" })),
  ...STATES.flatMap((update) =>
    STATES.flatMap((current) => RELATIONS.map((relation) => ({ update, current, relation, wins: wins(update, current, relation) }))),
  ),
];

/** MERGE-SUSPECT-ALIVE-EQUAL: the update's state, the held state, the incarnation relation. */
export function mergeRequirementId(row: MergeRow): string {
  return ["MERGE", row.update, row.current, ...(row.relation ? [row.relation] : [])].join("-").toUpperCase();
}

export function describeMergeRow(row: MergeRow): string {
  if (row.current === "unknown") {
    return row.wins
      ? `An \`alive\` update about an unknown member adds it to the view.`
      : `A \`${row.update}\` update about an unknown member is ignored (only \`alive\` introduces a member).`;
  }
  const rel = row.relation === "lower" ? "a lower" : row.relation === "equal" ? "the same" : "a higher";
  return `A \`${row.update}\` update with ${rel} incarnation than a held \`${row.current}\` ${row.wins ? "replaces it" : "is ignored"}.`;
}
