// index.html: one self-contained page (inline SVG, inline CSS, no script) with every scenario's charts and verdicts.
import type { HistoryRecord } from "../../specs/history/history.js";
import type { CheckResult, ScenarioResult, Summary } from "../../specs/report/summary.js";
import { CheckContext } from "../checks/context.js";
import { Truth } from "../checks/truth.js";
import { spreadOf } from "../checks/kv.js";
import { agreementSpec, convergenceSpec, detectionSpec, disseminationSpec, heatmapSpec, renderSvg, sharesSpec, timelineSpec } from "./charts.js";
import { digestAgreement, disseminationCurve, faultWindows, timeline } from "./timeline.js";
import { LANES_UP_TO, viewShares } from "./view-shares.js";

/** Instants sampled across a scenario for the shares and heatmap of a large cluster. */
const SHARE_BINS = 120;

/** Text made safe inside HTML elements and attribute values. */
export const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1000px; color: #222; }
h1 { margin-bottom: .2rem } .meta { color: #666 }
table { border-collapse: collapse; margin: .5rem 0 1rem; width: 100% }
td, th { border-bottom: 1px solid #ddd; padding: .25rem .5rem; text-align: left; vertical-align: top }
.pass { color: #1b7f3a; font-weight: 600 } .fail { color: #c02020; font-weight: 600 } .info { color: #666; font-weight: 600 }
section { border-top: 2px solid #eee; margin-top: 2rem; padding-top: .5rem }
details { margin: .2rem 0 } summary { cursor: pointer } .chart { overflow-x: auto; margin: .5rem 0 }
.evidence { font-size: 12px; color: #444 }
`;

function checkRow(check: CheckResult): string {
  // A failed check's evidence is what the reader came for: open from the start.
  const evidence = check.evidence.length
    ? `<details${check.verdict === "fail" ? " open" : ""}><summary>${check.evidence.length + (check.evidenceOmitted ?? 0)} evidence</summary><ul class="evidence">${check.evidence
        .map(
          (e) =>
            `<li>${[e.atMs !== undefined ? `${(e.atMs / 1000).toFixed(2)} s` : "", e.observer ? `observer ${escapeHtml(e.observer)}` : "", e.member ? `member ${escapeHtml(e.member)}` : ""].filter(Boolean).join(" · ")}: ${escapeHtml(e.detail)}</li>`,
        )
        .join("")}${check.evidenceOmitted ? `<li>… and ${check.evidenceOmitted} more of the same kind (not kept)</li>` : ""}</ul></details>`
    : "";
  return `<tr><td class="${check.verdict}">${check.verdict.toUpperCase()}</td><td>${escapeHtml(check.name)}</td><td>${escapeHtml(check.summary)}${evidence}</td></tr>`;
}

/**
 * The instants (ms since the scenario started) at which the only change was the cluster's start-up:
 * nodes first coming up before the first step. The convergence chart leaves them out, since
 * starting the cluster is not a change a scenario made (a restart later on is).
 */
export function startUpInstants(records: readonly HistoryRecord[], truth = new Truth(records)): Set<number> {
  const firstStep = records.find((r) => r.type === "step" && r.phase === "start")?.t ?? Infinity;
  const seen = new Set<string>();
  const startUp = new Set<number>();
  const others = new Set<number>([...truth.downs.map((d) => d.t), ...truth.faults.flatMap((f) => [f.from, f.to])]);
  for (const r of records) {
    if (r.type !== "node-up") continue;
    const at = r.readyAt ?? r.t;
    if (!seen.has(r.node) && r.t <= firstStep) startUp.add(at);
    else others.add(at);
    seen.add(r.node);
  }
  return new Set([...startUp].filter((t) => !others.has(t)).map((t) => Math.round(t - truth.start)));
}

async function scenarioSection(result: ScenarioResult, records: HistoryRecord[]): Promise<string> {
  const charts: string[] = [];
  const nodes = new Set(records.flatMap((r) => (r.type === "node-up" ? [r.node] : []))).size;
  // The time axis and fault windows every scenario-time chart below shares.
  const truth = new Truth(records);
  const { faults, durationS } = faultWindows(truth);
  if (nodes > LANES_UP_TO || records.some((r) => r.type === "view-count")) {
    // A lane per (observer, member) is N² lanes: past a few dozen nodes, shares and a heatmap instead.
    const { curve, heat } = viewShares(records, SHARE_BINS);
    charts.push(`<h3>Views over time</h3><div class="chart" data-chart="shares">${await renderSvg(sharesSpec(curve, faults, durationS))}</div>`);
    charts.push(`<h3>Members held alive</h3><div class="chart" data-chart="heatmap">${await renderSvg(heatmapSpec(heat, durationS, SHARE_BINS))}</div>`);
  } else {
    const { bands } = timeline(records, truth);
    charts.push(`<h3>Views over time</h3><div class="chart" data-chart="timeline">${await renderSvg(timelineSpec(bands, faults, durationS))}</div>`);
  }
  const detection = detectionSpec(result);
  if (detection) charts.push(`<h3>Detection latency</h3><div class="chart" data-chart="detection">${await renderSvg(detection)}</div>`);
  const convergenceCheck = result.checks.find((c) => c.name === "converged");
  const startUp = startUpInstants(records, truth);
  const points = (convergenceCheck?.evidence ?? [])
    .filter((e) => e.tookMs !== undefined && !startUp.has(e.atMs ?? 0))
    .map((e) => ({ atS: (e.atMs ?? 0) / 1000, ms: e.tookMs ?? null, label: e.detail }));
  const convergence = convergenceSpec(points, faults, durationS);
  if (convergence)
    charts.push(`<h3>Time to convergence after each change</h3><div class="chart" data-chart="convergence">${await renderSvg(convergence)}</div>`);
  if (records.some((r) => r.type === "kv-write")) {
    const curve = disseminationSpec(disseminationCurve(spreadOf(new CheckContext(records))));
    if (curve) charts.push(`<h3>Dissemination of writes</h3><div class="chart" data-chart="dissemination">${await renderSvg(curve)}</div>`);
  }
  const agreement = agreementSpec(digestAgreement(records), faults, durationS);
  if (agreement && records.some((r) => r.type === "kv-write"))
    charts.push(`<h3>Key-value digest agreement</h3><div class="chart" data-chart="agreement">${await renderSvg(agreement)}</div>`);
  return `<section id="${escapeHtml(result.name)}">
<h2><span class="${result.verdict}">${result.verdict.toUpperCase()}</span> ${escapeHtml(result.name)}</h2>
<p>${escapeHtml(result.description)}</p>
<p class="meta">${escapeHtml(result.file)} · ${(result.durationMs / 1000).toFixed(1)} s${result.seed === undefined ? "" : ` · seed ${result.seed}`}${result.aborted ? ` · aborted: ${escapeHtml(result.aborted)}` : ""}</p>
<table><tr><th>verdict</th><th>check</th><th>result</th></tr>${result.checks.map(checkRow).join("")}</table>
${charts.join("\n")}
</section>`;
}

export async function renderHtml(summary: Summary, records: readonly HistoryRecord[]): Promise<string> {
  const sections: string[] = [];
  for (const result of summary.scenarios)
    sections.push(
      await scenarioSection(
        result,
        records.filter((r) => r.scenario === result.name),
      ),
    );
  const rows = summary.scenarios
    .map(
      (s) =>
        `<tr><td class="${s.verdict}">${s.verdict.toUpperCase()}</td><td><a href="#${escapeHtml(s.name)}">${escapeHtml(s.name)}</a></td><td>${s.checks.filter((c) => c.verdict === "fail").length} failed of ${s.checks.length}</td><td>${(s.durationMs / 1000).toFixed(1)} s</td></tr>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Grapevine — ${escapeHtml(summary.suite)}</title><style>${CSS}</style></head>
<body>
<h1>Grapevine run: ${escapeHtml(summary.suite)} <span class="${summary.verdict}">${summary.verdict.toUpperCase()}</span></h1>
<p class="meta">${new Date(summary.startedAt).toISOString()} · ${((summary.finishedAt - summary.startedAt) / 1000).toFixed(1)} s · proxies: ${escapeHtml(summary.toxiproxy)}${summary.mutant ? ` · mutant: ${escapeHtml(summary.mutant)}` : ""}</p>
<table><tr><th>verdict</th><th>scenario</th><th>checks</th><th>time</th></tr>${rows}</table>
${sections.join("\n")}
</body></html>
`;
}
