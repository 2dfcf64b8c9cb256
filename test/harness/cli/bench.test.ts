// `grapevine bench pause|loss|convergence` end to end, small: the measurements, the skips with reasons, the reports.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../../harness/paths.js";
import type { BenchSummary } from "../../../specs/bench/summary.js";

const serf = path.join(packageRoot(), "fixtures", "adapters", "serf.json");
const haveSerf = (await execa("serf", ["version"], { reject: false }).catch(() => ({ exitCode: 1 }))).exitCode === 0;
// Without serf the benches run the reference node alone; CI sets GRAPEVINE_REQUIRE_SERF so that Serf is never quietly left out there.
if (!haveSerf && process.env.GRAPEVINE_REQUIRE_SERF) t.fail("GRAPEVINE_REQUIRE_SERF is set but `serf` is not on PATH");

async function bench(args: string[]) {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-bench-"));
  const result = await execa(process.execPath, [builtCli(), "bench", ...args, "--seed", "9", "--report-dir", reportDir], { reject: false, timeout: 150_000 });
  const runDir = readdirSync(reportDir)[0];
  return {
    result,
    summary: () => JSON.parse(readFileSync(path.join(reportDir, runDir!, "summary.json"), "utf8")) as BenchSummary,
    md: () => readFileSync(path.join(reportDir, runDir!, "report.md"), "utf8"),
  };
}

t.test(
  "[~35 s: the trial is watched for the longest suspicion after the resume] pause: a 300 ms freeze is shorter than any suspicion timeout — nobody declares the node dead (Serf's run is in test/engines/bench-packet.test.ts)",
  async (t) => {
    const { result, summary } = await bench(["pause", "--sut", "reference", "--nodes", "3", "--pauses", "300", "--trials", "1"]);
    t.equal(result.exitCode, 0, result.stderr);
    for (const impl of summary().implementations) {
      t.match(impl.pause, [{ pauseMs: 300, trials: 1, observers: 2, declaredDead: 0, rejoined: 1 }], impl.name);
      const [point] = impl.pause!;
      t.ok(point!.longestHeldMs! >= 300, `${impl.name}: held ${point!.longestHeldMs} ms for a 300 ms pause (reported, so an overshoot shows)`);
      t.ok(point!.watchedAfterMs! >= 24_000, `${impl.name}: watched ${point!.watchedAfterMs} ms after, the longest suspicion (24 s) included`);
    }
  },
);

// Serf and memberlist under loss and partitions (the packet engine, as root) are in test/engines/bench-packet.test.ts.
t.test("[~20 s] loss: the reference node through the proxies at 30%", async (t) => {
  const { result, summary, md } = await bench(["loss", "--sut", "reference", "--nodes", "3", "--rates", "30", "--duration-s", "3"]);
  t.equal(result.exitCode, 0, result.stderr);
  t.match(summary().faults, "reference: proxy");
  const [reference] = summary().implementations;
  t.match(reference!.loss, [{ rate: 0.3, durationMs: 3000 }]);
  t.ok(
    reference!.loss!.every((p) => p.allDeadMs !== null && p.firstDeadMs! <= p.allDeadMs!),
    "the crash is detected under loss",
  );
  t.match(md(), /\| 30% \| 3 \|/);
});

t.test("[~20 s] convergence: the spread of a death across sizes, beside the log N expectation", async (t) => {
  const { result, summary } = await bench(["convergence", "--sut", "reference", "--nodes", "3,4", "--trials", "1"]);
  t.equal(result.exitCode, 0, result.stderr);
  const points = summary().implementations[0]!.convergence!;
  t.same(
    points.map((p) => p.nodes),
    [3, 4],
  );
  t.ok(points.every((p) => p.spread !== null && p.spread.n === 1 && p.expectedMs > 0));
});

t.test("bad input exits 2", async (t) => {
  const cli = (args: string[]) => execa(process.execPath, [builtCli(), "bench", ...args], { reject: false });
  const cases: [string[], RegExp][] = [
    [["detection", "--nodes", "4,8"], /--nodes: one size for detection/],
    [["detection", "--nodes", "2"], /--nodes: expected whole numbers from 3 to 64/],
    [["detection", "--sut", "nope.json"], /--sut nope\.json: ENOENT/],
    [["loss", "--rates", "150"], /--rates/],
    [["partition", "--partitions-s", "0"], /--partitions-s: from 1s to 60m \(got 0ms\)/],
    [["partition", "--heal-wait-s", "0"], /--heal-wait-s: from 1s to 60m \(got 0ms\)/],
    [["partition", "--heal-wait-s", "2h"], /--heal-wait-s: "2h" is not a duration: write it with its unit, as in scenario files/],
    [["pause", "--pauses", "1s,3x"], /--pauses: "3x" is not a duration/],
    // A list repeated is the same list as written with commas.
    [["detection", "--nodes", "4", "--nodes", "8"], /--nodes: one size for detection/],
    [["tradeoff", "--conditions", "clean", "--conditions", "fog"], /--conditions: fog \(expected some of/],
  ];
  for (const [args, message] of cases) {
    const result = await cli(args);
    t.equal(result.exitCode, 2, args.join(" "));
    t.match(result.stderr, message);
  }
});

t.test("a bench in which no trial ran is not green: exit 1, saying nothing was measured", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "grapevine-broken-adapter-"));
  const manifest = JSON.parse(readFileSync(serf, "utf8"));
  // An implementation that exits at once: no cluster ever forms, so every trial fails with its reason.
  manifest.name = "exits-at-once";
  manifest.version = ["sh", "-c", "echo 0.0.1"];
  manifest.start.command = ["sh", "-c", "exit 3"];
  manifest.start.readyTimeoutMs = 2000;
  const file = path.join(dir, "broken.json");
  writeFileSync(file, JSON.stringify(manifest));
  const { result, summary } = await bench(["detection", "--sut", file, "--nodes", "3", "--trials", "2"]);
  t.equal(result.exitCode, 1, result.stderr);
  t.match(result.stderr, /nothing was measured: no trial ran to the end/);
  t.match(result.stderr, /exits-at-once trial 1\/2 could not run: /);
  const trials = summary().implementations[0]!.detection!.trials;
  t.equal(trials.length, 2);
  t.ok(
    trials.every((tr) => typeof tr.error === "string"),
    "each trial carries its reason",
  );
});
