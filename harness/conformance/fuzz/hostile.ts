// Hostile messages the wire schema accepts: valid messages pushed to the edges of what the schema admits.
// A node that only rejects off-schema input can still be ended by these (an index past the tree, a
// list of 4096 repeats, a claim at the largest incarnation, a version from the far future).
import fc from "fast-check";
import { MAX_FRAME_BYTES } from "../../../specs/wire/frame.js";
import { Message } from "../../../specs/wire/messages.js";
import { getAt, type Json, type Path, paths, replaceAt } from "./json-paths.js";
import { arbitraryOf } from "./schema-arbitrary.js";

export type HostileKind = "numbers-at-max" | "numbers-at-zero" | "lists-at-limit" | "claims-about-you" | "far-future";

export const HOSTILE_KINDS: HostileKind[] = ["numbers-at-max", "numbers-at-zero", "lists-at-limit", "claims-about-you", "far-future"];

export interface Hostile {
  kind: HostileKind;
  type: string;
  value: unknown;
}

/** Every path to a value inside `value` that `want` picks. */
const pathsWhere = (value: unknown, want: (v: unknown) => boolean): Path[] => paths(value).filter((path) => want(getAt(value, path)));

/** Puts `value` at `path`; returns what was there. */
const putAt = (root: Json, path: Path, value: unknown): unknown => replaceAt(root, path, () => value);

const valid = (value: unknown) => Message.safeParse(value).success && Buffer.byteLength(JSON.stringify(value)) <= MAX_FRAME_BYTES;

/** Sets each number to the first candidate the schema (and the frame limit) still admits, or leaves it. */
function pushNumbers(value: Json, candidates: number[]): void {
  for (const path of pathsWhere(value, (v) => typeof v === "number")) {
    if (path[path.length - 1] === "v") continue;
    const old = getAt(value, path);
    const admitted = candidates.some((candidate) => {
      putAt(value, path, candidate);
      return valid(value);
    });
    if (!admitted) putAt(value, path, old);
  }
}

/** Grows each list to the longest run of repeats of its first item that the schema and the frame admit. */
function fillLists(value: Json): void {
  for (const path of pathsWhere(value, (v) => Array.isArray(v) && v.length > 0)) {
    const first = (getAt(value, path) as unknown[])[0];
    for (const length of [4096, 1024, 256, 16]) {
      const old = putAt(
        value,
        path,
        Array.from({ length }, () => structuredClone(first)),
      );
      if (valid(value)) break;
      putAt(value, path, old);
    }
  }
}

/** Rewrites every membership claim as a claim about `self`, in a state that demands a refutation, at the largest incarnation. */
function aboutYou(value: Record<string, unknown>, self: { id: string; addr: string }): void {
  for (const list of ["updates", "members"]) {
    const claims = value[list];
    if (!Array.isArray(claims)) continue;
    value[list] = claims.map((c, i) => ({
      ...c,
      id: self.id,
      addr: self.addr,
      state: ["suspect", "dead", "left"][i % 3],
      incarnation: Number.MAX_SAFE_INTEGER,
    }));
  }
  if (value.type === "ping-req") value.target = self;
}

/** Key-value versions from the far future, and logical counters at the top. */
function farFuture(value: Record<string, unknown>): void {
  for (const list of ["kv", "entries"]) {
    const entries = value[list];
    if (!Array.isArray(entries)) continue;
    value[list] = entries.map((e, i) => ({
      ...e,
      version: { ...e.version, wall: Number.MAX_SAFE_INTEGER - i, logical: i % 2 === 0 ? 0 : Number.MAX_SAFE_INTEGER },
    }));
  }
}

/**
 * `count` hostile messages, reproducible from `seed`. They go round every kind for every message
 * type (kind by kind, then type by type), so that any 40 in a row cover each pair once. Each
 * satisfies the schema and fits in one frame (checked); addresses stay on 127.0.0.1's closed low
 * ports, as in the schema arbitraries, so a node that acts on one dials nothing outside.
 */
export function generateHostile(count: number, seed: number, self?: { id: string; addr: string }): Hostile[] {
  const kinds = self ? HOSTILE_KINDS : HOSTILE_KINDS.filter((k) => k !== "claims-about-you");
  const samples = fc.sample(arbitraryOf(Message), { seed, numRuns: Math.max(400, count * 8) }) as Record<string, unknown>[];
  const byType = new Map<string, Record<string, unknown>[]>();
  for (const sample of samples) byType.set(String(sample.type), [...(byType.get(String(sample.type)) ?? []), sample]);
  const types = [...byType.keys()].sort();
  const out: Hostile[] = [];
  for (let index = 0; out.length < count && index < count * 20; index++) {
    const kind = kinds[index % kinds.length]!;
    const type = types[Math.floor(index / kinds.length) % types.length]!;
    const pool = byType.get(type)!;
    const base = pool[Math.floor(index / (kinds.length * types.length)) % pool.length]!;
    const value = structuredClone(base);
    switch (kind) {
      case "numbers-at-max":
        pushNumbers(value, [Number.MAX_SAFE_INTEGER, 2 ** 32, 4095, 255, 15, 3]);
        break;
      case "numbers-at-zero":
        pushNumbers(value, [0]);
        break;
      case "lists-at-limit":
        fillLists(value);
        break;
      case "claims-about-you":
        aboutYou(value, self!);
        break;
      case "far-future":
        farFuture(value);
        break;
    }
    // A kind with nothing to work on in this message (no list, no claim) changes nothing: not sent.
    if (JSON.stringify(value) === JSON.stringify(base) || !valid(value)) continue;
    out.push({ kind, type, value });
  }
  return out;
}
