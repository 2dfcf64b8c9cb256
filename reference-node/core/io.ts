// What goes into the core (inputs) and what comes out (effects): the whole surface between protocol and I/O.
import type { KvOrigin } from "../../specs/admin/api.js";
import type { KvVersion, Message, MemberId, MemberState } from "../../specs/wire/messages.js";

export type Input =
  /** Begin: schedule the protocol's timers and contact the seeds. */
  | { type: "start" }
  /** The shell's wake-up: run whatever deadlines are due. */
  | { type: "tick" }
  /** A request frame arrived on inbound connection `conn`; the core answers with one `reply` effect. */
  | { type: "request"; conn: number; message: Message }
  /** The outcome of outbound exchange `exchange`: the response, or null (refused, timed out, closed, or invalid). */
  | { type: "response"; exchange: number; message: Message | null }
  /** Leave the cluster gracefully. */
  | { type: "leave" }
  /** A client write (value null deletes); answered by a `kv-written` effect with the same `request`. */
  | { type: "kv-put"; request: number; key: string; value: string | null };

/** A destination: a known member (dialled through the dial map by id) or a bare seed address. */
export interface Destination {
  id?: MemberId;
  addr: string;
}

export type Effect =
  /** Open a connection, write `message`, and (if `expectReply`) read one response within `timeoutMs`. */
  | { type: "send"; exchange: number; to: Destination; message: Message; timeoutMs: number; expectReply: boolean }
  /** Answer inbound connection `conn` with `message`, or close it without an answer (null). */
  | { type: "reply"; conn: number; message: Message | null }
  /** This node changed its view of member `id`. */
  | { type: "transition"; at: number; id: MemberId; from: MemberState | null; to: MemberState; incarnation: number }
  /** A leave has finished spreading: the shell may exit. */
  | { type: "left" }
  /** The write of input `request` is stored locally under `version` (it spreads from here). */
  | { type: "kv-written"; request: number; key: string; version: KvVersion }
  /** An entry was stored: a local write, a rumor, or an anti-entropy session brought it. */
  | { type: "kv-applied"; at: number; key: string; version: KvVersion; origin: KvOrigin };
