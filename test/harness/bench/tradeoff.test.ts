// `grapevine bench tradeoff`: both detector families swept over their settings and network conditions
// in the simulator, measured for detection latency and false positives, and drawn as curves.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../../harness/paths.js";
import { runSimTradeoff } from "../../../harness/bench/tradeoff/sim.js";
import type { TradeoffRow } from "../../../harness/bench/tradeoff/plan.js";

const plan = { nodes: 6, seed: 2, multipliers: [2, 8], thresholds: [4, 16], conditions: ["clean", "latency-step"] as const, quietMs: 120_000, crashes: 2 };
const bench = runSimTradeoff(
  { ...plan, conditions: [...plan.conditions] },
  () => undefined,
  () => false,
);
const row = (family: "swim" | "phi", setting: number, condition: string): TradeoffRow =>
  bench.rows.find((r) => r.family === family && r.setting === setting && r.condition === condition)!;

t.test("one row per setting and condition; every crash detected by every survivor on a clean network", async (t) => {
  t.equal(bench.rows.length, 4 * 2);
  for (const r of bench.rows.filter((r) => r.condition === "clean")) {
    t.equal(r.missed, 0, `${r.family} ${r.setting}: none missed`);
    t.equal(r.detections, 2 * 5, "two crashes, five observers each");
    t.equal(r.falseDeadPerMemberHour, 0, `${r.family} ${r.setting}: no false dead on clean links`);
  }
});

t.test("each knob trades latency: a larger multiplier or threshold detects later", async (t) => {
  t.ok(row("swim", 2, "clean").detectionP50Ms! < row("swim", 8, "clean").detectionP50Ms!, "SWIM ×2 before ×8");
  t.ok(row("phi", 4, "clean").detectionP50Ms! < row("phi", 16, "clean").detectionP50Ms!, "φ 4 before φ 16");
});

t.test("a latency step past SWIM's probe timeout: SWIM at ×2 convicts healthy members, φ adapts", async (t) => {
  // 200 ms each way against a 100 ms probe timeout: every direct probe fails. φ learns the slower rhythm.
  t.ok(
    row("swim", 2, "latency-step").falseDeadPerMemberHour > 0,
    `SWIM ×2: ${row("swim", 2, "latency-step").falseDeadPerMemberHour} false dead per member-hour`,
  );
  t.equal(row("phi", 4, "latency-step").falseDeadPerMemberHour, 0, "φ 4: none");
});

t.test("the command writes the curves and the table, and refuses what it cannot run (exit 2)", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "grapevine-tradeoff-"));
  const cli = (args: string[]) => execa(process.execPath, [builtCli(), "bench", "tradeoff", ...args], { reject: false, timeout: 120_000, cwd: packageRoot() });
  const run = await cli([
    "--nodes",
    "5",
    "--thresholds",
    "8",
    "--multipliers",
    "4",
    "--conditions",
    "clean,loss-10",
    "--quiet-minutes",
    "1",
    "--trials",
    "1",
    "--seed",
    "1",
    "--report-dir",
    dir,
  ]);
  t.equal(run.exitCode, 0, run.stderr);
  t.match(run.stdout, /\| clean \| SWIM ×4 \| \d+ \| \d+ \| 0 of 4 \|/);
  t.match(run.stdout, /\| loss-10 \| φ 8 \| \d+ \| \d+ \|/);
  t.match(run.stderr, /\[4\/4\] loss-10, φ 8: detection p50 \d+ ms/, "progress per trial");
  const runDir = path.join(dir, readdirSync(dir)[0]!);
  const html = readFileSync(path.join(runDir, "index.html"), "utf8");
  t.equal(html.match(/<svg/g)?.length, 2, "p50 and p90 curves");
  t.match(html, /φ8/, "points labelled with their setting");
  const summary = JSON.parse(readFileSync(path.join(runDir, "summary.json"), "utf8"));
  t.equal(summary.rows.length, 4);
  for (const [args, message] of [
    [["--conditions", "fog"], /--conditions: fog/],
    [["--sut", "fixtures/adapters/serf.json"], /--sut is reference only/],
    [["--nodes", "5,10"], /--nodes: one size/],
    [["--thresholds", "0"], /--thresholds: expected whole numbers from 1/],
    [["--runtime", "process", "--sut", "fixtures/adapters/serf.json"], /serf\.json: declares no tunable setting, so there is nothing to sweep/],
    [
      ["--runtime", "process", "--sut", "fixtures/adapters/reference-phi.json", "--thresholds", "2,8"],
      /reference-phi: phiConvictThreshold 2 is outside what its manifest accepts \(3 to 100\)/,
    ],
  ] as [string[], RegExp][]) {
    const bad = await cli([...args, "--report-dir", dir]);
    t.equal(bad.exitCode, 2, args.join(" "));
    t.match(bad.stderr, message);
  }
});
