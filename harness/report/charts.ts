// Charts as Vega-Lite specifications, rendered to SVG at report time so the report opens offline.
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { HeatCell, ShareSample } from "./view-shares.js";
import type { ScenarioResult } from "../../specs/report/summary.js";
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

/** Every node's view of every member over time, with the fault windows shaded over it. */
export function timelineSpec(bands: StateBand[], faults: FaultBand[], durationS: number): TopLevelSpec {
  const rows = [...new Set(bands.map((b) => b.row))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const x = { field: "fromS", type: "quantitative", title: "seconds since start", scale: { domain: [0, Math.max(1, durationS)] } } as const;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 900,
    height: Math.max(60, rows.length * 11),
    layer: [
      {
        data: { values: bands },
        mark: { type: "bar", height: 8 },
        encoding: {
          x,
          x2: { field: "toS" },
          y: { field: "row", type: "nominal", sort: rows, title: null, axis: { labelFontSize: 9 } },
          color: STATE_SCALE,
          tooltip: [{ field: "row" }, { field: "state" }, { field: "incarnation" }, { field: "fromS", format: ".2f" }, { field: "toS", format: ".2f" }],
        },
      },
      {
        data: { values: faults },
        mark: { type: "rect", opacity: 0.22, stroke: "#333", strokeOpacity: 0.5, strokeDash: [3, 2] },
        encoding: {
          x,
          x2: { field: "toS" },
          color: { field: "kind", type: "nominal", title: "fault", scale: { scheme: "category10" } },
          tooltip: [{ field: "label" }, { field: "fromS", format: ".2f" }, { field: "toS", format: ".2f" }],
        },
      },
    ],
    resolve: { scale: { color: "independent" } },
  } as unknown as TopLevelSpec;
}

/** Detection latencies (first suspect, first dead, all dead) of each detection check. */
export function detectionSpec(result: ScenarioResult): TopLevelSpec | undefined {
  const values = result.checks
    .filter((c) => c.name.startsWith("detection") || c.name.includes("expect detection"))
    .flatMap((c) =>
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
      row: { field: "check", type: "nominal", title: null },
      color: {
        field: "measure",
        type: "nominal",
        legend: null,
        scale: { domain: ["firstSuspect", "firstDead", "allDead"], range: [STATE_COLORS.suspect, STATE_COLORS.dead, "#8c1d1d"] },
      },
    },
  } as unknown as TopLevelSpec;
}

/** Time to convergence after each change the harness made. */
export function convergenceSpec(points: { atS: number; ms: number | null; label: string }[]): TopLevelSpec | undefined {
  const values = points.filter((p) => p.ms !== null);
  if (values.length === 0) return undefined;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 600,
    data: { values },
    mark: { type: "point", filled: true, size: 60 },
    encoding: {
      x: { field: "atS", type: "quantitative", title: "change at (s since start)" },
      y: { field: "ms", type: "quantitative", title: "ms until converged" },
      tooltip: [{ field: "label" }, { field: "ms" }],
    },
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

/** Digest agreement: the share of running nodes whose key-value digest equals the most common one, over time. */
export function agreementSpec(points: { s: number; share: number }[]): TopLevelSpec | undefined {
  if (points.length === 0) return undefined;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 600,
    data: { values: points },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "s", type: "quantitative", title: "seconds since start" },
      y: { field: "share", type: "quantitative", title: "nodes agreeing on the digest", scale: { domain: [0, 1] }, axis: { format: "%" } },
    },
  } as unknown as TopLevelSpec;
}

/** The share of (running node, member) pairs in each state over time: the views of a large cluster at a glance. */
export function sharesSpec(curve: ShareSample[], faults: FaultBand[], durationS: number): TopLevelSpec {
  const x = { field: "s", type: "quantitative", title: "seconds since start", scale: { domain: [0, Math.max(1, durationS)] } } as const;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 900,
    height: 220,
    layer: [
      {
        data: { values: faults },
        mark: { type: "rect", opacity: 0.18 },
        encoding: {
          x: { ...x, field: "fromS" },
          x2: { field: "toS" },
          color: { field: "kind", type: "nominal", title: "fault", scale: { scheme: "category10" } },
        },
      },
      {
        data: { values: curve },
        mark: { type: "line", interpolate: "step-after" },
        encoding: {
          x,
          y: { field: "share", type: "quantitative", title: "share of (node, member) views", axis: { format: "%" }, scale: { domain: [0, 1] } },
          stroke: STATE_SCALE,
        },
      },
    ],
    resolve: { scale: { color: "independent" } },
  } as unknown as TopLevelSpec;
}

/** Members in bands by time, shaded by the share of running nodes that hold them alive. */
export function heatmapSpec(heat: HeatCell[], durationS: number, bins: number): TopLevelSpec {
  const bands = [...new Map(heat.map((h) => [h.order, h.band])).entries()].sort((a, b) => a[0] - b[0]).map(([, band]) => band);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 900,
    height: Math.max(60, bands.length * 8),
    data: { values: heat.map((h) => ({ ...h, s2: h.s + durationS / bins })) },
    mark: { type: "rect" },
    encoding: {
      x: { field: "s", type: "quantitative", title: "seconds since start", scale: { domain: [0, Math.max(1, durationS)] } },
      x2: { field: "s2" },
      y: { field: "band", type: "ordinal", sort: bands, title: "members", axis: { labelFontSize: 8 } },
      color: { field: "alive", type: "quantitative", title: "held alive by", scale: { domain: [0, 1], scheme: "redyellowgreen" }, legend: { format: "%" } },
    },
  } as unknown as TopLevelSpec;
}
