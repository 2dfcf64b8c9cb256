// Five real reference-node processes on loopback: join, crash detection, and a short pause that must not kill.
import t from "tap";
import type { MemberState } from "../../specs/wire/messages.js";
import { allHold, transitionsAbout } from "../../harness/observe/views.js";
import { waitUntil } from "../../harness/observe/wait.js";
import { LocalCluster, type NodeProcess } from "../../harness/runtime/process.js";

// A fast cluster: 200 ms periods. Suspicion: min 4 · 200 = 800 ms, max 6 · 800 = 4800 ms.
const config = { probeIntervalMs: 200, probeTimeoutMs: 100 };
const SUSPICION_MAX_MS = 4800;

const cluster = await LocalCluster.start({ size: 5, config, baseSeed: 100 });
t.teardown(() => cluster.stopAll());

async function stateOf(observer: NodeProcess, member: string): Promise<MemberState | undefined> {
  return (await observer.admin.members()).members.find((m) => m.id === member)?.state;
}

const ids = cluster.nodes.map((n) => n.id);

t.test("five processes joined through one seed reach full membership", async (t) => {
  const tookMs = await waitUntil(() => allHold(cluster.nodes, ids, "alive"), { timeoutMs: 10_000, what: "full membership" });
  t.pass(`converged ${tookMs} ms after the last node was ready`);
});

t.test("after SIGKILL of n3, every other node marks it dead", async (t) => {
  const victim = cluster.node("n3");
  const live = cluster.nodes.filter((n) => n !== victim);
  const crashedAt = Date.now();
  await victim.crash();
  // Bound: a period or two to be probed and fail, then at most the Lifeguard maximum; doubled for a busy machine.
  await waitUntil(() => allHold(live, ["n3"], "dead"), { timeoutMs: 2 * (2 * 200 + SUSPICION_MAX_MS), what: "all four to mark n3 dead" });
  const deaths = await transitionsAbout(live, "n3", "dead");
  t.equal(deaths.length, 4, "one dead transition per live node");
  const latest = Math.max(...deaths.map((e) => e.at)) - crashedAt;
  t.pass(`all-dead ${latest} ms after SIGKILL`);
});

t.test("SIGSTOP of n2 for less than the suspicion timeout, then SIGCONT: nobody marks it dead", async (t) => {
  const paused = cluster.node("n2");
  const others = cluster.nodes.filter((n) => n.id !== "n2" && n.id !== "n3");
  const stoppedAt = Date.now();
  paused.pause();
  await new Promise((resolve) => setTimeout(resolve, 300));
  paused.resume();
  // On a starved machine the timer above can run late; say how long the node was really frozen.
  const pausedMs = Date.now() - stoppedAt;
  // Watch well past the longest suspicion that the pause could have started.
  await new Promise((resolve) => setTimeout(resolve, SUSPICION_MAX_MS + 1000));
  const deaths = await transitionsAbout(others, "n2", "dead");
  t.same(deaths, [], `no dead transition about n2 anywhere (n2 was frozen ${pausedMs} ms; minimum suspicion 800 ms)`);
  t.equal(await stateOf(others[0]!, "n2"), "alive");
});
