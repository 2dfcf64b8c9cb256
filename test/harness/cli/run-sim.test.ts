// `grapevine run --runtime sim` as a user runs it: a failure prints the one command that replays it,
// and that command replays it exactly; a large cluster gets charts that scale; bad combinations are refused.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../../harness/paths.js";
import { Summary } from "../../../specs/report/summary.js";

const root = packageRoot();
const grapevine = (args: string[], timeout = 120_000) => execa(process.execPath, [builtCli(), ...args], { reject: false, timeout, cwd: root });
const onlyRunDir = (reportDir: string) => path.join(reportDir, readdirSync(reportDir)[0]!);
const summaryOf = (runDir: string) => Summary.parse(JSON.parse(readFileSync(path.join(runDir, "summary.json"), "utf8")));

t.test("a failed scenario prints its seed and the command that replays it; the command replays it exactly", async (t) => {
  const first = mkdtempSync(path.join(tmpdir(), "grapevine-sim-"));
  const run = await grapevine(["run", "--runtime", "sim", "--mutant", "no-refute", "specs/scenarios/05-pause-long.yaml", "--report-dir", first]);
  t.equal(run.exitCode, 1, run.stdout + run.stderr);
  const replay =
    /^replay pause-long \(seed (\d+)\): npx grapevine (run --runtime sim --nodes 5 --seed \1 --mutant no-refute specs\/scenarios\/05-pause-long\.yaml)$/m.exec(
      run.stdout,
    );
  t.ok(replay, `the replay line:\n${run.stdout}`);
  const second = mkdtempSync(path.join(tmpdir(), "grapevine-sim-"));
  const again = await grapevine([...replay![2]!.split(" "), "--report-dir", second]);
  t.equal(again.exitCode, 1, "the replay fails too");
  const [a, b] = [summaryOf(onlyRunDir(first)), summaryOf(onlyRunDir(second))];
  t.equal(a.runtime, "sim");
  const judged = (s: Summary) => s.scenarios[0]!.checks.map((c) => ({ name: c.name, verdict: c.verdict, summary: c.summary, metrics: c.metrics }));
  t.same(judged(b), judged(a), "every check, verdict, summary and metric the same");
  t.ok(
    judged(a).some((c) => c.verdict === "fail" && /^rejoined n2/.test(c.name)),
    "the mutant's failure is among them",
  );
  t.equal(
    readFileSync(path.join(onlyRunDir(second), "history.ndjson"), "utf8"),
    readFileSync(path.join(onlyRunDir(first), "history.ndjson"), "utf8"),
    "and the history is byte for byte the same",
  );
  const check = await grapevine(["check", onlyRunDir(first)]);
  t.equal(check.exitCode, 1, "grapevine check judges the simulated history again: the same failure");
  t.match(check.stderr, /every verdict matches summary.json/);
});

t.test("--detector phi: the default suite passes on the φ detector, with bounds from the φ settings; a φ mutant fails and replays", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "grapevine-sim-phi-"));
  const run = await grapevine(["run", "--runtime", "sim", "--detector", "phi", "--seed", "3", "--report-dir", dir]);
  t.equal(run.exitCode, 0, run.stdout + run.stderr);
  const summary = summaryOf(onlyRunDir(dir));
  t.same(
    summary.scenarios.filter((s) => s.verdict !== "pass").map((s) => `${s.name}: ${s.verdict}`),
    ["duplicate-reorder: skip"],
    "every scenario the simulator runs passes",
  );
  const crash = summary.scenarios.find((s) => s.name === "crash-detection")!;
  const detection = crash.checks.find((c) => c.name === "detection n3")!;
  // φ at 200 ms heartbeats, 600 ms pause: dead in about a second, where SWIM's bound alone is 4.8 s of suspicion.
  t.ok((detection.metrics!.allDeadMs as number) < 2000, `all dead ${detection.metrics!.allDeadMs} ms after the crash`);
  const history = readFileSync(path.join(onlyRunDir(dir), "history.ndjson"), "utf8");
  t.match(history, /"detector":"phi"/, "the nodes ran the φ detector");

  const broken = mkdtempSync(path.join(tmpdir(), "grapevine-sim-phi-"));
  const mutant = await grapevine([
    "run",
    "--runtime",
    "sim",
    "--detector",
    "phi",
    "--mutant",
    "phi-no-pause",
    "specs/scenarios/01-steady-state.yaml",
    "--report-dir",
    broken,
  ]);
  t.equal(mutant.exitCode, 1, "φ without the acceptable pause convicts members that only beat a little late");
  t.match(mutant.stdout, /✗ no-false-positives/);
  t.match(mutant.stdout, /replay steady-state \(seed \d+\): npx grapevine run --runtime sim --nodes 5 --seed \d+ --detector phi --mutant phi-no-pause /);
});

t.test("200 simulated nodes: the checks pass and the report draws shares and a heatmap, not 40 000 lanes", async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-sim-"));
  const run = await grapevine([
    "run",
    "--runtime",
    "sim",
    "--nodes",
    "200",
    "--seed",
    "4",
    "specs/scenarios/02-crash-detection.yaml",
    "--report-dir",
    reportDir,
  ]);
  t.equal(run.exitCode, 0, run.stdout + run.stderr);
  t.match(run.stderr, /crash-detection \(200 nodes, simulated\)/, "progress says what runs");
  const runDir = onlyRunDir(reportDir);
  const summary = summaryOf(runDir);
  t.equal(summary.scenarios[0]!.seed, 4, "the seed is in summary.json");
  t.match(summary.scenarios[0]!.checks.find((c) => c.name === "detection n3")?.summary, /all 199 dead/, "detection judged at every live node");
  const history = readFileSync(path.join(runDir, "history.ndjson"), "utf8");
  t.match(history, /"type":"view-count"/, "the aggregated view stream");
  const html = readFileSync(path.join(runDir, "index.html"), "utf8");
  t.match(html, /data-chart="shares"/);
  t.match(html, /data-chart="heatmap"/);
  t.notMatch(html, /data-chart="timeline"/);
});

t.test("combinations the simulator cannot serve are refused with the reason (exit 2)", async (t) => {
  const cases: [string[], RegExp][] = [
    [["--sut", "fixtures/adapters/serf.json"], /--runtime sim: simulates the reference node's core only/],
    [["--faults", "packet"], /--faults: the simulator carries every fault on its own network/],
    [["--nodes", "10001"], /--nodes: must be a whole number from 1 to 10000/],
  ];
  for (const [extra, message] of cases) {
    const run = await grapevine(["run", "--runtime", "sim", ...extra, "specs/scenarios/02-crash-detection.yaml", "--report-dir", tmpdir()]);
    t.equal(run.exitCode, 2, extra.join(" "));
    t.match(run.stderr, message);
  }
  // A size the heap cannot hold is refused before anything starts (here with a 1 GB heap: 2,000 nodes need 4 GB).
  const small = { NODE_OPTIONS: "--max-old-space-size=1024" };
  const tooLarge = await execa(
    process.execPath,
    [builtCli(), "run", "--runtime", "sim", "--nodes", "2000", "specs/scenarios/02-crash-detection.yaml", "--report-dir", tmpdir()],
    {
      reject: false,
      cwd: root,
      env: small,
    },
  );
  t.equal(tooLarge.exitCode, 2);
  t.match(tooLarge.stderr, /--nodes: 2000 simulated nodes need about 4\.0 GB \(every core holds the whole membership table.*this process may use 1\.\d GB/);
  const theory = await execa(process.execPath, [builtCli(), "bench", "convergence", "--runtime", "sim", "--nodes", "10,10000", "--report-dir", tmpdir()], {
    reject: false,
    cwd: root,
    env: small,
  });
  t.equal(theory.exitCode, 2, "bench convergence refuses it too");
  t.match(theory.stderr, /--nodes: 10000 simulated nodes need about 100\.0 GB/);
  // A scenario file that asks for that many itself is SKIP with the reason, and a run of nothing else fails.
  const dir = mkdtempSync(path.join(tmpdir(), "gv-large-"));
  writeFileSync(
    path.join(dir, "large.yaml"),
    readFileSync(path.join(root, "specs/scenarios/02-crash-detection.yaml"), "utf8").replace(/^nodes: 5$/m, "nodes: 3000"),
  );
  const skipped = await execa(process.execPath, [builtCli(), "run", "--runtime", "sim", path.join(dir, "large.yaml"), "--report-dir", dir], {
    reject: false,
    cwd: root,
    env: small,
  });
  t.equal(skipped.exitCode, 1, "nothing was tested");
  t.match(skipped.stdout, /crash-detection +SKIP[\s\S]*not run: 3000 simulated nodes need about 9\.0 GB/);
  const processes = await grapevine(["run", "--nodes", "100", "specs/scenarios/02-crash-detection.yaml", "--report-dir", tmpdir()]);
  t.equal(processes.exitCode, 2);
  t.match(processes.stderr, /--nodes: must be a whole number from 1 to 64 \(more with --runtime sim\)/);
});

t.test("bench convergence --runtime sim: each figure beside its prediction, with the formulas, in three charts", async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-theory-"));
  const args = ["bench", "convergence", "--runtime", "sim", "--nodes", "10,40", "--trials", "2", "--seed", "3", "--rates", "10,30"];
  const run = await grapevine([...args, "--loss-nodes", "10", "--loss-periods", "200", "--report-dir", reportDir]);
  t.equal(run.exitCode, 0, run.stdout + run.stderr);
  t.match(run.stderr, /N=40 trial 2\/2: first suspicion [\d.]+ periods/, "progress per trial");
  const runDir = onlyRunDir(reportDir);
  const summary = JSON.parse(readFileSync(path.join(runDir, "summary.json"), "utf8")) as {
    spread: { nodes: number; firstSuspectPeriods: number | null; writeRounds: number | null; predictedRounds: number; predictedFirstSuspect: number }[];
    loss: { lossRate: number; probes: number; perProbe: number; predicted: number }[];
  };
  t.same(
    summary.spread.map((s) => s.nodes),
    [10, 10, 40, 40],
    "two trials per size",
  );
  for (const s of summary.spread) {
    t.ok(
      s.firstSuspectPeriods !== null && s.firstSuspectPeriods > 0 && s.firstSuspectPeriods < 10,
      `N=${s.nodes}: first suspicion after ${s.firstSuspectPeriods} periods`,
    );
    t.ok(
      s.writeRounds !== null && s.writeRounds > 0 && s.writeRounds <= 2 * s.predictedRounds,
      `N=${s.nodes}: the write reached all in ${s.writeRounds} rounds (predicted ${s.predictedRounds.toFixed(1)})`,
    );
  }
  const heavy = summary.loss.find((l) => l.lossRate === 0.3)!;
  t.ok(heavy.probes > 1500, `${heavy.probes} probes at 30 % loss`);
  t.ok(
    heavy.perProbe > heavy.predicted / 2 && heavy.perProbe < heavy.predicted * 2,
    `30 % loss: ${heavy.perProbe.toFixed(4)} failed probes per probe, predicted ${heavy.predicted.toFixed(4)}`,
  );
  const html = readFileSync(path.join(runDir, "index.html"), "utf8");
  t.equal((html.match(/<svg/g) ?? []).length, 3, "three charts");
  t.match(html, /Pittel 1987/, "the formulas' sources");
  const refused = await grapevine(["bench", "detection", "--runtime", "sim", "--report-dir", reportDir]);
  t.equal(refused.exitCode, 2, "only convergence runs in the simulator");
  t.match(refused.stderr, /--runtime sim: measures convergence against theory; bench detection runs on processes/);
});

t.test("bench:sim: forming time, node-periods per second and peak memory per size", async (t) => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), "grapevine-bench-sim-")), "sim.json");
  const run = await execa(process.execPath, [path.join(root, "dist", "harness", "bench", "sim.js"), "--nodes", "20,60", "--periods", "20", "--json", out], {
    reject: false,
    timeout: 120_000,
  });
  t.equal(run.exitCode, 0, run.stderr);
  t.match(run.stdout, /\| 60 \| [\d.]+ s \|/);
  const { figures } = JSON.parse(readFileSync(out, "utf8")) as { figures: { nodes: number; formed: boolean; nodePeriodsPerS: number; peakRssMB: number }[] };
  t.same(
    figures.map((f) => [f.nodes, f.formed]),
    [
      [20, true],
      [60, true],
    ],
    "both clusters formed",
  );
  t.ok(
    figures.every((f) => f.nodePeriodsPerS > 0 && f.peakRssMB > 0),
    "rates and memory measured",
  );
  const unformed = await execa(
    process.execPath,
    [path.join(root, "dist", "harness", "bench", "sim.js"), "--nodes", "20", "--periods", "2", "--form-limit", "0"],
    {
      reject: false,
      timeout: 60_000,
    },
  );
  t.equal(unformed.exitCode, 1, "a cluster that never formed is not a figure: exit 1");
  t.match(unformed.stderr, /20 nodes did not form within 0 virtual s/);
});

t.test("bench:sim --formed: a cluster that starts formed, measured the same way", async (t) => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), "grapevine-bench-sim-")), "sim.json");
  const run = await execa(
    process.execPath,
    [path.join(root, "dist", "harness", "bench", "sim.js"), "--formed", "--nodes", "300", "--periods", "10", "--json", out],
    { reject: false, timeout: 120_000 },
  );
  t.equal(run.exitCode, 0, run.stderr);
  t.match(run.stdout, /\| 300 \| started formed \| [\d.]+ s \| [\d.]+ s \|/);
  const report = JSON.parse(readFileSync(out, "utf8")) as { start: string; figures: { nodes: number; formed: boolean; messages: number }[] };
  t.equal(report.start, "formed");
  // 300 nodes for 10 periods: a ping and its ack per node and period at least.
  t.ok(report.figures[0]!.messages >= 300 * 10, `the cluster ran (${report.figures[0]!.messages} messages)`);
  const huge = await execa(process.execPath, [path.join(root, "dist", "harness", "bench", "sim.js"), "--formed", "--nodes", "1000000"], {
    reject: false,
    timeout: 60_000,
  });
  t.not(huge.exitCode, 0, "a size the machine cannot hold is refused");
  t.match(huge.stderr, /1000000 simulated nodes started formed need about 28000\.0 GB .*this machine has/);
});

t.test("Ctrl-C stops a simulated run at once, still writing what it judged (exit 130)", async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-sim-int-"));
  const child = execa(
    process.execPath,
    [builtCli(), "run", "--runtime", "sim", "--nodes", "300", "specs/scenarios/01-steady-state.yaml", "--report-dir", reportDir],
    {
      reject: false,
      timeout: 120_000,
      cwd: root,
    },
  );
  await new Promise<void>((resolve) => {
    let seen = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (/step 2\/2: wait/.test(seen)) resolve();
    });
  });
  const interruptedAt = Date.now();
  child.kill("SIGINT");
  const result = await child;
  t.equal(result.exitCode, 130, result.stderr.slice(-500));
  t.ok(Date.now() - interruptedAt < 10_000, `stopped ${Date.now() - interruptedAt} ms after the signal`);
  const summary = summaryOf(onlyRunDir(reportDir));
  t.equal(summary.verdict, "fail", "an interrupted run is not a pass");
  t.equal(summary.scenarios[0]!.aborted, "interrupted");
});
