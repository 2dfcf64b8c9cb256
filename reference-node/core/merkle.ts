// A fixed fan-out Merkle tree over the key-hash space, updated incrementally on every write (no rebuild).
import { createHash } from "node:crypto";
import type { KvEntry } from "../../specs/wire/messages.js";
import { MERKLE_DEPTH, MERKLE_FANOUT } from "../../specs/wire/messages.js";
import { versionKey } from "./hlc.js";

const BITS = Math.log2(MERKLE_FANOUT);
export const LEAVES = MERKLE_FANOUT ** MERKLE_DEPTH;

/** Which leaf a key falls in: the top bits of its SHA-1. */
export function leafOf(key: string): number {
  const digest = createHash("sha1").update(key).digest();
  return digest.readUInt32BE(0) >>> (32 - BITS * MERKLE_DEPTH);
}

/** 64 bits of SHA-1 over the entry's key, version and value: what the tree sums. */
export function entryHash(entry: KvEntry): bigint {
  const digest = createHash("sha1")
    .update(`${entry.key}\u0000${versionKey(entry.version)}\u0000${entry.value === null ? "\u0001" : `\u0002${entry.value}`}`)
    .digest();
  return digest.readBigUInt64BE(0);
}

export const hex = (h: bigint) => h.toString(16).padStart(16, "0");

/**
 * Each node's hash is the XOR of the hashes of all entries below it (as Cassandra's
 * Merkle trees combine rows). XOR makes a write an O(depth) update: remove the old
 * entry's hash, add the new one, on the leaf and each ancestor.
 */
export class MerkleTree {
  /**
   * levels[0] is the root, levels[MERKLE_DEPTH] the leaves. Made at the first write: an empty tree
   * hashes to zero everywhere, and a simulated cluster of 10,000 nodes without a key would otherwise
   * hold 10,000 trees of 4,369 zeros (350 MB).
   */
  private levels: BigUint64Array[] | undefined;

  /** Replaces `before` (if any) by `after` for one key. */
  update(key: string, before: KvEntry | undefined, after: KvEntry): void {
    const delta = (before ? entryHash(before) : 0n) ^ entryHash(after);
    const leaf = leafOf(key);
    this.levels ??= Array.from({ length: MERKLE_DEPTH + 1 }, (_, level) => new BigUint64Array(MERKLE_FANOUT ** level));
    for (let level = MERKLE_DEPTH; level >= 0; level--) {
      const index = leaf >>> (BITS * (MERKLE_DEPTH - level));
      this.levels[level]![index]! ^= delta;
    }
  }

  hash(level: number, index: number): string {
    return hex(this.levels?.[level]![index] ?? 0n);
  }

  root(): string {
    return this.hash(0, 0);
  }

  /** The indices of the children of node `index` at `level`. */
  static children(index: number): number[] {
    return Array.from({ length: MERKLE_FANOUT }, (_, i) => index * MERKLE_FANOUT + i);
  }
}
