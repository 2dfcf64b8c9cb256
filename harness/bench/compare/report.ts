// Bench reports: summary.json, report.md and a self-contained index.html with the charts rendered to SVG.
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { TopLevelSpec } from "vega-lite";
import type { BenchSummary, DetectionTrial, Distribution, ImplementationBench } from "../../../specs/bench/summary.js";
import { renderSvg } from "../../report/charts.js";
import { escapeHtml as escape } from "../../report/html.js";

const METRICS = [
  ["firstSuspect", "first-suspect"],
  ["firstDead", "first-dead"],
  ["allDead", "all-dead"],
] as const;

/** The empirical CDF of one latency across implementations, the SWIM expectation as a rule per implementation. */
export function cdfSpec(summary: BenchSummary, metric: (typeof METRICS)[number][0], title: string): TopLevelSpec | undefined {
  const key = `${metric}Ms` as keyof DetectionTrial;
  const values = summary.implementations.flatMap((impl) => {
    // Out of the trials that ran: one that never reached this state keeps the curve below 1 rather than vanish.
    const ran = (impl.detection?.trials ?? []).filter((t) => t.error === undefined);
    const sorted = ran
      .map((t) => t[key] as number | null)
      .filter((v): v is number => v !== null)
      .sort((a, b) => a - b);
    const label = `${impl.name} (${sorted.length} of ${ran.length})`;
    return sorted.map((ms, i) => ({ implementation: label, ms, fraction: (i + 1) / ran.length }));
  });
  if (values.length === 0) return undefined;
  const rules = summary.implementations.flatMap((impl) => {
    const e = impl.detection?.expectation;
    if (!e) return [];
    const ms = metric === "firstSuspect" ? e.firstSuspectMeanMs : e.firstSuspectMeanMs + e.suspicionMinMs;
    return [{ implementation: impl.name, ms, label: metric === "firstSuspect" ? "SWIM mean" : "SWIM mean + min suspicion" }];
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 420,
    height: 220,
    layer: [
      {
        data: { values },
        mark: { type: "line", interpolate: "step-after", point: true },
        encoding: {
          x: { field: "ms", type: "quantitative", title: "ms after the crash" },
          y: { field: "fraction", type: "quantitative", title: "fraction of trials", scale: { domain: [0, 1] } },
          color: { field: "implementation", type: "nominal" },
        },
      },
      ...(metric === "allDead"
        ? []
        : [
            {
              data: { values: rules },
              mark: { type: "rule", strokeDash: [4, 3] },
              encoding: {
                x: { field: "ms", type: "quantitative" },
                color: { field: "implementation", type: "nominal" },
                tooltip: [{ field: "label" }, { field: "ms" }],
              },
            },
          ]),
    ],
  } as unknown as TopLevelSpec;
}

function pauseSpec(summary: BenchSummary): TopLevelSpec | undefined {
  const values = summary.implementations.flatMap((impl) =>
    (impl.pause ?? []).map((p) => ({ implementation: impl.name, pauseMs: p.pauseMs, share: p.declaredDead / (p.trials * p.observers) })),
  );
  if (values.length === 0) return undefined;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "observers that declared a paused node dead",
    width: 420,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "pauseMs", type: "quantitative", scale: { type: "log" }, title: "pause (ms)" },
      y: { field: "share", type: "quantitative", scale: { domain: [0, 1] }, title: "share of observers" },
      color: { field: "implementation", type: "nominal" },
    },
  } as unknown as TopLevelSpec;
}

function lossSpec(summary: BenchSummary): TopLevelSpec | undefined {
  // False deaths for every implementation; false suspicions only where the view shows suspicion.
  const values = summary.implementations.flatMap((impl) =>
    (impl.loss ?? []).flatMap((p) => [
      { implementation: impl.name, loss: p.rate * 100, perHour: p.falseDeadPerMemberHour, series: `${impl.name}: dead` },
      ...(impl.showsSuspect ? [{ implementation: impl.name, loss: p.rate * 100, perHour: p.falseSuspectPerMemberHour, series: `${impl.name}: suspect` }] : []),
    ]),
  );
  if (values.length === 0) return undefined;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "false verdicts per member-hour under loss",
    width: 420,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "loss", type: "quantitative", title: "loss (%)" },
      y: { field: "perHour", type: "quantitative", title: "per member-hour" },
      color: { field: "series", type: "nominal" },
    },
  } as unknown as TopLevelSpec;
}

function partitionSpec(summary: BenchSummary): TopLevelSpec | undefined {
  const values = summary.implementations.flatMap((impl) =>
    (impl.partition ?? []).flatMap((p) =>
      p.healMs.map((ms) => ({
        implementation: impl.name,
        partitionS: p.partitionMs / 1000,
        healS: ms === null ? p.waitedMs / 1000 : ms / 1000,
        healed: ms !== null,
      })),
    ),
  );
  if (values.length === 0) return undefined;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "time to re-form after a partition (hollow: not re-formed within the wait)",
    width: 420,
    data: { values },
    mark: { type: "point", size: 80 },
    encoding: {
      x: { field: "partitionS", type: "quantitative", title: "partition (s)" },
      y: { field: "healS", type: "quantitative", title: "heal time (s)" },
      color: { field: "implementation", type: "nominal" },
      fill: { condition: { test: "datum.healed", field: "implementation", type: "nominal" }, value: "white" },
    },
  } as unknown as TopLevelSpec;
}

function convergenceSpec(summary: BenchSummary): TopLevelSpec | undefined {
  const values = summary.implementations.flatMap((impl) =>
    (impl.convergence ?? []).flatMap((c) => [
      ...(c.spread ? [{ implementation: impl.name, nodes: c.nodes, ms: c.spread.p50, series: `${impl.name} p50` }] : []),
      { implementation: impl.name, nodes: c.nodes, ms: c.expectedMs, series: `${impl.name} log N expectation` },
    ]),
  );
  if (values.length === 0) return undefined;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "time for a death to reach every node (first dead → all dead)",
    width: 420,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "nodes", type: "quantitative", scale: { type: "log", base: 2 }, title: "nodes" },
      y: { field: "ms", type: "quantitative", title: "ms" },
      color: { field: "series", type: "nominal" },
    },
  } as unknown as TopLevelSpec;
}

/** A latency's row: `n of N` counts the trials that reached it out of those that ran. */
const row = (name: string, d: Distribution | null | undefined, ran: number, expectation: string) =>
  d
    ? `| ${name} | ${d.n} of ${ran} | ${d.p50} | ${d.p90} | ${d.p99} | ${d.max} | ${expectation} |`
    : `| ${name} | 0 of ${ran} | — | — | — | — | ${expectation} |`;

export function renderBenchMarkdown(summary: BenchSummary): string {
  const lines = [
    `# grapevine bench ${summary.kind}`,
    "",
    `Seed ${summary.seed}; every node's view read every ${summary.pollMs} ms (latencies are to that resolution).`,
    "",
  ];
  for (const impl of summary.implementations) {
    lines.push(
      `## ${impl.name} — ${impl.version}`,
      "",
      impl.description,
      "",
      `Timing (${String(impl.timing.source)}): ${Object.entries(impl.timing)
        .filter(([k]) => k !== "source")
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
      "",
    );
    const d = impl.detection;
    if (d) {
      const e = d.expectation;
      lines.push(
        `Crash detection, ${d.nodes} nodes, ${d.trials.length} trials (ms):`,
        "",
        "| latency | n of N | p50 | p90 | p99 | max | SWIM expectation |",
        "|---|---|---|---|---|---|---|",
      );
      const ran = d.trials.filter((t) => !t.error).length;
      lines.push(
        impl.showsSuspect
          ? row("first-suspect", d.firstSuspect, ran, `mean ≈ ${e.firstSuspectMeanMs}${e.probeOrder ? ` (${e.probeOrder} probing)` : ""}`)
          : "| first-suspect | — | not visible in this implementation's view | | | | |",
      );
      lines.push(row("first-dead", d.firstDead, ran, `≈ ${e.firstSuspectMeanMs} + ${e.suspicionMinMs}…${e.suspicionMaxMs} (suspicion min…max)`));
      lines.push(row("all-dead", d.allDead, ran, "first-dead + dissemination"), "");
      for (const [label, dist] of [
        ["first-dead", d.firstDead],
        ["all-dead", d.allDead],
      ] as const) {
        const missing = ran - (dist?.n ?? 0);
        if (missing > 0) lines.push(`${label}: ${missing} of ${ran} trial(s) that ran never reached it while watched (not in its percentiles)`, "");
      }
      const failed = d.trials.filter((t) => t.error);
      if (failed.length > 0) lines.push(`${failed.length} trial(s) could not run: ${[...new Set(failed.map((t) => t.error))].join("; ")}`, "");
    }
    if (impl.pause) {
      lines.push("| pause (ms) | longest held (ms) | watched after (ms) | trials | observers | declared dead | rejoined |", "|---|---|---|---|---|---|---|");
      for (const p of impl.pause)
        lines.push(
          `| ${p.pauseMs} | ${p.longestHeldMs ?? "—"} | ${p.watchedAfterMs ?? "—"} | ${p.trials} | ${p.observers} | ${p.declaredDead} | ${p.rejoined} |`,
        );
      lines.push("");
    }
    if (impl.loss) {
      lines.push(
        "| loss | watched (s) | false suspect | false dead | suspect / member-hour | dead / member-hour | crash: first dead | all dead |",
        "|---|---|---|---|---|---|---|---|",
      );
      for (const p of impl.loss)
        lines.push(
          `| ${Math.round(p.rate * 100)}% | ${p.durationMs / 1000} | ${p.falseSuspect} | ${p.falseDead} | ${p.falseSuspectPerMemberHour} | ${p.falseDeadPerMemberHour} | ${p.firstDeadMs ?? "—"} | ${p.allDeadMs ?? "—"} |`,
        );
      lines.push("");
    }
    if (impl.partition) {
      lines.push("| partition (s) | trials | split (ms) | heal (ms) |", "|---|---|---|---|");
      const fmt = (values: (number | null)[], never: string) => values.map((v) => (v === null ? never : String(v))).join(", ") || "—";
      for (const p of impl.partition)
        lines.push(`| ${p.partitionMs / 1000} | ${p.trials} | ${fmt(p.splitMs, "not split")} | ${fmt(p.healMs, `not within ${p.waitedMs / 1000} s`)} |`);
      lines.push("");
    }
    if (impl.convergence) {
      lines.push("| nodes | trials | spread p50 | p90 | max | log N expectation |", "|---|---|---|---|---|---|");
      for (const c of impl.convergence)
        lines.push(`| ${c.nodes} | ${c.spread?.n ?? 0} | ${c.spread?.p50 ?? "—"} | ${c.spread?.p90 ?? "—"} | ${c.spread?.max ?? "—"} | ${c.expectedMs} |`);
      lines.push("");
    }
    for (const s of impl.skipped) lines.push(`SKIP ${s.what}: ${s.reason}`, "");
  }
  return lines.join("\n");
}

export async function renderBenchHtml(summary: BenchSummary, markdown: string): Promise<string> {
  const specs = [
    ...METRICS.map(([m, title]) => cdfSpec(summary, m, title)),
    pauseSpec(summary),
    lossSpec(summary),
    partitionSpec(summary),
    convergenceSpec(summary),
  ].filter((s): s is TopLevelSpec => s !== undefined);
  const charts = await Promise.all(specs.map(renderSvg));
  const configs = summary.implementations
    .map((i: ImplementationBench) => `<h3>${escape(i.name)}</h3><pre>${escape(JSON.stringify(i.timing, null, 2))}</pre>`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>grapevine bench ${summary.kind}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em}.charts{display:flex;flex-wrap:wrap;gap:1em}pre{background:#f6f8fa;padding:1em;white-space:pre-wrap}</style></head><body>
<h1>grapevine bench ${summary.kind}</h1>
<div class="charts">${charts.join("")}</div>
<h2>Tables</h2><pre>${escape(markdown)}</pre>
<h2>Settings each implementation ran with</h2>${configs}
</body></html>`;
}

export async function writeBenchReports(runDir: string, summary: BenchSummary): Promise<string> {
  const markdown = renderBenchMarkdown(summary);
  writeFileSync(path.join(runDir, "summary.json"), JSON.stringify(summary, null, 2));
  writeFileSync(path.join(runDir, "report.md"), markdown);
  const html = path.join(runDir, "index.html");
  writeFileSync(html, await renderBenchHtml(summary, markdown));
  return html;
}
