// `grapevine conformance` end to end: the reference node passes every MUST, each mutant fails the requirement it breaks.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli } from "../../../harness/paths.js";
import { NodeProcess } from "../../../harness/runtime/process.js";
import { MUTANTS } from "../../../reference-node/core/mutants.js";
import { REFERENCE_CONFORMANCE_CONFIG } from "../../../harness/conformance/sut.js";
import { requirement } from "../../../specs/requirements/catalogue.js";
import { caughtByConformance, caughtByPhiConformance, caughtByScenario } from "./mutant-catchers.js";
import { twoAtATime } from "./two-at-a-time.js";

// Some twenty conformance runs of 10–30 s each, two at a time: 156 s on a quiet 2-core machine here,
// and past the per-file default of 180 s beside other work (the default suite and two conformance runs).
t.setTimeout(420_000);

interface JsonCase {
  implementation: string;
  id: string;
  requirement: string;
  level: string;
  verdict: string;
  expected: string;
  actual: string;
}

function conformance(args: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "grapevine-conformance-"));
  const json = path.join(dir, "out.json");
  const junit = path.join(dir, "out.xml");
  const run = execa(process.execPath, [builtCli(), "conformance", "--report-dir", dir, "--json", json, "--junit", junit, ...args], {
    reject: false,
    timeout: 170_000,
    env,
  });
  return run.then((result) => ({ result, dir, json, junit, cases: () => (JSON.parse(readFileSync(json, "utf8")) as { cases: JsonCase[] }).cases }));
}

t.test("the reference node passes every MUST, with 500 generated malformed inputs", async (t) => {
  const { result, cases, junit, dir } = await conformance(["--sut", "reference", "--generated", "500", "--seed", "11"]);
  t.equal(result.exitCode, 0, result.stdout + result.stderr);
  const all = cases();
  // memberlist's own requirements are SKIP on wire v1, naming the wire; every other MUST passes.
  const onMemberlistWire = (c: { requirement: string }) => requirement(c.requirement).group === "memberlist";
  const phiFamily = (c: { requirement: string }) => requirement(c.requirement).family === "phi";
  t.same(
    all.filter((c) => c.level === "MUST" && c.verdict !== "PASS" && c.verdict !== "INFO" && !onMemberlistWire(c) && !phiFamily(c)),
    [],
    "no MUST short of PASS",
  );
  const phiRows = all.filter(phiFamily);
  t.equal(phiRows.length, 4, "the heartbeat family's four requirements are listed");
  for (const c of phiRows) t.match(c, { verdict: "SKIP", actual: /a requirement of the heartbeat family .*taken as SWIM/ }, c.id);
  const memberlistRows = all.filter(onMemberlistWire);
  t.ok(memberlistRows.length >= 15, `${memberlistRows.length} memberlist requirements listed`);
  for (const c of memberlistRows) t.match(c, { verdict: "SKIP", actual: /a rule of memberlist's wire; reference speaks Grapevine wire v1/ }, c.id);
  const generated = all.find((c) => c.id === "WIRE-ALIVE-1/generated");
  t.equal(generated?.verdict, "PASS");
  t.match(generated?.actual, /acked after all 500/);
  t.match(all.find((c) => c.id === "WIRE-SCHEMA-1/generated")?.actual, /500 of 500 dropped/);
  for (const id of [
    "SWIM-PING-1",
    "SWIM-PINGREQ-1",
    "SWIM-PROBE-2",
    "SWIM-SUSPECT-1",
    "SWIM-REFUTE-1",
    "SWIM-DISSEM-1",
    "SWIM-RETRANSMIT-1",
    "SWIM-LEFT-1",
    "SWIM-LEFT-2",
    "SWIM-SYNC-1",
    "SWIM-STALE-1",
    "WIRE-AMPLIFY-1",
    "KV-LWW-1",
    "KV-AE-1",
    "MERGE-DEAD-ALIVE-EQUAL",
  ]) {
    t.ok(
      all.some((c) => c.requirement === id && c.verdict === "PASS"),
      `${id} ran and passed`,
    );
  }
  t.match(readFileSync(junit, "utf8"), /<testsuite name="reference" tests="\d+" failures="0"/);
  const html = readFileSync(
    path.join(
      dir,
      (await import("node:fs")).readdirSync(dir).find((f) => f.endsWith("-conformance"))!,
      "index.html",
    ),
    "utf8",
  );
  t.match(html, /every MUST passed/);
  t.match(result.stdout, /reference: \d+ passed, 0 failed/);
});

t.test("the reference node under --detector phi passes the heartbeat family; SWIM's own requirements SKIP with the reason", async (t) => {
  const { result, cases } = await conformance(["--sut", "reference", "--detector", "phi", "--generated", "0"]);
  t.equal(result.exitCode, 0, result.stdout + result.stderr);
  const all = cases();
  for (const id of ["PHI-HEARTBEAT-1", "PHI-SUPERSEDE-1", "PHI-VALUE-1", "PHI-CONVICT-1", "SWIM-PING-1", "SWIM-LEFT-1", "SWIM-SYNC-1", "KV-LWW-1", "KV-AE-1"])
    t.ok(
      all.some((c) => c.requirement === id && c.verdict === "PASS"),
      `${id} ran and passed`,
    );
  const swimOnly = all.filter((c) => requirement(c.requirement).family === "swim");
  t.ok(swimOnly.length >= 30, `${swimOnly.length} SWIM-family rows`);
  for (const c of swimOnly)
    t.match(c, { verdict: "SKIP", actual: /runs the φ accrual detector \(detector: phi\): SWIM's probing, suspicion and refutation do not apply/ }, c.id);
  t.same(
    all.filter((c) => c.level === "MUST" && (c.verdict === "FAIL" || c.verdict === "NON-STRICT")),
    [],
  );
});

t.test("every mutant is caught by a conformance requirement or a default-suite scenario", async (t) => {
  const caught = new Set([...Object.keys(caughtByConformance), ...Object.keys(caughtByPhiConformance), ...Object.keys(caughtByScenario)]);
  t.same(
    Object.keys(MUTANTS).filter((m) => !caught.has(m)),
    [],
  );
});

/** Each mutant, the requirement it breaks, and the detector its reference node runs. */
const breaks: Record<string, { id: string; detector: "swim" | "phi" }> = {
  ...Object.fromEntries(Object.entries(caughtByConformance).map(([m, id]) => [m, { id: id!, detector: "swim" as const }])),
  ...Object.fromEntries(Object.entries(caughtByPhiConformance).map(([m, id]) => [m, { id: id!, detector: "phi" as const }])),
};

/** The mutant runs, two at a time, started by the first test that needs one (not beside the full run above). */
let mutantRuns: Record<string, ReturnType<typeof conformance>> | undefined;
function mutantRun(mutant: string): ReturnType<typeof conformance> {
  const limit = twoAtATime();
  mutantRuns ??= Object.fromEntries(
    Object.entries(breaks).map(([m, { id, detector }]) => [
      m,
      limit(() => conformance(["--sut", `reference:${m}`, "--detector", detector, "--only", id, "--generated", "0"])),
    ]),
  );
  return mutantRuns[mutant]!;
}

for (const [mutant, { id, detector }] of Object.entries(breaks)) {
  t.test(`[~5 s each, two at a time] reference:${mutant}${detector === "phi" ? " (--detector phi)" : ""} fails ${id}`, async (t) => {
    const { result, cases } = await mutantRun(mutant);
    // A broken MUST fails the run (exit 1); a broken SHOULD is NON-STRICT, reported but not failing it.
    const must = requirement(id).level === "MUST";
    t.equal(result.exitCode, must ? 1 : 0, result.stdout + result.stderr);
    const found = cases().filter((c) => c.requirement === id && c.verdict !== "INFO");
    const verdict = must ? "FAIL" : "NON-STRICT";
    t.ok(found.length > 0 && found.every((c) => c.verdict === verdict), `${id}: ${JSON.stringify(found)}`);
    t.match(result.stdout, new RegExp(`\\d\\) ${id} \\[${must ? "MUST" : "SHOULD"}\\] ${verdict}\\n.*\\n\\s+expected: .*\\n\\s+actual: `));
  });
}

t.test("two implementations side by side make a matrix; one failing MUST fails the run, annotated for GitHub", async (t) => {
  const stepSummary = path.join(mkdtempSync(path.join(tmpdir(), "grapevine-conformance-")), "summary.md");
  const { result, cases, dir } = await conformance(
    ["--sut", "reference", "--sut", "reference:no-refute", "--only", "SWIM-REFUTE", "--generated", "0", "--reporter", "github"],
    { GITHUB_STEP_SUMMARY: stepSummary },
  );
  t.equal(result.exitCode, 1);
  const annotations = result.stdout.split("\n").filter((l) => l.startsWith("::"));
  t.match(
    annotations,
    [
      /^::error title=reference%3Ano-refute › SWIM-REFUTE-1 \(MUST FAIL\)::.*Actual: no refutation heard/,
      /^::warning title=reference%3Ano-refute › SWIM-REFUTE-2 \(SHOULD NON-STRICT\)::/,
    ],
    "the failed MUST an error, the SHOULD a warning, on no file: the reference node has no manifest",
  );
  t.equal(annotations.length, 2, "nothing about the passing implementation");
  t.match(readFileSync(stepSummary, "utf8"), /\| reference:no-refute \| 0 \| 1 \| 1 \| 0 \| 0 \|/, "the step summary counts them");
  const verdicts = cases()
    .filter((c) => c.requirement === "SWIM-REFUTE-1")
    .map((c) => `${c.implementation}=${c.verdict}`);
  t.same(verdicts, ["reference=PASS", "reference:no-refute=FAIL"]);
  const runDir = path.join(
    dir,
    (await import("node:fs")).readdirSync(dir).find((f) => f.endsWith("-conformance"))!,
  );
  const html = readFileSync(path.join(runDir, "index.html"), "utf8");
  t.match(html, /<th>reference<\/th><th>reference:no-refute<\/th>/);
  const link = /<a href="(wire\/reference-no-refute\/[^"]+)">FAIL<\/a>/.exec(html);
  t.ok(link, "the failing cell links its wire log");
  const log = readFileSync(path.join(runDir, link![1]!), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { dir: string; message?: { type?: string } });
  t.ok(
    log.some((e) => e.dir === "sent" && e.message?.type === "ping"),
    "the wire log holds the ping that carried the suspicion",
  );
});

t.test("--target: an implementation someone else started; without --admin, view-based cases are SKIPped with the reason", async (t) => {
  const node = await NodeProcess.start({ id: "outside", config: REFERENCE_CONFORMANCE_CONFIG });
  t.teardown(() => node.stop());
  const withAdmin = await conformance([
    "--target",
    node.addr,
    "--admin",
    node.admin.baseUrl,
    "--only",
    "SWIM-PING",
    "--only",
    "MERGE-ALIVE",
    "--only",
    "SWIM-LEFT-2",
    "--generated",
    "0",
  ]);
  t.equal(withAdmin.result.exitCode, 0, withAdmin.result.stdout);
  const cases = withAdmin.cases();
  t.ok(cases.filter((c) => c.requirement.startsWith("MERGE-ALIVE")).every((c) => c.verdict === "PASS"));
  t.match(
    cases.find((c) => c.requirement === "SWIM-LEFT-2"),
    { verdict: "SKIP", actual: /pass --allow-leave/ },
    "a node someone else started is not asked to leave",
  );
  const wireOnly = await conformance(["--target", node.addr, "--only", "SWIM-PING-1", "--only", "MERGE-ALIVE-DEAD", "--generated", "0"]);
  t.equal(wireOnly.result.exitCode, 0);
  t.match(
    wireOnly.cases().find((c) => c.requirement === "MERGE-ALIVE-DEAD-HIGHER"),
    { verdict: "SKIP", actual: /needs the admin API/ },
  );
  t.equal(wireOnly.cases().find((c) => c.requirement === "SWIM-PING-1")?.verdict, "PASS");
});

t.test("bad input exits 2 with a message naming what is wrong", async (t) => {
  const cli = (args: string[]) => execa(process.execPath, [builtCli(), "conformance", ...args], { reject: false, timeout: 30_000 });
  // A manifest that does not say which wire its implementation speaks: conformance cannot talk to it.
  const noWire = path.join(mkdtempSync(path.join(tmpdir(), "manifest-")), "no-wire.json");
  const { wire: _wire, ...withoutWire } = JSON.parse(readFileSync("fixtures/adapters/memberlist.json", "utf8")) as Record<string, unknown>;
  writeFileSync(noWire, JSON.stringify(withoutWire));
  const cases: [string[], RegExp][] = [
    [["--sut", "serf"], /--sut serf: expected "reference", "reference:MUTANT" or an adapter manifest/],
    [["--sut", noWire], /field wire: the manifest does not say which wire memberlist speaks/],
    [["--sut", "fixtures/adapters/nope.json"], /--sut fixtures\/adapters\/nope.json/],
    [["--target", "127.0.0.1:1", "--protocol", "gopher"], /protocol/],
    [["--sut", "reference:no-such"], /no mutant "no-such"/],
    [["--only", "NOPE"], /--only NOPE: matches no requirement/],
    // Lists are comma-separated or repeated alike: each value is judged.
    [["--only", "SWIM-PING,NOPE"], /--only NOPE: matches no requirement/],
    [["--sut", "reference,reference:no-such"], /no mutant "no-such"/],
    [["--target", "127.0.0.1:1,127.0.0.1:2", "--admin", "http://127.0.0.1:3"], /--admin: give one per --target/],
    [["--target", "127.0.0.1:1", "--period-ms", "soon"], /--period-ms: "soon" is not a duration/],
    [["--target", "127.0.0.1:1", "--target", "127.0.0.1:2", "--admin", "http://127.0.0.1:3"], /--admin: give one per --target/],
    [["--target", "nowhere"], /--target nowhere: expected HOST:PORT/],
    [["--generated", "-1"], /--generated/],
  ];
  for (const [args, message] of cases) {
    const result = await cli(args);
    t.equal(result.exitCode, 2, args.join(" "));
    t.match(result.stderr, message);
  }
  const dir = mkdtempSync(path.join(tmpdir(), "corpus-"));
  writeFileSync(path.join(dir, "x.json"), JSON.stringify({ description: "x", requirement: "WIRE-JSON-1", body: {} }));
  const bad = await cli(["--corpus", dir]);
  t.equal(bad.exitCode, 2);
  t.match(bad.stderr, /x\.json: field body: /);
  const unreachable = await cli(["--target", "127.0.0.1:9", "--admin", "http://127.0.0.1:9", "--generated", "0"]);
  t.equal(unreachable.exitCode, 2);
  t.match(unreachable.stderr, /127\.0\.0\.1:9: cannot start or reach it/);
});

t.test("--list prints the catalogue as Markdown", async (t) => {
  const result = await execa(process.execPath, [builtCli(), "conformance", "--list"]);
  t.match(result.stdout, /^# Grapevine protocol requirements/);
  t.match(result.stdout, /\| `SWIM-REFUTE-1` \| MUST \|/);
});
