// How every command reads lists and durations, so that they are written the same everywhere:
//   lists: repeated (--sut a --sut b), comma-separated (--sut a,b), or both;
//   durations: with their unit, as in scenario files ("500ms", "30s", "1.5m"); a bare number is in
//   the unit the option's name ends with (--period-ms 500, --heal-wait-s 120, --quiet-minutes 10)
//   or, for the lists of durations that have no unit in their name (--pauses), in ms.
import { type DurationUnit, plainDurationMs, UNIT_MS } from "../../specs/scenario/timing.js";
import { UsageError } from "./usage-error.js";

/** A list option's values, whether the option was repeated, comma-separated or both; blanks dropped. */
export function listValues(raw: unknown): string[] {
  const given = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return given
    .flatMap((v) => String(v).split(","))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

export type BareUnit = DurationUnit;

/** A duration in ms: "500ms", "2s", "1.5m" as scenario files write it, or a bare number in `bareUnit`. Refused, naming the flag, otherwise. */
export function durationMs(value: unknown, bareUnit: BareUnit, flag: string): number {
  const text = String(value).trim();
  const withUnit = plainDurationMs(text);
  if (withUnit !== undefined) return withUnit;
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * UNIT_MS[bareUnit]);
  throw new UsageError(
    `${flag}: "${text}" is not a duration: write it with its unit, as in scenario files ("500ms", "30s", "1.5m"), or as a number of ${bareUnit === "m" ? "minutes" : bareUnit}`,
  );
}

/** A duration in ms within [minMs, maxMs], refused with the bounds in the flag's own unit. */
export function boundedDurationMs(value: unknown, bareUnit: BareUnit, flag: string, minMs: number, maxMs: number): number {
  const ms = durationMs(value, bareUnit, flag);
  if (ms < minMs || ms > maxMs) throw new UsageError(`${flag}: from ${say(minMs)} to ${say(maxMs)} (got ${say(ms)})`);
  return ms;
}

/** Each duration of a list option, each within bounds. */
export function durationsMs(raw: unknown, bareUnit: BareUnit, flag: string, minMs: number, maxMs: number): number[] {
  const values = listValues(raw);
  if (values.length === 0) throw new UsageError(`${flag}: give at least one duration`);
  return values.map((v) => boundedDurationMs(v, bareUnit, flag, minMs, maxMs));
}

/** Whole numbers of a list option, each within bounds. */
export function wholeNumbers(raw: unknown, flag: string, min: number, max: number): number[] {
  const text = listValues(raw);
  const values = text.map(Number);
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < min || v > max))
    throw new UsageError(`${flag}: expected whole numbers from ${min} to ${max}, comma-separated or repeated (got "${text.join(",")}")`);
  return values;
}

/** A duration said back in the largest unit that keeps it whole. */
function say(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
