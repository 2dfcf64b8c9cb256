// A node that was itself frozen (starved of CPU, swapped out, stopped) must not blame others for it.
// When a deadline is handled long after it was due, the answers that would have met it may have come
// in while this node could not run, and still wait unread: the shell's event loop runs due timers
// before it reads sockets. So a verdict that would be reached late (a probe round's failure, a
// suspicion's expiry) is put off once, by one probe timeout, and the node counts the stall against
// its own health (Lifeguard: the slow party doubts itself first).
import type { NodeConfig } from "../../specs/node/config.js";

/** Handled this late, a deadline says the node was frozen: half a probe timeout, at least 20 ms. */
export function stalled(lateMs: number, config: Pick<NodeConfig, "probeTimeoutMs">): boolean {
  return lateMs > Math.max(20, config.probeTimeoutMs / 2);
}

/**
 * Whether a verdict due `lateMs` ago must wait for its grace: the node was frozen past it, and this
 * verdict (`holder`: a probe round or a suspicion) has not had its one grace yet. Marks it as had.
 */
export function graceOnce(holder: { graced: boolean }, lateMs: number, config: Pick<NodeConfig, "probeTimeoutMs">): boolean {
  if (holder.graced || !stalled(lateMs, config)) return false;
  holder.graced = true;
  return true;
}

/** How long a verdict reached late is put off: one probe timeout, time for an answer already sent to be read. */
export function graceMs(config: Pick<NodeConfig, "probeTimeoutMs">): number {
  return config.probeTimeoutMs;
}
