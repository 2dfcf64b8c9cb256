// Membership push-pull: a member's full state as a sync message, and a received state turned into updates.
import type { MemberId, SyncMember, Update } from "../../specs/wire/messages.js";
import type { Member } from "./membership.js";

export function toSyncMembers(members: readonly Member[]): SyncMember[] {
  return members.map(({ id, addr, state, incarnation }) => ({ id, addr, state, incarnation }));
}

/**
 * Turns a remote full state into updates for the merge rules. As in memberlist's
 * mergeRemoteState, a member the remote side holds `dead` only becomes `suspect` here:
 * this node gives it the chance to refute rather than taking the remote verdict as final.
 * That is also how a member learns, after a partition heals, that the other side
 * declared it dead — and refutes.
 */
export function syncToUpdates(members: readonly SyncMember[], from: MemberId): Update[] {
  return members.map((m) => {
    if (m.state === "dead") return { ...m, state: "suspect", by: from };
    if (m.state === "suspect") return { ...m, by: from };
    return { ...m };
  });
}
