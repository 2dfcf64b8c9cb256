// Five reference-node processes wired through one proxy per link: partitions, a one-way cut, and process faults.
import t from "tap";
import { grudgeFromGroups, grudgeOneWay } from "../../harness/faults/grudge.js";
import { obtainToxiproxy } from "../../harness/faults/toxiproxy-source.js";
import { allHold, transitionsAbout } from "../../harness/observe/views.js";
import { waitUntil } from "../../harness/observe/wait.js";
import { ToxiproxyEngine } from "../../harness/faults/toxiproxy-engine.js";
import { Cluster } from "../../harness/run/cluster.js";
import type { ProxyJson } from "../../specs/toxiproxy/api.js";

// 200 ms periods: suspicion between 800 ms and 4800 ms. Reconnect every second so a healed partition re-forms fast.
const SUSPICION_MAX_MS = 4800;
const source = await obtainToxiproxy({ url: process.env.TOXIPROXY_URL, allowPath: false });
const run = await Cluster.start({
  size: 5,
  faults: (log) => ToxiproxyEngine.create(source.api, { prefix: "gv-test-int-" }, log),
  config: { probeIntervalMs: 200, reconnectIntervalMs: 1000 },
  baseSeed: 500,
});
t.teardown(async () => {
  await run.close();
  await source.close();
});
const ids = run.nodes.map((n) => n.id);
const byId = (...wanted: string[]) => run.nodes.filter((n) => wanted.includes(n.id));

t.test("the cluster forms through the 20 link proxies", async (t) => {
  t.equal(Object.keys(run.faults.listing()).length, 20, "one proxy per directed link");
  await waitUntil(() => allHold(run.nodes, ids, "alive"), { timeoutMs: 10_000, what: "full membership through the mesh" });
  // Membership can be full (joins are syncs) before n3's first probe period has come round: wait for
  // pings, which reach n3 only through its proxies (the dial maps point nowhere else). Throws if none come.
  const ms = await waitUntil(async () => (await run.node("n3").admin.metrics()).messagesReceived.ping > 0, {
    timeoutMs: 5000,
    what: "a ping to reach n3 through its proxies",
  });
  t.pass(`traffic flows through the proxies (n3 pinged ${ms} ms after full membership)`);
});

t.test("partition {n1,n2} | {n3,n4,n5}: each side marks the other dead; after heal all five are alive", async (t) => {
  const left = byId("n1", "n2");
  const right = byId("n3", "n4", "n5");
  await run.faults.partition(
    grudgeFromGroups([
      ["n1", "n2"],
      ["n3", "n4", "n5"],
    ]),
  );
  const splitMs = await waitUntil(async () => (await allHold(left, ["n3", "n4", "n5"], "dead")) && (await allHold(right, ["n1", "n2"], "dead")), {
    timeoutMs: 3 * (400 + SUSPICION_MAX_MS),
    what: "each side to hold the other dead",
  });
  t.pass(`split after ${splitMs} ms`);
  t.ok(await allHold(left, ["n1", "n2"], "alive"), "each side keeps its own members alive");
  t.ok(await allHold(right, ["n3", "n4", "n5"], "alive"));
  await run.faults.heal();
  const healMs = await waitUntil(() => allHold(run.nodes, ids, "alive"), { timeoutMs: 30_000, what: "the cluster to re-form" });
  t.pass(`re-formed ${healMs} ms after heal`);
});

t.test("one-way cut n1↛n2 with n3..n5 bridging: nobody marks n1 or n2 dead", async (t) => {
  const startedAt = Date.now();
  const cut = await run.faults.partition(grudgeOneWay(["n1"], ["n2"]));
  // Long enough for many probes each way and for any suspicion to run its full course.
  await new Promise((resolve) => setTimeout(resolve, SUSPICION_MAX_MS + 3000));
  await cut.undo();
  const deaths = [...(await transitionsAbout(run.nodes, "n1", "dead")), ...(await transitionsAbout(run.nodes, "n2", "dead"))].filter((e) => e.at >= startedAt);
  t.same(deaths, [], "no dead transition about n1 or n2");
  const n1 = await run.node("n1").admin.metrics();
  t.ok(n1.indirectProbes > 0, `n1 fell back on ping-req (${n1.indirectProbes} rounds)`);
});

t.test("process faults: pause and throttle are undone, restart brings a node back", async (t) => {
  const pause = await run.processes.pause("n4");
  await new Promise((resolve) => setTimeout(resolve, 200));
  await pause.undo();
  const throttle = run.processes.throttle("n4", 0.5, 200);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await throttle.undo();
  t.ok(await run.node("n4").admin.node(), "n4 answers again after both are undone");

  await run.processes.restart("n5");
  await waitUntil(() => allHold(run.nodes, ids, "alive"), { timeoutMs: 20_000, what: "the restarted n5 to be alive everywhere" });
  t.pass("n5 restarted on its port and rejoined through its proxies");
  t.same(
    run.log.all().map((r) => r.kind),
    ["partition", "partition", "pause", "throttle", "restart"],
    "every fault recorded in order",
  );
});

t.test("close() leaves no proxy, toxic or process behind", async (t) => {
  const pids = run.nodes.map((n) => n.pid!);
  await run.processes.pause("n3");
  await run.faults.latency(10, 0);
  await run.close();
  const proxies = (await (await fetch(`${source.api.url}/proxies`)).json()) as Record<string, ProxyJson>;
  t.same(
    Object.keys(proxies).filter((name) => name.startsWith("gv-test-int-")),
    [],
    "every proxy deleted",
  );
  for (const pid of pids) {
    t.throws(() => process.kill(pid, 0), { code: "ESRCH" }, `process ${pid} is gone`);
  }
});
