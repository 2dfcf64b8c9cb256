// The simulator at a size `npm test` has no time for: the default suite's partition-heal at 500 nodes
// (200 | 300 after the scale rule), about 45 s. At this size, before suspicions taken from a sync were
// attributed to the member itself (reference-node/core/sync.ts), the copies of each side's dead
// verdicts read as independent confirmations after the heal and 3 healthy members were declared dead
// by their own side (87 at 1,000 nodes); a correct run has none.
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
