// Other people's implementations under the chaos suite: Serf (Debian's serf) and plain memberlist
// (a small agent over Debian's memberlist source), each in network namespaces under the packet
// engine, in one run that writes a matrix. Needs root, nft, serf, and go with memberlist's source.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { readHistory } from "../../harness/history/read.js";
import { builtCli, packageRoot } from "../../harness/paths.js";
import type { Matrix } from "../../harness/report/matrix.js";
import { Summary } from "../../specs/report/summary.js";
import { engineSkip } from "./requirements.js";

const skip = await engineSkip(t, true);
// Two implementations through four scenarios, then memberlist through two more: more than the per-file default.
t.setTimeout(600_000);

const adapter = (name: string) => path.join(packageRoot(), "fixtures", "adapters", name);
const scenario = (name: string) => path.join(packageRoot(), "specs", "scenarios", name);

t.test("[~3 min] grapevine run --sut serf.json --sut memberlist.json: real verdicts, SKIP with reasons, a matrix", { skip, timeout: 600_000 }, async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-adapters-"));
  const result = await execa(
    process.execPath,
    [
      builtCli(),
      "run",
      "--sut",
      adapter("serf.json"),
      "--sut",
      adapter("memberlist.json"),
      scenario("02-crash-detection.yaml"),
      scenario("03-graceful-leave.yaml"),
      scenario("13-partition-writes.yaml"),
      scenario("17-duplicate-reorder.yaml"),
      "--report-dir",
      reportDir,
    ],
    { reject: false, timeout: 580_000 },
  );
  const made = readdirSync(reportDir)[0];
  if (!made) throw new Error(`no run folder (exit ${result.exitCode}): ${result.stderr}`);
  const runDir = path.join(reportDir, made);
  const matrix = JSON.parse(readFileSync(path.join(runDir, "matrix.json"), "utf8")) as Matrix;
  t.same(matrix.implementations, ["serf", "memberlist"]);
  const verdicts = Object.fromEntries(matrix.rows.map((r) => [r.scenario, r.cells.map((c) => c.verdict)]));
  t.same(
    verdicts,
    {
      // Both fail crash-detection on their local health alone (below).
      "crash-detection": ["fail", "fail"],
      "graceful-leave": ["pass", "pass"],
      "partition-writes": ["skip", "skip"],
      "duplicate-reorder": ["pass", "pass"],
    },
    result.stdout,
  );
  t.equal(result.exitCode, 1, "a failed check fails the run; the skipped scenarios add nothing to it");
  t.ok(existsSync(path.join(runDir, "matrix.html")));

  const serf = Summary.parse(JSON.parse(readFileSync(path.join(runDir, "serf", "summary.json"), "utf8")));
  t.equal(serf.implementation, "serf");
  t.equal(serf.faults, "packet");
  const crash = serf.scenarios.find((s) => s.name === "crash-detection")!;
  t.match(
    crash.checks.find((c) => c.name.startsWith("detection")),
    { verdict: "pass", summary: /\(suspectWithin and confirmedWithin not judged: serf does not show it\)/ },
    "Serf's view has no suspect: its time to dead is judged, its time to suspicion named as not judged",
  );
  t.match(
    crash.checks.find((c) => c.name.startsWith("step 4: expect")),
    { verdict: "pass" },
    "its deaths are judged",
  );
  t.match(serf.scenarios.find((s) => s.name === "partition-writes")!.checks[0]!.summary, /serf has no key-value store/);

  const history = readHistory(path.join(runDir, "serf", "history.ndjson")).filter((r) => r.scenario === "duplicate-reorder");
  t.same(
    history.filter((r) => r.type === "fault" && r.phase === "start").map((r) => (r.type === "fault" ? r.kind : "")),
    ["duplicate", "reorder"],
    "Serf's datagrams were duplicated and reordered, through the fault log",
  );

  // Serf runs memberlist underneath, and its helpers nack as late: read through `serf info`.
  t.same(
    crash.checks.filter((c) => c.verdict === "fail").map((c) => c.name),
    ["health"],
    "Serf detects the crash in time; only its local health fails",
  );
  const serfHealth = crash.checks.find((c) => c.name === "health")!;
  t.ok((serfHealth.metrics.maxHealth ?? 0) >= 2, `a Serf prober of the dead node took the failure for its own: health ${serfHealth.metrics.maxHealth}`);
  t.equal(serfHealth.metrics.nodesShown, 5, "every agent's score read (serf info: serf.health_score)");

  const memberlist = Summary.parse(JSON.parse(readFileSync(path.join(runDir, "memberlist", "summary.json"), "utf8")));
  const detection = memberlist.scenarios.find((s) => s.name === "crash-detection")!.checks.find((c) => c.name.startsWith("detection"))!;
  t.equal(detection.verdict, "pass", "memberlist shows suspicion: detection is judged in full");
  t.ok((detection.metrics.firstSuspectMs ?? 0) > 0, `first suspicion at ${detection.metrics.firstSuspectMs} ms`);
  // memberlist's helpers nack a full ProbeTimeout after the ping-req, which comes a ProbeTimeout into
  // the prober's probe: at its 1 s ProbeInterval the prober has stopped waiting, counts the nacks
  // missed, and raises its health (Lifeguard, footnote 5: a helper must nack before the prober's timeout).
  const crashed = memberlist.scenarios.find((s) => s.name === "crash-detection")!;
  t.same(
    crashed.checks.filter((c) => c.verdict === "fail").map((c) => c.name),
    ["health"],
    "memberlist detects the crash in time; only its local health fails",
  );
  const health = crashed.checks.find((c) => c.name === "health")!;
  t.ok((health.metrics.maxHealth ?? 0) >= 2, `a prober of the dead node took the failure for its own: health ${health.metrics.maxHealth}`);
  t.equal(health.metrics.nodesShown, 5, "every agent showed its score (GetHealthScore, through the agent's /v1/metrics)");

  // What the observer saw: transitions read from Serf's command view, and memberlist's agent.
  for (const impl of ["serf", "memberlist"]) {
    const records = readHistory(path.join(runDir, impl, "history.ndjson")).filter((r) => r.scenario === "crash-detection");
    const deaths = records.filter((r) => r.type === "transition" && r.id === "n3" && r.to === "dead");
    t.equal(new Set(deaths.map((r) => (r.type === "transition" ? r.observer : ""))).size, 4, `${impl}: every live node's view recorded n3's death`);
    const start = records.find((r) => r.type === "scenario-start");
    t.match(start, { faults: "packet", implementation: { name: impl } });
  }
});

t.test("[~2 min] memberlist at rest, with a slow member, and losing two of five at once, judged on the wire", { skip, timeout: 300_000 }, async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-adapters-quiet-"));
  const result = await execa(
    process.execPath,
    [
      builtCli(),
      "run",
      "--sut",
      adapter("memberlist.json"),
      scenario("01-steady-state.yaml"),
      scenario("18-slow-node.yaml"),
      scenario("20-mass-crash.yaml"),
      "--report-dir",
      reportDir,
    ],
    { reject: false, timeout: 280_000 },
  );
  t.equal(result.exitCode, 0, result.stdout);
  const made = readdirSync(reportDir)[0]!;
  const summary = Summary.parse(JSON.parse(readFileSync(path.join(reportDir, made, "summary.json"), "utf8")));
  // At rest: the packet engine counts the traffic between the namespaces, judged against memberlist's own 1 s probe interval.
  const quiet = summary.scenarios.find((s) => s.name === "steady-state")!.checks.find((c) => c.name === "quiet")!;
  t.equal(quiet.verdict, "pass", quiet.summary);
  const perPeriod = quiet.metrics.exchangesPerNodePeriod!;
  t.ok(perPeriod > 0.8 && perPeriod < 2, `about one probe per node per second, counted on the wire (${perPeriod.toFixed(2)})`);
  // Every link of n1 slowed past 2 of memberlist's probe timeouts: its own local health keeps n1 from blaming healthy members.
  const slow = summary.scenarios.find((s) => s.name === "slow-node")!.checks.find((c) => c.name.startsWith("suspicions"))!;
  t.match(slow, { verdict: "pass", summary: /^\d+ suspicion episodes about members other than n1 \(at most 20\)/ });
  // A crash list: both memberlist agents killed together, each held dead by all three survivors.
  const mass = summary.scenarios.find((s) => s.name === "mass-crash")!.checks.find((c) => c.name === "all-dead n4,n5")!;
  t.match(mass, { verdict: "pass", metrics: { crashed: 2, late: 0 } }, mass.summary);
});
