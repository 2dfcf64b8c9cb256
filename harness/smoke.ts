// `npm run suite` until the chaos runner lands: a five-node reference cluster put through join, quiet, crash, pause and leave.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { allHold, transitionsAbout } from "./observe/views.js";
import { waitUntil } from "./observe/wait.js";
import { packageRoot } from "./paths.js";
import { LocalCluster, type NodeProcess } from "./runtime/process.js";

const config = { probeIntervalMs: 200, probeTimeoutMs: 100 };
// Suspicion with these settings: min 4 · 200 = 800 ms, max 6 · 800 = 4800 ms.
const SUSPICION_MAX_MS = 4800;
const QUIET_MS = 10_000;

interface StepResult {
  step: string;
  passed: boolean;
  detail: string;
}

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s`;
const results: StepResult[] = [];

async function step(name: string, run: () => Promise<string>): Promise<void> {
  process.stdout.write(`[${elapsed()}] ${name} …\n`);
  try {
    const detail = await run();
    results.push({ step: name, passed: true, detail });
    process.stdout.write(`[${elapsed()}]   PASS  ${detail}\n`);
  } catch (error) {
    results.push({ step: name, passed: false, detail: (error as Error).message });
    process.stdout.write(`[${elapsed()}]   FAIL  ${(error as Error).message}\n`);
  }
}

const logDir = path.join(packageRoot(), "reports", `${new Date().toISOString().replace(/[:.]/g, "-")}-smoke`, "logs");
mkdirSync(logDir, { recursive: true });
process.stdout.write(`Grapevine smoke run: 5 reference nodes, probe ${config.probeIntervalMs} ms; node logs in ${logDir}\n`);
const cluster = await LocalCluster.start({ size: 5, config, baseSeed: 1, logDir });
const stopOnSignal = () => void cluster.stopAll().then(() => process.exit(130));
process.once("SIGINT", stopOnSignal);
process.once("SIGTERM", stopOnSignal);
const ids = cluster.nodes.map((n) => n.id);
const [n1, n2, n3, n4, n5] = ids.map((id) => cluster.node(id)) as [NodeProcess, NodeProcess, NodeProcess, NodeProcess, NodeProcess];

try {
  await step("join: every node sees all five alive", async () => {
    const ms = await waitUntil(() => allHold(cluster.nodes, ids, "alive"), { timeoutMs: 5000, what: "full membership" });
    return `full membership ${ms} ms after the last node started`;
  });

  await step(`quiet: ${QUIET_MS / 1000} s with no suspicion at all`, async () => {
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    const doubts = (await Promise.all(ids.map((id) => transitionsAbout(cluster.nodes, id)))).flat().filter((e) => e.to !== "alive");
    if (doubts.length > 0) throw new Error(`${doubts.length} transitions away from alive, first: ${JSON.stringify(doubts[0])}`);
    return "no node was suspected or declared dead";
  });

  await step("crash: SIGKILL n5, every other node marks it dead", async () => {
    const live = [n1, n2, n3, n4];
    const at = Date.now();
    await n5.crash();
    await waitUntil(() => allHold(live, ["n5"], "dead"), { timeoutMs: 2 * (400 + SUSPICION_MAX_MS), what: "all to mark n5 dead" });
    const suspects = await transitionsAbout(live, "n5", "suspect");
    const deaths = await transitionsAbout(live, "n5", "dead");
    const first = Math.min(...suspects.map((e) => e.at)) - at;
    const all = Math.max(...deaths.map((e) => e.at)) - at;
    return `first suspect ${first} ms, all four dead ${all} ms after the kill (bound ${400 + SUSPICION_MAX_MS} ms)`;
  });

  await step("pause: SIGSTOP n2 for 300 ms (< suspicion timeout), nobody marks it dead", async () => {
    n2.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    n2.resume();
    await new Promise((resolve) => setTimeout(resolve, SUSPICION_MAX_MS + 1000));
    const deaths = await transitionsAbout([n1, n3, n4], "n2", "dead");
    if (deaths.length > 0) throw new Error(`n2 marked dead by ${deaths.map((d) => d.observer).join(", ")}`);
    const flaps = (await transitionsAbout([n1, n3, n4], "n2", "suspect")).length;
    return `n2 stayed alive (${flaps} suspicion(s) refuted)`;
  });

  await step("leave: n4 leaves gracefully, the others see `left`, not `dead`", async () => {
    await n4.stop();
    await waitUntil(() => allHold([n1, n2, n3], ["n4"], "left"), { timeoutMs: 5000, what: "n4 to be seen as left" });
    return "n1, n2, n3 hold n4 as left";
  });
} finally {
  await cluster.stopAll();
}

const failed = results.filter((r) => !r.passed);
process.stdout.write(`\n${results.length - failed.length} of ${results.length} steps passed in ${elapsed().trim()}\n`);
for (const r of results) process.stdout.write(`  ${r.passed ? "PASS" : "FAIL"}  ${r.step}\n`);
process.exit(failed.length === 0 ? 0 : 1);
