// Runs a list of scenarios on the simulator, one after another, into one run folder and one history.
import path from "node:path";
import type { Summary } from "../../specs/report/summary.js";
import type { MutantName } from "../../reference-node/core/mutants.js";
import { HistoryWriter } from "../history/writer.js";
import { suiteVerdict } from "../checks/judge.js";
import type { Progress } from "../run/progress.js";
import type { LoadedScenario } from "../scenario/load.js";
import { runSimScenario } from "./sim-scenario.js";

export interface SimSuiteOptions {
  suite: string;
  runDir: string;
  mutant?: MutantName | undefined;
  seed?: number | undefined;
  progress: Progress;
  signal: AbortSignal;
}

export async function runSimSuite(scenarios: LoadedScenario[], options: SimSuiteOptions): Promise<{ summary: Summary; history: HistoryWriter }> {
  const startedAt = Date.now();
  const history = new HistoryWriter(path.join(options.runDir, "history.ndjson"), { buffered: true });
  const results: Summary["scenarios"] = [];
  for (const [index, { file, scenario }] of scenarios.entries()) {
    if (options.signal.aborted) break;
    options.progress.scenario(index, scenarios.length, `${scenario.name} (${scenario.nodes} nodes, simulated)`);
    const result = await runSimScenario(file, scenario, {
      history,
      progress: options.progress,
      signal: options.signal,
      mutant: options.mutant,
      seed: options.seed,
    });
    history.flush();
    results.push(result);
    options.progress.scenarioDone(result.name, result.verdict, result.durationMs);
  }
  const summary: Summary = {
    suite: options.suite,
    startedAt,
    finishedAt: Date.now(),
    verdict: suiteVerdict(results, options.signal.aborted),
    ...(options.mutant ? { mutant: options.mutant } : {}),
    implementation: options.mutant ? `reference:${options.mutant}` : "reference",
    toxiproxy: "none (simulated network)",
    runtime: "sim",
    scenarios: results,
  };
  return { summary, history };
}

/** The one command that replays a scenario of a simulated run: same file, nodes, seed and mutant. */
export function replayCommand(file: string, nodes: number, seed: number, mutant: string | undefined, detector?: "swim" | "phi"): string {
  const quoted = /^[\w./@:-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`;
  return `npx grapevine run --runtime sim --nodes ${nodes} --seed ${seed}${detector === "phi" ? " --detector phi" : ""}${mutant ? ` --mutant ${mutant}` : ""} ${quoted}`;
}
