// Conformance on memberlist's wire: fake members speaking memberlist join the implementation through a
// push-pull, then the cases run: the catalogue's protocol-neutral requirements through the memberlist
// driver, memberlist's own (ML-*), and malformed input. Requirements that no case on this wire can
// judge are SKIP, each saying why.
import type { ImplementationResult } from "../../../specs/conformance/result.js";
import { REQUIREMENTS } from "../../../specs/requirements/catalogue.js";
import { type ConformanceCase, type Finding, type MembershipDriver, skip } from "../case.js";
import { MERGE_CASES } from "../cases/merge.js";
import { pollFor, timingOf } from "../context.js";
import { type ConformanceOptions, runCaseList } from "../runner.js";
import type { Sut } from "../sut.js";
import { DETECTION_CASES, LEAVE_CASE } from "./cases/detection.js";
import { FRAMING_CASES } from "./cases/framing.js";
import { KEYED_CASES } from "./cases/keyed.js";
import { corpusCase, generatedCase } from "./cases/malformed.js";
import { PROBE_CASES } from "./cases/probe.js";
import { JOINED_CASE, STREAM_CASES } from "./cases/stream.js";
import { MemberlistContext } from "./context.js";

const FAKE_MEMBERS = 4;

/** The cases in the order they run: malformed input last, because it may crash the node (and the generated packets introduce members). */
export function memberlistCases(options: Pick<ConformanceOptions, "generated" | "seed">): ConformanceCase<MemberlistContext>[] {
  // The merge table's cases speak only through the driver, so they run here unchanged (MemberlistContext is a MembershipDriver).
  const neutral: ConformanceCase<MembershipDriver & MemberlistContext>[] = MERGE_CASES;
  return [
    ...PROBE_CASES,
    ...FRAMING_CASES,
    ...STREAM_CASES,
    JOINED_CASE,
    // Detection before the merge table: memberlist's suspicion timeout grows with log N, and the table adds members.
    ...DETECTION_CASES,
    ...neutral,
    ...KEYED_CASES,
    corpusCase(),
    ...(options.generated > 0 ? [generatedCase(options.generated, options.seed)] : []),
    LEAVE_CASE,
  ];
}

/** Why a requirement that no memberlist case judges is SKIP on this wire. */
function whyNotOnThisWire(name: string, id: string, group: string): string {
  if (group === "kv") return `${name} has no key-value store (memberlist's wire carries none)`;
  if (group === "wire")
    return "a rule of Grapevine wire v1's length-prefixed JSON frames, which memberlist's wire does not have (its framing is judged by the ML-* requirements)";
  if (id.startsWith("LIFEGUARD-")) return `judged on the node's local health score, which ${name}'s view does not show`;
  if (group === "heartbeat")
    return `a requirement of the heartbeat family (φ accrual): memberlist's wire has no heartbeat message, and ${name} detects failures by probing (SWIM)`;
  return "no case drives it on memberlist's wire yet";
}

export async function runMemberlistConformance(sut: Sut, options: ConformanceOptions): Promise<ImplementationResult> {
  const timing = timingOf(sut.info?.config ?? sut.config, options.fallbackPeriodMs);
  const ctx = await MemberlistContext.create(sut, timing, FAKE_MEMBERS, options.signal);
  const cases = memberlistCases(options);
  const covered = new Set(cases.flatMap((c) => c.requirements));
  const uncovered: Finding[] = REQUIREMENTS.filter((r) => !covered.has(r.id)).map((r) => skip(r.id, "-", whyNotOnThisWire(sut.name, r.id, r.group)));
  return runCaseList(sut, options, { ctx, cases, join: () => join(ctx), hasKv: false, uncovered });
}

/** The fake members join through a push-pull with Join set, as memberlist's Join does (net.go:920, state.go pushPullNode). */
async function join(ctx: MemberlistContext): Promise<true | string> {
  const states = ctx.fakes.map((f) => f.state());
  const reply = await ctx.stream(
    { type: "pushPull", header: { Nodes: states.length, UserStateLen: 0, Join: true }, states, userState: new Uint8Array() },
    5000,
    "join",
  );
  if (reply.kind !== "reply" || reply.message.type !== "pushPull")
    return `a push-pull back expected, got ${reply.kind === "reply" ? reply.message.type : reply.kind}`;
  ctx.joinedAt = Date.now();
  if (!ctx.sut.admin) return true;
  const all = await pollFor(
    async () => {
      const view = await ctx.view();
      return ctx.fakes.every((f) => view.get(f.name)?.state === "alive") ? true : undefined;
    },
    5000,
    ctx.signal,
  );
  return all ? true : "the fake members never all showed as alive in its view";
}
