// Runs a list of scenarios one after another against one Toxiproxy, into one run folder and one history.
import path from "node:path";
import type { TestedImplementation } from "../../specs/history/history.js";
import type { Summary } from "../../specs/report/summary.js";
import { adoptToxiproxy, obtainToxiproxy, type ToxiproxySource } from "../faults/toxiproxy-source.js";
import { requirePacketFaults } from "../faults/packet/host-tools.js";
import type { AdapterManifest } from "../../specs/adapter/manifest.js";
import { AdapterRuntime } from "../runtime/adapter-runtime.js";
import { HistoryWriter } from "../history/writer.js";
import { suiteVerdict } from "../checks/judge.js";
import { DockerRuntime, type DockerNetworkMode } from "../runtime/docker/docker-runtime.js";
import { type NodeRuntime, processRuntime } from "../runtime/node-runtime.js";
import type { LoadedScenario } from "../scenario/load.js";
import type { Progress } from "./progress.js";
import { runScenario } from "./scenario-runner.js";

export interface SuiteOptions {
  suite: string;
  runDir: string;
  toxiproxyUrl?: string | undefined;
  /** What carries network faults: Toxiproxy proxies (default) or the packet engine (root, nft). */
  faults?: "proxy" | "packet";
  /** How nodes run: child processes (default) or Docker containers. */
  runtime?: "process" | "docker";
  dockerNetwork?: DockerNetworkMode;
  mutant?: string | undefined;
  /** Another implementation to test, from its adapter manifest, instead of the reference node. */
  adapter?: { file: string; manifest: AdapterManifest } | undefined;
  seed?: number | undefined;
  progress: Progress;
  signal: AbortSignal;
}

export async function runSuite(scenarios: LoadedScenario[], options: SuiteOptions): Promise<{ summary: Summary; history: HistoryWriter }> {
  const startedAt = Date.now();
  const adapter = options.adapter ? new AdapterRuntime(options.adapter.manifest, options.adapter.file, path.join(options.runDir, "logs")) : undefined;
  if (adapter) await adapter.build((line) => process.stderr.write(`grapevine: ${line}\n`));
  const implementation: TestedImplementation | undefined = adapter
    ? {
        name: adapter.manifest.name,
        shows: { kv: adapter.manifest.visible.kv, suspect: adapter.manifest.visible.suspect, incarnation: adapter.manifest.visible.incarnation },
      }
    : undefined;
  const runtime: NodeRuntime = adapter
    ? adapter
    : options.runtime === "docker"
      ? await DockerRuntime.create({ network: dockerNetwork(options), logDir: path.join(options.runDir, "logs"), mounts: [] }, (line) =>
          process.stderr.write(`grapevine: ${line}\n`),
        )
      : processRuntime;
  let toxiproxy: ToxiproxySource | undefined;
  try {
    if (options.faults === "packet") await requirePacketFaults();
    // A Toxiproxy the user named wins; else one beside the nodes where the runtime can start it; else here.
    else
      toxiproxy = options.toxiproxyUrl
        ? await obtainToxiproxy({ url: options.toxiproxyUrl })
        : runtime.proxyServer
          ? await adoptToxiproxy(await runtime.proxyServer())
          : await obtainToxiproxy();
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const faults = toxiproxy ? ({ kind: "proxy", toxiproxy } as const) : ({ kind: "packet" } as const);
  const history = new HistoryWriter(path.join(options.runDir, "history.ndjson"));
  const results: Summary["scenarios"] = [];
  try {
    for (const [index, { file, scenario }] of scenarios.entries()) {
      if (options.signal.aborted) break;
      options.progress.scenario(index, scenarios.length, scenario.name);
      const result = await runScenario(file, scenario, {
        runDir: options.runDir,
        faults,
        runtime,
        history,
        progress: options.progress,
        signal: options.signal,
        mutant: options.mutant,
        seed: options.seed,
        implementation,
      });
      results.push(result);
      options.progress.scenarioDone(result.name, result.verdict, result.durationMs);
    }
  } finally {
    await toxiproxy?.close();
    await runtime.close();
  }
  const summary: Summary = {
    suite: options.suite,
    startedAt,
    finishedAt: Date.now(),
    verdict: suiteVerdict(results, options.signal.aborted),
    ...(options.mutant ? { mutant: options.mutant } : {}),
    implementation: implementation?.name ?? (options.mutant ? `reference:${options.mutant}` : "reference"),
    toxiproxy: toxiproxy ? toxiproxy.kind : "none (packet engine)",
    faults: faults.kind,
    runtime: runtime.kind,
    scenarios: results,
  };
  return { summary, history };
}

/**
 * Under the packet engine each container joins a namespace the engine wires to its own router, so
 * the run needs no Docker network ("host" makes none); otherwise the one asked for, bridge by default.
 */
function dockerNetwork(options: SuiteOptions): DockerNetworkMode {
  return options.faults === "packet" ? "host" : (options.dockerNetwork ?? "bridge");
}
