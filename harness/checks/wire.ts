// Wire rules held to every message of a run. Some requirements of the catalogue are about what a node
// sends given what it believes: a ping to a member it holds suspect carries the suspicion (Lifeguard's
// buddy system), its own heartbeat count never goes back. Conformance tests them on one node against
// made-up members; an engine that sees every message and its sender's view (the simulator) can hold
// every node of a thousand-node run to them. Its findings are `wire-audit` records; this judges them.
import type { HistoryRecord, RecordOf } from "../../specs/history/history.js";
import { REQUIREMENTS } from "../../specs/requirements/catalogue.js";
import type { CheckResult } from "../../specs/report/summary.js";
import type { CheckSpec } from "../../specs/scenario/scenario.js";
import { type CheckContext, result } from "./context.js";

type Audit = RecordOf<"wire-audit">;

/** The rules, by requirement: what a message the rule applies to is, and what breaking it is. */
export const WIRE_RULES = {
  "LIFEGUARD-BUDDY-1": { judged: "pings to a member their sender held suspect", broken: "did not carry the suspicion" },
  "PHI-HEARTBEAT-1": { judged: "heartbeats with their sender's own count", broken: "sent a count lower than one it had sent before" },
} as const;

export type WireRule = keyof typeof WIRE_RULES;

/** Why a run has no wire audit. */
export const NOT_AUDITED =
  "no message of this run was held to the wire rules: only the simulator sees every message together with its sender's view (a process run's proxies see bytes, not beliefs); conformance tests the same requirements on one node";

/** Every run whose engine audited the wire is judged by `wire`, unless the scenario names the check itself. */
export function withWireCheck(specs: readonly CheckSpec[], records: readonly HistoryRecord[]): CheckSpec[] {
  if (specs.some((s) => s.check === "wire") || !records.some((r) => r.type === "wire-audit")) return [...specs];
  return [...specs, { check: "wire", args: {} }];
}

export function wire(ctx: CheckContext): CheckResult {
  const audits = ctx.records.filter((r): r is Audit => r.type === "wire-audit");
  if (audits.length === 0) return result("wire", "skip", NOT_AUDITED);
  const applied = audits.filter((a) => a.judged > 0);
  const unused = audits.filter((a) => a.judged === 0).map((a) => a.requirement);
  const metrics = {
    wireJudged: audits.reduce((sum, a) => sum + a.judged, 0),
    wireViolations: audits.reduce((sum, a) => sum + a.violations, 0),
  };
  // Whether a rule comes into play is up to the run (a suspicion under loss, say). INFO, not PASS,
  // since nothing was judged; not SKIP, since the audit did run: another seed that judged and passed
  // then compares as unchanged, where a SKIP would read as lost coverage (grapevine compare).
  if (applied.length === 0)
    return result("wire", "info", `every message was audited, and none fell under a wire rule (${unused.join(", ")}): nothing to judge`, [], metrics);
  const broken = applied.filter((a) => a.violations > 0);
  const describe = (a: Audit) => {
    // A history written by another version may hold a rule this one does not know: it is still judged.
    const rule = WIRE_RULES[a.requirement as WireRule] ?? { judged: "messages", broken: "broke the rule" };
    const level = REQUIREMENTS.find((r) => r.id === a.requirement)?.level ?? "level unknown";
    return a.violations > 0
      ? `${a.requirement} (${level}): ${a.violations} of ${a.judged} ${rule.judged} ${rule.broken}`
      : `${a.requirement} (${level}): all ${a.judged} ${rule.judged} kept the rule`;
  };
  const notApplied = unused.length > 0 ? `; nothing fell under ${unused.join(", ")}` : "";
  const evidence = broken.flatMap((a) =>
    a.examples.map((e) => ctx.evidence(`${a.requirement}: ${e.from}→${e.to}: ${e.detail}`, { observer: e.from, member: e.to, at: e.at })),
  );
  return result(
    "wire",
    broken.length > 0 ? "fail" : "pass",
    `${[...broken, ...applied.filter((a) => a.violations === 0)].map(describe).join("; ")}${notApplied}`,
    evidence,
    metrics,
  );
}
