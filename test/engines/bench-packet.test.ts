// `grapevine bench loss` and `bench partition` side by side: the reference node through its proxies,
// Serf and memberlist under the packet engine. Small: the figures of record are in the closing note.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../harness/paths.js";
import type { BenchSummary } from "../../specs/bench/summary.js";
import { engineSkip } from "./requirements.js";

const skip = await engineSkip(t, true);
const adapter = (name: string) => path.join(packageRoot(), "fixtures", "adapters", name);
const suts = ["--sut", "reference", "--sut", adapter("serf.json"), "--sut", adapter("memberlist.json")];

async function bench(args: string[]) {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-bench-packet-"));
  const result = await execa(process.execPath, [builtCli(), "bench", ...args, "--seed", "5", "--report-dir", reportDir], { reject: false, timeout: 400_000 });
  const made = readdirSync(reportDir)[0];
  if (!made) throw new Error(`no run folder (exit ${result.exitCode}): ${result.stderr}`);
  const runDir = path.join(reportDir, made);
  return {
    result,
    summary: JSON.parse(readFileSync(path.join(runDir, "summary.json"), "utf8")) as BenchSummary,
    md: readFileSync(path.join(runDir, "report.md"), "utf8"),
  };
}

t.test("[~35 s] bench pause: Serf, through its adapter, declares nobody dead for a 300 ms freeze", { skip, timeout: 200_000 }, async (t) => {
  const { result, summary } = await bench(["pause", "--sut", adapter("serf.json"), "--nodes", "3", "--pauses", "300", "--trials", "1"]);
  t.equal(result.exitCode, 0, result.stderr);
  const [serf] = summary.implementations;
  t.match(serf!.pause, [{ pauseMs: 300, trials: 1, observers: 2, declaredDead: 0, rejoined: 1 }]);
  t.ok(serf!.pause![0]!.longestHeldMs! >= 300, `held ${serf!.pause![0]!.longestHeldMs} ms for a 300 ms pause`);
  t.ok(serf!.pause![0]!.watchedAfterMs! >= 24_000, `watched ${serf!.pause![0]!.watchedAfterMs} ms after, the longest suspicion (24 s) included`);
});

t.test("[~1.5 min] bench loss: all three measured, each through its own engine", { skip, timeout: 420_000 }, async (t) => {
  const { result, summary } = await bench(["loss", ...suts, "--nodes", "3", "--rates", "30", "--duration-s", "10"]);
  t.equal(result.exitCode, 0, result.stderr);
  t.equal(summary.faults, "reference: proxy, serf: packet, memberlist: packet");
  for (const impl of summary.implementations) {
    t.match(impl.loss, [{ rate: 0.3, durationMs: 10_000 }], `${impl.name} was measured`);
    t.notOk(
      impl.skipped.some((s) => s.what === "loss"),
      `${impl.name}: not skipped`,
    );
    t.ok(impl.loss![0]!.allDeadMs !== null, `${impl.name}: the crash under 30 % loss was detected (${impl.loss![0]!.allDeadMs} ms)`);
  }
});

t.test("[~2 min] bench partition: a 6 s partition, then the time to re-form", { skip, timeout: 420_000 }, async (t) => {
  const { result, summary, md } = await bench(["partition", ...suts, "--nodes", "4", "--partitions-s", "6", "--heal-wait-s", "60"]);
  t.equal(result.exitCode, 0, result.stderr);
  for (const impl of summary.implementations) {
    t.match(impl.partition, [{ partitionMs: 6000, trials: 1 }], impl.name);
    t.equal(impl.partition![0]!.healMs.length, 1);
  }
  const reference = summary.implementations[0]!;
  t.ok(reference.partition![0]!.healMs[0] !== null, `the reference node re-formed (${reference.partition![0]!.healMs[0]} ms)`);
  t.match(md, /\| partition \(s\) \| trials \| split \(ms\) \| heal \(ms\) \|/);
});
