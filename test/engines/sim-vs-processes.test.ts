// The simulator's honesty: the same scenario of eight crashes on real processes (behind Toxiproxy on
// loopback) and in the simulator must give consistent detection latencies. The model leaves out
// what a machine adds (scheduling, TCP set-up, the observer's polling), so the tolerance is stated:
// medians within one probe period plus 20 %, and every process figure within the simulator's range
// widened by one period each way.
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { readHistory } from "../../harness/history/read.js";
import { builtCli, packageRoot } from "../../harness/paths.js";
import { percentile } from "../../harness/stats.js";
import type { HistoryRecord } from "../../specs/history/history.js";

const PERIOD_MS = 200;
const scenario = path.join(packageRoot(), "fixtures", "scenarios", "detection-trials.ts");

/** Per crash: ms from the crash to the first dead verdict anywhere, and to the last live node's. */
function latencies(records: readonly HistoryRecord[]): { firstDead: number[]; allDead: number[] } {
  const firstDead: number[] = [];
  const allDead: number[] = [];
  const nodes = [...new Set(records.flatMap((r) => (r.type === "node-up" ? [r.node] : [])))];
  for (const crash of records.filter((r) => r.type === "node-down" && r.how === "crash")) {
    if (crash.type !== "node-down") continue;
    const back = records.find((r) => r.type === "node-up" && r.node === crash.node && r.t > crash.t)?.t ?? Infinity;
    const deaths = records.filter((r) => r.type === "transition" && r.id === crash.node && r.to === "dead" && r.t >= crash.t && r.t <= back);
    const observers = nodes.filter((n) => n !== crash.node);
    const by = observers.map((o) => deaths.find((d) => d.type === "transition" && d.observer === o)?.t);
    if (deaths.length === 0 || by.some((x) => x === undefined)) continue;
    firstDead.push(deaths[0]!.t - crash.t);
    allDead.push(Math.max(...(by as number[])) - crash.t);
  }
  return { firstDead, allDead };
}

async function runOnce(extra: string[]): Promise<HistoryRecord[]> {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-xcheck-"));
  const run = await execa(process.execPath, [builtCli(), "run", scenario, "--report-dir", reportDir, ...extra], { reject: false, timeout: 300_000 });
  if (run.exitCode !== 0) throw new Error(`grapevine run ${extra.join(" ")} exited ${run.exitCode}\n${run.stdout}\n${run.stderr.slice(-2000)}`);
  return readHistory(path.join(reportDir, readdirSync(reportDir)[0]!, "history.ndjson"));
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const show = (xs: number[]) =>
  sorted(xs)
    .map((x) => Math.round(x))
    .join(" ");

t.setTimeout(420_000);

t.test("[~90 s] detection latency on processes and in the simulator agree within the stated tolerance", async (t) => {
  const processes = latencies(await runOnce(["--seed", "1"]));
  const simulated = { firstDead: [] as number[], allDead: [] as number[] };
  for (let seed = 1; seed <= 10; seed++) {
    const one = latencies(await runOnce(["--runtime", "sim", "--seed", String(seed)]));
    simulated.firstDead.push(...one.firstDead);
    simulated.allDead.push(...one.allDead);
  }
  t.equal(processes.allDead.length, 8, "every crash on processes measured");
  t.equal(simulated.allDead.length, 80, "every crash in the simulator measured");
  for (const key of ["firstDead", "allDead"] as const) {
    const p = sorted(processes[key]);
    const s = sorted(simulated[key]);
    t.comment(`${key} (ms) processes: ${show(p)}`);
    t.comment(`${key} (ms) simulator: ${show(s)}`);
    const [pm, sm] = [percentile(p, 0.5)!, percentile(s, 0.5)!];
    t.ok(
      Math.abs(pm - sm) <= PERIOD_MS + 0.2 * sm,
      `${key}: medians ${Math.round(pm)} ms (processes) and ${Math.round(sm)} ms (simulator) within ${Math.round(PERIOD_MS + 0.2 * sm)} ms`,
    );
    const [low, high] = [s[0]! - PERIOD_MS, s.at(-1)! + PERIOD_MS];
    t.same(
      p.filter((x) => x < low || x > high),
      [],
      `${key}: every process figure within the simulator's range ± one period (${Math.round(low)}–${Math.round(high)} ms)`,
    );
  }
});
