// `grapevine run`: runs chaos scenarios against a reference cluster and writes the run's reports.
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { CommandModule } from "yargs";
import { MUTANTS, type MutantName } from "../../../reference-node/core/mutants.js";
import { packageRoot } from "../../paths.js";
import { pointLatestAt, runDirFor } from "../../report/run-dir.js";
import { compareAndPrint, THRESHOLD_OPTIONS, thresholdsFrom } from "./compare.js";
import { MACHINE_OUTPUT_OPTIONS, writeMachineOutputs } from "../machine-output.js";
import { renderJunit } from "../../report/junit.js";
import { REPORTERS, type ReporterName, stdoutIsText } from "../../report/reporters.js";
import type { DockerNetworkMode } from "../../runtime/docker/docker-runtime.js";
import type { Summary } from "../../../specs/report/summary.js";
import { MAX_PROCESS_NODES, MAX_SIM_NODES } from "../../../specs/scenario/scenario.js";
import { faultsFor, parseSut } from "../sut-spec.js";
import { EXIT_CHECK_FAILED, EXIT_OK, UsageError } from "../usage-error.js";
import { listValues } from "../values.js";
import { simTooLarge } from "../../sim/footprint.js";

interface RunArgs {
  paths: string[];
  nodes?: number;
  seed?: number;
  runtime: "process" | "docker" | "sim";
  "docker-network": DockerNetworkMode;
  toxiproxy?: string;
  "report-dir": string;
  reporter: ReporterName;
  mutant?: MutantName;
  detector?: "swim" | "phi";
  faults?: "proxy" | "packet";
  sut: string[];
  baseline?: string;
  json?: string;
  junit?: string;
  "max-slower-pct": number;
  "min-slower-ms": string;
  "max-false-dead": number;
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

/** The most nodes a run may ask for: a 2-core machine runs a few dozen processes; the simulator, thousands of cores. */
const MAX_NODES = { process: MAX_PROCESS_NODES, sim: MAX_SIM_NODES } as const;

export const runCommand: CommandModule<object, RunArgs> = {
  command: "run [paths..]",
  describe: "Run chaos scenarios (files or folders; default: the built-in suite) and write reports",
  builder: (y) =>
    y
      .positional("paths", { type: "string", array: true, default: [] as string[], describe: "scenario files (.yaml, .ts) or folders of them" })
      .example("$0 run", "the default suite on five reference nodes behind the embedded Toxiproxy")
      .example("$0 run specs/scenarios/02-crash-detection.yaml --seed 7", "one scenario, its randomness fixed")
      .example("$0 run --runtime sim --nodes 1000", "the suite on 1,000 simulated nodes")
      .example("sudo $0 run --sut fixtures/adapters/serf.json", "Serf through its adapter manifest (packet faults: root)")
      .example("$0 run --mutant no-refute --baseline reports/<last-good-run>", "what a broken node regresses")
      .example("$0 run --reporter github --junit junit.xml", "in GitHub Actions: each failure annotated on its scenario line, JUnit beside it")
      .option("nodes", {
        type: "number",
        describe: `run every scenario with this many nodes (1–${MAX_NODES.process}; with --runtime sim up to ${MAX_NODES.sim})`,
      })
      .option("seed", { type: "number", describe: "seed for every node's random source (default: each scenario's, or random; recorded)" })
      .option("runtime", {
        choices: ["process", "docker", "sim"] as const,
        default: "process" as const,
        describe:
          "how nodes run: child processes, Docker containers (needs a running engine and `grapevine image build`), or sim: reference cores in this process on a virtual clock, over a simulated network (thousands of nodes, replayable by seed)",
      })
      .option("docker-network", {
        choices: ["bridge", "host"] as const,
        default: "bridge" as DockerNetworkMode,
        describe:
          "docker with proxy faults: a network made for the run (bridge), or the host's, all traffic on 127.0.0.1 (host); with --faults packet each container is on the packet engine's network instead",
      })
      .option("toxiproxy", { type: "string", describe: "URL of a Toxiproxy server to use (default: toxiproxy-server on PATH, else the embedded one)" })
      .option("report-dir", { type: "string", default: "reports", describe: "where the run folder is created" })
      .option("reporter", { choices: REPORTERS, default: "default" as ReporterName, describe: "what to print on stdout at the end" })
      .option("detector", {
        choices: ["swim", "phi"] as const,
        describe:
          "the reference node's failure detector: swim (the default) or phi, heartbeat gossip judged by the φ accrual detector (heartbeats at the scenario's probe interval; bounds then come from the φ settings)",
      })
      .option("mutant", { choices: Object.keys(MUTANTS) as MutantName[], describe: "run the reference node with deliberately broken behaviour" })
      .option("sut", {
        type: "string",
        array: true,
        // One value per --sut, so that scenario paths after it stay paths.
        nargs: 1,
        default: [] as string[],
        coerce: listValues,
        describe:
          "what to test: reference, reference:MUTANT, or an adapter manifest such as fixtures/adapters/serf.json (a list, repeated or comma-separated: a matrix of scenarios × implementations)",
      })
      .option("baseline", {
        type: "string",
        describe: "an earlier run folder (or its summary.json) to compare this run with at the end, as grapevine compare does: exit 1 on a regression",
      })
      .options(THRESHOLD_OPTIONS)
      .options(MACHINE_OUTPUT_OPTIONS)
      .option("faults", {
        choices: ["proxy", "packet"] as const,
        describe:
          "what carries network faults: Toxiproxy proxies on loopback (TCP, the reference node's dial map; the reference node's default), or packet: each node in its own network namespace, UDP and TCP faulted on the packets (needs root and nft; the default for manifests that say faults.network: packet)",
      }),
  handler: async (args) => {
    const maxNodes = args.runtime === "sim" ? MAX_NODES.sim : MAX_NODES.process;
    if (args.nodes !== undefined && !(Number.isInteger(args.nodes) && args.nodes >= 1 && args.nodes <= maxNodes))
      throw new UsageError(`--nodes: must be a whole number from 1 to ${maxNodes}${args.runtime === "sim" ? "" : ` (more with --runtime sim)`}`);
    if (args.runtime === "sim") {
      if (args.sut.some((s) => !/^reference(:|$)/.test(s)))
        throw new UsageError("--runtime sim: simulates the reference node's core only; an adapter's implementation runs as processes");
      if (args.faults !== undefined)
        throw new UsageError("--faults: the simulator carries every fault on its own network; leave --faults out with --runtime sim");
      if (args.toxiproxy !== undefined) throw new UsageError("--toxiproxy: the simulator uses no proxy; leave it out with --runtime sim");
      if (args.sut.length > 1) throw new UsageError("--runtime sim: one implementation at a time (the reference node, or one mutant of it)");
      const tooLarge = args.nodes === undefined ? undefined : simTooLarge(args.nodes);
      if (tooLarge) throw new UsageError(`--nodes: ${tooLarge}`);
    }
    if (args.seed !== undefined && !Number.isInteger(args.seed)) throw new UsageError("--seed: must be a whole number");
    if (args.toxiproxy !== undefined && !isHttpUrl(args.toxiproxy)) throw new UsageError(`--toxiproxy: "${args.toxiproxy}" is not an http:// or https:// URL`);
    // Loaded once the flags are checked, so that bad input is refused at once and --help stays fast.
    const [
      { loadScenarios, ScenarioFileError },
      { runSuite },
      { lineProgress },
      { writeReports },
      { printReport },
      { DockerRuntimeError },
      { ProxyApiError },
      { PacketFaultsUnavailable },
      { ManifestError },
      { writeMatrix },
      { runSimSuite, replayCommand },
    ] = await Promise.all([
      import("../../scenario/load.js"),
      import("../../run/suite.js"),
      import("../../run/progress.js"),
      import("../../report/write.js"),
      import("../../report/terminal.js"),
      import("../../runtime/docker/engine.js"),
      import("../../faults/proxy-api.js"),
      import("../../faults/packet/host-tools.js"),
      import("../../adapters/manifest.js"),
      import("../../report/matrix.js"),
      import("../../sim/sim-suite.js"),
    ]);
    if (args.mutant && args.sut.length > 0) throw new UsageError("--mutant: give it as --sut reference:MUTANT when --sut is used");
    const suts = (args.sut.length > 0 ? args.sut : [args.mutant ? `reference:${args.mutant}` : "reference"]).map(parseSut);
    const adapter = suts.find((s) => s.kind === "adapter");
    if (args.detector !== undefined && adapter)
      throw new UsageError(`--detector: sets the reference node's detector; ${adapter.label} (${adapter.kind === "adapter" ? adapter.file : ""}) runs its own`);
    const labels = suts.map((s) => s.label);
    if (new Set(labels).size !== labels.length) throw new UsageError(`--sut: each implementation once (got ${labels.join(", ")})`);
    const paths = args.paths.length > 0 ? args.paths : [path.join(packageRoot(), "specs", "scenarios")];
    // Loaded for each implementation: bounds written as timing expressions take its declared timing.
    const plans = [];
    for (const sut of suts) {
      try {
        const timing = sut.kind === "adapter" ? sut.manifest.timing : undefined;
        plans.push({ sut, faults: faultsFor(sut, args.faults), scenarios: await loadScenarios(paths, { nodes: args.nodes, timing, detector: args.detector }) });
      } catch (error) {
        if (error instanceof ScenarioFileError) throw new UsageError(error.message);
        throw error;
      }
    }
    for (const plan of plans) {
      if (plan.sut.kind === "adapter" && args.runtime === "docker")
        throw new UsageError(`--runtime docker: runs the reference node's image only; ${plan.sut.label} runs as child processes`);
    }
    if ((args.json || args.junit) && plans.length > 1)
      throw new UsageError("--json, --junit: write one implementation's results; with several --sut, matrix.json in the run folder has them all");
    const thresholds = args.baseline === undefined ? undefined : thresholdsFrom(args);
    if (args.baseline !== undefined) {
      if (plans.length > 1) throw new UsageError("--baseline: compares a run of one implementation; give one --sut");
      const { summaryFile } = await import("../../regression/load.js");
      try {
        summaryFile(args.baseline);
      } catch (error) {
        throw new UsageError(`--baseline ${(error as Error).message}`);
      }
    }
    const { suite, runDir } = runDirFor(args["report-dir"], args.paths.length > 0 ? args.paths : ["scenarios"]);
    mkdirSync(runDir, { recursive: true });
    const controller = new AbortController();
    let interrupts = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      interrupts++;
      process.stderr.write(
        `\n${signal}: stopping — undoing faults, stopping nodes, removing proxies and namespaces${interrupts > 1 ? " (again: exiting now)" : ""}\n`,
      );
      if (interrupts > 1) process.exit(130);
      controller.abort();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    const cells: { label: string; summary: Summary; html: string }[] = [];
    for (const { sut, faults, scenarios } of plans) {
      if (controller.signal.aborted) break;
      // One implementation: the run folder as before; several: a folder each, and a matrix above them.
      const dir = plans.length === 1 ? runDir : path.join(runDir, sut.label.replace(/[^a-zA-Z0-9.-]/g, "_"));
      mkdirSync(dir, { recursive: true });
      const mutant = sut.kind === "reference" ? sut.mutant : undefined;
      if (args.runtime === "sim") {
        process.stderr.write(`grapevine: ${scenarios.length} scenario(s) on ${sut.label}, simulated, into ${dir}\n`);
        const { summary, history } = await runSimSuite(scenarios, {
          suite,
          runDir: dir,
          mutant: mutant as MutantName | undefined,
          seed: args.seed,
          progress: lineProgress(),
          signal: controller.signal,
        });
        const files = await writeReports(dir, summary, history.records);
        printReport(args.reporter, summary, files.html);
        // Every failure replays from its seed: one command per failed scenario. On stderr when stdout
        // carries TAP, JSON or JUnit, which a line after the document would break.
        const notes = stdoutIsText(args.reporter) ? process.stdout : process.stderr;
        for (const result of summary.scenarios.filter((r) => r.verdict === "fail")) {
          const loaded = scenarios.find((s) => s.scenario.name === result.name);
          if (loaded && result.seed !== undefined)
            notes.write(
              `replay ${result.name} (seed ${result.seed}): ${replayCommand(path.relative(process.cwd(), loaded.file) || loaded.file, loaded.scenario.nodes, result.seed, mutant, args.detector)}\n`,
            );
        }
        cells.push({ label: sut.label, summary, html: path.relative(runDir, files.html) });
        continue;
      }
      process.stderr.write(`grapevine: ${scenarios.length} scenario(s) on ${sut.label} (${faults} faults) into ${dir}\n`);
      const { summary, history } = await runSuite(scenarios, {
        suite,
        runDir: dir,
        toxiproxyUrl: args.toxiproxy,
        faults,
        runtime: args.runtime === "docker" ? "docker" : "process",
        dockerNetwork: args["docker-network"],
        mutant,
        adapter: sut.kind === "adapter" ? { file: sut.file, manifest: sut.manifest } : undefined,
        seed: args.seed,
        progress: lineProgress(),
        signal: controller.signal,
      }).catch((error: unknown) => {
        // No engine, no Toxiproxy at the given URL, no root for namespaces, a manifest that does not
        // build: nothing ran, so no run folder is left behind.
        if (
          error instanceof DockerRuntimeError ||
          error instanceof ProxyApiError ||
          error instanceof PacketFaultsUnavailable ||
          error instanceof ManifestError
        ) {
          if (cells.length === 0) rmSync(runDir, { recursive: true, force: true });
          throw new UsageError(`${sut.label}: ${error.message}`);
        }
        throw error;
      });
      const files = await writeReports(dir, summary, history.records);
      printReport(args.reporter, summary, files.html);
      cells.push({ label: sut.label, summary, html: path.relative(runDir, files.html) });
    }
    if (plans.length > 1) {
      const matrix = writeMatrix(runDir, cells);
      process.stdout.write(`matrix: ${matrix}\n`);
    }
    if (cells.length > 0) pointLatestAt(runDir);
    const only = cells.length === 1 ? cells[0]!.summary : undefined;
    if (only) writeMachineOutputs(args, { json: () => JSON.stringify(only, null, 2), junit: () => renderJunit(only) });
    if (controller.signal.aborted) process.exit(130);
    const passed = cells.length > 0 && cells.every((c) => c.summary.verdict === "pass");
    // The comparison goes where the terminal reporter writes, or to stderr when stdout carries TAP, JSON or JUnit.
    const regressions =
      args.baseline && cells.length > 0
        ? await compareAndPrint(args.baseline, runDir, thresholds!, undefined, stdoutIsText(args.reporter) ? process.stdout : process.stderr)
        : 0;
    process.exitCode = passed && regressions === 0 ? EXIT_OK : EXIT_CHECK_FAILED;
  },
};
