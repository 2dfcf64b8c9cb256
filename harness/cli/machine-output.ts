// The machine-readable outputs every judging command offers alike: --json FILE and --junit FILE
// write the command's results to files (besides the run folder), whatever --reporter prints.
import { writeFileSync } from "node:fs";
import { UsageError } from "./usage-error.js";

export const MACHINE_OUTPUT_OPTIONS = {
  json: { type: "string", describe: "also write the results as JSON to this file" },
  junit: { type: "string", describe: "also write the results as JUnit XML to this file (fixtures/junit/junit.xsd)" },
} as const;

export interface MachineOutputArgs {
  json?: string | undefined;
  junit?: string | undefined;
}

/** Writes what was asked for; a file that cannot be written is bad input, named. */
export function writeMachineOutputs(args: MachineOutputArgs, render: { json: () => string; junit?: () => string }): void {
  const write = (file: string, text: string, flag: string) => {
    try {
      writeFileSync(file, text.endsWith("\n") ? text : `${text}\n`);
    } catch (error) {
      throw new UsageError(`${flag} ${file}: ${(error as Error).message}`);
    }
  };
  if (args.json) write(args.json, render.json(), "--json");
  if (args.junit) {
    if (!render.junit) throw new UsageError("--junit: this command's results have no verdicts to write as JUnit");
    write(args.junit, render.junit(), "--junit");
  }
}
