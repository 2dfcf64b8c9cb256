// `grapevine conformance`: checks implementations against the numbered requirements, and writes a matrix report.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CommandModule } from "yargs";
import { MUTANTS } from "../../../reference-node/core/mutants.js";
import type { ImplementationResult } from "../../../specs/conformance/result.js";
import type { Sut } from "../../conformance/sut.js";
import { parseHostPort } from "../../../specs/wire/address.js";
import { packageRoot } from "../../paths.js";
import { parseReferenceSut, parseSut } from "../sut-spec.js";
import { EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK, UsageError } from "../usage-error.js";
import { boundedDurationMs, listValues } from "../values.js";
import { stdoutIsText } from "../../report/reporters.js";
import { pointLatestAt, runDirFor } from "../../report/run-dir.js";
import { MACHINE_OUTPUT_OPTIONS, writeMachineOutputs } from "../machine-output.js";

interface ConformanceArgs {
  sut: string[];
  target: string[];
  admin: string[];
  list: boolean;
  only: string[];
  generated: number;
  seed?: number;
  corpus?: string;
  "report-dir": string;
  junit?: string;
  json?: string;
  reporter: "default" | "json" | "junit" | "github";
  "allow-leave": boolean;
  "period-ms": string;
  protocol: "grapevine-v1" | "memberlist";
}

/** What the user asked to test, checked before anything starts. */
type Planned =
  | { kind: "reference"; name: string; mutant?: string }
  | { kind: "adapter"; name: string; file: string }
  | { kind: "target"; name: string; wire: string; admin?: string; protocol: ConformanceArgs["protocol"] };

export function planImplementations(args: Pick<ConformanceArgs, "sut" | "target" | "admin"> & { protocol?: ConformanceArgs["protocol"] }): Planned[] {
  if (args.admin.length > 0 && args.admin.length !== args.target.length) {
    throw new UsageError(`--admin: give one per --target (got ${args.admin.length} for ${args.target.length} targets)`);
  }
  const planned: Planned[] = [];
  for (const spec of args.sut) {
    const parsed = parseReferenceSut(spec);
    if (!parsed && spec.endsWith(".json")) {
      const sut = parseSut(spec);
      if (sut.kind === "adapter" && !sut.manifest.wire)
        throw new UsageError(
          `--sut ${spec}: field wire: the manifest does not say which wire ${sut.label} speaks, so conformance cannot talk to it (add "wire": {"protocol": "memberlist"})`,
        );
      planned.push({ kind: "adapter", name: sut.label, file: spec });
      continue;
    }
    if (!parsed)
      throw new UsageError(
        `--sut ${spec}: expected "reference", "reference:MUTANT" or an adapter manifest with a wire (.json); use --target HOST:PORT for an implementation someone else started`,
      );
    if (parsed.mutant && !(parsed.mutant in MUTANTS))
      throw new UsageError(`--sut ${spec}: no mutant "${parsed.mutant}" (one of ${Object.keys(MUTANTS).join(", ")})`);
    planned.push({ kind: "reference", name: spec, ...(parsed.mutant ? { mutant: parsed.mutant } : {}) });
  }
  for (const [i, wire] of args.target.entries()) {
    try {
      parseHostPort(wire);
    } catch {
      throw new UsageError(`--target ${wire}: expected HOST:PORT`);
    }
    const admin = args.admin[i];
    if (admin !== undefined && !/^https?:\/\/[^/]+/.test(admin)) throw new UsageError(`--admin ${admin}: expected a URL such as http://127.0.0.1:8001`);
    planned.push({ kind: "target", name: wire, wire, protocol: args.protocol ?? "grapevine-v1", ...(admin ? { admin } : {}) });
  }
  if (planned.length === 0) planned.push({ kind: "reference", name: "reference" });
  return planned;
}

/**
 * 0 when every MUST passed; 1 when one failed; 2 when nothing failed but an implementation could not
 * be tested at all (every case skipped): that is a target to fix, not a verdict, and never a pass.
 */
export function conformanceExitCode(implementations: readonly Pick<ImplementationResult, "cases" | "mustFailures">[], verdict: "pass" | "fail"): number {
  if (verdict === "pass") return EXIT_OK;
  return implementations.some((i) => i.mustFailures > 0) ? EXIT_CHECK_FAILED : EXIT_BAD_INPUT;
}

export const conformanceCommand: CommandModule<object, ConformanceArgs> = {
  command: "conformance",
  describe: "Check implementations against the numbered protocol requirements (default: the reference node)",
  builder: (y) =>
    y
      .example("$0 conformance", "the reference node against every requirement, on its own wire")
      .example("$0 conformance --sut fixtures/adapters/memberlist.json", "memberlist on memberlist's wire")
      .example("$0 conformance --detector phi", "the heartbeat family's requirements on the φ detector")
      .option("sut", {
        type: "string",
        array: true,
        default: [] as string[],
        coerce: listValues,
        describe:
          "an implementation Grapevine starts: reference, reference:MUTANT, or an adapter manifest with a wire (fixtures/adapters/memberlist.json, serf.json) (a list: repeated or comma-separated)",
      })
      .option("target", {
        type: "string",
        array: true,
        default: [] as string[],
        coerce: listValues,
        describe: "HOST:PORT of an implementation someone else started (a list: repeated or comma-separated)",
      })
      .option("admin", {
        type: "string",
        array: true,
        default: [] as string[],
        coerce: listValues,
        describe: "admin API URL of each --target, in the same order",
      })
      .option("detector", {
        type: "string",
        choices: ["swim", "phi"],
        default: "swim",
        describe:
          "the failure detector of the reference nodes it starts (phi: heartbeat gossip with the φ accrual detector); SWIM's requirements SKIP on phi and the heartbeat family's on swim",
      })
      .option("list", { type: "boolean", default: false, describe: "print the requirements catalogue as Markdown and exit" })
      .option("only", {
        type: "string",
        array: true,
        default: [] as string[],
        coerce: listValues,
        describe: "run only these requirement IDs or prefixes (e.g. SWIM-PING,MERGE or --only SWIM-PING --only MERGE)",
      })
      .option("generated", {
        type: "number",
        default: 500,
        describe: "how many generated malformed messages to send, followed by a fifth as many schema-valid hostile ones (0 for none)",
      })
      .option("seed", { type: "number", describe: "seed of the generated inputs (default random; recorded in the report)" })
      .option("corpus", { type: "string", describe: "folder of hand-written malformed inputs (default: fixtures/malformed)" })
      .option("report-dir", { type: "string", default: "reports", describe: "where the run folder is created" })
      .options(MACHINE_OUTPUT_OPTIONS)
      .option("reporter", {
        choices: ["default", "json", "junit", "github"] as const,
        default: "default" as const,
        describe:
          "what to print on stdout at the end: the summary, the JSON results, JUnit, or GitHub Actions annotations and the summary (the step summary in $GITHUB_STEP_SUMMARY)",
      })
      .option("allow-leave", { type: "boolean", default: false, describe: "let the leave case ask a --target to leave its cluster" })
      .option("protocol", {
        choices: ["grapevine-v1", "memberlist"] as const,
        default: "grapevine-v1" as const,
        describe: "the wire every --target speaks",
      })
      .option("period-ms", {
        type: "string",
        default: "1000",
        describe: "protocol period to assume for a target that does not declare probeIntervalMs (1s, 200ms; a bare number is ms)",
      }),
  handler: async (args) => {
    // Loaded once the flags are checked, so that bad input is refused at once and --help stays fast.
    // What checking the arguments needs comes first, so that bad input is refused at once.
    const [{ renderCatalogue }, { REQUIREMENTS }, { CorpusError, loadCorpus }] = await Promise.all([
      import("../../conformance/report/catalogue-markdown.js"),
      import("../../../specs/requirements/catalogue.js"),
      import("../../conformance/corpus.js"),
    ]);
    if (args.list) {
      process.stdout.write(renderCatalogue());
      return;
    }
    if (!Number.isInteger(args.generated) || args.generated < 0 || args.generated > 100_000)
      throw new UsageError("--generated: a whole number from 0 to 100000");
    if (args.seed !== undefined && !Number.isInteger(args.seed)) throw new UsageError("--seed: must be a whole number");
    const fallbackPeriodMs = boundedDurationMs(args["period-ms"], "ms", "--period-ms", 10, 600_000);
    for (const o of args.only) {
      if (!REQUIREMENTS.some((r) => r.id === o || r.id.startsWith(`${o}-`))) throw new UsageError(`--only ${o}: matches no requirement (see --list)`);
    }
    const planned = planImplementations(args);
    let corpus;
    try {
      corpus = loadCorpus(args.corpus ?? path.join(packageRoot(), "fixtures", "malformed"));
    } catch (error) {
      if (error instanceof CorpusError) throw new UsageError(error.message);
      throw error;
    }
    const [
      { runVerdict },
      { ConformanceReport },
      { renderConformanceHtml },
      { renderConformanceJunit },
      { caseLine, renderSummary },
      { runConformance },
      { attachTarget, startAdapter, startReference },
      { runMemberlistConformance },
    ] = await Promise.all([
      import("../../conformance/verdict.js"),
      import("../../../specs/conformance/result.js"),
      import("../../conformance/report/html.js"),
      import("../../conformance/report/junit.js"),
      import("../../conformance/report/terminal.js"),
      import("../../conformance/runner.js"),
      import("../../conformance/sut.js"),
      import("../../conformance/memberlist/runner.js"),
    ]);
    const seed = args.seed ?? Math.floor(Math.random() * 2 ** 31);
    const { runDir } = runDirFor(args["report-dir"], ["conformance"]);
    mkdirSync(runDir, { recursive: true });

    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(`\n${signal}: stopping — closing fake members, stopping the nodes Grapevine started\n`);
      if (controller.signal.aborted) process.exit(130);
      controller.abort();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);

    const startedAt = Date.now();
    const implementations: ImplementationResult[] = [];
    // Case by case as they finish: on stdout under the default and github reporters, on stderr when stdout carries JSON or JUnit.
    const progress = stdoutIsText(args.reporter) ? process.stdout : process.stderr;
    /** The manifest each implementation was started from, for annotations on it. */
    const manifests = new Map<string, string>();
    for (const plan of planned) {
      if (controller.signal.aborted) break;
      progress.write(`\n${plan.name}\n`);
      let sut: Sut;
      try {
        const logs = path.join(runDir, "logs");
        sut =
          plan.kind === "reference"
            ? await startReference(plan.name, plan.mutant, logs, args.detector as "swim" | "phi")
            : plan.kind === "adapter"
              ? await startAdapter(plan.file, logs)
              : { ...(await attachTarget(plan.wire, plan.admin)), protocol: plan.protocol };
      } catch (error) {
        // Nothing ran: leave no empty run folder behind (a reference node that failed to start keeps its logs).
        if (implementations.length === 0 && plan.kind === "target") rmSync(runDir, { recursive: true, force: true });
        throw new UsageError(`${plan.name}: cannot start or reach it: ${(error as Error).message}`);
      }
      try {
        const result = await (sut.protocol === "memberlist" ? runMemberlistConformance : runConformance)(sut, {
          only: args.only,
          generated: args.generated,
          seed,
          corpus,
          runDir,
          allowLeave: args["allow-leave"],
          fallbackPeriodMs,
          signal: controller.signal,
          onCase: (_, result) => progress.write(`${caseLine(result)}\n`),
        });
        implementations.push(result);
        if (plan.kind === "adapter") manifests.set(result.name, plan.file);
      } finally {
        await sut.stop();
      }
    }
    const report = ConformanceReport.parse({
      tool: "grapevine conformance",
      startedAt,
      finishedAt: Date.now(),
      seed,
      generated: args.generated,
      implementations,
      verdict: runVerdict(implementations),
    });
    const json = JSON.stringify({ ...report, cases: implementations.flatMap((i) => i.cases.map((c) => ({ implementation: i.name, ...c }))) }, null, 2);
    const junit = renderConformanceJunit(report);
    writeFileSync(path.join(runDir, "conformance.json"), json);
    writeFileSync(path.join(runDir, "junit.xml"), junit);
    const htmlPath = path.join(runDir, "index.html");
    writeFileSync(htmlPath, renderConformanceHtml(report));
    pointLatestAt(runDir);
    writeMachineOutputs(args, { json: () => json, junit: () => junit });
    if (args.reporter === "json") process.stdout.write(`${json}\n`);
    else if (args.reporter === "junit") process.stdout.write(junit);
    else if (args.reporter === "github") {
      const { renderConformanceAnnotations, renderConformanceMarkdown } = await import("../../conformance/report/github.js");
      const { writeStepSummary } = await import("../../report/github.js");
      const annotations = renderConformanceAnnotations(report, manifests, process.env.GITHUB_WORKSPACE ?? process.cwd());
      process.stdout.write(`${[...annotations, renderSummary(report, htmlPath)].join("\n")}`);
      writeStepSummary(renderConformanceMarkdown(report));
    } else process.stdout.write(renderSummary(report, htmlPath));
    if (controller.signal.aborted) process.exit(130);
    process.exitCode = conformanceExitCode(implementations, report.verdict);
  },
};
