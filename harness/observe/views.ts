// Questions about several nodes' views at once, asked through their admin APIs.
import type { MembershipEvent } from "../../specs/admin/api.js";
import type { MemberState } from "../../specs/wire/messages.js";
import type { NodeApi } from "./node-api.js";

export interface ViewSource {
  id: string;
  admin: Pick<NodeApi, "members" | "events">;
}

/** True when every observer holds every listed member in `state`. */
export async function allHold(observers: readonly ViewSource[], members: readonly string[], state: MemberState): Promise<boolean> {
  const views = await Promise.all(observers.map((o) => o.admin.members()));
  return views.every((v) => members.every((id) => v.members.find((m) => m.id === id)?.state === state));
}

export interface ObservedTransition extends MembershipEvent {
  observer: string;
}

/** Every observer's transitions about `member`, optionally only those into `state`, tagged with the observer. */
export async function transitionsAbout(observers: readonly ViewSource[], member: string, state?: MemberState): Promise<ObservedTransition[]> {
  const logs = await Promise.all(observers.map(async (o) => ({ observer: o.id, events: (await o.admin.events(0)).events })));
  return logs.flatMap(({ observer, events }) =>
    events.filter((e) => e.id === member && (state === undefined || e.to === state)).map((e) => ({ ...e, observer })),
  );
}
