// Runs every conformance case against one implementation: joins it into a fake cluster, then case by case.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REQUIREMENTS, requirement as requirementById } from "../../specs/requirements/catalogue.js";
import type { CaseResult, ImplementationResult, Verdict } from "../../specs/conformance/result.js";
import type { DetectorFamily } from "../../specs/requirements/requirement.js";
import { WIRE_VERSION } from "../../specs/wire/messages.js";
import { type ConformanceCase, type Finding, type Need, skip } from "./case.js";
import { DETECTION_CASES } from "./cases/detection.js";
import { GOSSIP_CASES } from "./cases/gossip.js";
import { HEARTBEAT_CASES, phiDeclared } from "./cases/heartbeat.js";
import { KV_CASES } from "./cases/kv.js";
import { LIFEGUARD_CASES } from "./cases/lifeguard.js";
import { corpusCase, generatedCase, hostileCase, hostileCount } from "./cases/malformed.js";
import { MERGE_CASES } from "./cases/merge.js";
import { LEAVE_CASE, MEMBERSHIP_CASES } from "./cases/membership.js";
import { describeOutcome, PROBE_CASES } from "./cases/probe.js";
import { CaseContext, pollFor, timingOf } from "./context.js";
import { detectorFamily } from "./family.js";
import type { CorpusEntry } from "./corpus.js";
import type { Sut } from "./sut.js";
import type { WireLog } from "./wire-log.js";

export interface ConformanceOptions {
  /** Requirement IDs or prefixes (MERGE, SWIM-PING); empty selects all. */
  only: string[];
  generated: number;
  seed: number;
  corpus: CorpusEntry[];
  runDir: string;
  /** May the harness ask a node it did not start to leave its cluster? */
  allowLeave: boolean;
  /** The protocol period to assume when the node does not declare probeIntervalMs. */
  fallbackPeriodMs: number;
  signal: AbortSignal;
  onCase?: (implementation: string, result: CaseResult) => void;
}

/** How many answering fake members surround the implementation. */
const FAKE_MEMBERS = 4;

/** Every case, in the order they run: the node's leave comes last because it ends the node's membership. */
export function allCases(options: Pick<ConformanceOptions, "corpus" | "generated" | "seed">): ConformanceCase[] {
  return [
    ...PROBE_CASES,
    ...MERGE_CASES,
    ...DETECTION_CASES,
    ...GOSSIP_CASES,
    ...MEMBERSHIP_CASES,
    ...LIFEGUARD_CASES,
    ...KV_CASES,
    ...HEARTBEAT_CASES,
    corpusCase(options.corpus),
    ...(options.generated > 0 ? [generatedCase(options.generated, options.seed), hostileCase(hostileCount(options.generated), options.seed)] : []),
    LEAVE_CASE,
  ];
}

export function selects(only: string[], id: string): boolean {
  return only.length === 0 || only.some((o) => id === o || id.startsWith(`${o}-`));
}

/** A finding becomes a verdict by its requirement's level: a failed SHOULD is NON-STRICT, a failed MAY informational. */
export function verdictOf(finding: Finding): Verdict {
  const level = requirementById(finding.requirement).level;
  switch (finding.outcome) {
    case "pass":
      return "PASS";
    case "info":
      return "INFO";
    case "skip":
      return "SKIP";
    case "fail":
      return level === "MUST" ? "FAIL" : level === "SHOULD" ? "NON-STRICT" : "INFO";
  }
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

export async function runConformance(sut: Sut, options: ConformanceOptions): Promise<ImplementationResult> {
  const timing = timingOf(sut.info?.config ?? sut.config, options.fallbackPeriodMs);
  const hasKv = sut.admin
    ? await sut.admin.kvDigest().then(
        () => true,
        () => false,
      )
    : false;
  const ctx = await CaseContext.create(sut, timing, FAKE_MEMBERS, options.signal);
  const declared = phiDeclared(sut.info?.config ?? sut.config);
  if (detectorFamily(sut) === "phi" && typeof declared !== "string") ctx.beatForFakes(declared.heartbeatIntervalMs);
  // memberlist's own requirements need its wire: SKIP here, so that a matrix with memberlist beside wire v1 has a verdict in every cell.
  const uncovered = REQUIREMENTS.filter((r) => r.group === "memberlist").map((r) =>
    skip(
      r.id,
      "-",
      `a rule of memberlist's wire; ${sut.name} speaks Grapevine wire v1 (check a memberlist-wire implementation with --sut MANIFEST or --protocol memberlist)`,
    ),
  );
  return runCaseList(sut, options, { ctx, cases: allCases(options), join: () => join(ctx), hasKv, uncovered });
}

/** What one implementation's run needs: the context its cases drive it through, the cases, and how the fakes join it. */
export interface CaseList<C extends { log: WireLog; close(): Promise<void> }> {
  ctx: C;
  cases: ConformanceCase<C>[];
  /** true, or why the fake members could not join it (every case is SKIP then). */
  join: () => Promise<true | string>;
  hasKv: boolean;
  /** Findings about requirements no case of this wire can judge (SKIP, each with its reason). */
  uncovered?: Finding[];
}

/** Runs the cases one by one on any wire: each gets its findings, its duration and its slice of the wire log. */
export async function runCaseList<C extends { log: WireLog; close(): Promise<void> }>(
  sut: Sut,
  options: ConformanceOptions,
  list: CaseList<C>,
): Promise<ImplementationResult> {
  const started = Date.now();
  const { ctx } = list;
  const results: CaseResult[] = [];
  const wireDir = path.join(options.runDir, "wire", slug(sut.name));
  mkdirSync(wireDir, { recursive: true });
  const record = (findings: Finding[], durationMs: number, caseName: string, log: unknown[]) => {
    const file = path.join(wireDir, `${slug(caseName)}.ndjson`);
    writeFileSync(file, log.map((e) => JSON.stringify(e)).join("\n") + (log.length ? "\n" : ""));
    for (const finding of findings) {
      if (!selects(options.only, finding.requirement)) continue;
      const result: CaseResult = {
        id: finding.id ? `${finding.requirement}/${finding.id}` : finding.requirement,
        requirement: finding.requirement,
        level: requirementById(finding.requirement).level,
        verdict: verdictOf(finding),
        expected: finding.expected,
        actual: finding.actual,
        durationMs,
        wireLog: path.relative(options.runDir, file),
      };
      results.push(result);
      options.onCase?.(sut.name, result);
    }
  };

  try {
    const joined = await list.join();
    const family = detectorFamily(sut);
    for (const testCase of list.cases) {
      if (options.signal.aborted) break;
      const selected = testCase.requirements.filter((id) => selects(options.only, id));
      if (selected.length === 0) continue;
      const otherFamily = selected.filter((id) => (requirementById(id).family ?? family) !== family);
      if (otherFamily.length > 0) {
        record(
          otherFamily.map((id) => skipped(id, familySkipReason(sut, family))),
          0,
          `${testCase.name} (${family === "phi" ? "swim" : "phi"} family)`,
          [],
        );
        if (otherFamily.length === selected.length) continue;
      }
      const missing = unmetNeeds(testCase.needs ?? [], sut, list.hasKv, options.allowLeave);
      const mark = ctx.log.mark();
      const caseStarted = Date.now();
      let findings: Finding[];
      if (joined !== true) findings = selected.map((id) => skipped(id, `the node did not join the fake cluster: ${joined}`));
      else if (missing) findings = selected.map((id) => skipped(id, missing));
      else {
        try {
          findings = await testCase.run(ctx);
          // Waits cut short by Ctrl-C look like timeouts: a verdict from them would be wrong.
          if (options.signal.aborted) findings = selected.map((id) => skipped(id, "interrupted"));
        } catch (error) {
          // An exception here is the implementation going away mid-case (an admin call failing, say).
          findings = selected.map((id) => ({
            requirement: id,
            outcome: "fail" as const,
            expected: testCase.name,
            actual: `the case could not finish: ${(error as Error).message}`,
          }));
        }
      }
      record(findings, Date.now() - caseStarted, testCase.name, ctx.log.since(mark));
    }
    if (list.uncovered?.length && !options.signal.aborted) record(list.uncovered, 0, "not on this wire", []);
  } finally {
    await ctx.close();
  }
  return {
    name: sut.name,
    wire: sut.wire,
    ...(sut.admin ? { admin: sut.admin.baseUrl } : {}),
    ...(sut.info ? { protocol: sut.info.protocol, config: sut.info.config } : {}),
    cases: results,
    mustFailures: results.filter((r) => r.verdict === "FAIL").length,
    durationMs: Date.now() - started,
  };
}

const skipped = (requirement: string, reason: string): Finding => skip(requirement, "-", reason);

function familySkipReason(sut: Sut, family: DetectorFamily): string {
  return family === "phi"
    ? `${sut.name} runs the φ accrual detector (detector: phi): SWIM's probing, suspicion and refutation do not apply`
    : `a requirement of the heartbeat family (φ accrual); ${sut.name} declares no detector: phi, so it is taken as SWIM`;
}

export function unmetNeeds(needs: Need[], sut: Sut, hasKv: boolean, allowLeave: boolean): string | undefined {
  if (needs.includes("admin") && !sut.admin) return "needs the admin API to read the node's view (give --admin URL)";
  if (needs.includes("incarnation") && !(sut.showsIncarnation ?? sut.info !== undefined))
    return `${sut.name}'s view does not show incarnations, which this requirement is judged on`;
  if (needs.includes("kv") && !hasKv) return "the node has no key-value store (GET /v1/kv-digest did not answer)";
  if (needs.includes("owned") && !sut.owned && !allowLeave) return "would make a node the harness did not start leave its cluster (pass --allow-leave)";
  return undefined;
}

/** The driver joins through the node with a sync listing every fake member; true, or why it failed. */
async function join(ctx: CaseContext): Promise<true | string> {
  const members = ctx.fakes.map((f) => ({ id: f.id, addr: f.addr, state: "alive" as const, incarnation: 0 }));
  const outcome = await ctx.send({ v: WIRE_VERSION, type: "sync", from: ctx.driver.peer, join: true, members }, 5000, "join");
  if (outcome.kind !== "reply" || outcome.message.type !== "sync") return `sync reply expected, got ${describeOutcome(outcome)}`;
  if (!ctx.sut.admin) return true;
  const all = await pollFor(
    async () => {
      const view = await ctx.view();
      return ctx.fakes.every((f) => view.get(f.id)?.state === "alive") ? true : undefined;
    },
    5000,
    ctx.signal,
  );
  return all ? true : "the fake members never all showed as alive in its view";
}
