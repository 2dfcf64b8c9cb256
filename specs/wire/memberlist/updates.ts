// Grapevine's membership updates said in memberlist's messages, and back: how the conformance driver
// and the reference node's memberlist wire (`--wire memberlist`) speak to memberlist nodes.
import { type MemberState, type SyncMember, Update } from "../messages.js";
import type { Packet } from "./codec.js";
import { NODE_STATES } from "./messages.js";
import { parseHostPort } from "../address.js";

/** The versions Grapevine announces: protocol 1–5 at 2 and delegate 0, as a plain memberlist node does (memberlist.go). */
export const GRAPEVINE_VSN = Uint8Array.of(1, 5, 2, 0, 0, 0);

type Membership = Extract<Packet, { type: "alive" | "suspect" | "dead" }>;

/** HOST:PORT (IPv4) as memberlist's messages carry it: the address's bytes, and the port. */
export function addressBytes(addr: string): { ip: Uint8Array<ArrayBuffer>; port: number } {
  const { host, port } = parseHostPort(addr);
  return { ip: Uint8Array.from(host.split(".").map(Number)), port };
}

/** An IPv4 address and port as HOST:PORT; undefined for anything else (an address of another length). */
export function addrOf(ip: Uint8Array | null | undefined, port: number | undefined): string | undefined {
  return ip?.length === 4 && port ? `${[...ip].join(".")}:${port}` : undefined;
}

/**
 * A catalogue update in memberlist's messages: alive carries an address and the versions `vsn` (so
 * that no version check refuses it); suspect and dead name who says so (`by`, else `teller`);
 * memberlist has no `left` message: a member leaving declares itself dead (state.go:1268–1269).
 */
export function updateToMessage(update: Update, vsn: Uint8Array<ArrayBuffer>, teller: string): Membership {
  const by = update.by ?? teller;
  switch (update.state) {
    case "alive": {
      const { ip, port } = addressBytes(update.addr);
      return { type: "alive", body: { Incarnation: update.incarnation, Node: update.id, Addr: ip, Port: port, Meta: null, Vsn: vsn } };
    }
    case "suspect":
      return { type: "suspect", body: { Incarnation: update.incarnation, Node: update.id, From: by } };
    case "dead":
      return { type: "dead", body: { Incarnation: update.incarnation, Node: update.id, From: by } };
    case "left":
      return { type: "dead", body: { Incarnation: update.incarnation, Node: update.id, From: update.id } };
  }
}

/**
 * The update a memberlist message says, or undefined when it says none Grapevine can hold (a name
 * that is not a member id, an address that is not IPv4). Suspect and dead carry no address:
 * `addressOf` gives the one held for the member, if any.
 */
export function messageToUpdate(message: Packet, addressOf: (id: string) => string | undefined): Update | undefined {
  if (message.type !== "alive" && message.type !== "suspect" && message.type !== "dead") return undefined;
  const { Node, Incarnation } = message.body;
  const addr = message.type === "alive" ? addrOf(message.body.Addr, message.body.Port) : addressOf(Node);
  if (!addr) return undefined;
  const state: MemberState = message.type === "dead" && message.body.From === Node ? "left" : message.type;
  const from = message.type === "alive" ? undefined : message.body.From;
  const parsed = Update.safeParse({ state, id: Node, addr, incarnation: Incarnation, ...(from ? { by: from } : {}) });
  return parsed.success ? parsed.data : undefined;
}

/** A member as a push-pull carries it. */
export function memberToState(member: SyncMember, vsn: Uint8Array<ArrayBuffer> = GRAPEVINE_VSN) {
  const { ip, port } = addressBytes(member.addr);
  return { Name: member.id, Addr: ip, Port: port, Meta: null, Incarnation: member.incarnation, State: NODE_STATES.indexOf(member.state), Vsn: vsn };
}

/** A push-pull's node state as a sync member, or undefined when Grapevine cannot hold it. */
export function stateToMember(state: { Name: string; Addr: Uint8Array | null; Port: number; Incarnation: number; State: number }): SyncMember | undefined {
  const addr = addrOf(state.Addr, state.Port);
  const name = NODE_STATES[state.State];
  if (!addr || !name) return undefined;
  const parsed = Update.safeParse({ state: name, id: state.Name, addr, incarnation: state.Incarnation });
  return parsed.success ? { id: parsed.data.id, addr: parsed.data.addr, state: parsed.data.state, incarnation: parsed.data.incarnation } : undefined;
}
