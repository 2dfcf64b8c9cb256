// A conformance case: something done to the implementation, judged against one or more requirements.
import type { MemberView } from "../../specs/admin/api.js";
import type { MemberState, Update } from "../../specs/wire/messages.js";
import type { CaseContext } from "./context.js";

export interface Finding {
  requirement: string;
  outcome: "pass" | "fail" | "info" | "skip";
  expected: string;
  actual: string;
  /** Set when one requirement gets several findings (corpus files, merge rows): names this one. */
  id?: string;
}

/**
 * What a case needs beyond the wire: a view of the node's membership (its admin API or a view
 * command), incarnations in that view, a key-value store, or a node the harness may stop.
 */
export type Need = "admin" | "incarnation" | "kv" | "owned";

/** `C` is what the case drives the implementation through: Grapevine's wire v1 by default. */
export interface ConformanceCase<C = CaseContext> {
  name: string;
  requirements: string[];
  needs?: Need[];
  run(ctx: C): Promise<Finding[]>;
}

/**
 * The protocol-neutral part of a case's context: tell the implementation membership updates (in
 * whatever messages its wire has for them) and read its view. Cases written against it (the merge
 * table, stale updates) run on every wire that has a driver: wire v1 (context.ts) and memberlist
 * (memberlist/context.ts).
 */
export interface MembershipDriver {
  readonly signal: AbortSignal;
  /** A listener that answers for every member a case makes up; they share its address. */
  readonly shared: { readonly addr: string };
  /** The fake member that sends the harness's messages. */
  readonly driver: { readonly id: string };
  memberId(prefix: string): string;
  tell(updates: Update[]): Promise<unknown>;
  retire(ids: string[]): Promise<void>;
  view(): Promise<Map<string, MemberView>>;
  /**
   * Why this wire cannot say a merge-table row's update about a member held in `current`, when it
   * cannot (memberlist has no leave distinct from death); the row is SKIP with that reason.
   */
  cannotSay?(update: MemberState, current: MemberState | "unknown"): string | undefined;
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
