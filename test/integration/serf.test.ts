// HashiCorp Serf, a real outside SWIM implementation: the harness's reading of its view agrees with `serf members`, and bench runs it.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { adapterImplementation } from "../../harness/adapters/implementation.js";
import { until } from "../../harness/bench/compare/measure.js";
import { builtCli, packageRoot } from "../../harness/paths.js";
import type { BenchSummary } from "../../specs/bench/summary.js";

const haveSerf = (await execa("serf", ["version"], { reject: false }).catch(() => ({ exitCode: 1 }))).exitCode === 0;
// CI (.ci/run) installs serf and sets GRAPEVINE_REQUIRE_SERF, so that a missing serf fails there.
if (!haveSerf && process.env.GRAPEVINE_REQUIRE_SERF) t.fail("GRAPEVINE_REQUIRE_SERF is set but `serf` is not on PATH");
const skip = haveSerf ? false : "serf is not installed (apt-get install -y serf)";
const manifest = path.join(packageRoot(), "fixtures", "adapters", "serf.json");

/** What `serf members` says, called directly, as id=state with Serf's own state names. */
async function serfMembers(rpc: number): Promise<string[]> {
  const { stdout } = await execa("serf", ["members", `-rpc-addr=127.0.0.1:${rpc}`, "-format=json"]);
  return (JSON.parse(stdout) as { members: { name: string; status: string }[] }).members.map((m) => `${m.name}=${m.status}`).sort();
}

const SERF_TO_GRAPEVINE: Record<string, string> = { alive: "alive", leaving: "alive", left: "left", failed: "dead" };

t.test("[serf] the harness's reading of Serf's view agrees with `serf members`, before and after a crash", { skip }, async (t) => {
  const serf = await adapterImplementation(manifest);
  t.match(serf.version, /\d+\.\d+\.\d+/, "the version is recorded");
  const cluster = await serf.startCluster(3, 1);
  t.teardown(() => cluster.stop());
  const ids = cluster.nodes.map((n) => n.id);
  t.ok(
    await until(cluster.nodes, (views) => views.every((v) => ids.every((id) => v.some((m) => m.id === id && m.state === "alive"))), 20_000),
    "all three see each other alive",
  );
  const agree = async (label: string) => {
    for (const node of cluster.nodes.filter((n) => !n.hasExited)) {
      const direct = (await serfMembers(node.ports!.rpc!)).map((entry) => {
        const [id, status] = entry.split("=");
        return `${id}=${SERF_TO_GRAPEVINE[status!]}`;
      });
      const harness = (await node.view()).map((m) => `${m.id}=${m.state}`).sort();
      t.same(harness, direct, `${label}: ${node.id}'s view read by the harness = serf members`);
    }
  };
  await agree("all alive");
  await cluster.nodes[2]!.crash();
  t.ok(
    await until(cluster.nodes.slice(0, 2), (views) => views.every((v) => v.some((m) => m.id === "n3" && m.state === "dead")), 30_000),
    "both survivors mark n3 dead (Serf: failed)",
  );
  await agree("after n3 crashed");
});

t.test("[serf, ~1 min] grapevine bench detection runs the reference node and Serf side by side", { skip }, async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-bench-"));
  const result = await execa(
    process.execPath,
    [builtCli(), "bench", "detection", "--sut", "reference", "--sut", manifest, "--nodes", "3", "--trials", "1", "--seed", "3", "--report-dir", reportDir],
    { reject: false, timeout: 170_000 },
  );
  t.equal(result.exitCode, 0, result.stderr);
  const runDir = path.join(reportDir, readdirSync(reportDir)[0]!);
  const summary = JSON.parse(readFileSync(path.join(runDir, "summary.json"), "utf8")) as BenchSummary;
  t.same(
    summary.implementations.map((i) => i.name),
    ["reference", "serf"],
  );
  for (const impl of summary.implementations) {
    t.equal(impl.detection?.trials.length, 1, `${impl.name}: one trial`);
    t.ok(
      impl.detection?.trials.every((trial) => trial.allDeadMs !== null && trial.firstDeadMs! <= trial.allDeadMs!),
      `${impl.name}: every trial detected the crash`,
    );
    t.equal(impl.detection?.firstDead?.n, 1);
  }
  t.equal(summary.implementations[1]!.detection!.firstSuspect, null, "Serf's view shows no suspicion");
  t.match(summary.implementations[1]!.skipped, [{ what: "first-suspect" }]);
  t.match(readFileSync(path.join(runDir, "report.md"), "utf8"), /first-suspect \| — \| not visible/);
  const html = readFileSync(path.join(runDir, "index.html"), "utf8");
  t.match(html, /<svg/);
  t.match(html, /memberlist DefaultLANConfig/);
});
