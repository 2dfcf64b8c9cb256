// Charts as Vega-Lite specifications, rendered to SVG at report time so the report opens offline.
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { HeatCell, ShareSample } from "./view-shares.js";
import type { ScenarioResult } from "../../specs/report/summary.js";
import { alignedAxis, faultShading, faultStrip, PLOT_WIDTH, timeX } from "./time-axis.js";
import type { FaultBand, StateBand } from "./timeline.js";

export const STATE_COLORS = { alive: "#2e9d4b", suspect: "#f0a020", dead: "#d03030", left: "#8a8a8a" };

/** A view state's colour, the same in every chart, with its legend on top. */
const STATE_SCALE = {
  field: "state",
  type: "nominal",
  title: "view",
  scale: { domain: Object.keys(STATE_COLORS), range: Object.values(STATE_COLORS) },
  legend: { orient: "top" },
} as const;

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Above the chart, the fault strip that labels each window; the chart below shares its x scale. */
function withFaultStrip(chart: Record<string, unknown>, faults: FaultBand[], durationS: number): TopLevelSpec {
  const strip = faultStrip(faults, durationS);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(strip ? { vconcat: [strip, chart], spacing: 4, resolve: { scale: { x: "shared", color: "independent" } } } : chart),
  } as unknown as TopLevelSpec;
}

/** Every node's view of every member over time, with the fault windows shaded over it and labelled above. */
export function timelineSpec(bands: StateBand[], faults: FaultBand[], durationS: number): TopLevelSpec {
  const rows = [...new Set(bands.map((b) => b.row))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return withFaultStrip(
    {
      width: PLOT_WIDTH,
      height: Math.max(60, rows.length * 11),
      layer: [
        {
          data: { values: bands },
          mark: { type: "bar", height: 8 },
          encoding: {
            x: timeX("fromS", durationS),
            x2: { field: "toS" },
            y: { field: "row", type: "nominal", sort: rows, title: "observer sees member", axis: alignedAxis({ labelFontSize: 9 }) },
            color: STATE_SCALE,
          },
        },
        faultShading(faults, durationS),
      ],
      resolve: { scale: { color: "independent" } },
    },
    faults,
    durationS,
  );
}

/**
 * The detection checks to draw, each once: a scenario that expects a detection in a step and checks
 * it again at the end ("step 4: expect detection n3" and "detection n3") measured the same outage,
 * so the step's, which was judged as it happened, is kept.
 */
export function detectionChecks(result: ScenarioResult): ScenarioResult["checks"] {
  const seen = new Set<string>();
  return result.checks.filter((c) => {
    const what = /^(?:step \d+: expect )?(detection\b.*)$/.exec(c.name)?.[1];
    if (what === undefined || seen.has(what)) return false;
    seen.add(what);
    return true;
  });
}

/** Detection latencies (first suspect, first dead, all dead) of each detection, drawn once. */
export function detectionSpec(result: ScenarioResult): TopLevelSpec | undefined {
  const values = detectionChecks(result).flatMap((c) =>
    (["firstSuspectMs", "firstDeadMs", "allDeadMs"] as const)
      .filter((k) => c.metrics[k] !== null && c.metrics[k] !== undefined)
      .map((k) => ({ check: c.name, measure: k.replace(/Ms$/, ""), ms: c.metrics[k] })),
  );
  if (values.length === 0) return undefined;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 400,
    data: { values },
    mark: "bar",
    encoding: {
      y: { field: "measure", type: "nominal", title: null, sort: ["firstSuspect", "firstDead", "allDead"] },
      x: { field: "ms", type: "quantitative", title: "ms after the outage" },
      row: { field: "check", type: "nominal", title: null, header: { labelAngle: 0, labelAlign: "left", labelLimit: 260 } },
      color: {
        field: "measure",
        type: "nominal",
        legend: null,
        scale: { domain: ["firstSuspect", "firstDead", "allDead"], range: [STATE_COLORS.suspect, STATE_COLORS.dead, "#8c1d1d"] },
      },
    },
  } as unknown as TopLevelSpec;
}

/** Time to convergence after each change the harness made, on the scenario's time axis under its faults. */
export function convergenceSpec(points: { atS: number; ms: number | null; label: string }[], faults: FaultBand[], durationS: number): TopLevelSpec | undefined {
  const values = points.filter((p) => p.ms !== null);
  if (values.length === 0) return undefined;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: PLOT_WIDTH,
    height: 160,
    layer: [
      faultShading(faults, durationS),
      {
        data: { values },
        mark: { type: "point", filled: true, size: 60, color: "#333" },
        encoding: { x: timeX("atS", durationS), y: { field: "ms", type: "quantitative", title: "ms until converged", axis: alignedAxis() } },
      },
    ],
  } as unknown as TopLevelSpec;
}

/** The dissemination curve: the mean share of nodes holding a write, by time since it was written. */
export function disseminationSpec(points: { ms: number; share: number }[]): TopLevelSpec | undefined {
  if (points.length === 0) return undefined;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 600,
    data: { values: points },
    mark: { type: "line", interpolate: "step-after" },
    encoding: {
      x: { field: "ms", type: "quantitative", title: "ms since the write" },
      y: { field: "share", type: "quantitative", title: "share of nodes holding it", scale: { domain: [0, 1] }, axis: { format: "%" } },
    },
  } as unknown as TopLevelSpec;
}

/** Digest agreement: the share of running nodes whose key-value digest equals the most common one, on the scenario's time axis. */
export function agreementSpec(points: { s: number; share: number }[], faults: FaultBand[], durationS: number): TopLevelSpec | undefined {
  if (points.length === 0) return undefined;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: PLOT_WIDTH,
    height: 160,
    layer: [
      faultShading(faults, durationS),
      {
        data: { values: points },
        mark: { type: "line", point: true, color: "#333" },
        encoding: {
          x: timeX("s", durationS),
          y: { field: "share", type: "quantitative", title: "nodes agreeing on the digest", scale: { domain: [0, 1] }, axis: alignedAxis({ format: "%" }) },
        },
      },
    ],
  } as unknown as TopLevelSpec;
}

/** The share of (running node, member) pairs in each state over time: the views of a large cluster at a glance. */
export function sharesSpec(curve: ShareSample[], faults: FaultBand[], durationS: number): TopLevelSpec {
  return withFaultStrip(
    {
      width: PLOT_WIDTH,
      height: 220,
      layer: [
        faultShading(faults, durationS),
        {
          data: { values: curve },
          mark: { type: "line", interpolate: "step-after" },
          encoding: {
            x: timeX("s", durationS),
            y: { field: "share", type: "quantitative", title: "share of (node, member) views", axis: alignedAxis({ format: "%" }), scale: { domain: [0, 1] } },
            stroke: STATE_SCALE,
          },
        },
      ],
      resolve: { scale: { color: "independent" } },
    },
    faults,
    durationS,
  );
}

/** Members in bands by time, shaded by the share of running nodes that hold them alive. */
export function heatmapSpec(heat: HeatCell[], durationS: number, bins: number): TopLevelSpec {
  const bands = [...new Map(heat.map((h) => [h.order, h.band])).entries()].sort((a, b) => a[0] - b[0]).map(([, band]) => band);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: PLOT_WIDTH,
    height: Math.max(60, bands.length * 8),
    data: { values: heat.map((h) => ({ ...h, s2: h.s + durationS / bins })) },
    mark: { type: "rect" },
    encoding: {
      x: timeX("s", durationS),
      x2: { field: "s2" },
      y: { field: "band", type: "ordinal", sort: bands, title: "members", axis: alignedAxis({ labelFontSize: 8 }) },
      color: {
        field: "alive",
        type: "quantitative",
        title: "held alive by",
        scale: { domain: [0, 1], scheme: "redyellowgreen" },
        legend: { format: "%", orient: "top", direction: "horizontal" },
      },
    },
  } as unknown as TopLevelSpec;
}
