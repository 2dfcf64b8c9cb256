// How long a rumor takes to reach every member by push gossip: the prediction the theory bench plots
// measured spreads against, and the relay term of the φ detector's bounds (a heartbeat count is a
// rumor relayed from table to table).

/**
 * Rounds for one rumor to reach all of N members by push gossip with fanout f: log_{1+f} N rounds
 * for the infected set to grow to N (each infected member reaches f more a round) plus ln(N) / f
 * for the last few uninfected members to be hit (Pittel 1987, "On spreading a rumor", for f = 1:
 * log₂ N + ln N; Karp, Schindelhauer, Shenker and Vöcking 2000 for general fanout). The expectation.
 */
export function epidemicRounds(n: number, fanout: number): number {
  if (n <= 1) return 0;
  return Math.log(n) / Math.log(1 + fanout) + Math.log(n) / fanout;
}

/**
 * Rounds after which every one of N members has the rumor but with probability about 1/N, the figure
 * a bound wants rather than the expectation. Once the rumor is everywhere but a few members, each of
 * them is missed by a round's pushes with probability e^(−f); for all N to be hit with probability
 * 1 − 1/N takes 2 ln(N) / f such rounds rather than ln(N) / f (Pittel 1987's tail; Karp et al. 2000).
 */
export function epidemicRoundsWhp(n: number, fanout: number): number {
  if (n <= 1) return 0;
  return epidemicRounds(n, fanout) + Math.log(n) / fanout;
}
