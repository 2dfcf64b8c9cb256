// `npm run bench:sim`: how fast and how large the simulator runs. For each cluster size: the wall time
// to form the cluster (every node holding every node alive; with --formed, to set up a cluster that
// starts formed), then node-periods per second over `--periods` probe periods of steady state, and the
// peak memory of the whole process.
import { writeFileSync } from "node:fs";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { NodeConfig } from "../../specs/node/config.js";
import { SCENARIO_DEFAULT_CONFIG } from "../../specs/scenario/scenario.js";
import { SimCluster } from "../../reference-node/sim/cluster.js";
import { simTooLarge } from "../sim/footprint.js";

const args = await yargs(hideBin(process.argv))
  .option("nodes", { type: "string", default: "100,1000", describe: "cluster sizes, comma-separated" })
  .option("periods", { type: "number", default: 100, describe: "probe periods of steady state to time" })
  .option("form-limit", { type: "number", default: 120, describe: "virtual seconds the cluster may take to form" })
  .option("formed", {
    type: "boolean",
    default: false,
    describe: "start each cluster formed (every node holding every other alive) instead of forming it by joins",
  })
  .option("json", { type: "string", describe: "also write the figures to this file" })
  .strict()
  .parseAsync();

const sizes = args.nodes.split(",").map((s) => Number(s.trim()));
if (sizes.some((n) => !Number.isInteger(n) || n < 2)) throw new Error(`--nodes: whole numbers of at least 2, got ${args.nodes}`);
const tooLarge = sizes.map((n) => simTooLarge(n, { formed: args.formed })).find(Boolean);
if (tooLarge) throw new Error(`--nodes: ${tooLarge}`);
const config = NodeConfig.parse(SCENARIO_DEFAULT_CONFIG);

let peakRss = 0;
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));

interface Figure {
  nodes: number;
  formed: boolean;
  formVirtualS: number;
  formWallS: number;
  periods: number;
  steadyWallS: number;
  nodePeriodsPerS: number;
  messages: number;
  peakRssMB: number;
}

function measure(n: number): Figure {
  peakRss = 0;
  let alive = 0;
  const sim = new SimCluster({
    config,
    keepTransitions: false,
    measureBytes: false,
    listener: {
      transition: (tr) => {
        if (tr.to === "alive" && tr.from !== "alive") alive++;
        else if (tr.from === "alive") alive--;
      },
    },
  });
  const formStart = performance.now();
  if (args.formed) {
    sim.addFormed(Array.from({ length: n }, (_, i) => ({ id: `n${i + 1}`, seed: i })));
    alive = n * n;
  } else for (let i = 0; i < n; i++) sim.add(`n${i + 1}`, i, i === 0 ? [] : ["n1"]);
  while (alive < n * n && sim.now < args["form-limit"] * 1000) {
    sim.runFor(config.probeIntervalMs);
    sample();
  }
  const formed = alive === n * n;
  const formWallS = (performance.now() - formStart) / 1000;
  const formVirtualS = sim.now / 1000;
  const sent = sim.messages.sent;
  const steadyStart = performance.now();
  for (let p = 0; p < args.periods; p++) {
    sim.runFor(config.probeIntervalMs);
    if (p % 10 === 0) sample();
  }
  sample();
  const steadyWallS = (performance.now() - steadyStart) / 1000;
  return {
    nodes: n,
    formed,
    formVirtualS,
    formWallS,
    periods: args.periods,
    steadyWallS,
    nodePeriodsPerS: Math.round((n * args.periods) / steadyWallS),
    messages: sim.messages.sent - sent,
    peakRssMB: Math.round(peakRss / 2 ** 20),
  };
}

const figures: Figure[] = [];
process.stdout.write(
  `simulator: ${args.periods} probe periods of ${config.probeIntervalMs} ms after forming\n\n| nodes | formed in (virtual) | forming took | ${args.periods} periods took | node-periods/s | messages | peak RSS |\n| --- | --- | --- | --- | --- | --- | --- |\n`,
);
for (const n of sizes) {
  const f = measure(n);
  figures.push(f);
  process.stdout.write(
    `| ${n} | ${args.formed ? "started formed" : f.formed ? `${f.formVirtualS.toFixed(1)} s` : `not within ${args["form-limit"]} s`} | ${f.formWallS.toFixed(1)} s | ${f.steadyWallS.toFixed(1)} s | ${f.nodePeriodsPerS} | ${f.messages} | ${f.peakRssMB} MB |\n`,
  );
  (globalThis as { gc?: () => void }).gc?.();
}
if (args.json)
  writeFileSync(
    args.json,
    `${JSON.stringify({ tool: "grapevine bench:sim", probeIntervalMs: config.probeIntervalMs, start: args.formed ? "formed" : "joins", figures }, null, 2)}\n`,
  );
// A cluster that never formed measured its steady state on a cluster that was not one: not a figure.
const unformed = figures.filter((f) => !f.formed).map((f) => f.nodes);
if (unformed.length > 0) {
  process.stderr.write(
    `bench:sim: ${unformed.join(", ")} nodes did not form within ${args["form-limit"]} virtual s; their figures are not steady-state figures\n`,
  );
  process.exitCode = 1;
}
