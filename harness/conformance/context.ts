// What every conformance case works with: the implementation, the fake cluster around it, its timings, and the wire log.
import type { MemberView } from "../../specs/admin/api.js";
import { suspicionBoundsMs } from "../../specs/protocol/suspicion.js";
import { expectsResponse, type KvEntry, type Message, type Update, WIRE_VERSION } from "../../specs/wire/messages.js";
import { FakeMember } from "./fake-member.js";
import type { Sut } from "./sut.js";
import { type Outcome, sendMessage } from "./wire-client.js";
import { WireLog } from "./wire-log.js";

/** The implementation's timings, from the config its /v1/node declares (memberlist's LAN defaults otherwise). */
export interface CaseTiming {
  periodMs: number;
  /** Longest a suspicion may last before `dead`, when the node declares enough to compute it. */
  suspicionMaxMs?: number;
  /** The settings it was computed from, for cases that compute other bounds (Lifeguard's confirmations). */
  suspicion?: { suspicionMult: number; suspicionMaxTimeoutMult: number };
  retransmitMult?: number;
  antiEntropyIntervalMs?: number;
  readTimeoutMs?: number;
}

const num = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

/** Cases bound a suspicion as if the cluster were this large: the fake clusters are far smaller, so the bound has headroom. */
const CLUSTER_SIZE_BOUND = 300;

export function timingOf(config: Record<string, unknown> | undefined, fallbackPeriodMs: number): CaseTiming {
  const periodMs = num(config?.probeIntervalMs) ?? fallbackPeriodMs;
  const mult = num(config?.suspicionMult);
  const maxMult = num(config?.suspicionMaxTimeoutMult);
  const timing: CaseTiming = { periodMs };
  // Lifeguard: the timeout starts at its maximum, maxMult · mult · max(1, log10 N) · period.
  if (mult !== undefined && maxMult !== undefined) {
    timing.suspicion = { suspicionMult: mult, suspicionMaxTimeoutMult: maxMult };
    timing.suspicionMaxMs = suspicionBoundsMs({ suspicionMult: mult, suspicionMaxTimeoutMult: maxMult, probeIntervalMs: periodMs }, CLUSTER_SIZE_BOUND).maxMs;
  }
  const retransmitMult = num(config?.retransmitMult);
  if (retransmitMult !== undefined) timing.retransmitMult = retransmitMult;
  const ae = num(config?.antiEntropyIntervalMs);
  if (ae !== undefined) timing.antiEntropyIntervalMs = ae;
  const read = num(config?.readTimeoutMs);
  if (read !== undefined) timing.readTimeoutMs = read;
  return timing;
}

/** A high incarnation that every rule lets `left` win with: how cases retire the members they made up. */
export const RETIRED_INCARNATION = 1_000_000_000;

/** Longest the fake members keep beating for a node: a run never lasts this long, and no loop may run unbounded. */
const FAKE_HEARTBEATS_MAX_MS = 60 * 60_000;

export class CaseContext {
  private counter = 0;
  private nextSeq = 1000;
  private beater: NodeJS.Timeout | undefined;

  private constructor(
    readonly sut: Sut,
    readonly log: WireLog,
    readonly timing: CaseTiming,
    /** Answering fake members, joined into the implementation's cluster; fakes[0] sends the harness's messages. */
    readonly fakes: FakeMember[],
    /** One answering listener that stands in for every member a case makes up (they share its address). */
    readonly shared: FakeMember,
    readonly signal: AbortSignal,
  ) {}

  static async create(sut: Sut, timing: CaseTiming, fakeCount: number, signal: AbortSignal): Promise<CaseContext> {
    const log = new WireLog();
    const fakes: FakeMember[] = [];
    for (let i = 1; i <= fakeCount; i++) fakes.push(await FakeMember.start(`fake-${i}`, "answer", log));
    const shared = await FakeMember.start("fake-shared", "answer", log);
    return new CaseContext(sut, log, timing, fakes, shared, signal);
  }

  get driver(): FakeMember {
    return this.fakes[0]!;
  }

  seq(): number {
    return this.nextSeq++;
  }

  /** A fresh member id for a case to make up. */
  memberId(prefix: string): string {
    return `${prefix}-${++this.counter}`;
  }

  /** Sends a message to the implementation from the driver (fake-1). */
  send(message: Message, timeoutMs = 2000, note?: string): Promise<Outcome> {
    return sendMessage(this.sut.wire, message, { timeoutMs, log: this.log, oneWay: !expectsResponse(message.type), ...(note ? { note } : {}) });
  }

  /** A ping from the driver carrying updates (and key-value entries): the usual way to tell the implementation something. */
  tell(updates: Update[], kv: KvEntry[] = []): Promise<Outcome> {
    return this.send({ v: WIRE_VERSION, type: "ping", from: this.driver.peer, seq: this.seq(), updates, kv });
  }

  /** Retires made-up members with `left` at a high incarnation, so that later cases do not probe them. */
  async retire(ids: string[], addr = this.shared.addr, incarnation = RETIRED_INCARNATION): Promise<void> {
    for (let start = 0; start < ids.length; start += 1000) {
      const batch = ids.slice(start, start + 1000);
      await this.tell(batch.map((id) => ({ state: "left" as const, id, addr, incarnation, by: this.driver.id })));
    }
  }

  /** The implementation's view, by member id (needs the admin API). */
  async view(): Promise<Map<string, MemberView>> {
    const { members } = await this.sut.admin!.members();
    return new Map(members.map((m) => [m.id, m]));
  }

  /**
   * Under a φ detector members are judged by their heartbeats: the fake members must beat, or the
   * node would convict them a second after they joined. The driver sends one table for all of them
   * every `intervalMs`, kept out of the wire log (it would drown what the cases do).
   */
  beatForFakes(intervalMs: number): void {
    const generation = Date.now();
    const until = generation + FAKE_HEARTBEATS_MAX_MS;
    let heartbeat = 0;
    this.beater = setInterval(() => {
      if (this.signal.aborted || Date.now() > until) return this.stopBeating();
      heartbeat++;
      const beats = this.fakes.map((f) => ({ id: f.id, addr: f.addr, generation, heartbeat }));
      void sendMessage(
        this.sut.wire,
        { v: WIRE_VERSION, type: "heartbeat", from: this.driver.peer, beats, updates: [], kv: [] },
        { timeoutMs: 2000, oneWay: true },
      ).catch(() => undefined);
    }, intervalMs);
  }

  private stopBeating(): void {
    clearInterval(this.beater);
    this.beater = undefined;
  }

  async close(): Promise<void> {
    this.stopBeating();
    await Promise.all([...this.fakes, this.shared].map((f) => f.close()));
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Polls until `check` returns a value (not undefined) or the time is up; returns undefined then. */
export async function pollFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
  intervalMs = 50,
): Promise<T | undefined> {
  const started = Date.now();
  for (;;) {
    const value = await Promise.resolve()
      .then(check)
      .catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() - started >= timeoutMs || signal?.aborted) return undefined;
    await sleep(intervalMs, signal);
  }
}
