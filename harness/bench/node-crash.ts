// `npm run bench:node`: crash-detection latency of the reference node over repeated trials, beside SWIM's expectation.
import { percentile } from "../stats.js";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { swimExpectation } from "./compare/measure.js";
import { allHold, transitionsAbout } from "../observe/views.js";
import { waitUntil } from "../observe/wait.js";
import { LocalCluster } from "../runtime/process.js";

const args = await yargs(hideBin(process.argv))
  .option("trials", { type: "number", default: 10, describe: "crash trials, each on a fresh cluster" })
  .option("nodes", { type: "number", default: 5 })
  .option("probe-interval-ms", { type: "number", default: 200 })
  .option("probe-timeout-ms", { type: "number", default: 100 })
  .option("seed", { type: "number", default: 1, describe: "base seed; trial i runs nodes with seeds seed·1000 + i·10 + k" })
  .option("json", { type: "boolean", default: false, describe: "print the raw trials as JSON too" })
  .strict()
  .parseAsync();

const T = args["probe-interval-ms"];
const N = args.nodes;
const config = { probeIntervalMs: T, probeTimeoutMs: args["probe-timeout-ms"] };

interface Trial {
  victim: string;
  firstSuspectMs: number;
  firstDeadMs: number;
  allDeadMs: number;
}

async function trial(i: number): Promise<Trial> {
  const cluster = await LocalCluster.start({ size: N, config, baseSeed: args.seed * 1000 + i * 10 });
  try {
    await waitUntil(
      () =>
        allHold(
          cluster.nodes,
          cluster.nodes.map((n) => n.id),
          "alive",
        ),
      { timeoutMs: 10_000, what: "full membership" },
    );
    // Let the cluster settle, then crash at a random phase of the protocol period.
    await new Promise((resolve) => setTimeout(resolve, 1000 + Math.random() * T));
    const victim = cluster.nodes[1 + Math.floor(Math.random() * (N - 1))]!;
    const live = cluster.nodes.filter((n) => n !== victim);
    const crashedAt = Date.now();
    await victim.crash();
    await waitUntil(() => allHold(live, [victim.id], "dead"), { timeoutMs: 30_000, what: `all to mark ${victim.id} dead` });
    const suspects = (await transitionsAbout(live, victim.id, "suspect")).filter((e) => e.at >= crashedAt);
    const deaths = (await transitionsAbout(live, victim.id, "dead")).filter((e) => e.at >= crashedAt);
    return {
      victim: victim.id,
      firstSuspectMs: Math.min(...suspects.map((e) => e.at)) - crashedAt,
      firstDeadMs: Math.min(...deaths.map((e) => e.at)) - crashedAt,
      allDeadMs: Math.max(...deaths.map((e) => e.at)) - crashedAt,
    };
  } finally {
    await cluster.stopAll();
  }
}

process.stdout.write(`Crash detection: ${args.trials} trials, ${N} reference nodes, probe ${T} ms / timeout ${config.probeTimeoutMs} ms\n`);
const trials: Trial[] = [];
for (let i = 0; i < args.trials; i++) {
  const result = await trial(i);
  trials.push(result);
  process.stdout.write(
    `  trial ${String(i + 1).padStart(2)}/${args.trials}: ${result.victim} first-suspect ${result.firstSuspectMs} ms, first-dead ${result.firstDeadMs} ms, all-dead ${result.allDeadMs} ms\n`,
  );
}

// SWIM's expectation (see swimExpectation) with the reference node's suspicion settings.
const {
  periodsToFirstProbe,
  firstSuspectMeanMs: expectedFirstSuspect,
  suspicionMinMs: minSuspicion,
  suspicionMaxMs: maxSuspicion,
} = swimExpectation(T, N, 4, 6);

const row = (name: string, values: number[], expectation: string) => {
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) => String(Math.round(percentile(sorted, p)!)).padStart(6);
  return `${name.padEnd(14)}${q(0.5)}${q(0.9)}${String(sorted[sorted.length - 1]).padStart(6)}   ${expectation}\n`;
};
process.stdout.write(`\n${"latency (ms)".padEnd(14)}${"p50".padStart(6)}${"p90".padStart(6)}${"max".padStart(6)}   SWIM / Lifeguard expectation\n`);
process.stdout.write(
  row(
    "first-suspect",
    trials.map((t) => t.firstSuspectMs),
    `mean ≈ ${Math.round(expectedFirstSuspect)} (T · (${periodsToFirstProbe.toFixed(2)} periods to first probe + ½))`,
  ),
);
process.stdout.write(
  row(
    "first-dead",
    trials.map((t) => t.firstDeadMs),
    `first-suspect + ${minSuspicion}…${maxSuspicion} (suspicion min…max)`,
  ),
);
process.stdout.write(
  row(
    "all-dead",
    trials.map((t) => t.allDeadMs),
    `first-dead + dissemination (≈ a gossip interval)`,
  ),
);
if (args.json) process.stdout.write(`${JSON.stringify({ config: { ...config, nodes: N, seed: args.seed }, trials }, null, 2)}\n`);
