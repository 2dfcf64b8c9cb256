// Every published contract by name: what `grapevine schema` writes out as JSON Schema.
import { z } from "zod";
import * as admin from "./admin/api.js";
import { AdapterManifest } from "./adapter/manifest.js";
import { ScenarioAuthoring } from "./scenario/scenario.js";
import * as node from "./node/cli.js";
import * as memberlist from "./wire/memberlist/messages.js";
import * as wire from "./wire/messages.js";

export const SCHEMAS: Record<string, z.ZodType> = {
  "wire/message": wire.Message,
  "wire/ping": wire.Ping,
  "wire/ack": wire.Ack,
  "wire/ping-req": wire.PingReq,
  "wire/nack": wire.Nack,
  "wire/gossip": wire.Gossip,
  "wire/heartbeat": wire.Heartbeat,
  "wire/sync": wire.Sync,
  "wire/update": wire.Update,
  "admin/node": admin.NodeInfo,
  "admin/members": admin.MembersResponse,
  "admin/events": admin.EventsResponse,
  "admin/metrics": admin.MetricsResponse,
  "admin/phi": admin.PhiResponse,
  "admin/leave": admin.LeaveResponse,
  "admin/error": admin.AdminError,
  "admin/kv-put": admin.KvPutBody,
  "admin/kv-write": admin.KvWriteResponse,
  "admin/kv-entry": admin.KvEntryResponse,
  "admin/kv-list": admin.KvListResponse,
  "admin/kv-digest": admin.KvDigestResponse,
  "admin/kv-events": admin.KvEventsResponse,
  "wire/ae-tree": wire.AeTree,
  "wire/ae-entries": wire.AeEntries,
  "node/ready-line": node.ReadyLine,
  "node/dial-map": node.DialMap,
  // For editors: a scenario file and an adapter manifest, checked as they are typed (yaml-language-server, VS Code's json.schemas).
  "scenario/scenario": ScenarioAuthoring,
  "adapter/manifest": AdapterManifest,
  // memberlist 0.2.x message bodies (msgpack maps; byte fields are msgpack raws, described, not typed).
  ...Object.fromEntries(Object.entries(memberlist.BODIES).map(([name, body]) => [`memberlist/${name}`, body.schema])),
  "memberlist/push-pull-header": memberlist.PushPullHeader.schema,
  "memberlist/push-node-state": memberlist.PushNodeState.schema,
  "memberlist/user-msg-header": memberlist.UserMsgHeader.schema,
};

/** JSON Schema (draft 2020-12) of one contract, input side: fields with defaults are optional. */
export function toJsonSchema(name: string, schema: z.ZodType): Record<string, unknown> {
  return {
    $id: `urn:grapevine:${name.replace("/", ":")}`,
    title: name,
    // Byte fields (memberlist's) have no JSON type: they are written as their description.
    ...z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }),
  };
}
