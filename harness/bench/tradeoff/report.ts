// The trade-off bench's report: detection latency against false positives, one curve per family and
// network condition, as summary.json, report.md and index.html.
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { TopLevelSpec } from "vega-lite";
import { escapeHtml } from "../../report/html.js";
import { renderSvg } from "../../report/charts.js";
import { CONDITION_TEXT, settingName, type TradeoffBench } from "./plan.js";

const VEGA = "https://vega.github.io/schema/vega-lite/v6.json";

const fmt = (x: number | null) => (x === null ? "—" : Math.round(x).toString());

const RUNTIME_TEXT = { sim: "simulator", process: "processes" } as const;

export function tradeoffMarkdown(bench: TradeoffBench): string {
  const minutes = +(bench.quietMs / 60_000).toFixed(1);
  const quiet = bench.quietMs < 60_000 ? `${bench.quietMs / 1000} s` : `${minutes} minute${minutes === 1 ? "" : "s"}`;
  const virtual = bench.runtime === "sim" ? " (virtual time)" : "";
  const lines = [
    `# Detection latency against false positives (${RUNTIME_TEXT[bench.runtime]})`,
    ``,
    `${bench.nodes} nodes.`,
    ...bench.implementations.map((i) => `- ${i.name} (${i.version}): ${i.settings}`),
    ``,
    `False positives: dead (and suspect) verdicts about running members during ${quiet} of the condition${virtual}, per member-hour. Detection: each surviving node's dead verdict after each of ${bench.crashes} crashes.`,
    ``,
    `| condition | setting | detection p50 (ms) | p90 (ms) | missed | false dead / member-hour | false suspect / member-hour |`,
    `| --- | --- | --- | --- | --- | --- | --- |`,
    ...bench.rows.map((r) =>
      r.error
        ? `| ${r.condition} | ${settingName(r)} | could not run: ${r.error.replaceAll("|", "/").replaceAll("\n", " ")} | | | | |`
        : `| ${r.condition} | ${settingName(r)} | ${fmt(r.detectionP50Ms)} | ${fmt(r.detectionP90Ms)} | ${r.missed} of ${r.detections + r.missed}${r.unjudged ? ` (${r.unjudged} held it dead already)` : ""} | ${r.falseDeadPerMemberHour.toFixed(2)} | ${r.falseSuspectPerMemberHour.toFixed(2)} |`,
    ),
    ``,
    `Conditions: ${Object.entries(CONDITION_TEXT)
      .map(([k, v]) => `${k}: ${v}`)
      .join("; ")}.`,
    ...carriers(bench),
    ``,
  ];
  return `${lines.join("\n")}\n`;
}

/** On processes: which fault engine carried each implementation's conditions, from the trials' fault logs. */
function carriers(bench: TradeoffBench): string[] {
  const engines = new Map<string, Set<string>>();
  for (const r of bench.rows) for (const f of r.faults ?? []) engines.set(r.implementation, (engines.get(r.implementation) ?? new Set()).add(f.split(":")[0]!));
  if (engines.size === 0) return [];
  return [
    `Faults carried by: ${[...engines]
      .map(([impl, kinds]) => `${impl}, ${[...kinds].join(" and ")}`)
      .join(
        "; ",
      )} (toxiproxy: per-link proxies, where a lost exchange is a connection whose data never arrives; packet: nftables rules on each node's own packets).`,
  ];
}

/** One chart per quantile: x detection latency, y false dead per member-hour (symlog: zero stays on the chart). */
function curveSpec(bench: TradeoffBench, field: "detectionP50Ms" | "detectionP90Ms"): TopLevelSpec {
  const values = bench.rows
    .filter((r) => r[field] !== null)
    .map((r) => {
      const who = r.implementation === "reference" ? "" : `${r.implementation} `;
      return {
        latency: r[field],
        falseDead: r.falseDeadPerMemberHour,
        condition: r.condition,
        family: `${who}${r.family === "swim" ? "SWIM ×mult" : "φ threshold"}`,
        curve: `${r.implementation} ${r.family} ${r.condition}`,
        setting: r.setting,
        label: r.family === "swim" ? `×${r.setting}` : `φ${r.setting}`,
      };
    });
  return {
    $schema: VEGA,
    width: 760,
    height: 340,
    data: { values },
    encoding: {
      x: {
        field: "latency",
        type: "quantitative",
        scale: { type: "log" },
        title: `detection latency, ${field === "detectionP50Ms" ? "p50" : "p90"} (ms, log)`,
      },
      y: { field: "falseDead", type: "quantitative", scale: { type: "symlog" }, title: "false dead verdicts per member-hour (symlog)" },
      color: { field: "condition", type: "nominal", title: "network", legend: { orient: "top" } },
    },
    layer: [
      {
        mark: { type: "line", point: true },
        encoding: {
          strokeDash: { field: "family", type: "nominal", title: "family", legend: { orient: "top", symbolType: "stroke" } },
          detail: { field: "curve", type: "nominal" },
          order: { field: "setting", type: "quantitative" },
        },
      },
      { mark: { type: "text", dx: 6, dy: -6, align: "left", fontSize: 9 }, encoding: { text: { field: "label", type: "nominal" } } },
    ],
  } as unknown as TopLevelSpec;
}

/** Writes summary.json, report.md and index.html into runDir; returns the HTML's path. */
export async function writeTradeoffReports(
  runDir: string,
  bench: TradeoffBench,
  meta: { seed: number; startedAt: number; finishedAt: number },
): Promise<string> {
  writeFileSync(path.join(runDir, "summary.json"), `${JSON.stringify({ tool: "grapevine bench tradeoff", ...meta, ...bench }, null, 2)}\n`);
  const markdown = tradeoffMarkdown(bench);
  writeFileSync(path.join(runDir, "report.md"), markdown);
  const charts = [
    ["Median detection latency against false positives: lower left is better", curveSpec(bench, "detectionP50Ms")],
    ["90th-percentile detection latency against false positives", curveSpec(bench, "detectionP90Ms")],
  ] as const;
  const svgs = await Promise.all(charts.map(async ([title, spec]) => `<h2>${escapeHtml(title)}</h2><div class="chart">${await renderSvg(spec)}</div>`));
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Grapevine: detector trade-off</title>
<style>body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1000px; color: #222 } pre { white-space: pre-wrap } svg { max-width: 100% }</style></head>
<body><h1>SWIM against φ accrual: detection latency and false positives (${RUNTIME_TEXT[bench.runtime]}, seed ${meta.seed})</h1>${svgs.join("\n")}<h2>Figures</h2><pre>${escapeHtml(markdown)}</pre></body></html>\n`;
  const file = path.join(runDir, "index.html");
  writeFileSync(file, html);
  return file;
}
