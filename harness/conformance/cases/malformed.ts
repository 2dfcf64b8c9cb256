// Malformed input: the hand-written corpus and generated cases; each must be dropped, and the node must answer after.
import { WIRE_VERSION } from "../../../specs/wire/messages.js";
import { type ConformanceCase, type Finding, info, finding, skip } from "../case.js";
import type { CaseContext } from "../context.js";
import type { CorpusEntry } from "../corpus.js";
import { generateHostile } from "../fuzz/hostile.js";
import { generateMalformed } from "../fuzz/mutate.js";
import { frameOf, type Outcome, sendMessage, sendRaw } from "../wire-client.js";
import { describeOutcome } from "./probe.js";

/** Time allowed for the node to drop a bad frame (close the connection). */
const DROP_TIMEOUT_MS = 3000;

async function answersPing(ctx: CaseContext): Promise<Outcome> {
  const seq = ctx.seq();
  return sendMessage(
    ctx.sut.wire,
    { v: WIRE_VERSION, type: "ping", from: ctx.driver.peer, seq, updates: [], kv: [] },
    { timeoutMs: 2000, log: ctx.log, note: "still alive?" },
  );
}
const acked = (outcome: Outcome) => outcome.kind === "reply" && outcome.message.type === "ack";

async function rejectedFrames(ctx: CaseContext): Promise<number | undefined> {
  return ctx.sut.admin ? (await ctx.sut.admin.metrics().catch(() => undefined))?.rejectedFrames : undefined;
}

/** A slow sender trickles; meanwhile another connection must be served. */
async function runSlow(ctx: CaseContext, entry: CorpusEntry): Promise<Finding[]> {
  const trickle = entry.spec.trickle!;
  const slow = sendRaw(ctx.sut.wire, entry.bytes, { timeoutMs: 0, trickle, log: ctx.log, note: `${entry.name}: trickled` });
  await new Promise((resolve) => setTimeout(resolve, Math.min(1000, trickle.durationMs / 2)));
  const meanwhile = await answersPing(ctx);
  const outcome = await slow;
  const closedEarly = outcome.kind === "closed" && outcome.ms < trickle.durationMs;
  return [
    finding(acked(meanwhile), "WIRE-SLOW-1", "a ping on another connection is acked while the slow sender trickles", describeOutcome(meanwhile), entry.name),
    finding(
      closedEarly,
      "WIRE-SLOW-2",
      `the slow connection closed by the node before the sender gave up (${trickle.durationMs} ms)`,
      outcome.kind === "closed" ? `closed after ${outcome.ms} ms` : `still open after ${outcome.ms} ms (${outcome.kind})`,
      entry.name,
    ),
  ];
}

export function corpusCase(corpus: CorpusEntry[]): ConformanceCase {
  return {
    name: "malformed-input corpus",
    requirements: [...new Set([...corpus.map((c) => c.spec.requirement), "WIRE-ALIVE-1", "WIRE-COUNT-1", "WIRE-SLOW-2"])],
    async run(ctx) {
      const findings: Finding[] = [];
      const dead: string[] = [];
      const countBefore = await rejectedFrames(ctx);
      let framesDropped = 0;
      for (const entry of corpus) {
        if (ctx.signal.aborted) break;
        if (entry.spec.trickle) {
          findings.push(...(await runSlow(ctx, entry)));
        } else {
          const outcome = await sendRaw(ctx.sut.wire, entry.bytes, {
            timeoutMs: DROP_TIMEOUT_MS,
            log: ctx.log,
            note: `${entry.name}: ${entry.spec.description}`,
            ...(entry.spec.sendBytes !== undefined ? { sendBytes: entry.spec.sendBytes } : {}),
          });
          framesDropped++;
          findings.push(
            finding(
              outcome.kind === "closed",
              entry.spec.requirement,
              `${entry.spec.description}: connection closed without a reply`,
              describeOutcome(outcome),
              entry.name,
            ),
          );
        }
        const after = await answersPing(ctx);
        if (!acked(after)) dead.push(`${entry.name} (${describeOutcome(after)})`);
      }
      findings.push(
        finding(
          dead.length === 0,
          "WIRE-ALIVE-1",
          `a ping acked after each of ${corpus.length} corpus inputs`,
          dead.length === 0 ? "acked every time" : `no ack after ${dead.join(", ")}`,
          "corpus",
        ),
      );
      const countAfter = await rejectedFrames(ctx);
      if (countBefore === undefined || countAfter === undefined) {
        findings.push(skip("WIRE-COUNT-1", "rejectedFrames counter", "no /v1/metrics in Grapevine's shape"));
      } else {
        findings.push(
          finding(
            countAfter - countBefore >= framesDropped,
            "WIRE-COUNT-1",
            `rejectedFrames up by at least ${framesDropped}`,
            `up by ${countAfter - countBefore} (${countBefore} → ${countAfter})`,
          ),
        );
      }
      return findings;
    },
  };
}

/** One generated input: what it is (its kind, for the mix) and how it is named in the findings and the wire log. */
interface GeneratedInput {
  kind: string;
  label: string;
  value: unknown;
}

/**
 * Sends each input on its own connection and pings after each; `judge` sees every outcome. Stops when
 * the run is interrupted or the node stops accepting connections. Returns how many went out, what the
 * pings after them found, and the mix of kinds sent.
 */
async function sendEachThenPing(
  ctx: CaseContext,
  inputs: readonly GeneratedInput[],
  judge: (label: string, outcome: Outcome) => void,
): Promise<{ sent: number; dead: string[]; mix: string }> {
  const dead: string[] = [];
  const kinds = new Map<string, number>();
  let sent = 0;
  for (const input of inputs) {
    if (ctx.signal.aborted) break;
    kinds.set(input.kind, (kinds.get(input.kind) ?? 0) + 1);
    const outcome = await sendRaw(ctx.sut.wire, frameOf(input.value), { timeoutMs: DROP_TIMEOUT_MS, log: ctx.log, note: input.label });
    sent++;
    judge(input.label, outcome);
    const after = await answersPing(ctx);
    if (!acked(after)) {
      dead.push(`${input.label}: ${describeOutcome(after)}`);
      if (after.kind === "refused") break;
    }
  }
  return { sent, dead, mix: [...kinds].map(([k, n]) => `${k} ${n}`).join(", ") };
}

/** `count` inputs generated from the wire schema (fast-check, seeded), each dropped and each followed by a ping. */
export function generatedCase(count: number, seed: number): ConformanceCase {
  return {
    name: `${count} generated malformed messages`,
    requirements: ["WIRE-SCHEMA-1", "WIRE-ALIVE-1"],
    async run(ctx) {
      const mutants = generateMalformed(count, seed).map((m, index) => ({ kind: m.kind, label: `#${index} ${m.kind} at ${m.path}`, value: m.value }));
      const replied: string[] = [];
      const { sent, dead, mix } = await sendEachThenPing(ctx, mutants, (label, outcome) => {
        if (outcome.kind !== "closed") replied.push(`${label}: ${describeOutcome(outcome)}`);
      });
      return [
        finding(
          replied.length === 0 && sent === count,
          "WIRE-SCHEMA-1",
          `${count} generated off-schema messages (seed ${seed}) each dropped without a reply`,
          replied.length === 0 ? `${sent} of ${count} dropped (${mix})` : `${replied.length} not dropped: ${replied.slice(0, 5).join("; ")}`,
          "generated",
        ),
        finding(
          dead.length === 0 && sent === count,
          "WIRE-ALIVE-1",
          `a ping acked after each of ${count} generated inputs`,
          dead.length === 0 ? `acked after all ${sent}` : `no ack after ${dead.length}: ${dead.slice(0, 5).join("; ")}`,
          "generated",
        ),
        info("WIRE-SCHEMA-1", "mutation mix", `seed ${seed}: ${mix}`, "generated-mix"),
      ];
    },
  };
}

/** How many hostile messages go with `generated` malformed ones: a fifth, as each can be a whole frame. */
export const hostileCount = (generated: number) => Math.ceil(generated / 5);

/**
 * `count` schema-valid hostile messages (numbers at the ends of their ranges, lists at their limits,
 * claims about the node at the largest incarnation, far-future versions), each followed by a ping.
 * The schema admits them, so the node may act on them and may answer; what it may not do is stop
 * answering, or answer with a frame that is not valid.
 */
export function hostileCase(count: number, seed: number): ConformanceCase {
  return {
    name: `${count} generated hostile messages`,
    requirements: ["WIRE-HOSTILE-1"],
    async run(ctx) {
      const info = ctx.sut.info;
      const hostile = generateHostile(count, seed, info ? { id: info.id, addr: info.addr } : undefined);
      const broken: string[] = [];
      const inputs = hostile.map((h, index) => ({ kind: h.kind, label: `#${index} ${h.kind} ${h.type}`, value: h.value }));
      const { sent, dead, mix } = await sendEachThenPing(ctx, inputs, (label, outcome) => {
        if (outcome.kind === "bad-reply") broken.push(`${label}: ${describeOutcome(outcome)}`);
      });
      // The made-up members these messages introduced (some at the largest incarnation) leave again,
      // so that the cases after this one find the cluster they expect.
      const ours = new Set([info?.id, ...ctx.fakes.map((f) => f.id), ctx.shared.id]);
      const made = new Set(hostile.flatMap((h) => memberIdsIn(h.value)).filter((id) => !ours.has(id)));
      await ctx.retire([...made], undefined, Number.MAX_SAFE_INTEGER);
      const problems = [...dead.map((d) => `no ack after ${d}`), ...broken.map((b) => `invalid reply to ${b}`)];
      return [
        finding(
          problems.length === 0 && sent === hostile.length && sent > 0,
          "WIRE-HOSTILE-1",
          `${hostile.length} schema-valid hostile messages (seed ${seed}; ${mix}): every reply a valid frame, a ping acked after each`,
          problems.length === 0 ? `acked after all ${sent}` : `${problems.length} problems: ${problems.slice(0, 5).join("; ")}`,
          "hostile",
        ),
      ];
    },
  };
}

/** The ids of every member a message names (in updates, sync members, ping-req targets, senders). */
function memberIdsIn(value: unknown): string[] {
  if (value === null || typeof value !== "object") return [];
  const children = Array.isArray(value) ? value : Object.values(value);
  const id = (value as { id?: unknown }).id;
  const own = !Array.isArray(value) && typeof id === "string" && "addr" in value ? [id] : [];
  return [...own, ...children.flatMap(memberIdsIn)];
}
