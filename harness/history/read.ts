// Reads a saved history.ndjson back, validating every line, for `grapevine check`.
import { parseWith } from "../../specs/parse.js";
import { readFileSync } from "node:fs";
import { HistoryRecord } from "../../specs/history/history.js";

export class HistoryFileError extends Error {
  override readonly name = "HistoryFileError";
}

export function readHistory(file: string): HistoryRecord[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new HistoryFileError(`${file}: cannot read: ${(error as Error).message}`);
  }
  return text
    .split("\n")
    .map((line, i) => ({ line, number: i + 1 }))
    .filter(({ line }) => line.trim() !== "")
    .map(({ line, number }) => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new HistoryFileError(`${file}:${number}: not JSON`);
      }
      return parseWith(HistoryRecord, json, `${file}:${number}`, (message) => new HistoryFileError(message));
    });
}
