// `grapevine check RUN_DIR`: judges a saved history again, offline, with the checks its scenarios named.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { CommandModule } from "yargs";
import type { RecordOf } from "../../../specs/history/history.js";
import { Summary, type CheckResult } from "../../../specs/report/summary.js";
import { Check, type CheckSpec } from "../../../specs/scenario/scenario.js";
import { CheckContext } from "../../checks/index.js";
import { HistoryFileError, readHistory } from "../../history/read.js";
import { datagramsUntouched, judge, notRun } from "../../checks/judge.js";
import { stepOrigin } from "../../history/step-record.js";
import { REPORTERS, type ReporterName } from "../../report/reporters.js";
import { EXIT_CHECK_FAILED, EXIT_OK, UsageError } from "../usage-error.js";
import { MACHINE_OUTPUT_OPTIONS, type MachineOutputArgs, writeMachineOutputs } from "../machine-output.js";

interface CheckArgs extends MachineOutputArgs {
  runDir: string;
  reporter: ReporterName;
}

export function recheck(runDir: string): { summary: Summary; mismatches: string[] } {
  const file = path.join(runDir, "history.ndjson");
  if (!existsSync(file)) throw new UsageError(`${runDir}: no history.ndjson here (is it a run folder?)`);
  let records;
  try {
    records = readHistory(file);
  } catch (error) {
    if (error instanceof HistoryFileError) throw new UsageError(error.message);
    throw error;
  }
  const starts = records.filter((r): r is RecordOf<"scenario-start"> => r.type === "scenario-start");
  if (starts.length === 0) throw new UsageError(`${file}: no scenario-start record`);
  const scenarios = starts.map((start) => {
    const own = records.filter((r) => r.scenario === start.scenario);
    const specs: CheckSpec[] = start.checks.map((raw, i) => {
      const parsed = Check.safeParse(raw);
      if (!parsed.success) throw new UsageError(`${file}: scenario ${start.scenario}: checks.${i}: ${parsed.error.issues[0]!.message}`);
      return parsed.data;
    });
    const stepResults: CheckResult[] = own
      .filter((r): r is RecordOf<"step"> => r.type === "step" && r.phase === "end" && r.outcome !== undefined)
      .map((r) => {
        const began = own.find((s): s is RecordOf<"step"> => s.type === "step" && s.phase === "start" && s.index === r.index);
        return {
          name: r.outcome!.name,
          verdict: r.outcome!.verdict,
          summary: r.outcome!.summary,
          evidence: [],
          metrics: {},
          ...(began ? { durationMs: r.t - began.t } : {}),
          origin: stepOrigin(r.index),
        };
      });
    const end = own.find((r): r is RecordOf<"scenario-end"> => r.type === "scenario-end");
    const meta = { name: start.scenario, file: start.file, description: start.description, startedAt: start.t, durationMs: (end?.t ?? start.t) - start.t };
    // A scenario that did not run, or whose datagram steps had nothing to act on, is SKIP as the run said.
    const judged = end?.skipped ? notRun(meta, end.skipped) : judge({ ...meta, aborted: end?.aborted }, stepResults, specs, new CheckContext(own));
    const result = end?.datagramsUntouched ? datagramsUntouched(judged, end.datagramsUntouched) : judged;
    return start.seed === undefined ? result : { ...result, seed: start.seed };
  });
  const summary: Summary = {
    suite: path.basename(runDir),
    startedAt: starts[0]!.t,
    finishedAt: Math.max(...records.map((r) => r.t)),
    verdict: scenarios.every((s) => s.verdict === "pass") ? "pass" : "fail",
    toxiproxy: starts[0]!.toxiproxy,
    ...(starts[0]!.mutant ? { mutant: starts[0]!.mutant } : {}),
    scenarios,
  };
  // Compare with what the run itself concluded, check by check.
  const mismatches: string[] = [];
  const saved = path.join(runDir, "summary.json");
  if (existsSync(saved)) {
    const original = Summary.parse(JSON.parse(readFileSync(saved, "utf8")));
    for (const s of scenarios) {
      const before = original.scenarios.find((o) => o.name === s.name);
      for (const c of s.checks) {
        const was = before?.checks.find((o) => o.name === c.name)?.verdict;
        if (was !== c.verdict) mismatches.push(`${s.name} / ${c.name}: run said ${was ?? "nothing"}, check says ${c.verdict}`);
      }
    }
  }
  return { summary, mismatches };
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: "check <runDir>",
  describe: "Re-run the checks on a saved run folder's history.ndjson (no nodes are contacted)",
  builder: (y) =>
    y
      .positional("runDir", { type: "string", demandOption: true, describe: "a run folder (reports/<timestamp>-<suite>)" })
      .example("$0 check reports/<run>", "the same verdicts again from history.ndjson, offline")
      .option("reporter", { choices: REPORTERS, default: "default" as ReporterName, describe: "what to print on stdout at the end" })
      .options(MACHINE_OUTPUT_OPTIONS),
  handler: async (args) => {
    const { printReport } = await import("../../report/terminal.js");
    const { summary, mismatches } = recheck(args.runDir);
    printReport(args.reporter, summary, path.join(args.runDir, "index.html"));
    const { renderJunit } = await import("../../report/junit.js");
    writeMachineOutputs(args, { json: () => JSON.stringify(summary, null, 2), junit: () => renderJunit(summary) });
    if (mismatches.length) process.stderr.write(`verdicts differ from summary.json:\n${mismatches.map((m) => `  ${m}`).join("\n")}\n`);
    else if (existsSync(path.join(args.runDir, "summary.json"))) process.stderr.write("every verdict matches summary.json\n");
    process.exitCode = summary.verdict === "pass" && mismatches.length === 0 ? EXIT_OK : EXIT_CHECK_FAILED;
  },
};
