// What a run asks of a node: the part of the admin API the observer and the steps use. The reference
// node serves it over HTTP (AdminClient); an adapter whose view is a command gets it emulated
// (adapters/command-view-api.ts); an implementation without a key-value store refuses the kv calls.
import type { AdminClient } from "./admin-client.js";

export type NodeApi = Pick<
  AdminClient,
  "baseUrl" | "node" | "metrics" | "members" | "events" | "leave" | "kvPut" | "kvDelete" | "kvList" | "kvDigest" | "kvEvents"
> &
  /**
   * GET /v1/phi (a φ detector's windows) and the local health score in /v1/metrics: asked where the
   * view is an admin API; absent for a command view.
   */
  Partial<Pick<AdminClient, "phi" | "health">>;

/** What a node's implementation shows; the reference node shows everything. */
export interface NodeShows {
  /** A key-value store behind /v1/kv… */
  kv: boolean;
  /** Suspicion in its view (Serf's shows only alive and failed). */
  suspect: boolean;
}

export const SHOWS_EVERYTHING: NodeShows = { kv: true, suspect: true };
