// The one time axis every scenario-time chart of a report shares (views, shares and heatmap,
// convergence, digest agreement): the same domain, the same plot width and the same room for the
// y axis, so that a moment is at the same x in each, under the same fault shading. The views chart
// has a strip above it where each fault window is labelled in place (a report has no script, so
// tooltips would never show). Sizes keep every chart inside the report's 1000 px column.
import type { FaultBand } from "./timeline.js";

/** Width of the plotting area of every time chart, in px. */
export const PLOT_WIDTH = 780;
/** Room for the y axis's ticks and labels, the same in every time chart so their plots line up. */
export const Y_AXIS_EXTENT = 110;
/** Height of one row of fault labels in the strip, px. */
const LANE_PX = 14;
/** A label's width per character at the strip's 10 px font, px (generous, so lanes never collide). */
const CHAR_PX = 6.2;

/** The x encoding of a time chart: seconds since the scenario started, over the whole scenario. */
export function timeX(field: string, durationS: number): Record<string, unknown> {
  return { field, type: "quantitative", title: "seconds since start", scale: { domain: [0, Math.max(1, durationS)], nice: false, zero: true } };
}

/** A y axis that takes exactly Y_AXIS_EXTENT, whatever its labels, so that plots line up. */
export function alignedAxis(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { minExtent: Y_AXIS_EXTENT, maxExtent: Y_AXIS_EXTENT, ...extra };
}

/** Fault windows shaded over a chart: colour by kind, no legend (the strip labels them). */
export function faultShading(faults: readonly FaultBand[], durationS: number): Record<string, unknown> {
  return {
    data: { values: faults },
    mark: { type: "rect", opacity: 0.18, stroke: "#333", strokeOpacity: 0.4, strokeDash: [3, 2] },
    encoding: {
      x: timeX("fromS", durationS),
      x2: { field: "toS" },
      color: { field: "kind", type: "nominal", scale: { scheme: "category10" }, legend: null },
    },
  };
}

export interface LabelledFault extends FaultBand {
  /** The strip's row for its label, from 0 at the top. */
  lane: number;
  /** Where its label starts: the window's start, or earlier for a window so late that its label would leave the chart. */
  labelS: number;
}

/**
 * Windows that are the same fault on several targets at once become one, and each gets a lane: the
 * first whose last label (or window) has ended before this one begins. Pure, so it is tested alone.
 */
export function labelLanes(faults: readonly FaultBand[], durationS: number, plotWidth = PLOT_WIDTH): LabelledFault[] {
  const merged = new Map<string, FaultBand>();
  for (const f of [...faults].sort((a, b) => a.fromS - b.fromS || a.label.localeCompare(b.label))) {
    const key = `${f.label}\u0000${f.fromS}\u0000${f.toS}`;
    if (!merged.has(key)) merged.set(key, f);
  }
  const secondsPerPx = Math.max(1, durationS) / plotWidth;
  const lanesEnd: number[] = [];
  return [...merged.values()].map((f) => {
    const labelWidthS = (f.label.length * CHAR_PX + 6) * secondsPerPx;
    const labelS = Math.max(0, Math.min(f.fromS, Math.max(1, durationS) - labelWidthS));
    const begins = Math.min(f.fromS, labelS);
    const ends = Math.max(f.toS, labelS + labelWidthS);
    let lane = lanesEnd.findIndex((end) => end < begins);
    if (lane === -1) lane = lanesEnd.length;
    lanesEnd[lane] = ends;
    return { ...f, lane, labelS };
  });
}

/** The strip above the views: each fault window as a band with its label on it, one lane per overlap. */
export function faultStrip(faults: readonly FaultBand[], durationS: number): Record<string, unknown> | undefined {
  const labelled = labelLanes(faults, durationS);
  if (labelled.length === 0) return undefined;
  const lanes = Math.max(...labelled.map((f) => f.lane)) + 1;
  const y = {
    field: "lane",
    type: "ordinal",
    scale: { domain: [...Array(lanes).keys()], paddingInner: 0.15 },
    axis: alignedAxis({ title: "faults", labels: false, ticks: false, domain: false }),
  };
  return {
    width: PLOT_WIDTH,
    height: lanes * LANE_PX,
    data: { values: labelled },
    layer: [
      {
        name: "fault_windows",
        mark: { type: "rect", opacity: 0.25 },
        encoding: {
          x: { ...timeX("fromS", durationS), axis: null },
          x2: { field: "toS" },
          y,
          color: { field: "kind", type: "nominal", scale: { scheme: "category10" }, legend: null },
        },
      },
      {
        // Named, so that a reader (and the browser test) can find the labels: class "fault_labels_marks".
        name: "fault_labels",
        mark: { type: "text", align: "left", baseline: "middle", dx: 2, fontSize: 10, fill: "#222" },
        encoding: { x: { ...timeX("labelS", durationS), axis: null }, y, text: { field: "label" } },
      },
    ],
  };
}
