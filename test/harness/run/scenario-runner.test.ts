// A cluster that cannot start fails its scenario with the reason, cleans up, and lets the rest of the run go on.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { obtainToxiproxy } from "../../../harness/faults/toxiproxy-source.js";
import { HistoryWriter } from "../../../harness/history/writer.js";
import { silentProgress } from "../../../harness/run/progress.js";
import { runScenario } from "../../../harness/run/scenario-runner.js";
import { type ClusterNode, type NodeRuntime, processRuntime } from "../../../harness/runtime/node-runtime.js";
import { loadScenario } from "../../../harness/scenario/load.js";
import { Scenario } from "../../../specs/scenario/scenario.js";
import { packageRoot } from "../../../harness/paths.js";

t.test("a node that cannot start: the scenario fails naming it, its checks are not judged on nothing, nothing is left running", async (t) => {
  const toxiproxy = await obtainToxiproxy({ allowPath: false });
  t.teardown(() => toxiproxy.close());
  const started: ClusterNode[] = [];
  // The process runtime, except that n2's start fails the way a taken port makes it fail.
  const runtime: NodeRuntime = {
    ...processRuntime,
    start: async (spec) => {
      if (spec.id === "n2") throw new Error(`node n2 did not start: exited with 2 before it was ready\ngrapevine: port ${spec.port} is already in use`);
      const node = await processRuntime.start(spec);
      started.push(node);
      return node;
    },
  };
  const runDir = mkdtempSync(path.join(tmpdir(), "grapevine-runner-"));
  const history = new HistoryWriter(path.join(runDir, "history.ndjson"));
  const { file, scenario } = await loadScenario(path.join(packageRoot(), "fixtures", "scenarios", "quick-crash.ts"));
  const result = await runScenario(file, scenario, {
    runDir,
    faults: { kind: "proxy", toxiproxy },
    runtime,
    history,
    progress: silentProgress,
    signal: new AbortController().signal,
    seed: 3,
  });

  t.equal(result.verdict, "fail");
  t.match(result.aborted, /^the cluster did not start: node n2 did not start: .*\n.*port \d+ is already in use/);
  t.same(
    result.checks.map((c) => `${c.name}: ${c.verdict}`),
    ["scenario: fail"],
    "no check passes on a history with no nodes in it",
  );
  t.same(started.map((n) => n.id).sort(), ["n1", "n3"], "the others had started");
  t.ok(
    started.every((n) => n.hasExited),
    "and were stopped",
  );
  t.same(Object.keys(await toxiproxy.api.client.getAll()), [], "every proxy removed");
  const records = readFileSync(path.join(runDir, "history.ndjson"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string; aborted?: string });
  t.same(
    records.map((r) => r.type),
    ["scenario-start", "scenario-end"],
  );
  t.match(records[1]!.aborted, /the cluster did not start/);
});

/** Runs a three-node scenario in which n2's process is killed behind the harness's back, once it is up. */
async function runWithOutsideKill(t: { teardown(fn: () => unknown): void }, checks: unknown[]) {
  const toxiproxy = await obtainToxiproxy({ allowPath: false });
  t.teardown(() => toxiproxy.close());
  const runtime: NodeRuntime = {
    ...processRuntime,
    start: async (spec) => {
      const node = await processRuntime.start(spec);
      // The implementation "crashes" on its own a second after it is ready: no step asked for it.
      if (spec.id === "n2") setTimeout(() => node.pid && process.kill(node.pid, "SIGKILL"), 1000).unref();
      return node;
    },
  };
  const runDir = mkdtempSync(path.join(tmpdir(), "grapevine-exit-"));
  const history = new HistoryWriter(path.join(runDir, "history.ndjson"));
  const scenario = Scenario.parse({
    name: "outside-kill",
    description: "n2 dies by itself",
    nodes: 3,
    steps: [{ wait: "4s" }],
    checks,
  });
  const result = await runScenario("inline", scenario, {
    runDir,
    faults: { kind: "proxy", toxiproxy },
    runtime,
    history,
    progress: silentProgress,
    signal: new AbortController().signal,
    seed: 5,
  });
  const records = readFileSync(path.join(runDir, "history.ndjson"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string; node?: string; how?: string });
  return { result, records };
}

t.test("a node that exits on its own is in the history and fails the scenario, which names it", async (t) => {
  const { result, records } = await runWithOutsideKill(t, []);
  t.match(
    records.filter((r) => r.type === "node-down"),
    [{ node: "n2", how: "exited" }],
    "one node-down, marked as the node's own doing",
  );
  t.equal(result.verdict, "fail");
  t.match(
    result.checks.find((c) => c.name === "exits"),
    { verdict: "fail", summary: /^n2 exited on its own at \+\d+\.\ds$/ },
  );
});

t.test("a scenario that allows the exit passes its exits check", async (t) => {
  const { result } = await runWithOutsideKill(t, [{ exits: { allow: ["n2"] } }]);
  t.match(
    result.checks.find((c) => c.name === "exits"),
    { verdict: "pass", summary: /\(n2 may\)/ },
  );
  t.equal(result.verdict, "pass", JSON.stringify(result.checks));
});

/** Runs `scenario` on processes behind the embedded proxies; returns its result and its history's records. */
async function runOnProcesses(t: { teardown(fn: () => unknown): void }, file: string, scenario: Scenario) {
  const toxiproxy = await obtainToxiproxy({ allowPath: false });
  t.teardown(() => toxiproxy.close());
  const runDir = mkdtempSync(path.join(tmpdir(), "grapevine-runner-"));
  const history = new HistoryWriter(path.join(runDir, "history.ndjson"));
  const result = await runScenario(file, scenario, {
    runDir,
    faults: { kind: "proxy", toxiproxy },
    runtime: processRuntime,
    history,
    progress: silentProgress,
    signal: new AbortController().signal,
    seed: 3,
  });
  const records = readFileSync(path.join(runDir, "history.ndjson"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string; node?: string; t: number });
  return { result, records };
}

t.test("a crash, then a restart: the history says the node went down once, as the simulator's does", async (t) => {
  const scenario = Scenario.parse({
    name: "crash-restart",
    description: "n2 crashed, then restarted; n3 restarted while running",
    nodes: 3,
    steps: [{ wait: { until: "converged", timeout: "10s" } }, { crash: "n2" }, { wait: "500ms" }, { restart: "n2" }, { restart: "n3" }, { wait: "300ms" }],
  });
  const { result, records } = await runOnProcesses(t, "inline", scenario);
  t.not(result.aborted, true, `ran to the end: ${result.aborted ?? ""}`);
  const downs = (node: string) => records.filter((r) => r.type === "node-down" && r.node === node).length;
  const ups = (node: string) => records.filter((r) => r.type === "node-up" && r.node === node).length;
  // A second down record for n2 at its restart used to pair the restart with the next crash's verdicts.
  t.equal(downs("n2"), 1, "n2: down once (its crash), not again at its restart");
  t.equal(ups("n2"), 2, "n2: up at the start and at the restart");
  t.equal(downs("n3"), 1, "n3, restarted while running: down once, by the restart");
});

t.test("a crash list takes its nodes down at once, and all-dead judges their detection (mass-crash on processes)", async (t) => {
  const { file, scenario } = await loadScenario(path.join(packageRoot(), "specs", "scenarios", "20-mass-crash.yaml"));
  const { result, records } = await runOnProcesses(t, file, scenario);
  t.equal(result.verdict, "pass", JSON.stringify(result.checks.filter((c) => c.verdict !== "pass")));
  t.match(
    result.checks.find((c) => c.name === "all-dead n4,n5"),
    { verdict: "pass", metrics: { crashed: 2, late: 0 } },
  );
  const downs = records.filter((r) => r.type === "node-down");
  t.same(downs.map((r) => r.node).sort(), ["n4", "n5"], "n4 and n5 went down, nothing else");
  t.ok(Math.abs(downs[0]!.t - downs[1]!.t) < 50, `together: ${Math.abs(downs[0]!.t - downs[1]!.t)} ms apart`);
});
