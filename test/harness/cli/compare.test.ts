// `grapevine compare` and `run --baseline` as a CI pipeline uses them: a passing run against a
// mutant's names the regressed checks and exits 1; two passing runs compare clean; a bench's
// slower detection fails too; what cannot be compared exits 2. Simulator runs, so it is quick.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../../harness/paths.js";

const root = packageRoot();
const grapevine = (args: string[]) => execa(process.execPath, [builtCli(), ...args], { reject: false, timeout: 180_000, cwd: root });
const SCENARIOS = ["specs/scenarios/02-crash-detection.yaml", "specs/scenarios/05-pause-long.yaml"];

/** A simulated run of the two scenarios; returns its run folder. */
async function simRun(args: string[], exitCode: number): Promise<string> {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-compare-"));
  const run = await grapevine(["run", "--runtime", "sim", ...SCENARIOS, ...args, "--report-dir", reportDir]);
  if (run.exitCode !== exitCode) throw new Error(`run ${args.join(" ")}: exit ${run.exitCode}\n${run.stdout}\n${run.stderr}`);
  return path.join(reportDir, readdirSync(reportDir)[0]!);
}

const [base, again, mutant] = await Promise.all([simRun(["--seed", "1"], 0), simRun(["--seed", "2"], 0), simRun(["--seed", "1", "--mutant", "no-refute"], 1)]);

t.test("a passing run against a no-refute run: exit 1, the regressed check named", async (t) => {
  const json = path.join(mkdtempSync(path.join(tmpdir(), "grapevine-compare-")), "comparison.json");
  const cmp = await grapevine(["compare", base, mutant, "--json", json]);
  t.equal(cmp.exitCode, 1, cmp.stdout + cmp.stderr);
  t.match(cmp.stdout, /REGRESSED pause-long › rejoined n2: pass → fail/);
  t.match(cmp.stdout, /^\d+ regressions?$/m);
  const written = JSON.parse(readFileSync(json, "utf8"));
  t.ok(written.regressions >= 1);
  t.ok(written.verdicts.some((v: { name: string; change: string }) => v.name === "pause-long › rejoined n2" && v.change === "regressed"));
});

t.test("two passing runs (other seeds) compare clean: exit 0", async (t) => {
  // The newest run by its link, as a pipeline names it.
  const cmp = await grapevine(["compare", base, path.join(path.dirname(again), "latest", "summary.json")]);
  t.equal(cmp.exitCode, 0, cmp.stdout + cmp.stderr);
  t.match(cmp.stdout, /no regression/);
  t.match(cmp.stdout, /\d+ unchanged/);
  t.notMatch(cmp.stdout, /REGRESSED/);
});

t.test("the whole default suite, passing under three seeds: every pair compares clean, both ways", async (t) => {
  // Timers fire at other moments under another seed: the thresholds must sit above that spread, or
  // a pipeline comparing with yesterday's run fails on noise (the spread is measured in regression/compare.ts).
  const runs: string[] = [];
  for (const seed of ["3", "4", "5"]) {
    const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-compare-"));
    const run = await grapevine(["run", "--runtime", "sim", "--seed", seed, "--report-dir", reportDir]);
    t.equal(run.exitCode, 0, `seed ${seed} passes`);
    runs.push(path.join(reportDir, "latest"));
  }
  for (const a of runs)
    for (const b of runs.filter((r) => r !== a)) {
      const cmp = await grapevine(["compare", a, b]);
      t.equal(
        cmp.exitCode,
        0,
        cmp.stdout
          .split("\n")
          .filter((l) => /REGRESSED/.test(l))
          .join("\n") || "clean",
      );
    }
});

t.test("run --baseline: the run's own checks pass or not, and the comparison fails it", async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-compare-"));
  const run = await grapevine(["run", "--runtime", "sim", ...SCENARIOS, "--seed", "1", "--mutant", "no-refute", "--baseline", base, "--report-dir", reportDir]);
  t.equal(run.exitCode, 1);
  t.match(run.stdout, /REGRESSED pause-long › rejoined n2: pass → fail/);
  const clean = await grapevine(["run", "--runtime", "sim", SCENARIOS[0]!, SCENARIOS[1]!, "--seed", "1", "--baseline", base, "--report-dir", reportDir]);
  t.equal(clean.exitCode, 0, clean.stdout + clean.stderr);
  t.match(clean.stdout, /no regression/);
  const missing = await grapevine(["run", "--runtime", "sim", SCENARIOS[0]!, "--baseline", "/nonexistent/run", "--report-dir", reportDir]);
  t.equal(missing.exitCode, 2, "refused before anything runs");
  t.match(missing.stderr, /--baseline \/nonexistent\/run: no such file or folder/);
});

t.test("a bench: slower detection in a copy of a trade-off summary fails the comparison", async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-compare-"));
  const bench = await grapevine(
    ["bench", "tradeoff", "--nodes", "5", "--thresholds", "8", "--multipliers", "4", "--conditions", "clean"].concat([
      "--quiet-minutes",
      "1",
      "--trials",
      "1",
      "--seed",
      "1",
      "--report-dir",
      reportDir,
    ]),
  );
  t.equal(bench.exitCode, 0, bench.stderr);
  const file = path.join(reportDir, readdirSync(reportDir)[0]!, "summary.json");
  t.equal((await grapevine(["compare", file, file])).exitCode, 0, "a bench against itself");
  const summary = JSON.parse(readFileSync(file, "utf8"));
  summary.rows[0].detectionP50Ms *= 3;
  const slower = path.join(reportDir, "slower.json");
  writeFileSync(slower, JSON.stringify(summary));
  const cmp = await grapevine(["compare", file, slower]);
  t.equal(cmp.exitCode, 1, cmp.stdout);
  t.match(cmp.stdout, /REGRESSED SWIM ×4 › clean › detection p50: \d+ ms → \d+ ms \(\+200 %\)/);
  const mixed = await grapevine(["compare", base, file]);
  t.equal(mixed.exitCode, 2);
  t.match(mixed.stderr, /a run cannot be compared with a bench tradeoff \(sim\)/);
});

t.test("what cannot be compared exits 2, saying which file and why", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "grapevine-compare-"));
  writeFileSync(path.join(dir, "broken.json"), "{ not json");
  writeFileSync(path.join(dir, "other.json"), JSON.stringify({ suite: "x", scenarios: "many" }));
  for (const [args, message] of [
    [[base, "/nonexistent"], /\/nonexistent: no such file or folder/],
    [[base, dir], /no summary\.json in this folder/],
    [[base, path.join(dir, "broken.json")], /broken\.json: not JSON/],
    [[base, path.join(dir, "other.json")], /other\.json: field /],
    [[base, base, "--max-slower-pct", "-5"], /--max-slower-pct: a percentage from 0/],
  ] as [string[], RegExp][]) {
    const cmp = await grapevine(["compare", ...args]);
    t.equal(cmp.exitCode, 2, args.join(" "));
    t.match(cmp.stderr, message);
  }
});
