// How much memory a simulated cluster needs, so that a size this process cannot hold is refused at
// once, with the reason, instead of after minutes of forming and a crash of the heap.
import { getHeapStatistics } from "node:v8";

/**
 * Bytes per (core, member) pair: every core holds the whole membership table, with its indexes and
 * queues. Measured with `npm run bench:sim`: 990 MB at 1,000 nodes, 3.6 GB at 2,000.
 */
export const BYTES_PER_ENTRY = 1000;

export const simBytesNeeded = (nodes: number) => nodes * nodes * BYTES_PER_ENTRY;

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

/** Why `nodes` simulated nodes do not fit in `limit` bytes of heap (this process's, by default), or undefined when they do. */
export function simTooLarge(nodes: number, limit = getHeapStatistics().heap_size_limit): string | undefined {
  const need = simBytesNeeded(nodes);
  if (need <= limit) return undefined;
  return (
    `${nodes} simulated nodes need about ${gb(need)} (every core holds the whole membership table: ${nodes}² entries of about 1 KB), ` +
    `and this process may use ${gb(limit)}; run fewer nodes, or give Node more heap (NODE_OPTIONS=--max-old-space-size=MB) if the machine has it`
  );
}
