// The order of key-value versions, which the wire contract fixes: every implementation must agree on
// which of two writes wins, and the harness judges "newest write wins" by the same order.
import type { KvVersion } from "./messages.js";

/** Orders versions: wall time, then the logical counter, then the writer's id (the tie-break). */
export function compareVersions(a: KvVersion, b: KvVersion): number {
  return a.wall - b.wall || a.logical - b.logical || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0);
}
