// The transmit-limited broadcast queue: updates waiting to piggyback, least-sent first, each sent a bounded number of times.

/** How many times each update is sent: retransmitMult · ceil(log10(N + 1)) (memberlist's retransmitLimit). */
export function retransmitLimit(retransmitMult: number, clusterSize: number): number {
  return retransmitMult * Math.ceil(Math.log10(clusterSize + 1));
}

interface Queued<T> {
  item: T;
  transmits: number;
  /** Insertion order: among equally-sent updates the newest goes first. */
  order: number;
  bytes: number;
}

/** Bytes an item adds to a JSON message (its text and a separating comma). */
export function updateBytes(item: unknown): number {
  return Buffer.byteLength(JSON.stringify(item)) + 1;
}

/** Items waiting to piggyback: membership updates keyed by member, key-value writes keyed by key. */
export class BroadcastQueue<T> {
  /** One entry per key: a newer item about the same subject replaces the older one (it would be overridden anyway). */
  private readonly queued = new Map<string, Queued<T>>();
  private counter = 0;

  constructor(private readonly keyOf: (item: T) => string) {}

  get size(): number {
    return this.queued.size;
  }

  enqueue(item: T): void {
    this.queued.set(this.keyOf(item), { item, transmits: 0, order: this.counter++, bytes: updateBytes(item) });
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
    if (this.queued.size === 0) return [];
    const ordered = [...this.queued.values()].sort((a, b) => a.transmits - b.transmits || b.order - a.order);
    const picked: T[] = [];
    let room = maxBytes;
    for (const entry of ordered) {
      if (entry.bytes > room) continue;
      room -= entry.bytes;
      picked.push(entry.item);
      entry.transmits++;
      if (entry.transmits >= limit) this.queued.delete(this.keyOf(entry.item));
    }
    return picked;
  }
}
