// What every check receives: the truth, the views, and helpers to state evidence in scenario time.
import type { HistoryRecord } from "../../specs/history/history.js";
import type { CheckResult, CheckVerdict, Evidence } from "../../specs/report/summary.js";
import { Truth } from "./truth.js";
import { Views } from "./views.js";

export class CheckContext {
  readonly truth: Truth;
  readonly views: Views;

  constructor(
    readonly records: readonly HistoryRecord[],
    now?: number,
  ) {
    this.truth = new Truth(records, now);
    this.views = new Views(records, this.truth);
  }

  /** ms since the scenario started. */
  rel(t: number): number {
    return Math.round(t - this.truth.start);
  }

  evidence(detail: string, extra: { observer?: string; member?: string; at?: number; tookMs?: number | null } = {}): Evidence {
    return {
      ...(extra.observer ? { observer: extra.observer } : {}),
      ...(extra.member ? { member: extra.member } : {}),
      ...(extra.at !== undefined ? { atMs: this.rel(extra.at) } : {}),
      ...(extra.tookMs !== undefined ? { tookMs: extra.tookMs } : {}),
      detail,
    };
  }
}

/**
 * Facts kept per check, measurements apart. A partition of a thousand nodes yields half a million
 * (observer, member) verdicts; written out whole they made a 130 MB summary.json and an 80 MB page.
 * The counts are in the summary and the metrics; the facts kept show what kind they are.
 */
export const EVIDENCE_KEPT = 200;

export function result(
  name: string,
  verdict: CheckVerdict,
  summary: string,
  evidence: Evidence[] = [],
  metrics: Record<string, number | null> = {},
): CheckResult {
  let facts = 0;
  // Measurements (tookMs) are what reports plot: at most one per observer, all kept.
  const kept = evidence.filter((e) => e.tookMs !== undefined || ++facts <= EVIDENCE_KEPT);
  const omitted = evidence.length - kept.length;
  return { name, verdict, summary, evidence: kept, ...(omitted > 0 ? { evidenceOmitted: omitted } : {}), metrics };
}

export const fmtMs = (ms: number | null | undefined) => (ms === null || ms === undefined ? "—" : `${Math.round(ms)} ms`);
