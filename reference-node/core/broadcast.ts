// The transmit-limited broadcast queue: updates waiting to piggyback, least-sent first, each sent a bounded number of times.

/** How many times each update is sent: retransmitMult · ceil(log10(N + 1)) (memberlist's retransmitLimit). */
export function retransmitLimit(retransmitMult: number, clusterSize: number): number {
  return retransmitMult * Math.ceil(Math.log10(clusterSize + 1));
}

interface Queued<T> {
  key: string;
  item: T;
  transmits: number;
  /** Insertion order: among equally-sent updates the newest goes first. */
  order: number;
  bytes: number;
  /** Replaced by a newer item about the same subject, or sent its limit: no longer queued. */
  gone: boolean;
}

/** Bytes an item adds to a JSON message (its text and a separating comma). */
export function updateBytes(item: unknown): number {
  return Buffer.byteLength(JSON.stringify(item)) + 1;
}

/**
 * Items waiting to piggyback: membership updates keyed by member, key-value writes keyed by key.
 *
 * Kept in tiers by transmit count, each tier oldest first, so that a message's pick reads the
 * least-sent, newest items first without sorting the whole queue: during a partition of a thousand
 * nodes every node queues hundreds of verdicts, and sorting them for every message dominated a run.
 * A tier may still hold entries that moved on or were replaced; they are skipped, and dropped when
 * they outnumber the live ones.
 */
export class BroadcastQueue<T> {
  /** The live entry per key: a newer item about the same subject replaces the older one (it would be overridden anyway). */
  private readonly queued = new Map<string, Queued<T>>();
  /** tiers[k]: entries sent k times, in insertion order (oldest first), stale ones included. */
  private readonly tiers: Queued<T>[][] = [];
  private readonly stale: number[] = [];
  private counter = 0;
  /** No entry ever queued was smaller: a message with less room left can take nothing more. */
  private smallest = Number.POSITIVE_INFINITY;

  constructor(private readonly keyOf: (item: T) => string) {}

  get size(): number {
    return this.queued.size;
  }

  enqueue(item: T): void {
    const key = this.keyOf(item);
    const old = this.queued.get(key);
    if (old) this.retire(old);
    const entry: Queued<T> = { key, item, transmits: 0, order: this.counter++, bytes: updateBytes(item), gone: false };
    this.queued.set(key, entry);
    this.tier(0).push(entry);
    this.smallest = Math.min(this.smallest, entry.bytes);
  }

  /** The transmit count of the item queued under `key` (for tests and metrics). */
  transmitsOf(key: string): number | undefined {
    return this.queued.get(key)?.transmits;
  }

  /**
   * Picks updates for one message: least-transmitted first, newest first among equals,
   * within `maxBytes`. Each picked update counts one transmission; one that reaches
   * `limit` transmissions leaves the queue.
   */
  take(limit: number, maxBytes: number): T[] {
    const picked: T[] = [];
    let room = maxBytes;
    // Picked entries join their next tier after the pick, as they would in one sorted snapshot.
    const moved: Queued<T>[][] = [];
    for (let k = 0; k < this.tiers.length && room >= this.smallest; k++) {
      const tier = this.tiers[k]!;
      for (let i = tier.length - 1; i >= 0 && room >= this.smallest; i--) {
        const entry = tier[i]!;
        if (entry.gone || entry.transmits !== k || entry.bytes > room) continue;
        room -= entry.bytes;
        picked.push(entry.item);
        entry.transmits++;
        this.stale[k]!++;
        if (entry.transmits >= limit) {
          entry.gone = true;
          this.queued.delete(entry.key);
        } else (moved[k + 1] ??= []).push(entry);
      }
    }
    moved.forEach((entries, k) => this.admit(k, entries.reverse()));
    for (let k = 0; k < this.tiers.length; k++) if (this.stale[k]! * 2 > this.tiers[k]!.length) this.compact(k);
    return picked;
  }

  private tier(k: number): Queued<T>[] {
    while (this.tiers.length <= k) {
      this.tiers.push([]);
      this.stale.push(0);
    }
    return this.tiers[k]!;
  }

  private retire(entry: Queued<T>): void {
    entry.gone = true;
    this.stale[entry.transmits]!++;
  }

  /** Merges `entries` (oldest first) into tier k, keeping it in insertion order. */
  private admit(k: number, entries: Queued<T>[]): void {
    const tier = this.tier(k);
    const merged: Queued<T>[] = [];
    let i = 0;
    for (const entry of entries) {
      while (i < tier.length && tier[i]!.order < entry.order) merged.push(tier[i++]!);
      merged.push(entry);
    }
    while (i < tier.length) merged.push(tier[i++]!);
    this.tiers[k] = merged;
  }

  private compact(k: number): void {
    this.tiers[k] = this.tiers[k]!.filter((e) => !e.gone && e.transmits === k);
    this.stale[k] = 0;
  }
}
