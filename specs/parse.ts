// Parsing with a contract, and saying where it failed: every loader of user input (scenario files,
// histories, manifests, dial maps, the malformed corpus, admin API answers) reports the first problem
// the same way: "<where>: field <path>: <what zod says>".
import type { z } from "zod";

/** The first problem in a failed parse, as `field a.b.0: message` (`(root)` when it is the value itself). */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "field (root): invalid";
  return `field ${issue.path.map(String).join(".") || "(root)"}: ${unionHint(issue) ?? issue.message}`;
}

/**
 * For a value no member of a union accepts: the message of the member that took its type and then
 * refused it (a duration string that is not a duration), rather than zod's bare "Invalid input".
 */
function unionHint(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== "invalid_union") return undefined;
  const tookType = issue.errors.filter((branch) => branch.length > 0 && branch.every((i) => i.code !== "invalid_type" && i.path.length === 0));
  return tookType.length === 1 ? tookType[0]![0]!.message : undefined;
}

/** `schema.parse(value)`, or `fail("<where>: field <path>: <message>")` thrown. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string, fail: (message: string) => Error): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fail(`${where}: ${describeIssue(parsed.error)}`);
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
