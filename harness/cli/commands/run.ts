// `grapevine run`: runs chaos scenarios against a reference cluster and writes the run's reports.
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { CommandModule } from "yargs";
import { MUTANTS, type MutantName } from "../../../reference-node/core/mutants.js";
import { packageRoot } from "../../paths.js";
import { runDirFor } from "../../report/run-dir.js";
import { REPORTERS, type ReporterName } from "../../report/reporters.js";
import type { DockerNetworkMode } from "../../runtime/docker/docker-runtime.js";
import { EXIT_CHECK_FAILED, EXIT_OK, UsageError } from "../usage-error.js";

interface RunArgs {
  paths: string[];
  nodes?: number;
  seed?: number;
  runtime: "process" | "docker";
  "docker-network": DockerNetworkMode;
  toxiproxy?: string;
  "report-dir": string;
  reporter: ReporterName;
  mutant?: MutantName;
}

/** An absolute http(s) URL, as a Toxiproxy server's API is reached. */
function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: "run [paths..]",
  describe: "Run chaos scenarios (files or folders; default: the built-in suite) and write reports",
  builder: (y) =>
    y
      .positional("paths", { type: "string", array: true, default: [] as string[], describe: "scenario files (.yaml, .ts) or folders of them" })
      .option("nodes", { type: "number", describe: "run every scenario with this many nodes" })
      .option("seed", { type: "number", describe: "seed for every node's random source (default: each scenario's, or random; recorded)" })
      .option("runtime", {
        choices: ["process", "docker"] as const,
        default: "process" as const,
        describe: "how nodes run: child processes, or Docker containers (needs a running engine and `grapevine image build`)",
      })
      .option("docker-network", {
        choices: ["bridge", "host"] as const,
        default: "bridge" as DockerNetworkMode,
        describe: "docker: a network made for the run (bridge), or the host's, all traffic on 127.0.0.1 (host)",
      })
      .option("toxiproxy", { type: "string", describe: "URL of a Toxiproxy server to use (default: toxiproxy-server on PATH, else the embedded one)" })
      .option("report-dir", { type: "string", default: "reports", describe: "where the run folder is created" })
      .option("reporter", { choices: REPORTERS, default: "default" as ReporterName, describe: "what to print on stdout at the end" })
      .option("mutant", { choices: Object.keys(MUTANTS) as MutantName[], describe: "run the reference node with deliberately broken behaviour" }),
  handler: async (args) => {
    if (args.nodes !== undefined && !(Number.isInteger(args.nodes) && args.nodes >= 1 && args.nodes <= 64))
      throw new UsageError("--nodes: must be a whole number from 1 to 64");
    if (args.seed !== undefined && !Number.isInteger(args.seed)) throw new UsageError("--seed: must be a whole number");
    if (args.toxiproxy !== undefined && !isHttpUrl(args.toxiproxy)) throw new UsageError(`--toxiproxy: "${args.toxiproxy}" is not an http:// or https:// URL`);
    // Loaded once the flags are checked, so that bad input is refused at once and --help stays fast.
    const [
      { loadScenarios, ScenarioFileError },
      { runSuite },
      { lineProgress },
      { writeReports },
      { renderTerminal },
      { DockerRuntimeError },
      { ProxyApiError },
    ] = await Promise.all([
      import("../../scenario/load.js"),
      import("../../run/suite.js"),
      import("../../run/progress.js"),
      import("../../report/write.js"),
      import("../../report/terminal.js"),
      import("../../runtime/docker/engine.js"),
      import("../../faults/proxy-api.js"),
    ]);
    const paths = args.paths.length > 0 ? args.paths : [path.join(packageRoot(), "specs", "scenarios")];
    let scenarios;
    try {
      scenarios = await loadScenarios(paths, { nodes: args.nodes });
    } catch (error) {
      if (error instanceof ScenarioFileError) throw new UsageError(error.message);
      throw error;
    }
    const { suite, runDir } = runDirFor(args["report-dir"], args.paths.length > 0 ? args.paths : ["scenarios"]);
    mkdirSync(runDir, { recursive: true });
    const controller = new AbortController();
    let interrupts = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      interrupts++;
      process.stderr.write(`\n${signal}: stopping — undoing faults, stopping nodes, removing proxies${interrupts > 1 ? " (again: exiting now)" : ""}\n`);
      if (interrupts > 1) process.exit(130);
      controller.abort();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    process.stderr.write(`grapevine: ${scenarios.length} scenario(s) into ${runDir}\n`);
    const { summary, history } = await runSuite(scenarios, {
      suite,
      runDir,
      toxiproxyUrl: args.toxiproxy,
      runtime: args.runtime,
      dockerNetwork: args["docker-network"],
      mutant: args.mutant,
      seed: args.seed,
      progress: lineProgress(),
      signal: controller.signal,
    }).catch((error: unknown) => {
      // No engine, or no Toxiproxy at the given URL: nothing ran, so no run folder is left behind.
      if (error instanceof DockerRuntimeError || error instanceof ProxyApiError) {
        rmSync(runDir, { recursive: true, force: true });
        throw new UsageError(error.message);
      }
      throw error;
    });
    const files = await writeReports(runDir, summary, history.records);
    process.stdout.write(renderTerminal(args.reporter, summary, files.html));
    if (controller.signal.aborted) process.exit(130);
    process.exitCode = summary.verdict === "pass" ? EXIT_OK : EXIT_CHECK_FAILED;
  },
};
