// `grapevine bench detection|pause|convergence`: implementations measured side by side, with a report.
import { mkdirSync } from "node:fs";
import type { CommandModule } from "yargs";
import type { BenchSummary, DetectionTrial, ImplementationBench } from "../../../specs/bench/summary.js";
import type { Implementation } from "../../adapters/implementation.js";
import { UsageError } from "../usage-error.js";
import { runDirFor } from "../../report/run-dir.js";

type Kind = "detection" | "pause" | "loss" | "convergence";

interface BenchArgs {
  kind: Kind;
  sut: string[];
  nodes: string;
  trials: number;
  seed?: number;
  pauses: string;
  rates: string;
  "duration-s": number;
  "report-dir": string;
}

function wholeNumbers(text: string, flag: string, min: number, max: number): number[] {
  const values = text.split(",").map((v) => Number(v.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < min || v > max)) throw new UsageError(`${flag}: expected whole numbers from ${min} to ${max}, comma-separated (got "${text}")`);
  return values;
}

async function implementationOf(spec: string): Promise<Implementation> {
  const [{ adapterImplementation, referenceImplementation }, { ManifestError }] = await Promise.all([import("../../adapters/implementation.js"), import("../../adapters/manifest.js")]);
  if (spec === "reference") return referenceImplementation();
  try {
    return await adapterImplementation(spec);
  } catch (error) {
    if (error instanceof ManifestError) throw new UsageError(`--sut ${error.message}`);
    throw error;
  }
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: "bench <kind>",
  describe: "Benchmark failure detection across implementations (reference, or adapter manifests such as fixtures/adapters/serf.json)",
  builder: (y) =>
    y
      .positional("kind", { choices: ["detection", "pause", "loss", "convergence"] as const, demandOption: true, describe: "detection: crash latency; pause: verdicts on a paused node; loss: false positives and detection under message loss; convergence: a death's spread vs N" })
      .option("sut", { type: "string", array: true, default: ["reference"], describe: "reference, or an adapter manifest file (repeatable)" })
      .option("nodes", { type: "string", default: "5", describe: "cluster size (convergence: a list, e.g. 4,8,16,32)" })
      .option("trials", { type: "number", default: 10, describe: "trials per implementation (and per size or pause)" })
      .option("seed", { type: "number", describe: "seed for victims and crash phases (default random; recorded)" })
      .option("pauses", { type: "string", default: "1000,3000,6000,12000", describe: "pause: durations in ms" })
      .option("rates", { type: "string", default: "0,5,10,20,30", describe: "loss: percentages of exchanges lost on every link" })
      .option("duration-s", { type: "number", default: 60, describe: "loss: seconds of watching for false verdicts at each rate" })
      .option("report-dir", { type: "string", default: "reports" }),
  handler: async (args) => {
    if (!Number.isInteger(args.trials) || args.trials < 1 || args.trials > 1000) throw new UsageError("--trials: a whole number from 1 to 1000");
    const sizes = wholeNumbers(args.nodes, "--nodes", 3, 64);
    if (args.kind !== "convergence" && sizes.length !== 1) throw new UsageError(`--nodes: one size for ${args.kind}`);
    const pauses = wholeNumbers(args.pauses, "--pauses", 1, 120_000);
    const rates = wholeNumbers(args.rates, "--rates", 0, 100);
    if (!(args["duration-s"] > 0 && args["duration-s"] <= 3600)) throw new UsageError("--duration-s: from 1 to 3600");
    // Loaded here, not at the top: `grapevine node`, started once per node, must not pay for them.
    const [{ BenchSummary: BenchSummarySchema }, { detectionExpectation, detectionTrial, distribution, lossTrial, pauseTrials, POLL_MS, seededRandom }, { renderBenchMarkdown, writeBenchReports }] =
      await Promise.all([import("../../../specs/bench/summary.js"), import("../../bench/compare/measure.js"), import("../../bench/compare/report.js")]);
    const seed = args.seed ?? Math.floor(Math.random() * 2 ** 31);
    const impls: Implementation[] = [];
    for (const spec of args.sut) impls.push(await implementationOf(spec));
    const { runDir } = runDirFor(args["report-dir"], [`bench-${args.kind}`]);
    mkdirSync(runDir, { recursive: true });
    let interrupted = false;
    process.on("SIGINT", () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      process.stderr.write("\nSIGINT: finishing the current trial, then writing what was measured (again: exit now)\n");
    });
    const say = (line: string) => process.stderr.write(`${line}\n`);
    const startedAt = Date.now();
    const results: ImplementationBench[] = [];
    for (const impl of impls) {
      const random = seededRandom(seed);
      const result: ImplementationBench = {
        name: impl.name,
        description: impl.description,
        version: impl.version,
        timing: Object.fromEntries(Object.entries(impl.timing).filter(([, v]) => v !== undefined)) as Record<string, string | number>,
        showsSuspect: impl.showsSuspect,
        skipped: [],
      };
      if (!impl.showsSuspect) result.skipped.push({ what: "first-suspect", reason: "this implementation's view shows no suspicion (only alive/failed)" });
      if (args.kind === "detection") {
        const n = sizes[0]!;
        const trials = [];
        for (let i = 0; i < args.trials && !interrupted; i++) {
          const trial = await detectionTrial(impl, n, seed + i * 100, random).catch((error: Error): DetectionTrial => {
            say(`${impl.name} trial ${i + 1}/${args.trials} could not run: ${error.message}`);
            return { victim: "-", firstSuspectMs: null, firstDeadMs: null, allDeadMs: null, error: error.message };
          });
          trials.push(trial);
          if (trial.error) continue;
          say(`${impl.name} trial ${i + 1}/${args.trials}: ${trial.victim} first-suspect ${trial.firstSuspectMs ?? "—"} ms, first-dead ${trial.firstDeadMs ?? "—"} ms, all-dead ${trial.allDeadMs ?? "—"} ms`);
        }
        result.detection = {
          nodes: n,
          trials,
          firstSuspect: distribution(trials.map((t) => t.firstSuspectMs)),
          firstDead: distribution(trials.map((t) => t.firstDeadMs)),
          allDead: distribution(trials.map((t) => t.allDeadMs)),
          expectation: detectionExpectation(impl, n),
        };
      } else if (args.kind === "pause") {
        say(`${impl.name}: pauses of ${pauses.join(", ")} ms, ${args.trials} trial(s) each`);
        result.pause = await pauseTrials(impl, sizes[0]!, seed, pauses, args.trials);
      } else if (args.kind === "loss") {
        if (impl.name !== "reference") {
          result.skipped.push({ what: "loss", reason: impl.networkUnsupported ?? "adapters run without Grapevine's proxies in this version" });
        } else {
          result.loss = [];
          for (const rate of rates) {
            if (interrupted) break;
            const point = await lossTrial(sizes[0]!, rate / 100, args["duration-s"] * 1000, seed + rate, random);
            result.loss.push(point);
            say(`${impl.name} ${rate}% loss: ${point.falseSuspect} false suspect, ${point.falseDead} false dead in ${args["duration-s"]} s; then a crash: first dead ${point.firstDeadMs ?? "—"} ms, all dead ${point.allDeadMs ?? "—"} ms`);
          }
        }
      } else {
        result.convergence = [];
        for (const n of sizes) {
          if (interrupted) break;
          const spreads: (number | null)[] = [];
          for (let i = 0; i < args.trials && !interrupted; i++) {
            const t = await detectionTrial(impl, n, seed + n * 1000 + i * 100, random).catch((error: Error): DetectionTrial => {
              say(`${impl.name} ${n} nodes trial ${i + 1} could not run: ${error.message}`);
              return { victim: "-", firstSuspectMs: null, firstDeadMs: null, allDeadMs: null, error: error.message };
            });
            spreads.push(t.allDeadMs !== null && t.firstDeadMs !== null ? t.allDeadMs - t.firstDeadMs : null);
            say(`${impl.name} ${n} nodes trial ${i + 1}/${args.trials}: first-dead → all-dead ${spreads.at(-1) ?? "—"} ms`);
          }
          // Infection-style spread: about log_fanout(N) gossip rounds (SWIM §4.1; fanout = gossipNodes, 3 in memberlist).
          const expectedMs = Math.round((impl.timing.gossipIntervalMs ?? impl.timing.probeIntervalMs) * Math.ceil(Math.log(n) / Math.log(3)));
          result.convergence.push({ nodes: n, spread: distribution(spreads), expectedMs });
        }
      }
      results.push(result);
    }
    const summary: BenchSummary = BenchSummarySchema.parse({ tool: "grapevine bench", kind: args.kind, startedAt, finishedAt: Date.now(), seed, pollMs: POLL_MS, implementations: results });
    const html = await writeBenchReports(runDir, summary);
    process.stdout.write(`${renderBenchMarkdown(summary)}\nreport: ${html}\n`);
    if (interrupted) process.exit(130);
  },
};
