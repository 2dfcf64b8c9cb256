// The heartbeat family (--detector phi): heartbeats that only rise, newer counts only, φ as the formula
// gives it, and verdicts at the thresholds. Judged from the node's own heartbeats as the fake members
// receive them, and from heartbeats the harness sends for members it makes up.
import type { MembershipEvent, PhiResponse } from "../../../specs/admin/api.js";
import { WIRE_VERSION } from "../../../specs/wire/messages.js";
import { firstCrossingMs, heartbeatWentBack, newerHeartbeat } from "../../../specs/protocol/phi.js";
import { type ConformanceCase, type Finding, fail, finding, skip } from "../case.js";
import { type CaseContext, pollFor, sleep } from "../context.js";

/** The φ settings a node declares in /v1/node, or which one is missing. */
export interface PhiDeclared {
  heartbeatIntervalMs: number;
  suspectThreshold: number;
  convictThreshold: number;
  acceptablePauseMs: number;
  minStdDeviationMs: number;
}

const num = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

export function phiDeclared(config: Record<string, unknown> | undefined): PhiDeclared | string {
  const read = {
    heartbeatIntervalMs: num(config?.heartbeatIntervalMs),
    suspectThreshold: num(config?.phiSuspectThreshold),
    convictThreshold: num(config?.phiConvictThreshold),
    acceptablePauseMs: num(config?.phiAcceptablePauseMs),
    minStdDeviationMs: num(config?.phiMinStdDeviationMs),
  };
  const names: Record<keyof typeof read, string> = {
    heartbeatIntervalMs: "heartbeatIntervalMs",
    suspectThreshold: "phiSuspectThreshold",
    convictThreshold: "phiConvictThreshold",
    acceptablePauseMs: "phiAcceptablePauseMs",
    minStdDeviationMs: "phiMinStdDeviationMs",
  };
  const missing = (Object.keys(read) as (keyof typeof read)[]).filter((k) => read[k] === undefined).map((k) => names[k]);
  if (missing.length > 0) return `the node does not declare ${missing.join(", ")} in /v1/node`;
  return read as PhiDeclared;
}

/**
 * The formula, written here apart from the reference node's code: φ = −log10 P(a heartbeat comes
 * later than `silenceMs`) for a normal distribution, with the logistic approximation Akka uses.
 */
export function referencePhi(
  silenceMs: number,
  intervalsMs: readonly number[],
  declared: Pick<PhiDeclared, "acceptablePauseMs" | "minStdDeviationMs">,
): number {
  const n = intervalsMs.length;
  const mean = intervalsMs.reduce((a, b) => a + b, 0) / n;
  const variance = intervalsMs.reduce((a, b) => a + b * b, 0) / n - mean * mean;
  const meanMs = mean + declared.acceptablePauseMs;
  const sd = Math.max(Math.sqrt(Math.max(0, variance)), declared.minStdDeviationMs);
  const y = (silenceMs - meanMs) / sd;
  const e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
  return silenceMs > meanMs ? -Math.log10(e / (1 + e)) : -Math.log10(1 - 1 / (1 + e));
}

/** The first whole millisecond of silence at which the formula reaches `threshold`. */
export function referenceCrossingMs(
  threshold: number,
  intervalsMs: readonly number[],
  declared: Pick<PhiDeclared, "acceptablePauseMs" | "minStdDeviationMs">,
): number {
  return firstCrossingMs((ms) => referencePhi(ms, intervalsMs, declared), threshold);
}

/** Where a case gets what it needs: the declared settings and GET /v1/phi, or why it must SKIP. */
async function prerequisites(ctx: CaseContext, requirements: string[]): Promise<{ declared: PhiDeclared } | Finding[]> {
  const declared = phiDeclared(ctx.sut.info?.config ?? ctx.sut.config);
  if (typeof declared === "string") return requirements.map((r) => skip(r, "-", declared));
  if (!ctx.sut.admin) return requirements.map((r) => skip(r, "-", "needs the admin API to read the node's view"));
  return { declared };
}

async function phiWindows(ctx: CaseContext): Promise<PhiResponse | string> {
  const admin = ctx.sut.admin;
  if (!admin?.phi) return "its view is not served by the admin API, so there is no GET /v1/phi";
  try {
    return await admin.phi();
  } catch (error) {
    return `GET /v1/phi failed: ${(error as Error).message}`;
  }
}

/** Sends `count` heartbeats for a made-up member, `everyMs` apart, from the driver; returns their send times. */
async function beatFor(ctx: CaseContext, id: string, generation: number, counts: number[], everyMs: number): Promise<number[]> {
  const sent: number[] = [];
  for (const [i, heartbeat] of counts.entries()) {
    if (i > 0) await sleep(everyMs, ctx.signal);
    sent.push(Date.now());
    await ctx.send({
      v: WIRE_VERSION,
      type: "heartbeat",
      from: ctx.driver.peer,
      beats: [{ id, addr: ctx.shared.addr, generation, heartbeat }],
      updates: [],
      kv: [],
    });
  }
  return sent;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const risingHeartbeats: ConformanceCase = {
  name: "its heartbeats only rise",
  requirements: ["PHI-HEARTBEAT-1"],
  async run(ctx) {
    const declared = phiDeclared(ctx.sut.info?.config ?? ctx.sut.config);
    if (typeof declared === "string") return [skip("PHI-HEARTBEAT-1", "-", declared)];
    const since = Date.now();
    const watchMs = 20 * declared.heartbeatIntervalMs;
    await sleep(watchMs, ctx.signal);
    const own = ctx.fakes
      .flatMap((f) => f.messagesSince(since, "heartbeat"))
      .sort((a, b) => a.at - b.at)
      .flatMap((r) => (r.message.type === "heartbeat" ? r.message.beats.filter((b) => b.id === r.message.from.id) : []));
    const expected = `its own counter never lower than one it sent before, over ${watchMs} ms (20 heartbeat intervals)`;
    const distinct = new Set(own.map((b) => `${b.generation}/${b.heartbeat}`)).size;
    if (distinct < 5) return [fail("PHI-HEARTBEAT-1", expected, `only ${distinct} distinct heartbeats reached the ${ctx.fakes.length} fake members`)];
    const drops: string[] = [];
    let highest = own[0]!;
    for (const beat of own) {
      if (heartbeatWentBack(beat, highest)) drops.push(`${beat.heartbeat} after ${highest.heartbeat}`);
      if (newerHeartbeat(beat, highest)) highest = beat;
    }
    return [
      finding(
        drops.length === 0,
        "PHI-HEARTBEAT-1",
        expected,
        drops.length === 0 ? `${distinct} heartbeats, rising to ${highest.heartbeat}` : `went back ${drops.length} times: ${drops.slice(0, 5).join("; ")}`,
      ),
    ];
  },
};

const phiValue: ConformanceCase = {
  name: "φ is the formula's, over the window of arrivals",
  requirements: ["PHI-VALUE-1"],
  needs: ["admin"],
  async run(ctx) {
    const ready = await prerequisites(ctx, ["PHI-VALUE-1"]);
    if (Array.isArray(ready)) return ready;
    const { declared } = ready;
    const id = ctx.memberId("beating");
    await ctx.tell([{ state: "alive", id, addr: ctx.shared.addr, incarnation: 1 }]);
    try {
      const sent = await beatFor(ctx, id, Date.now(), range(1, 16), declared.heartbeatIntervalMs);
      const gaps = sent.slice(1).map((at, i) => at - sent[i]!);
      const findings: string[] = [];
      // Read twice: just after the last beat, and after one more interval of silence, when φ has grown.
      for (const waitMs of [declared.heartbeatIntervalMs / 2, declared.heartbeatIntervalMs]) {
        await sleep(waitMs, ctx.signal);
        const windows = await phiWindows(ctx);
        if (typeof windows === "string") return [skip("PHI-VALUE-1", "-", windows)];
        const window = windows.members.find((m) => m.id === id);
        if (!window) return [fail("PHI-VALUE-1", `a window for ${id} in GET /v1/phi`, "none")];
        const expected = referencePhi(windows.at - window.lastArrivalAt, window.intervalsMs, declared);
        const reported = window.phi ?? Infinity;
        const agrees = reported === expected || Math.abs(reported - expected) <= 1e-6;
        if (!agrees) findings.push(`after ${windows.at - window.lastArrivalAt} ms of silence φ is ${reported}, the formula gives ${expected} for its window`);
        // The window ends with the gaps the harness sent (arrival jitter aside).
        const tail = window.intervalsMs.slice(-gaps.length);
        const off = tail.map((interval, i) => Math.abs(interval - gaps[gaps.length - tail.length + i]!)).filter((d) => d > 50);
        if (tail.length < Math.min(gaps.length, 3) || off.length > 0)
          findings.push(`window ${JSON.stringify(tail.map(Math.round))} does not hold the gaps sent, ${JSON.stringify(gaps)} (±50 ms)`);
      }
      return [
        finding(
          findings.length === 0,
          "PHI-VALUE-1",
          `φ within 1e-6 of the formula with acceptablePauseMs ${declared.acceptablePauseMs} and minStdDeviationMs ${declared.minStdDeviationMs}; the window holds the ${gaps.length} gaps sent`,
          findings.length === 0 ? "both readings agree" : findings.join("; "),
        ),
      ];
    } finally {
      await ctx.retire([id]);
    }
  },
};

/** The member's transitions since `after` in the node's events. */
async function transitionsOf(ctx: CaseContext, id: string, after: number): Promise<MembershipEvent[]> {
  const { events } = await ctx.sut.admin!.events(after);
  return events.filter((e) => e.id === id);
}

const conviction: ConformanceCase = {
  name: "suspect and dead at the thresholds; only newer heartbeats count",
  requirements: ["PHI-CONVICT-1", "PHI-SUPERSEDE-1"],
  needs: ["admin"],
  async run(ctx) {
    const ready = await prerequisites(ctx, ["PHI-CONVICT-1", "PHI-SUPERSEDE-1"]);
    if (Array.isArray(ready)) return ready;
    const { declared } = ready;
    const id = ctx.memberId("stopping");
    const after = (await ctx.sut.admin!.events()).next;
    await ctx.tell([{ state: "alive", id, addr: ctx.shared.addr, incarnation: 1 }]);
    const generation = Date.now();
    try {
      await beatFor(ctx, id, generation, range(1, 16), declared.heartbeatIntervalMs);
      const windows = await phiWindows(ctx);
      if (typeof windows === "string") return ["PHI-CONVICT-1", "PHI-SUPERSEDE-1"].map((r) => skip(r, "-", windows));
      const window = windows.members.find((m) => m.id === id);
      if (!window) return ["PHI-CONVICT-1", "PHI-SUPERSEDE-1"].map((r) => fail(r, `a window for ${id} in GET /v1/phi`, "none"));
      const suspectAt = window.lastArrivalAt + referenceCrossingMs(declared.suspectThreshold, window.intervalsMs, declared);
      const deadAt = window.lastArrivalAt + referenceCrossingMs(declared.convictThreshold, window.intervalsMs, declared);
      // A node may judge φ on a timer rather than at the instant: a second (or an interval) late is allowed.
      const lateMs = Math.max(1000, 2 * declared.heartbeatIntervalMs);
      const dead = await pollFor(
        async () => (await transitionsOf(ctx, id, after)).find((e) => e.to === "dead"),
        Math.max(0, deadAt - Date.now()) + lateMs + 2000,
        ctx.signal,
      );
      const seen = await transitionsOf(ctx, id, after);
      const suspect = seen.find((e) => e.to === "suspect");
      const problems: string[] = [];
      if (!suspect) problems.push("never suspect");
      else if (suspect.at < suspectAt - 5) problems.push(`suspect at φ's crossing minus ${suspectAt - suspect.at} ms`);
      if (!dead) problems.push(`not dead ${lateMs} ms after φ reached ${declared.convictThreshold}`);
      else if (dead.at < deadAt - 5) problems.push(`dead ${deadAt - dead.at} ms before φ reached ${declared.convictThreshold}`);
      else if (dead.at > deadAt + lateMs) problems.push(`dead ${dead.at - deadAt} ms after φ reached ${declared.convictThreshold}`);
      const convict = finding(
        problems.length === 0,
        "PHI-CONVICT-1",
        `suspect from φ ≥ ${declared.suspectThreshold} (at +${suspectAt - window.lastArrivalAt} ms of silence), dead from φ ≥ ${declared.convictThreshold} (at +${deadAt - window.lastArrivalAt} ms), within ${lateMs} ms`,
        problems.length === 0
          ? `suspect at +${suspect!.at - window.lastArrivalAt} ms, dead at +${dead!.at - window.lastArrivalAt} ms`
          : `${problems.join("; ")} (transitions: ${seen.map((e) => `${e.to} at +${e.at - window.lastArrivalAt} ms`).join(", ") || "none"})`,
      );
      if (!dead) return [convict, skip("PHI-SUPERSEDE-1", "-", "the member was never dead, so a late heartbeat cannot be tried on it")];
      // The last count again, and an older one: neither is an arrival. Then a newer one is.
      await beatFor(ctx, id, generation, [16, 9], declared.heartbeatIntervalMs);
      await sleep(3 * declared.heartbeatIntervalMs, ctx.signal);
      const afterStale = (await ctx.view()).get(id)?.state;
      await beatFor(ctx, id, generation, [17], declared.heartbeatIntervalMs);
      const revived = await pollFor(async () => ((await ctx.view()).get(id)?.state === "alive" ? true : undefined), 3000, ctx.signal);
      const supersede = finding(
        afterStale === "dead" && revived === true,
        "PHI-SUPERSEDE-1",
        "still dead after counts 16 (again) and 9 of the same generation; alive after 17",
        `after the old counts: ${afterStale ?? "not in the view"}; after 17: ${revived ? "alive" : "not alive within 3 s"}`,
      );
      return [convict, supersede];
    } finally {
      await ctx.retire([id]);
    }
  },
};

export const HEARTBEAT_CASES: ConformanceCase[] = [risingHeartbeats, phiValue, conviction];
