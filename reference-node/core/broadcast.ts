// The transmit-limited broadcast queue: updates waiting to piggyback, least-sent first, each sent a bounded number of times.
import type { MemberId, Update } from "../../specs/wire/messages.js";

/** How many times each update is sent: retransmitMult · ceil(log10(N + 1)) (memberlist's retransmitLimit). */
export function retransmitLimit(retransmitMult: number, clusterSize: number): number {
  return retransmitMult * Math.ceil(Math.log10(clusterSize + 1));
}

interface Queued {
  update: Update;
  transmits: number;
  /** Insertion order: among equally-sent updates the newest goes first. */
  order: number;
  bytes: number;
}

/** Bytes an update adds to a JSON message (its text and a separating comma). */
export function updateBytes(update: Update): number {
  return Buffer.byteLength(JSON.stringify(update)) + 1;
}

export class BroadcastQueue {
  /** One entry per member: a newer update about a member replaces the older one (it would be overridden anyway). */
  private readonly queued = new Map<MemberId, Queued>();
  private counter = 0;

  get size(): number {
    return this.queued.size;
  }

  enqueue(update: Update): void {
    this.queued.set(update.id, { update, transmits: 0, order: this.counter++, bytes: updateBytes(update) });
  }

  /** The transmit count of the update queued for a member (for tests and metrics). */
  transmitsOf(id: MemberId): number | undefined {
    return this.queued.get(id)?.transmits;
  }

  /**
   * Picks updates for one message: least-transmitted first, newest first among equals,
   * within `maxBytes`. Each picked update counts one transmission; one that reaches
   * `limit` transmissions leaves the queue.
   */
  take(limit: number, maxBytes: number): Update[] {
    if (this.queued.size === 0) return [];
    const ordered = [...this.queued.values()].sort((a, b) => a.transmits - b.transmits || b.order - a.order);
    const picked: Update[] = [];
    let room = maxBytes;
    for (const entry of ordered) {
      if (entry.bytes > room) continue;
      room -= entry.bytes;
      picked.push(entry.update);
      entry.transmits++;
      if (entry.transmits >= limit) this.queued.delete(entry.update.id);
    }
    return picked;
  }
}
