// A summary to compare, from a run folder or a summary.json: a run of `grapevine run`, a bench, or a
// trade-off bench, each parsed with its own contract so that a wrong file is named with its field.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { BenchSummary } from "../../specs/bench/summary.js";
import { TradeoffSummary } from "../../specs/bench/tradeoff.js";
import { Summary } from "../../specs/report/summary.js";
import { parseWith } from "../../specs/parse.js";
import { type Flattened, flattenBench, flattenRun, flattenTradeoff } from "./measures.js";
import { CompareError } from "./compare.js";

/** The summary.json a path names: the file itself, or the one in a run folder. */
export function summaryFile(given: string): string {
  if (!existsSync(given)) throw new CompareError(`${given}: no such file or folder`);
  if (!statSync(given).isDirectory()) return given;
  const file = path.join(given, "summary.json");
  if (existsSync(file)) return file;
  const within = existsSync(path.join(given, "matrix.json")) ? " (a run of several implementations: name one implementation's folder inside it)" : "";
  throw new CompareError(`${given}: no summary.json in this folder${within}`);
}

/** The summary at `given`, flattened for comparison. */
export function loadFlattened(given: string): Flattened {
  const file = summaryFile(given);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CompareError(`${file}: not JSON: ${(error as Error).message}`);
  }
  const fail = (message: string) => new CompareError(message);
  const tool = (json as { tool?: unknown } | null)?.tool;
  if (tool === "grapevine bench") return flattenBench(parseWith(BenchSummary, json, file, fail));
  if (tool === "grapevine bench tradeoff") return flattenTradeoff(parseWith(TradeoffSummary, json, file, fail));
  if (typeof tool === "string")
    throw new CompareError(`${file}: a summary of "${tool}", which compare does not read (it reads runs, benches and bench tradeoff)`);
  return flattenRun(parseWith(Summary, json, file, fail));
}
