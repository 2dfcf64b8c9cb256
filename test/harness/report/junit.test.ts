// junit.xml from `run`, as a CI server reads it: valid against the JUnit schema in fixtures (which
// rejects what the format forbids), with a time on every testcase, SKIP as <skipped>, INFO said as
// such, the counts true to the cases, and the seed among each suite's properties.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../../harness/paths.js";
import { junitErrors } from "./junit-xsd.js";

t.test("the schema rejects what CI servers reject: no errors count, no testcase time, a zoned timestamp", async (t) => {
  const old = `<?xml version="1.0"?><testsuites><testsuite name="s" tests="1" failures="0" time="1" timestamp="2026-11-27T07:14:14.823Z"><testcase classname="c" name="n"/></testsuite></testsuites>`;
  const errors = (await junitErrors(old)).join("\n");
  t.match(errors, /attribute 'timestamp'.*not accepted by the pattern/);
  t.match(errors, /'errors' is required but missing/);
  t.match(errors, /'time' is required but missing/);
});

t.test("run --reporter junit: stdout and junit.xml valid; times, skips, INFO, counts and seeds as a CI server reads them", async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-junit-"));
  const scenarios = ["05-pause-long", "08-loss-10pct", "17-duplicate-reorder"].map((s) => `specs/scenarios/${s}.yaml`);
  const run = await execa(
    process.execPath,
    [builtCli(), "run", "--runtime", "sim", "--seed", "3", "--mutant", "no-refute", ...scenarios, "--reporter", "junit", "--report-dir", reportDir],
    { reject: false, timeout: 120_000, cwd: packageRoot() },
  );
  t.equal(run.exitCode, 1, "the mutant fails pause-long");
  t.same(await junitErrors(run.stdout, "stdout"), [], "stdout is one valid document: the replay line went to stderr");
  t.match(run.stderr, /replay pause-long \(seed 3\)/);
  const runDir = readdirSync(reportDir)[0]!;
  t.equal(readlinkSync(path.join(reportDir, "latest")), runDir, "reports/latest points at the newest run");
  const xml = readFileSync(path.join(reportDir, "latest", "junit.xml"), "utf8");
  t.same(await junitErrors(xml), [], "junit.xml is valid");
  const cases = xml.match(/<testcase /g)!.length;
  t.match(xml, new RegExp(`<testsuites [^>]*tests="${cases}"`), "tests counts the testcases");
  t.equal(xml.match(/<testcase [^>]*time="\d+\.\d{3}"/g)!.length, cases, "every testcase has a time");
  t.match(xml, /<testcase [^>]*name="step 4: wait until converged" time="10\.000">\s*<failure /, "a step's time is its own (virtual here)");
  t.match(xml, /<testsuite name="duplicate-reorder" tests="1" failures="0" errors="0" skipped="1"[\s\S]*?<skipped message=/, "SKIP as <skipped>");
  t.match(xml, /<system-out>INFO \(reported, neither pass nor fail\): /, "INFO said as such");
  for (const suite of ["pause-long", "loss-10pct", "duplicate-reorder"])
    t.match(xml, new RegExp(`<testsuite name="${suite}"[\\s\\S]*?<property name="seed" value="3"/>`), `${suite}: its seed`);
  const failures = xml.match(/<failure /g)!.length;
  t.match(xml, new RegExp(`<testsuites [^>]*failures="${failures}"`), "failures counts the <failure> elements");
});
