// The simulator at a size `npm test` has no time for: the default suite's partition-heal at 500 nodes
// (200 | 300 after the scale rule), about 45 s. At this size, before suspicions taken from a sync were
// attributed to the member itself (reference-node/core/sync.ts), the copies of each side's dead
// verdicts read as independent confirmations after the heal and 3 healthy members were declared dead
// by their own side (87 at 1,000 nodes); a correct run has none. And slow-node at 1,000 nodes, about
// 20 s a run: every link of n1 is slow, to the 995 extra nodes too (the scale rule), and a node
// without Lifeguard's local health suspects about a hundred healthy members where a correct one
// suspects a handful. And mass-crash at 500 nodes (about 8 s): its crash list widens to 200 nodes.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../harness/paths.js";
import { Summary } from "../../specs/report/summary.js";

t.setTimeout(300_000);

t.test("partition-heal at 500 simulated nodes: the sides re-form with no healthy member declared dead", async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-sim-scale-"));
  const file = path.join(packageRoot(), "specs", "scenarios", "06-partition-heal.yaml");
  const run = await execa(
    process.execPath,
    [builtCli(), "run", "--runtime", "sim", "--nodes", "500", "--seed", "1", file, "--report-dir", reportDir, "--reporter", "json"],
    {
      reject: false,
      timeout: 240_000,
    },
  );
  if (run.exitCode !== 0) t.comment(run.stderr.slice(-3000));
  t.equal(run.exitCode, 0, "exit 0: the scenario passed");
  const summary = Summary.parse(JSON.parse(run.stdout));
  const scenario = summary.scenarios.find((s) => s.name === "partition-heal")!;
  t.equal(scenario.verdict, "pass");
  const falsePositives = scenario.checks.find((c) => c.name === "no-false-positives")!;
  t.match(falsePositives.summary, /^0 false dead, \d+ false suspicions/, "suspicions of side-mates after the heal, every one refuted");
  t.match(
    scenario.checks.find((c) => c.name === "heal"),
    { verdict: "pass" },
  );
});

t.test("slow-node at 1,000 simulated nodes: few suspicion episodes; --mutant no-local-health many", async (t) => {
  const file = path.join(packageRoot(), "specs", "scenarios", "18-slow-node.yaml");
  const episodes = async (mutant?: string) => {
    const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-sim-slow-"));
    const run = await execa(
      process.execPath,
      [
        builtCli(),
        "run",
        "--runtime",
        "sim",
        "--nodes",
        "1000",
        "--seed",
        "1",
        ...(mutant ? ["--mutant", mutant] : []),
        file,
        "--report-dir",
        reportDir,
        "--reporter",
        "json",
      ],
      { reject: false, timeout: 120_000 },
    );
    const summary = Summary.parse(JSON.parse(run.stdout));
    const check = summary.scenarios[0]!.checks.find((c) => c.name === "suspicions but n1")!;
    return { exitCode: run.exitCode, check };
  };
  const correct = await episodes();
  t.equal(correct.exitCode, 0, correct.check.summary);
  t.ok((correct.check.metrics!.suspicions as number) <= 20, `correct: ${correct.check.summary}`);
  const mutant = await episodes("no-local-health");
  t.equal(mutant.exitCode, 1, "the mutant fails the run");
  t.match(mutant.check, { verdict: "fail" });
  t.ok((mutant.check.metrics!.suspicions as number) > 40, `no-local-health: ${mutant.check.summary}`);
});

t.test("mass-crash at 500 simulated nodes: the crash list widens to 200 nodes, all held dead by the 300 survivors", async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-sim-mass-"));
  const file = path.join(packageRoot(), "specs", "scenarios", "20-mass-crash.yaml");
  const run = await execa(
    process.execPath,
    [builtCli(), "run", "--runtime", "sim", "--nodes", "500", "--seed", "1", file, "--report-dir", reportDir, "--reporter", "json"],
    { reject: false, timeout: 120_000 },
  );
  if (run.exitCode !== 0) t.comment(run.stderr.slice(-3000));
  t.equal(run.exitCode, 0, "exit 0: the scenario passed");
  const scenario = Summary.parse(JSON.parse(run.stdout)).scenarios[0]!;
  const allDead = scenario.checks.find((c) => c.name.startsWith("all-dead"))!;
  t.equal(allDead.name, "all-dead n4,n5,n9,…,n500 (200 nodes)", "the check judges the nodes the widened crash took");
  t.match(allDead, { verdict: "pass", metrics: { crashed: 200, late: 0 } }, allDead.summary);
  t.match(
    scenario.checks.find((c) => c.name === "no-false-positives"),
    { verdict: "pass", summary: /^0 false dead/ },
  );
});
