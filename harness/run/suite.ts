// Runs a list of scenarios one after another against one Toxiproxy, into one run folder and one history.
import path from "node:path";
import type { Summary } from "../../specs/report/summary.js";
import { adoptToxiproxy, obtainToxiproxy, type ToxiproxySource } from "../faults/toxiproxy-source.js";
import { HistoryWriter } from "../history/writer.js";
import { DockerRuntime, type DockerNetworkMode } from "../runtime/docker/docker-runtime.js";
import { type NodeRuntime, processRuntime } from "../runtime/node-runtime.js";
import type { LoadedScenario } from "../scenario/load.js";
import type { Progress } from "./progress.js";
import { runScenario } from "./scenario-runner.js";

export interface SuiteOptions {
  suite: string;
  runDir: string;
  toxiproxyUrl?: string | undefined;
  /** How nodes run: child processes (default) or Docker containers. */
  runtime?: "process" | "docker";
  dockerNetwork?: DockerNetworkMode;
  mutant?: string | undefined;
  seed?: number | undefined;
  progress: Progress;
  signal: AbortSignal;
}

export async function runSuite(scenarios: LoadedScenario[], options: SuiteOptions): Promise<{ summary: Summary; history: HistoryWriter }> {
  const startedAt = Date.now();
  const runtime: NodeRuntime =
    options.runtime === "docker"
      ? await DockerRuntime.create({ network: options.dockerNetwork ?? "bridge", logDir: path.join(options.runDir, "logs"), mounts: [] }, (line) =>
          process.stderr.write(`grapevine: ${line}\n`),
        )
      : processRuntime;
  let toxiproxy: ToxiproxySource;
  try {
    // A Toxiproxy the user named wins; else one beside the nodes where the runtime can start it; else here.
    toxiproxy = options.toxiproxyUrl
      ? await obtainToxiproxy({ url: options.toxiproxyUrl })
      : runtime.proxyServer
        ? await adoptToxiproxy(await runtime.proxyServer())
        : await obtainToxiproxy();
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const history = new HistoryWriter(path.join(options.runDir, "history.ndjson"));
  const results: Summary["scenarios"] = [];
  try {
    for (const [index, { file, scenario }] of scenarios.entries()) {
      if (options.signal.aborted) break;
      options.progress.scenario(index, scenarios.length, scenario.name);
      const result = await runScenario(file, scenario, {
        runDir: options.runDir,
        toxiproxy,
        runtime,
        history,
        progress: options.progress,
        signal: options.signal,
        mutant: options.mutant,
        seed: options.seed,
      });
      results.push(result);
      options.progress.scenarioDone(result.name, result.verdict, result.durationMs);
    }
  } finally {
    await toxiproxy.close();
    await runtime.close();
  }
  const summary: Summary = {
    suite: options.suite,
    startedAt,
    finishedAt: Date.now(),
    verdict: results.length > 0 && results.every((r) => r.verdict === "pass") && !options.signal.aborted ? "pass" : "fail",
    ...(options.mutant ? { mutant: options.mutant } : {}),
    toxiproxy: toxiproxy.kind,
    runtime: runtime.kind,
    scenarios: results,
  };
  return { summary, history };
}
