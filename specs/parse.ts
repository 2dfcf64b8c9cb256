// Parsing with a contract, and saying where it failed: every loader of user input (scenario files,
// histories, manifests, dial maps, the malformed corpus, admin API answers) reports its problems the
// same way: "<where>: field <path>: <what zod says>", every one of them, a union's hint in place of
// "Invalid input".
import type { z } from "zod";

/** The first problem in a failed parse, as `field a.b.0: message` (`(root)` when it is the value itself). */
export function describeIssue(error: z.ZodError): string {
  const first = issuesOf(error)[0];
  return first ? `field ${fieldName(first.path)}: ${first.message}` : "field (root): invalid";
}

/** Every problem of a failed parse, as `field a: …; field b.0: …`, so that one fix-and-retry mends them all. */
export function describeIssues(error: z.ZodError): string {
  const all = issuesOf(error);
  return all.length ? all.map((p) => `field ${fieldName(p.path)}: ${p.message}`).join("; ") : "field (root): invalid";
}

/** One problem of a failed parse: where, and what, with a union's hint in place of "Invalid input". */
export interface Problem {
  path: PropertyKey[];
  message: string;
}

export const fieldName = (path: readonly PropertyKey[]) => path.map(String).join(".") || "(root)";

/** Every problem of a failed parse, in zod's order, each made as specific as the value allows. */
export function issuesOf(error: z.ZodError): Problem[] {
  return error.issues.map((issue) => specific(issue));
}

/**
 * A value no member of a union accepts: the problem of the one member that took its type and then
 * refused it (a duration string that is not a duration; an object form missing a field), followed
 * down through unions inside it, rather than zod's bare "Invalid input" at the union.
 */
function specific(issue: z.core.$ZodIssue): Problem {
  if (issue.code !== "invalid_union") return { path: issue.path, message: issue.message };
  const took = issue.errors.filter((branch) => branch.length > 0 && tookType(branch));
  if (took.length !== 1) return { path: issue.path, message: issue.message };
  const inner = specific(took[0]![0]!);
  return { path: [...issue.path, ...inner.path], message: inner.message };
}

/** Did a union member accept the value's type (its problems lie inside the value, or are its own refinements)? */
function tookType(branch: z.core.$ZodIssue[]): boolean {
  return !branch.some(
    (i) => i.path.length === 0 && (i.code === "invalid_type" || (i.code === "invalid_union" && !i.errors.some((b) => b.length > 0 && tookType(b)))),
  );
}

/** `schema.parse(value)`, or `fail("<where>: field <path>: <message>; …")` thrown, every problem named. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string, fail: (message: string) => Error): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fail(`${where}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** JSON text parsed with `schema`; text that is not JSON fails as `<where>: not JSON: <reason>`. */
export function parseJsonWith<S extends z.ZodType>(schema: S, text: string, where: string, fail: (message: string) => Error): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw fail(`${where}: not JSON: ${(error as Error).message}`);
  }
  return parseWith(schema, json, where, fail);
}
