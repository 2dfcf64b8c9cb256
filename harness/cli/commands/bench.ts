// `grapevine bench detection|pause|loss|partition|convergence|tradeoff`: implementations measured side by side, with a report.
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { CommandModule } from "yargs";
import type { BenchSummary, ImplementationBench } from "../../../specs/bench/summary.js";
import type { Implementation } from "../../adapters/implementation.js";
import type { BenchKind, BenchPlan } from "../../bench/compare/run.js";
import type { TradeoffBench } from "../../bench/tradeoff/plan.js";
import { EXIT_CHECK_FAILED, UsageError } from "../usage-error.js";
import { boundedDurationMs, durationsMs, listValues, wholeNumbers } from "../values.js";
import { pointLatestAt, runDirFor } from "../../report/run-dir.js";
import { MACHINE_OUTPUT_OPTIONS, writeMachineOutputs } from "../machine-output.js";
import { MAX_PROCESS_NODES, MAX_SIM_NODES } from "../../../specs/scenario/scenario.js";
import { simTooLarge } from "../../sim/footprint.js";

interface BenchArgs {
  kind: BenchKind | "tradeoff";
  sut: string[];
  nodes: string | string[];
  trials?: number;
  seed?: number;
  pauses: string | string[];
  rates: string | string[];
  "duration-s": string;
  "partitions-s": string | string[];
  "heal-wait-s": string;
  faults: "proxy" | "packet";
  "report-dir": string;
  runtime?: "process" | "sim";
  "loss-nodes": number;
  "loss-periods": number;
  thresholds: string | string[];
  multipliers: string | string[];
  conditions: string | string[];
  "quiet-minutes"?: string;
  json?: string;
  junit?: string;
  reporter: "default" | "json" | "github" | "junit" | "tap";
}

/**
 * Once a bench's reports are written: points reports/latest at them, and prints as --reporter says:
 * its table and the report's path, or its summary.json (json), or the table again in the job's step
 * summary (github). --json FILE writes a copy of summary.json. A bench has measures, not verdicts: no
 * JUnit, no TAP.
 */
async function printBench(args: BenchArgs, runDir: string, markdown: string, html: string): Promise<void> {
  pointLatestAt(runDir);
  const summary = () => readFileSync(path.join(runDir, "summary.json"), "utf8");
  writeMachineOutputs(args, { json: summary });
  if (args.reporter === "json") {
    process.stdout.write(summary().endsWith("\n") ? summary() : `${summary()}\n`);
    return;
  }
  process.stdout.write(`${markdown}\nreport: ${html}\n`);
  if (args.reporter === "github") {
    const { writeStepSummary } = await import("../../report/github.js");
    writeStepSummary(markdown);
  }
}

/** Never green on nothing: a bench that measured nothing fails, saying so (as an annotation under github). */
async function nothingMeasured(args: BenchArgs, why: string): Promise<void> {
  const message = `nothing was measured${why ? `: ${why}` : ""}`;
  process.stderr.write(`grapevine: ${message}\n`);
  if (args.reporter === "github") {
    const { command } = await import("../../report/github.js");
    process.stdout.write(`${command("error", { title: `grapevine bench ${args.kind}` }, message)}\n`);
  }
  process.exitCode = EXIT_CHECK_FAILED;
}

async function implementationOf(spec: string): Promise<Implementation> {
  const [{ adapterImplementation, referenceImplementation }, { ManifestError }] = await Promise.all([
    import("../../adapters/implementation.js"),
    import("../../adapters/manifest.js"),
  ]);
  if (spec === "reference") return referenceImplementation();
  try {
    return await adapterImplementation(spec);
  } catch (error) {
    if (error instanceof ManifestError) throw new UsageError(`--sut ${error.message}`);
    throw error;
  }
}

/**
 * A bench's run folder, and Ctrl-C handled the bench's way: the first finishes the current trial and
 * writes what was measured; a second exits at once.
 */
function benchRun(reportDir: string, name: string): { runDir: string; interrupted: () => boolean } {
  const { runDir } = runDirFor(reportDir, [name]);
  mkdirSync(runDir, { recursive: true });
  let interrupted = false;
  process.on("SIGINT", () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write("\nSIGINT: finishing the current trial, then writing what was measured (again: exit now)\n");
  });
  return { runDir, interrupted: () => interrupted };
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: "bench <kind>",
  describe: "Benchmark failure detection across implementations (reference, or adapter manifests such as fixtures/adapters/serf.json)",
  builder: (y) =>
    y
      .example("$0 bench detection --sut reference --sut fixtures/adapters/serf.json --nodes 8", "crash detection, side by side")
      .example("$0 bench tradeoff --nodes 12 --seed 1", "SWIM's multiplier against φ's threshold in the simulator")
      .example("$0 bench convergence --runtime sim --nodes 10,100,1000", "a death's spread against epidemic theory")
      .positional("kind", {
        choices: ["detection", "pause", "loss", "partition", "convergence", "tradeoff"] as const,
        demandOption: true,
        describe:
          "detection: crash latency; pause: verdicts on a paused node; loss: false positives and detection under message loss; partition: heal time after partitions of given lengths; convergence: a death's spread vs N; tradeoff: SWIM's suspicion multiplier against φ's threshold, detection latency against false positives, per network condition (simulator, or processes and tunable adapters)",
      })
      .option("sut", {
        type: "string",
        array: true,
        nargs: 1,
        default: ["reference"],
        coerce: listValues,
        describe: "reference, or an adapter manifest file (a list: repeated or comma-separated)",
      })
      .option("nodes", { type: "string", default: "5", describe: "cluster size (convergence: a list, e.g. 4,8,16,32 or --nodes 4 --nodes 8)" })
      .option("trials", { type: "number", describe: "trials per implementation (and per size, pause or partition; default 10, partition 1)" })
      .option("seed", { type: "number", describe: "seed for victims and crash phases (default random; recorded)" })
      .option("pauses", { type: "string", default: "1s,3s,6s,12s", describe: "pause: durations (500ms, 3s; a bare number is ms)" })
      .option("rates", { type: "string", default: "0,5,10,20,30", describe: "loss: percentages of exchanges lost on every link" })
      .option("duration-s", {
        type: "string",
        default: "60",
        describe: "loss: how long to watch for false verdicts at each rate (90s, 2m; a bare number is seconds)",
      })
      .option("partitions-s", { type: "string", default: "20,45,90", describe: "partition: how long each partition lasts (45s, 2m; a bare number is seconds)" })
      .option("faults", {
        choices: ["proxy", "packet"] as const,
        default: "proxy" as const,
        describe:
          "loss, partition: what carries the reference node's faults (manifests that say packet always get the packet engine; packet needs root and nft)",
      })
      .option("heal-wait-s", {
        type: "string",
        default: "120",
        describe: "partition: how long to wait for the cluster to re-form after each heal (2m; a bare number is seconds)",
      })
      .option("report-dir", { type: "string", default: "reports" })
      .options(MACHINE_OUTPUT_OPTIONS)
      .option("runtime", {
        choices: ["process", "sim"] as const,
        describe:
          "convergence (default process): sim measures the reference core in the simulator against epidemic theory and SWIM's expectations, at sizes processes cannot reach (--nodes 10,100,1000); tradeoff (default sim): process runs real processes, and adapters with a tunable setting; the other kinds run on processes",
      })
      .option("loss-nodes", {
        type: "number",
        default: 20,
        describe: "convergence --runtime sim: cluster size of the false-positive trials at each --rates loss",
      })
      .option("loss-periods", { type: "number", default: 300, describe: "convergence --runtime sim: probe periods of each false-positive trial" })
      .option("thresholds", { type: "string", default: "4,8,12,16", describe: "tradeoff: φ conviction thresholds" })
      .option("multipliers", { type: "string", default: "2,4,6,8", describe: "tradeoff: SWIM suspicion multipliers (suspicionMult)" })
      .option("conditions", {
        type: "string",
        default: "clean,jitter,loss-10,loss-30,latency-step",
        describe: "tradeoff: network conditions (clean, jitter: 20 ± 10 ms, loss-10, loss-30, latency-step: 20 → 200 ms halfway)",
      })
      .option("quiet-minutes", {
        type: "string",
        describe:
          "tradeoff: how long each condition runs with false positives counted (90s, 10m; a bare number is minutes; default 10m virtual in sim, 1m on processes)",
      })
      .option("reporter", {
        choices: ["default", "json", "github", "junit", "tap"] as const,
        default: "default" as const,
        describe:
          "what to print on stdout at the end: the table, the summary as JSON, or the table and the job's step summary (github); junit and tap are refused: a bench has measures, not verdicts",
      }),
  handler: async (args) => {
    if (args.junit)
      throw new UsageError("--junit: a bench has measures, not verdicts; --json FILE writes its summary (grapevine compare judges it against a baseline)");
    if (args.reporter === "junit" || args.reporter === "tap")
      throw new UsageError(
        `--reporter ${args.reporter}: a bench has measures, not verdicts; --reporter json prints its summary (grapevine compare judges it against a baseline)`,
      );
    const trials = args.trials ?? (args.kind === "partition" ? 1 : 10);
    if (!Number.isInteger(trials) || trials < 1 || trials > 1000) throw new UsageError("--trials: a whole number from 1 to 1000");
    const partitionsS = durationsMs(args["partitions-s"], "s", "--partitions-s", 1000, 3_600_000).map((ms) => ms / 1000);
    const healWaitS = boundedDurationMs(args["heal-wait-s"], "s", "--heal-wait-s", 1000, 3_600_000) / 1000;
    if (args.kind === "tradeoff") return benchTradeoff(args, args.trials ?? 5);
    if (args.runtime === "sim") return benchTheory(args, trials);
    const sizes = wholeNumbers(args.nodes, "--nodes", 3, MAX_PROCESS_NODES);
    if (args.kind !== "convergence" && sizes.length !== 1) throw new UsageError(`--nodes: one size for ${args.kind}`);
    const pauses = durationsMs(args.pauses, "ms", "--pauses", 1, 120_000);
    const rates = wholeNumbers(args.rates, "--rates", 0, 100);
    const durationS = boundedDurationMs(args["duration-s"], "s", "--duration-s", 1000, 3_600_000) / 1000;
    const [{ BenchSummary: BenchSummarySchema }, { POLL_MS }, { benchImplementation, trialsMeasured }, { renderBenchMarkdown, writeBenchReports }] =
      await Promise.all([
        import("../../../specs/bench/summary.js"),
        import("../../bench/compare/measure.js"),
        import("../../bench/compare/run.js"),
        import("../../bench/compare/report.js"),
      ]);
    const seed = args.seed ?? Math.floor(Math.random() * 2 ** 31);
    const impls: Implementation[] = [];
    for (const spec of args.sut) {
      const impl = await implementationOf(spec);
      impls.push(impl.adapter ? impl : { ...impl, faults: args.faults });
    }
    // Loss and partitions on an implementation under the packet engine need root and nft: say so now, not after the others ran.
    if ((args.kind === "loss" || args.kind === "partition") && impls.some((i) => i.faults === "packet")) {
      const { missingForPacketFaults } = await import("../../faults/packet/host-tools.js");
      const missing = await missingForPacketFaults();
      if (missing.length > 0)
        throw new UsageError(
          `bench ${args.kind} on ${impls
            .filter((i) => i.faults === "packet")
            .map((i) => i.name)
            .join(", ")}: packet-level faults need ${missing.join("; and ")}`,
        );
    }
    const { runDir, interrupted } = benchRun(args["report-dir"], `bench-${args.kind}`);
    const say = (line: string) => process.stderr.write(`${line}\n`);
    const plan: BenchPlan = { kind: args.kind, sizes, trials, seed, pauses, rates, durationS, partitionsS, healWaitS };
    const startedAt = Date.now();
    const results: ImplementationBench[] = [];
    for (const impl of impls) results.push(await benchImplementation(impl, plan, say, interrupted));
    const summary: BenchSummary = BenchSummarySchema.parse({
      tool: "grapevine bench",
      kind: args.kind,
      startedAt,
      finishedAt: Date.now(),
      seed,
      pollMs: POLL_MS,
      ...(args.kind === "loss" || args.kind === "partition" ? { faults: impls.map((i) => `${i.name}: ${i.faults}`).join(", ") } : {}),
      implementations: results,
    });
    const html = await writeBenchReports(runDir, summary);
    await printBench(args, runDir, renderBenchMarkdown(summary), html);
    if (interrupted()) process.exit(130);
    // Never green on nothing: a bench in which no trial measured anything has no figures to report.
    if (results.every((r) => trialsMeasured(r) === 0)) {
      await nothingMeasured(args, "no trial ran to the end (the reasons are above and in the report)");
    }
  },
};

/**
 * `bench tradeoff`: detector settings against network conditions, in the simulator (the reference
 * node's two families) or on processes (the reference node, and adapters whose manifests declare a
 * tunable setting). harness/bench/tradeoff/.
 */
async function benchTradeoff(args: BenchArgs, crashes: number): Promise<void> {
  const runtime = args.runtime ?? "sim";
  if (!Number.isInteger(crashes) || crashes < 1 || crashes > 100) throw new UsageError("--trials: crashes per setting, a whole number from 1 to 100");
  const sizes = wholeNumbers(args.nodes, "--nodes", 3, runtime === "sim" ? 200 : MAX_PROCESS_NODES);
  if (sizes.length !== 1) throw new UsageError("--nodes: one size for tradeoff");
  const nodes = sizes[0]!;
  const thresholds = wholeNumbers(args.thresholds, "--thresholds", 1, 100);
  const multipliers = wholeNumbers(args.multipliers, "--multipliers", 1, 100);
  const { CONDITIONS } = await import("../../bench/tradeoff/plan.js");
  const conditions = listValues(args.conditions);
  const unknown = conditions.filter((c) => !(CONDITIONS as readonly string[]).includes(c));
  if (unknown.length > 0 || conditions.length === 0)
    throw new UsageError(`--conditions: ${unknown.join(", ") || "none"} (expected some of ${CONDITIONS.join(", ")})`);
  const quietMs = boundedDurationMs(args["quiet-minutes"] ?? (runtime === "sim" ? "10" : "1"), "m", "--quiet-minutes", 1000, 24 * 3_600_000);
  const seed = args.seed ?? Math.floor(Math.random() * 2 ** 31);
  const plan = { nodes, seed, conditions: conditions as (typeof CONDITIONS)[number][], quietMs, crashes };
  const say = (line: string) => process.stderr.write(`${line}\n`);
  let bench: TradeoffBench;
  if (runtime === "sim") {
    if (args.sut.some((s) => s !== "reference"))
      throw new UsageError(
        "bench tradeoff --runtime sim: simulates the reference node's two detectors; --sut is reference only (adapters run with --runtime process)",
      );
    const { runSimTradeoff } = await import("../../bench/tradeoff/sim.js");
    const { runDir, interrupted } = benchRun(args["report-dir"], "bench-tradeoff");
    const startedAt = Date.now();
    bench = runSimTradeoff({ ...plan, thresholds, multipliers }, say, interrupted);
    await finishTradeoff(args, bench, runDir, { seed, startedAt }, interrupted);
    return;
  }
  const contestants = await processContestants(args, multipliers, thresholds);
  if (contestants.some((c) => c.impl.faults === "packet")) {
    const { missingForPacketFaults } = await import("../../faults/packet/host-tools.js");
    const missing = await missingForPacketFaults();
    if (missing.length > 0) throw new UsageError(`bench tradeoff on the packet engine: packet-level faults need ${missing.join("; and ")}`);
  }
  const { runProcessTradeoff } = await import("../../bench/tradeoff/process.js");
  const { runDir, interrupted } = benchRun(args["report-dir"], "bench-tradeoff");
  const startedAt = Date.now();
  say(
    `bench tradeoff on processes: ${contestants.length} settings × ${conditions.length} conditions = ${contestants.length * conditions.length} trials, each a fresh ${nodes}-node cluster, ${quietMs / 1000} s of quiet, then ${crashes} crash(es)`,
  );
  bench = await runProcessTradeoff({ ...plan, contestants }, say, interrupted);
  await finishTradeoff(args, bench, runDir, { seed, startedAt }, interrupted);
}

/** The implementations `--sut` names, each with the settings it sweeps: an adapter must declare the knob (manifest `tunable`) and accept every value. */
async function processContestants(args: BenchArgs, multipliers: number[], thresholds: number[]) {
  const [{ contestantsOf }, { whyNotTunable }] = await Promise.all([import("../../bench/tradeoff/process.js"), import("../../adapters/tunable.js")]);
  const contestants = [];
  for (const spec of args.sut) {
    const found = await implementationOf(spec);
    const impl = found.adapter ? found : { ...found, faults: args.faults };
    if (impl.adapter) {
      if (impl.faults !== "packet")
        throw new UsageError(`--sut ${spec}: network faults reach an adapter through the packet engine only (its manifest says faults.network: "packet")`);
      const declared = impl.adapter.manifest.tunable;
      if (declared.length === 0)
        throw new UsageError(
          `--sut ${spec}: declares no tunable setting, so there is nothing to sweep (add "tunable" to the manifest: the start arguments that set suspicionMult or phiConvictThreshold)`,
        );
      for (const t of declared)
        for (const value of t.setting === "suspicionMult" ? multipliers : thresholds) {
          const why = whyNotTunable(impl, t.setting, value);
          if (why) throw new UsageError(`--sut ${spec}: ${why}`);
        }
    }
    contestants.push(...contestantsOf(impl, multipliers, thresholds));
  }
  return contestants;
}

/** Writes the trade-off's reports, prints its table, and fails a bench that measured nothing. */
async function finishTradeoff(
  args: BenchArgs,
  bench: TradeoffBench,
  runDir: string,
  meta: { seed: number; startedAt: number },
  interrupted: () => boolean,
): Promise<void> {
  const { tradeoffMarkdown, writeTradeoffReports } = await import("../../bench/tradeoff/report.js");
  const html = await writeTradeoffReports(runDir, bench, { ...meta, finishedAt: Date.now() });
  await printBench(args, runDir, tradeoffMarkdown(bench), html);
  if (interrupted()) process.exit(130);
  // Never green on nothing: a bench in which no crash was ever detected has no latency to plot.
  if (bench.rows.every((r) => r.detections === 0)) {
    await nothingMeasured(args, "no crash was detected in any trial");
  }
}

/** `bench convergence --runtime sim`: the simulator measured against theory (harness/sim/theory-bench.ts). */
async function benchTheory(args: BenchArgs, trials: number): Promise<void> {
  if (args.kind !== "convergence") throw new UsageError(`--runtime sim: measures convergence against theory; bench ${args.kind} runs on processes`);
  if (args.sut.some((s) => s !== "reference")) throw new UsageError("--runtime sim: simulates the reference node's core only");
  const sizes = wholeNumbers(args.nodes, "--nodes", 3, MAX_SIM_NODES);
  const tooLarge = sizes.map((n) => simTooLarge(n)).find(Boolean);
  if (tooLarge) throw new UsageError(`--nodes: ${tooLarge}`);
  const lossRates = wholeNumbers(args.rates, "--rates", 0, 100).map((r) => r / 100);
  const lossNodes = args["loss-nodes"];
  if (!(Number.isInteger(lossNodes) && lossNodes >= 3 && lossNodes <= MAX_SIM_NODES)) throw new UsageError(`--loss-nodes: from 3 to ${MAX_SIM_NODES}`);
  if (!(Number.isInteger(args["loss-periods"]) && args["loss-periods"] >= 1 && args["loss-periods"] <= 100_000))
    throw new UsageError("--loss-periods: from 1 to 100000");
  const [{ runTheoryBench }, { theoryMarkdown, writeTheoryReports }] = await Promise.all([
    import("../../sim/theory-bench.js"),
    import("../../sim/theory-report.js"),
  ]);
  const seed = args.seed ?? Math.floor(Math.random() * 2 ** 31);
  const { runDir, interrupted } = benchRun(args["report-dir"], "bench-theory");
  const startedAt = Date.now();
  const bench = runTheoryBench(
    { sizes, trials, seed, lossRates, lossNodes, lossPeriods: args["loss-periods"] },
    (line) => process.stderr.write(`${line}\n`),
    interrupted,
  );
  const html = await writeTheoryReports(runDir, bench, { seed, startedAt, finishedAt: Date.now() });
  await printBench(args, runDir, theoryMarkdown(bench), html);
  if (interrupted()) process.exit(130);
  // Never green on nothing: a bench that measured no trial has no figures to report.
  if (bench.spread.every((s) => s.firstSuspectPeriods === null && s.writeRounds === null)) {
    await nothingMeasured(args, "");
  }
}
