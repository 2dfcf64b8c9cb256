// How much memory a simulated cluster needs, so that a size this process cannot hold is refused at
// once, with the reason, instead of after minutes of forming and a crash of the heap.
import { totalmem } from "node:os";
import { getHeapStatistics } from "node:v8";

/**
 * Bytes per (core, member) pair while a cluster forms by joins: every join is a rumor that every
 * core queues and relays, and each push-pull carries the whole table. Measured with `npm run
 * bench:sim`: 1.0 GB at 1,000 nodes, 4.3 GB at 2,000.
 */
export const BYTES_PER_ENTRY = 1000;

/**
 * Bytes per pair in a cluster started formed (`bench:sim --formed`): the tables and probe orders are
 * typed arrays, 22 bytes a pair outside the JavaScript heap, and the rest is per node. Measured: peak
 * RSS 2.7 GB at 10,000 nodes.
 */
export const FORMED_BYTES_PER_ENTRY = 28;

export const simBytesNeeded = (nodes: number, formed = false) => nodes * nodes * (formed ? FORMED_BYTES_PER_ENTRY : BYTES_PER_ENTRY);

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

/**
 * Why `nodes` simulated nodes do not fit, or undefined when they do. Forming by joins lives in the
 * JavaScript heap (`limit`: this process's, by default); a `formed` start mostly in typed arrays,
 * which only the machine's memory bounds.
 */
export function simTooLarge(
  nodes: number,
  { limit = getHeapStatistics().heap_size_limit, formed = false }: { limit?: number; formed?: boolean } = {},
): string | undefined {
  const need = simBytesNeeded(nodes, formed);
  if (formed) {
    const memory = totalmem();
    if (need <= memory) return undefined;
    return `${nodes} simulated nodes started formed need about ${gb(need)} (${nodes}² table entries of ${FORMED_BYTES_PER_ENTRY} bytes), and this machine has ${gb(memory)}`;
  }
  if (need <= limit) return undefined;
  return (
    `${nodes} simulated nodes need about ${gb(need)} (every core holds the whole membership table, and forming by joins queues ${nodes}² rumors: about 1 KB a pair), ` +
    `and this process may use ${gb(limit)}; run fewer nodes, start them formed (bench:sim --formed), or give Node more heap (NODE_OPTIONS=--max-old-space-size=MB) if the machine has it`
  );
}
