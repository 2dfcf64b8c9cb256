// Partitions as a grudge (Jepsen's term): for each node, the nodes it cannot hear from.
export type Grudge = Record<string, string[]>;

/** Symmetric partition: every node cannot hear any node outside its own group. */
export function grudgeFromGroups(groups: string[][]): Grudge {
  const grudge: Grudge = {};
  for (const group of groups) {
    const others = groups.filter((g) => g !== group).flat();
    for (const node of group) grudge[node] = [...others];
  }
  return grudge;
}

/** One-way cut: messages from `from` no longer reach `to`; `to`'s messages still reach `from`. */
export function grudgeOneWay(from: string[], to: string[]): Grudge {
  return Object.fromEntries(to.map((node) => [node, [...from]]));
}

/** `node` cannot hear anyone and nobody hears it. */
export function grudgeIsolate(node: string, everyone: string[]): Grudge {
  return grudgeFromGroups([[node], everyone.filter((n) => n !== node)]);
}

/** The directed (sender → listener) pairs a grudge cuts, without duplicates or self-pairs. */
export function cutPairs(grudge: Grudge): [from: string, to: string][] {
  const pairs = new Map<string, [string, string]>();
  for (const [listener, unheard] of Object.entries(grudge)) {
    for (const sender of unheard) if (sender !== listener) pairs.set(`${sender}\u0000${listener}`, [sender, listener]);
  }
  return [...pairs.values()];
}

/** Every node a grudge mentions. */
export function grudgeNodes(grudge: Grudge): string[] {
  return [...new Set([...Object.keys(grudge), ...Object.values(grudge).flat()])].sort();
}
