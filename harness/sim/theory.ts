// What epidemic theory and the SWIM paper predict for the measurements the theory bench takes. Each
// formula says where it comes from; the report prints them beside the measured figures.

export interface Formula {
  what: string;
  formula: string;
  source: string;
}

export { epidemicRounds } from "../../specs/protocol/epidemic.js";

/**
 * Protocol periods from a crash to the first suspicion of it (SWIM, Das, Gupta and Motivala 2002,
 * §3.1): each period every live member probes one other, so a given member goes unprobed for a
 * period with probability (1 − 1/(N−1))^(N−1) → 1/e, and the periods until it is first probed are
 * geometric with mean e/(e − 1). The crash falls half-way through a period on average, and the
 * probe that finds it fails at that period's end: e/(e − 1) − 1 + ½ + 1 = e/(e − 1) + ½ periods.
 */
export function firstDetectionPeriods(n: number): number {
  const q = 1 - Math.pow(1 - 1 / Math.max(1, n - 1), Math.max(1, n - 1));
  return 1 / q + 0.5;
}

/**
 * False suspicions of a healthy member per probe of it, when each request on a link is lost with
 * probability p and replies are not (the simulator's loss model, as the proxy engine's): the direct
 * ping fails with p, and each of k indirect probes fails unless both its ping-req and the helper's
 * ping get through, 1 − (1 − p)². SWIM §3.1 gives the same product for independent message loss.
 */
export function falseSuspicionPerProbe(p: number, k: number): number {
  return p * Math.pow(1 - Math.pow(1 - p, 2), k);
}

export const FORMULAS: Formula[] = [
  {
    what: "rounds until a death, or a key-value write, reaches every node",
    formula: "log_{1+f} N + ln N / f, f = gossip fanout + 1 (the probe's ping)",
    source: "Pittel 1987 (f = 1: log₂ N + ln N); Karp et al. 2000, Randomized rumor spreading",
  },
  {
    what: "protocol periods from a crash to its first suspicion",
    formula: "1 / (1 − (1 − 1/(N−1))^(N−1)) + ½  →  e/(e − 1) + ½ ≈ 2.08",
    source: "Das, Gupta, Motivala 2002, SWIM §3.1 (expected periods to first detection e/(e − 1))",
  },
  {
    what: "false suspicions per probe of a healthy member at request loss p",
    formula: "p · (1 − (1 − p)²)^k, k indirect probes",
    source: "SWIM §3.1 (a probe fails only when the direct ping and all k indirect paths fail)",
  },
];
