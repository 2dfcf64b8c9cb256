// Notices nodes that end on their own. The harness records every exit it causes (crash, stop, leave,
// restart) before causing it; any other exit is the implementation's doing and goes in the history.
import type { ClusterNode } from "../runtime/node-runtime.js";

export class ExitWatch {
  private readonly expected = new WeakSet<ClusterNode>();
  private closed = false;

  constructor(private readonly onUnexpected: (node: ClusterNode) => void) {}

  /** Watches one started node (each start of a node is a new ClusterNode). */
  watch(node: ClusterNode): void {
    void node.exited.then(() => {
      if (!this.closed && !this.expected.has(node)) this.onUnexpected(node);
    });
  }

  /** The harness is about to end this node: its exit is expected. */
  expect(node: ClusterNode): void {
    this.expected.add(node);
  }

  /** The run is tearing the cluster down: every exit from now on is the harness's. */
  close(): void {
    this.closed = true;
  }
}
