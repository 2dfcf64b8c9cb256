// Turns valid messages into malformed ones, one targeted change each, and keeps only those the schema rejects.
import fc from "fast-check";
import { Message } from "../../../specs/wire/messages.js";
import { DELETE, getAt, paths, replaceAt } from "./json-paths.js";
import { arbitraryOf } from "./schema-arbitrary.js";

/**
 * Replacement values of every JSON type. Fixed, not random: a wrongly-typed field never holds
 * something an implementation could mistake for a host name and dial.
 */
const WRONG_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 53 + 2, "", "x", [], {}, [[]], { a: 1 }, "\u0000", "ß".repeat(300)];

export type MutationKind = "wrong-type" | "drop-field" | "out-of-range" | "unknown-type" | "bad-version" | "long-string" | "extra-nesting" | "not-an-object";

export const MUTATION_KINDS: MutationKind[] = [
  "wrong-type",
  "drop-field",
  "out-of-range",
  "unknown-type",
  "bad-version",
  "long-string",
  "extra-nesting",
  "not-an-object",
];

export interface Mutant {
  kind: MutationKind;
  /** Where the change was made, as a JSON path. */
  path: string;
  value: unknown;
}

/** Applies one mutation, chosen by `pick` (a random number the caller's generator supplies). */
export function mutate(valid: unknown, kind: MutationKind, pick: number): Mutant {
  const value = structuredClone(valid) as Record<string, unknown>;
  const all = paths(value);
  const at = <T>(list: T[]) => list[pick % list.length]!;
  const show = (path: (string | number)[]) => path.map(String).join(".") || "(root)";
  switch (kind) {
    case "wrong-type": {
      const path = at(all);
      const old = getAt(value, path);
      const replacements = WRONG_VALUES.filter((w) => typeof w !== typeof old || Array.isArray(w) !== Array.isArray(old) || (w === null) !== (old === null));
      replaceAt(value, path, () => at(replacements));
      return { kind, path: show(path), value };
    }
    case "drop-field": {
      const path = at(all.filter((p) => typeof p[p.length - 1] === "string"));
      replaceAt(value, path, () => DELETE);
      return { kind, path: show(path), value };
    }
    case "out-of-range": {
      const numeric = all.filter((p) => typeof getAt(value, p) === "number");
      const path = at(numeric.length > 0 ? numeric : [["seq"]]);
      replaceAt(value, path, () => at([-1, -0.5, 1e300, 2 ** 53, 0.25]));
      return { kind, path: show(path), value };
    }
    case "unknown-type":
      value.type = at(["pong", "PING", "", "ping ", "membership", "ack\u0000"]);
      return { kind, path: "type", value };
    case "bad-version":
      value.v = at([0, 2, 99, "1", -1, 1.0000001, null]);
      return { kind, path: "v", value };
    case "long-string": {
      const strings = all.filter((p) => typeof getAt(value, p) === "string" && p[p.length - 1] !== "type");
      const path = at(strings.length > 0 ? strings : [["from", "id"]]);
      replaceAt(value, path, () => "g".repeat(at([129, 263, 1025, 70_000])));
      return { kind, path: show(path), value };
    }
    case "extra-nesting": {
      const path = at(all);
      replaceAt(value, path, (old) => [[[{ nested: old }]]]);
      return { kind, path: show(path), value };
    }
    case "not-an-object":
      return { kind, path: "(root)", value: at([[value], JSON.stringify(value), 42, null, [], true]) };
  }
}

/**
 * `count` malformed messages, reproducible from `seed`: valid messages of every type from the wire
 * schema, each changed once, keeping only changes the schema really rejects (dropping an optional
 * field, say, leaves a valid message and is tried again with the next pick).
 */
export function generateMalformed(count: number, seed: number): Mutant[] {
  const arbitrary = fc.tuple(arbitraryOf(Message), fc.constantFrom(...MUTATION_KINDS), fc.nat());
  const out: Mutant[] = [];
  let attempt = 0;
  while (out.length < count && attempt < 20) {
    const batch = fc.sample(arbitrary, { seed: seed + attempt, numRuns: count * 2 });
    for (const [valid, kind, pick] of batch) {
      const mutant = mutate(valid, kind, pick);
      if (!Message.safeParse(mutant.value).success) out.push(mutant);
      if (out.length === count) break;
    }
    attempt++;
  }
  return out;
}
