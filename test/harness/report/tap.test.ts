// run --reporter tap, read by a TAP parser (tap's own): every check a test point with a YAML
// diagnostic carrying its verdict, measures and evidence; each scenario's seed on its own point.
import { execa } from "execa";
import { Parser, type Result } from "tap-parser";
import t from "tap";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { builtCli, packageRoot } from "../../../harness/paths.js";

t.test("the TAP parses, fails where the run failed, and each point's diagnostic has the check's evidence", async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-tap-"));
  const scenarios = ["05-pause-long", "17-duplicate-reorder"].map((s) => `specs/scenarios/${s}.yaml`);
  const run = await execa(
    process.execPath,
    [builtCli(), "run", "--runtime", "sim", "--seed", "3", "--mutant", "no-refute", ...scenarios, "--reporter", "tap", "--report-dir", reportDir],
    { reject: false, timeout: 120_000, cwd: packageRoot() },
  );
  t.equal(run.exitCode, 1);
  const failures: Result[] = [];
  const passes: Result[] = [];
  const parser = new Parser({ bail: false });
  parser.on("assert", (r: Result) => (r.ok ? passes : failures).push(r));
  const subtestFailures: Result[] = [];
  parser.on("child", (child: Parser) => child.on("assert", (r: Result) => !r.ok && subtestFailures.push(r)));
  const done = new Promise<{ ok: boolean; count: number }>((resolve) => parser.on("complete", resolve));
  parser.end(run.stdout);
  const final = await done;
  t.equal(final.ok, false, "the run failed, so the TAP does");
  t.equal(final.count, 2, "a point per scenario");
  t.match(
    failures.map((r) => r.name),
    ["pause-long"],
  );
  t.match(failures[0]!.diag, { file: "specs/scenarios/05-pause-long.yaml", seed: 3 }, "the scenario's seed on its point");
  t.match(passes[0]!.diag, { seed: 3 }, "on a skipped scenario's too");
  const rejoined = subtestFailures.find((r) => r.name.startsWith("rejoined n2"));
  t.ok(rejoined, "the failed check is a failed point");
  t.match(rejoined!.diag, { verdict: "fail", metrics: { rejoinMs: null } });
  t.match(rejoined!.diag.evidence, [{ observer: String, member: "n2", detail: /marked it dead at incarnation 0/ }], "its evidence, as the report keeps it");
});
