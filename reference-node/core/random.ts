// The core's only source of randomness: a seeded generator, so a run can be replayed exactly.
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

export interface Random {
  /** An integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** A new array with the same items in random order. */
  shuffle<T>(items: readonly T[]): T[];
  /** Up to k distinct items, in random order. */
  sample<T>(items: readonly T[], k: number): T[];
}

export function seededRandom(seed: number): Random {
  const rng = xoroshiro128plus(seed | 0);
  const int = (maxExclusive: number): number => (maxExclusive <= 1 ? 0 : uniformInt(rng, 0, maxExclusive - 1));
  const shuffle = <T>(items: readonly T[]): T[] => {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
  return { int, shuffle, sample: (items, k) => shuffle(items).slice(0, Math.max(0, k)) };
}
