// A node that ends on its own (a crash the harness did not cause) fails the scenario unless the scenario allows it.
import type { CheckSpec, CheckArgs } from "../../specs/scenario/scenario.js";
import type { CheckResult } from "../../specs/report/summary.js";
import { type CheckContext, result } from "./context.js";

/** Every scenario is judged by `exits` (nothing allowed) unless it names the check with its own `allow`. */
export function withExitsCheck(specs: readonly CheckSpec[]): CheckSpec[] {
  return specs.some((s) => s.check === "exits") ? [...specs] : [...specs, { check: "exits", args: { allow: [] } }];
}

export function exits(ctx: CheckContext, args: CheckArgs["exits"]): CheckResult {
  const own = ctx.truth.downs.filter((d) => d.how === "exited");
  const failing = own.filter((d) => !args.allow.includes(d.node));
  const evidence = own.map((d) => ctx.evidence(`${d.node} exited on its own${args.allow.includes(d.node) ? " (allowed)" : ""}`, { member: d.node, at: d.t }));
  const allowed = args.allow.length > 0 ? ` (${args.allow.join(", ")} may)` : "";
  return result(
    "exits",
    failing.length > 0 ? "fail" : "pass",
    failing.length > 0
      ? `${failing.map((d) => `${d.node} exited on its own at +${(ctx.rel(d.t) / 1000).toFixed(1)}s`).join(", ")}${allowed}`
      : `no node exited unless the harness made it${allowed}`,
    evidence,
    { unexpectedExits: failing.length },
  );
}
