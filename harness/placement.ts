// Where a node runs, when a fault engine needs it somewhere of its own: the meeting point of
// harness/faults (which makes the place) and harness/runtime (which starts the node there).

/** A node's own network namespace, and the address it listens at there (the packet engine's nodes). */
export interface NodePlacement {
  netns: string;
  host: string;
}
