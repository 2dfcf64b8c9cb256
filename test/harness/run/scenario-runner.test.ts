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
    toxiproxy,
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
