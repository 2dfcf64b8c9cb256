// Addressing values inside a JSON document by path: what the fuzzers walk and change.
export type Json = Record<string, unknown> | unknown[];
export type Path = (string | number)[];

/** Put in place of a value to remove it (from an object its key, from an array its item). */
export const DELETE = Symbol("delete");

/** Every path to a value inside `value` (objects and arrays), the root excluded, parents before their children. */
export function paths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== "object") return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...paths(child, [...prefix, key])]);
}

export function getAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root);
}

/** Replaces the value at `path` by what `replace` makes of it (DELETE removes it); returns the value it had. */
export function replaceAt(root: Json, path: Path, replace: (old: unknown) => unknown): unknown {
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  const old = parent[key];
  const next = replace(old);
  if (next === DELETE) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else parent[key] = next;
  return old;
}
