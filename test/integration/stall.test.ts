// A machine-wide stall (every node frozen at once, as when the host is starved of CPU): no node may blame
// another for it. After a freeze, Node runs due timers before it reads sockets; a node that judged its
// probe round then would suspect a member whose ack was already waiting unread.
import t from "tap";
import { allHold, transitionsAbout } from "../../harness/observe/views.js";
import { waitUntil } from "../../harness/observe/wait.js";
import { LocalCluster } from "../../harness/runtime/process.js";

// The scenario timings: 200 ms periods, 100 ms direct-ack wait; a 400 ms freeze outlasts two of each.
const cluster = await LocalCluster.start({ size: 4, config: { probeIntervalMs: 200, probeTimeoutMs: 100 }, baseSeed: 300 });
t.teardown(() => cluster.stopAll());
const ids = cluster.nodes.map((n) => n.id);

t.test("[~10 s] eight 400 ms freezes of the whole cluster: not one suspicion", async (t) => {
  await waitUntil(() => allHold(cluster.nodes, ids, "alive"), { timeoutMs: 10_000, what: "full membership" });
  const before = await Promise.all(cluster.nodes.map((n) => n.admin.metrics()));
  for (let i = 0; i < 8; i++) {
    for (const node of cluster.nodes) node.pause();
    await new Promise((resolve) => setTimeout(resolve, 400));
    for (const node of cluster.nodes) node.resume();
    await new Promise((resolve) => setTimeout(resolve, 800));
  }
  const after = await Promise.all(cluster.nodes.map((n) => n.admin.metrics()));
  const suspicions = after.reduce((sum, m, i) => sum + m.suspicions - before[i]!.suspicions, 0);
  const suspects = (await Promise.all(ids.map((id) => transitionsAbout(cluster.nodes, id, "suspect")))).flat();
  t.equal(suspicions, 0, `no suspicion raised (${suspects.map((e) => `${e.id}@${e.at}`).join(", ") || "none"})`);
});
