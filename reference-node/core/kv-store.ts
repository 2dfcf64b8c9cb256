// The replicated key-value store: last writer wins by version, deletes as tombstones, a Merkle tree kept in step.
import type { KvEntry } from "../../specs/wire/messages.js";
import { compareVersions } from "../../specs/wire/version-order.js";
import { leafOf, MerkleTree } from "./merkle.js";

export class KvStore {
  private readonly entries = new Map<string, KvEntry>();
  /** Keys by Merkle leaf, so a differing leaf's entries are found without a scan. */
  private readonly byLeaf = new Map<number, Set<string>>();
  readonly tree = new MerkleTree();

  /**
   * `newer(incoming, current)` decides who wins; the correct rule is the later version
   * (a mutant passes the opposite, to show that the no-data-loss check catches it).
   */
  constructor(private readonly newer: (incoming: KvEntry, current: KvEntry) => boolean = (a, b) => compareVersions(a.version, b.version) > 0) {}

  get(key: string): KvEntry | undefined {
    return this.entries.get(key);
  }

  /** Every entry, tombstones included. */
  all(): KvEntry[] {
    return [...this.entries.values()];
  }

  /** Keys with a value (tombstones not counted). */
  get liveKeys(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.value !== null) n++;
    return n;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Stores `entry` if it wins over what is held; returns whether it was stored. */
  apply(entry: KvEntry): boolean {
    const current = this.entries.get(entry.key);
    if (current && !this.newer(entry, current)) return false;
    this.entries.set(entry.key, entry);
    this.tree.update(entry.key, current, entry);
    const leaf = leafOf(entry.key);
    let keys = this.byLeaf.get(leaf);
    if (!keys) this.byLeaf.set(leaf, (keys = new Set()));
    keys.add(entry.key);
    return true;
  }

  entriesIn(leaves: readonly number[]): KvEntry[] {
    return leaves.flatMap((leaf) => [...(this.byLeaf.get(leaf) ?? [])].map((key) => this.entries.get(key)!));
  }
}
