// What every memberlist conformance case works with: the implementation, fake members speaking
// memberlist's wire around it, and the driver that says the catalogue's protocol-neutral things
// (ping, suspect, alive, dead, left) in memberlist's messages.
import net from "node:net";
import type { MemberView } from "../../../specs/admin/api.js";
import {
  decodeStream,
  MemberlistIncompleteError,
  type Packet,
  type StreamMessage,
  streamContent,
  encodeSealedStream,
} from "../../../specs/wire/memberlist/codec.js";
import type { Update } from "../../../specs/wire/messages.js";
import { GRAPEVINE_VSN, updateToMessage } from "../../../specs/wire/memberlist/updates.js";
import { parseHostPort } from "../../../specs/wire/address.js";
import type { CaseTiming } from "../context.js";
import type { Sut } from "../sut.js";
import { WireLog } from "../wire-log.js";
import { type Heard, type Keying, loggable, MemberlistFake } from "./fake-peer.js";

/** The implementation as its own push-pull describes it. */
export interface MemberlistSelf {
  name: string;
  incarnation: number;
  vsn: Uint8Array<ArrayBuffer>;
}

export type StreamOutcome =
  | { kind: "reply"; message: StreamMessage; ms: number }
  | { kind: "closed"; ms: number }
  | { kind: "timeout"; ms: number }
  | { kind: "refused"; ms: number; detail: string }
  | { kind: "bad-reply"; ms: number; detail: string };

/** At most this many messages per compound packet: memberlist's own limit is 255 parts (util.go:157). */
const PARTS_PER_PACKET = 60;

export class MemberlistContext {
  private counter = 0;
  private nextSeq = 1000;
  /** When the fake members joined it (a push-pull with Join): SWIM-PROBE-1's window starts here. */
  joinedAt = 0;

  private constructor(
    readonly sut: Sut,
    readonly log: WireLog,
    readonly timing: CaseTiming,
    /** Answering fake members, joined into the implementation's cluster; fakes[0] sends the harness's messages. */
    readonly fakes: MemberlistFake[],
    /** One answering member that stands in for every member a case makes up (they share its address). */
    readonly shared: MemberlistFake,
    readonly self: MemberlistSelf,
    readonly signal: AbortSignal,
    readonly keying: Keying | undefined,
  ) {}

  /** Starts the fakes and asks the implementation who it is (a push-pull that joins nothing). */
  static async create(sut: Sut, timing: CaseTiming, fakeCount: number, signal: AbortSignal, keying?: Keying): Promise<MemberlistContext> {
    const log = new WireLog();
    const fakes: MemberlistFake[] = [];
    const started: MemberlistFake[] = [];
    try {
      for (let i = 1; i <= fakeCount; i++) fakes.push(await MemberlistFake.start(`fake-${i}`, "answer", log, keying));
      started.push(...fakes);
      const shared = await MemberlistFake.start("fake-shared", "answer", log, keying);
      started.push(shared);
      const self = await whoIs(sut.wire, log, keying);
      for (const fake of started) fake.vsn = self.vsn;
      return new MemberlistContext(sut, log, timing, fakes, shared, self, signal, keying);
    } catch (error) {
      await Promise.all(started.map((f) => f.close()));
      throw error;
    }
  }

  get driver(): MemberlistFake {
    return this.fakes[0]!;
  }

  seq(): number {
    return this.nextSeq++;
  }

  memberId(prefix: string): string {
    return `${prefix}-${++this.counter}`;
  }

  /** A fake member of its own, keyed as the others, closed by the caller. */
  fake(prefix: string, behaviour: MemberlistFake["behaviour"]): Promise<MemberlistFake> {
    return MemberlistFake.start(this.memberId(prefix), behaviour, this.log, this.keying).then((fake) => {
      fake.vsn = this.self.vsn;
      return fake;
    });
  }

  /** Sends a packet to the implementation from the driver's UDP port. */
  send(packet: Packet, note?: string): void {
    this.driver.send(packet, this.sut.wire, note);
  }

  /** One stream request (from a client connection) and the implementation's reply, if any. */
  stream(message: StreamMessage | Uint8Array, timeoutMs = 3000, note?: string): Promise<StreamOutcome> {
    return streamRequest(this.sut.wire, message, timeoutMs, this.log, this.keying, note);
  }

  /** Waits for `fake` to hear a message that `match` accepts (since `since`); undefined when none came in time. */
  heard(fake: MemberlistFake, since: number, match: (message: Heard["message"], heard: Heard) => boolean, timeoutMs: number): Promise<Heard | undefined> {
    return fake.waitFor(since, match, timeoutMs, this.signal);
  }

  /** A UDP ping from the driver, and the ack it got (by SeqNo), if any within `timeoutMs`. */
  async ping(seq: number, node = this.self.name, timeoutMs = 2000): Promise<Heard | undefined> {
    const since = Date.now();
    this.send({ type: "ping", body: { SeqNo: seq, Node: node } });
    return this.heard(this.driver, since, (m) => isAck(m, seq), timeoutMs);
  }

  /** Tells the implementation membership updates, as the catalogue's cases say them, in memberlist's messages. */
  async tell(updates: Update[]): Promise<void> {
    const messages = updates.map((u) => this.toMessage(u));
    for (let start = 0; start < messages.length; start += PARTS_PER_PACKET) {
      const parts = messages.slice(start, start + PARTS_PER_PACKET);
      this.send(parts.length === 1 ? parts[0]! : { type: "compound", parts });
      // memberlist hands alive, suspect and dead to one goroutine through a bounded queue (net.go:392–407): pace big batches.
      if (messages.length > PARTS_PER_PACKET) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  toMessage(update: Update): Packet {
    return updateToMessage(update, this.self.vsn, this.driver.name);
  }

  /**
   * memberlist has no leave distinct from death: a leave is a dead message from the member itself,
   * and a dead message about a member already dead or left is dropped (state.go:1242–1245), so
   * "left over dead" and "left over left" cannot be said on this wire.
   */
  cannotSay(update: Update["state"], current: Update["state"] | "unknown"): string | undefined {
    return cannotSayOnMemberlist(update, current, this.sut.leaveUnsupported);
  }

  /** Retires made-up members: each leaves (dead from itself) at a high incarnation. */
  async retire(ids: string[], incarnation = 1_000_000_000): Promise<void> {
    await this.tell(ids.map((id) => ({ state: "left" as const, id, addr: this.shared.addr, incarnation })));
  }

  /** The implementation's view, by member id (needs a view: an admin API or a view command). */
  async view(): Promise<Map<string, MemberView>> {
    const { members } = await this.sut.admin!.members();
    return new Map(members.map((m) => [m.id, m]));
  }

  async close(): Promise<void> {
    await Promise.all([...this.fakes, this.shared].map((f) => f.close()));
  }
}

/** The implementation's name, incarnation and versions, from its answer to a push-pull that carries no state. */
export async function whoIs(wire: string, log: WireLog, keying?: Keying): Promise<MemberlistSelf> {
  const outcome = await streamRequest(
    wire,
    { type: "pushPull", header: { Nodes: 0, UserStateLen: 0, Join: false }, states: [], userState: new Uint8Array() },
    5000,
    log,
    keying,
    "who are you?",
  );
  if (outcome.kind !== "reply" || outcome.message.type !== "pushPull")
    throw new Error(
      `${wire} did not answer a memberlist push-pull (${outcome.kind === "reply" ? outcome.message.type : outcome.kind}${"detail" in outcome ? `: ${outcome.detail}` : ""})`,
    );
  const { host, port } = parseHostPort(wire);
  const own =
    outcome.message.states.find((s) => s.Port === port && (host === "localhost" || [...(s.Addr ?? [])].join(".") === host)) ?? outcome.message.states[0];
  if (!own) throw new Error(`${wire} answered a push-pull without its own state`);
  return { name: own.Name, incarnation: own.Incarnation, vsn: own.Vsn ?? GRAPEVINE_VSN };
}

/** Writes one stream message (sealed when keyed) and reads one back; every path closes the socket within timeoutMs. */
export function streamRequest(
  wire: string,
  message: StreamMessage | Uint8Array,
  timeoutMs: number,
  log: WireLog,
  keying: Keying | undefined,
  note?: string,
): Promise<StreamOutcome> {
  const { host, port } = parseHostPort(wire);
  const bytes = message instanceof Uint8Array ? message : encodeSealedStream(message, keying?.keys[0]);
  log.add({
    dir: "sent",
    via: "client",
    message: message instanceof Uint8Array ? { hex: Buffer.from(message).toString("hex").slice(0, 400) } : loggable(message),
    note: note ?? "tcp",
  });
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let buffered = Buffer.alloc(0);
    let settled = false;
    const ms = () => Date.now() - started;
    const finish = (outcome: StreamOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (outcome.kind === "reply") log.add({ dir: "received", via: "client", message: loggable(outcome.message), note: `tcp reply after ${outcome.ms} ms` });
      else log.add({ dir: "received", via: "client", note: `${outcome.kind} after ${outcome.ms} ms${"detail" in outcome ? `: ${outcome.detail}` : ""}` });
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: "timeout", ms: ms() }), timeoutMs);
    socket.on("connect", () => socket.write(bytes));
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      try {
        const { message: reply } = decodeStream(buffered, keying ? { keys: keying.keys } : {});
        finish({ kind: "reply", message: streamContent(reply), ms: ms() });
      } catch (error) {
        if (error instanceof MemberlistIncompleteError) return;
        finish({ kind: "bad-reply", ms: ms(), detail: (error as Error).message });
      }
    });
    socket.on("end", () => finish({ kind: "closed", ms: ms() }));
    socket.on("close", () => finish({ kind: "closed", ms: ms() }));
    socket.on("error", (error: NodeJS.ErrnoException) =>
      finish(error.code === "ECONNREFUSED" ? { kind: "refused", ms: ms(), detail: error.message } : { kind: "closed", ms: ms() }),
    );
  });
}

export const isAck = (message: Heard["message"], seq: number): boolean => message.type === "ack" && message.body.SeqNo === seq;
export const isNack = (message: Heard["message"], seq: number): boolean => message.type === "nack" && message.body.SeqNo === seq;

/** Why a merge-table row cannot be said in memberlist's messages (see MemberlistContext.cannotSay), or undefined. */
export function cannotSayOnMemberlist(update: Update["state"], current: Update["state"] | "unknown", leaveUnsupported?: string): string | undefined {
  if (update === "left" && leaveUnsupported) return leaveUnsupported;
  if (update === "left" && (current === "dead" || current === "left"))
    return "memberlist has no leave distinct from death (a leave is a dead message from the member itself), and it drops any dead message about a member already dead or left (state.go:1242–1245)";
  return undefined;
}
