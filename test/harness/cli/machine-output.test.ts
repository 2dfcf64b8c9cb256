// --json FILE and --junit FILE mean the same on run, check, conformance and bench; --reporter json
// or junit leaves stdout one document. Every JUnit written is valid against fixtures/junit/junit.xsd.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../../harness/paths.js";
import { Summary } from "../../../specs/report/summary.js";
import { TradeoffSummary } from "../../../specs/bench/tradeoff.js";
import { junitErrors } from "../report/junit-xsd.js";

const grapevine = (args: string[], env: Record<string, string> = {}) =>
  execa(process.execPath, [builtCli(), ...args], { reject: false, timeout: 120_000, cwd: packageRoot(), env });
const dir = mkdtempSync(path.join(tmpdir(), "grapevine-outputs-"));
const file = (name: string) => path.join(dir, name);

t.test("run and check: the summary as JSON and JUnit, the same verdicts", async (t) => {
  const run = await grapevine([
    "run",
    "--runtime",
    "sim",
    "specs/scenarios/02-crash-detection.yaml",
    "--report-dir",
    file("r"),
    "--json",
    file("run.json"),
    "--junit",
    file("run.xml"),
  ]);
  t.equal(run.exitCode, 0, run.stderr);
  const ran = Summary.parse(JSON.parse(readFileSync(file("run.json"), "utf8")));
  t.same(await junitErrors(readFileSync(file("run.xml"), "utf8")), []);
  const check = await grapevine(["check", path.join(file("r"), "latest"), "--json", file("check.json"), "--junit", file("check.xml")]);
  t.equal(check.exitCode, 0, check.stderr);
  const checked = Summary.parse(JSON.parse(readFileSync(file("check.json"), "utf8")));
  const verdicts = (s: Summary) => s.scenarios.flatMap((x) => x.checks.map((c) => `${x.name}/${c.name}: ${c.verdict}`));
  t.same(verdicts(checked), verdicts(ran), "check's JSON has run's verdicts");
  t.same(await junitErrors(readFileSync(file("check.xml"), "utf8")), []);
});

t.test("conformance: --reporter junit prints one valid document, progress on stderr; --json FILE as run's", async (t) => {
  const conf = await grapevine([
    "conformance",
    "--only",
    "SWIM-PING-1",
    "--generated",
    "0",
    "--reporter",
    "junit",
    "--json",
    file("conf.json"),
    "--report-dir",
    file("c"),
  ]);
  t.equal(conf.exitCode, 0, conf.stderr);
  t.match(conf.stdout, /^<\?xml/, "nothing before the document");
  t.same(await junitErrors(conf.stdout, "stdout"), []);
  t.match(conf.stderr, /PASS\s+SWIM-PING-1/, "progress went to stderr");
  t.match(JSON.parse(readFileSync(file("conf.json"), "utf8")), { cases: [{ requirement: "SWIM-PING-1", verdict: "PASS" }] });
});

t.test("bench: --json FILE is its summary; --junit is refused before anything runs (a bench has no verdicts)", async (t) => {
  const args = [
    "bench",
    "tradeoff",
    "--nodes",
    "4",
    "--thresholds",
    "8",
    "--multipliers",
    "4",
    "--conditions",
    "clean",
    "--quiet-minutes",
    "1",
    "--trials",
    "1",
  ];
  const bench = await grapevine([...args, "--report-dir", file("b"), "--json", file("bench.json")]);
  t.equal(bench.exitCode, 0, bench.stderr);
  t.equal(TradeoffSummary.parse(JSON.parse(readFileSync(file("bench.json"), "utf8"))).rows.length, 2);
  const junit = await grapevine([...args, "--report-dir", file("b2"), "--junit", file("bench.xml")]);
  t.equal(junit.exitCode, 2);
  t.match(junit.stderr, /--junit: a bench has measures, not verdicts/);
  const junitReporter = await grapevine([...args, "--report-dir", file("b2"), "--reporter", "junit"]);
  t.equal(junitReporter.exitCode, 2);
  t.match(junitReporter.stderr, /--reporter junit: a bench has measures, not verdicts/);

  // --reporter json: stdout is the summary and nothing else; github: the table, and the step summary.
  const json = await grapevine([...args, "--seed", "4", "--report-dir", file("b3"), "--reporter", "json"]);
  t.equal(json.exitCode, 0, json.stderr);
  t.equal(TradeoffSummary.parse(JSON.parse(json.stdout)).rows.length, 2, "stdout parses as the summary");
  const stepSummary = file("step-summary.md");
  const github = await grapevine([...args, "--seed", "4", "--report-dir", file("b4"), "--reporter", "github"], { GITHUB_STEP_SUMMARY: stepSummary });
  t.equal(github.exitCode, 0, github.stderr);
  const table = readFileSync(stepSummary, "utf8");
  t.match(github.stdout, table.trim().split("\n")[0]!, "the same table on stdout and in the step summary");
  t.match(table, /SWIM ×4/);
});
