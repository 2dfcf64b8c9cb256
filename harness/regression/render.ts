// A comparison as text: what regressed first, then what improved, then a count of the rest.
import type { Comparison, MeasureChange, Thresholds } from "./compare.js";

const ms = (x: number | null) => (x === null ? "never" : `${Math.round(x)} ms`);
const rate = (x: number | null) => (x === null ? "never measured" : `${+x.toFixed(2)}/member-hour`);

function measureLine(m: MeasureChange): string {
  const show = m.kind === "latency" ? ms : rate;
  const pct = m.base !== null && m.run !== null && m.base > 0 ? ` (${m.run >= m.base ? "+" : ""}${Math.round(((m.run - m.base) / m.base) * 100)} %)` : "";
  return `${m.name}: ${show(m.base)} → ${show(m.run)}${pct}`;
}

export function renderComparison(c: Comparison, base: string, run: string, t: Thresholds): string {
  const lines = [`compare (${c.kind}): ${base} → ${run}`];
  const regressedVerdicts = c.verdicts.filter((v) => v.change === "regressed" || v.change === "gone");
  const improvedVerdicts = c.verdicts.filter((v) => v.change === "improved");
  const regressedMeasures = c.measures.filter((m) => m.change === "regressed");
  const improvedMeasures = c.measures.filter((m) => m.change === "improved");
  for (const v of regressedVerdicts) lines.push(`  REGRESSED ${v.name}: ${v.base ?? "absent"} → ${v.run ?? "gone"}`);
  for (const m of regressedMeasures) lines.push(`  REGRESSED ${measureLine(m)}`);
  for (const v of improvedVerdicts) lines.push(`  improved  ${v.name}: ${v.base} → ${v.run}`);
  for (const m of improvedMeasures) lines.push(`  improved  ${measureLine(m)}`);
  const added = [...c.verdicts, ...c.measures].filter((x) => x.change === "added").length;
  const goneMeasures = c.measures.filter((m) => m.change === "gone").length;
  const unchanged = [...c.verdicts, ...c.measures].filter((x) => x.change === "unchanged").length;
  lines.push(
    `  ${unchanged} unchanged${added ? `, ${added} only in the new one` : ""}${goneMeasures ? `, ${goneMeasures} measures only in the base` : ""}` +
      ` (thresholds: a latency regresses when slower by more than ${Math.round(t.slowerShare * 100)} % and ${t.slowerMs} ms; false deaths when up by more than ${t.falsePositivesPerMemberHour} per member-hour)`,
  );
  lines.push(c.regressions ? `${c.regressions} regression${c.regressions === 1 ? "" : "s"}` : "no regression");
  return `${lines.join("\n")}\n`;
}
