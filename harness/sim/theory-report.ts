// The theory bench's report: measured beside predicted, as summary.json, report.md and index.html.
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { TopLevelSpec } from "vega-lite";
import { escapeHtml } from "../report/html.js";
import { renderSvg } from "../report/charts.js";
import { mean } from "simple-statistics";
import { FORMULAS } from "./theory.js";
import type { TheoryBench } from "./theory-bench.js";

const VEGA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Per size: the mean of each measured figure over the trials that measured it. */
export function bySize(bench: TheoryBench) {
  const sizes = [...new Set(bench.spread.map((s) => s.nodes))];
  const avg = (xs: (number | null)[]) => {
    const measured = xs.filter((x): x is number => x !== null);
    return measured.length ? mean(measured) : null;
  };
  return sizes.map((n) => {
    const trials = bench.spread.filter((s) => s.nodes === n);
    return {
      nodes: n,
      trials: trials.length,
      firstSuspect: avg(trials.map((t) => t.firstSuspectPeriods)),
      predictedFirstSuspect: trials[0]!.predictedFirstSuspect,
      deathRounds: avg(trials.map((t) => t.deathRounds)),
      writeRounds: avg(trials.map((t) => t.writeRounds)),
      writeMissed: trials.filter((t) => t.writeRounds === null).length,
      predictedRounds: trials[0]!.predictedRounds,
    };
  });
}

const fmt = (x: number | null, digits = 2) => (x === null ? "—" : x.toFixed(digits));

export function theoryMarkdown(bench: TheoryBench): string {
  const c = bench.config;
  const lines = [
    `# Measured against theory (simulator)`,
    ``,
    `Probe period ${c.probeIntervalMs} ms, gossip every ${c.gossipIntervalMs} ms to ${c.gossipNodes} members, ${c.indirectChecks} indirect probes, retransmit limit ${c.retransmitMult} · ⌈log₁₀(N+1)⌉ (key-value rumors ${c.kvRetransmitMult} ·), anti-entropy off.`,
    ``,
    `| N | trials | first suspicion (periods) | predicted | death reaches all (rounds) | write reaches all (rounds) | predicted rounds |`,
    `| --- | --- | --- | --- | --- | --- | --- |`,
    ...bySize(bench).map(
      (s) =>
        `| ${s.nodes} | ${s.trials} | ${fmt(s.firstSuspect)} | ${fmt(s.predictedFirstSuspect)} | ${fmt(s.deathRounds)} | ${fmt(s.writeRounds)}${s.writeMissed ? ` (${s.writeMissed} never reached all)` : ""} | ${fmt(s.predictedRounds)} |`,
    ),
    ``,
    `| loss | N | probes | failed probes of healthy members | per probe | predicted |`,
    `| --- | --- | --- | --- | --- | --- |`,
    ...bench.loss.map(
      (l) => `| ${(l.lossRate * 100).toFixed(0)} % | ${l.nodes} | ${l.probes} | ${l.probeFailures} | ${fmt(l.perProbe, 4)} | ${fmt(l.predicted, 4)} |`,
    ),
    ``,
    `## Formulas`,
    ``,
    ...FORMULAS.map((f) => `- ${f.what}: ${f.formula} (${f.source})`),
    ``,
    `A death reaches every node faster than a rumor would: every node that probes the dead member suspects it on its own, and the suspicion, gossiped first, starts every node's timer. The column measures the rounds from the first dead verdict to the last.`,
  ];
  return `${lines.join("\n")}\n`;
}

function roundsSpec(bench: TheoryBench): TopLevelSpec {
  const rows = bySize(bench);
  const values = [
    ...rows.map((r) => ({ nodes: r.nodes, rounds: r.writeRounds, series: "write, measured" })),
    ...rows.map((r) => ({ nodes: r.nodes, rounds: r.deathRounds, series: "death, measured" })),
    ...rows.map((r) => ({ nodes: r.nodes, rounds: r.predictedRounds, series: "epidemic prediction" })),
  ].filter((v) => v.rounds !== null);
  return {
    $schema: VEGA,
    width: 600,
    height: 260,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "nodes", type: "quantitative", scale: { type: "log" }, title: "nodes (log)" },
      y: { field: "rounds", type: "quantitative", title: "gossip rounds to reach every node" },
      color: { field: "series", type: "nominal", title: null, legend: { orient: "top" } },
    },
  } as unknown as TopLevelSpec;
}

function detectionSpec(bench: TheoryBench): TopLevelSpec {
  const values = [
    ...bench.spread
      .filter((s) => s.firstSuspectPeriods !== null)
      .map((s) => ({ nodes: s.nodes, periods: s.firstSuspectPeriods, series: "measured (each trial)" })),
    ...bySize(bench).map((r) => ({ nodes: r.nodes, periods: r.predictedFirstSuspect, series: "SWIM's expectation" })),
  ];
  return {
    $schema: VEGA,
    width: 600,
    height: 220,
    data: { values },
    mark: { type: "point", filled: true },
    encoding: {
      x: { field: "nodes", type: "quantitative", scale: { type: "log" }, title: "nodes (log)" },
      y: { field: "periods", type: "quantitative", title: "periods from crash to first suspicion" },
      color: { field: "series", type: "nominal", title: null, legend: { orient: "top" } },
    },
  } as unknown as TopLevelSpec;
}

function lossSpec(bench: TheoryBench): TopLevelSpec {
  const values = bench.loss.flatMap((l) => [
    { loss: l.lossRate, perProbe: l.perProbe, series: "measured" },
    { loss: l.lossRate, perProbe: l.predicted, series: "p · (1 − (1 − p)²)^k" },
  ]);
  return {
    $schema: VEGA,
    width: 600,
    height: 220,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "loss", type: "quantitative", title: "request loss on every link", axis: { format: "%" } },
      y: { field: "perProbe", type: "quantitative", title: "failed probes of healthy members, per probe" },
      color: { field: "series", type: "nominal", title: null, legend: { orient: "top" } },
    },
  } as unknown as TopLevelSpec;
}

/** Writes summary.json, report.md and index.html into runDir; returns the HTML's path. */
export async function writeTheoryReports(runDir: string, bench: TheoryBench, meta: { seed: number; startedAt: number; finishedAt: number }): Promise<string> {
  writeFileSync(path.join(runDir, "summary.json"), `${JSON.stringify({ tool: "grapevine bench convergence --runtime sim", ...meta, ...bench }, null, 2)}\n`);
  const markdown = theoryMarkdown(bench);
  writeFileSync(path.join(runDir, "report.md"), markdown);
  const charts = [
    ["Rounds until a write and a death reach every node, beside the epidemic prediction", roundsSpec(bench)],
    ["First suspicion of a crash, beside SWIM's expectation", detectionSpec(bench)],
    ["Failed probes of healthy members against loss, beside the prediction", lossSpec(bench)],
  ] as const;
  const svgs = await Promise.all(charts.map(async ([title, spec]) => `<h2>${escapeHtml(title)}</h2><div class="chart">${await renderSvg(spec)}</div>`));
  const formulas = FORMULAS.map((f) => `<li>${escapeHtml(f.what)}: <code>${escapeHtml(f.formula)}</code> — ${escapeHtml(f.source)}</li>`).join("");
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Grapevine: measured against theory</title>
<style>body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1000px; color: #222 } pre { white-space: pre-wrap }</style></head>
<body><h1>Measured against theory (simulator, seed ${meta.seed})</h1>${svgs.join("\n")}<h2>Formulas and sources</h2><ul>${formulas}</ul><h2>Figures</h2><pre>${escapeHtml(markdown)}</pre></body></html>\n`;
  const file = path.join(runDir, "index.html");
  writeFileSync(file, html);
  return file;
}
