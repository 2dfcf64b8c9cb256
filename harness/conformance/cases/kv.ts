// The key-value store's wire behaviour: rumored entries stored, last writer wins, anti-entropy asked and answered.
import { type KvEntry, MERKLE_DEPTH, MERKLE_FANOUT, WIRE_VERSION } from "../../../specs/wire/messages.js";
import { type ConformanceCase, fail, finding, skip } from "../case.js";
import { type CaseContext, pollFor } from "../context.js";
import { describeOutcome } from "./probe.js";

const entry = (key: string, value: string, wall: number, node = "fake-1"): KvEntry => ({ key, value, version: { wall, logical: 0, node } });

async function valueOf(ctx: CaseContext, key: string): Promise<string | null | undefined> {
  const { entries } = await ctx.sut.admin!.kvList();
  return entries.find((e) => e.key === key)?.value;
}

const rumor: ConformanceCase = {
  name: "piggybacked entries are stored",
  requirements: ["KV-RUMOR-1"],
  needs: ["admin", "kv"],
  async run(ctx) {
    const key = `conformance/${ctx.memberId("rumor")}`;
    await ctx.tell([], [entry(key, "v1", Date.now())]);
    const stored = await pollFor(async () => ((await valueOf(ctx, key)) === "v1" ? true : undefined), 3000, ctx.signal);
    return [finding(stored === true, "KV-RUMOR-1", `${key} = "v1" in GET /v1/kv`, stored ? "stored" : `holds ${JSON.stringify(await valueOf(ctx, key))}`)];
  },
};

/** An older write, then a newer one (must replace it), then an older one again (must not). */
const lastWriterWins: ConformanceCase = {
  name: "last writer wins",
  requirements: ["KV-LWW-1"],
  needs: ["admin", "kv"],
  async run(ctx) {
    const key = `conformance/${ctx.memberId("lww")}`;
    const t = Date.now() - 60_000;
    const steps: [KvEntry, string][] = [
      [entry(key, "old", t), "old"],
      [entry(key, "new", t + 1000), "new"],
      [entry(key, "older", t - 1000), "new"],
      [entry(key, "tie-lower-node", t + 1000, "fake-0"), "new"],
    ];
    const seen: string[] = [];
    for (const [write, expected] of steps) {
      await ctx.tell([], [write]);
      const holds = await pollFor(
        async () => ((await valueOf(ctx, key)) === expected ? expected : undefined),
        expected === write.value ? 3000 : 400,
        ctx.signal,
      );
      const actual = holds ?? (await valueOf(ctx, key));
      seen.push(`wrote "${write.value}"@${write.version.wall - t}/${write.version.node} → "${actual}"`);
      if (actual !== expected) return [fail("KV-LWW-1", `"${expected}" after writing "${write.value}"`, seen.join("; "))];
    }
    return [finding(true, "KV-LWW-1", "the newest version held after each write", seen.join("; "))];
  },
};

/**
 * How long to watch for an anti-entropy session to reach a fake member. The node picks one of its
 * `candidates` live members at random every `intervalMs`; `listening` of them are fake members that
 * record what they get. Watch until a miss would be a one-in-a-million chance, plus one interval for
 * where in its cycle the node is, then half as much again for a busy machine.
 */
export function sessionWindowMs(intervalMs: number, candidates: number, listening: number): number {
  if (listening < 1) throw new RangeError("no fake member to hear a session: the case cannot finding (skip it)");
  const hit = Math.min(1, listening / candidates);
  const sessions = hit >= 1 ? 1 : Math.ceil(Math.log(1e-6) / Math.log(1 - hit));
  return Math.ceil((sessions + 1) * intervalMs * 1.5);
}

const startsSessions: ConformanceCase = {
  name: "starts anti-entropy sessions",
  requirements: ["KV-AE-1"],
  needs: ["kv"],
  async run(ctx) {
    const interval = ctx.timing.antiEntropyIntervalMs;
    if (interval === 0) return [skip("KV-AE-1", "ae-tree requests", "anti-entropy is off in the node's declared config (antiEntropyIntervalMs 0)")];
    const listeners = new Set([...ctx.fakes, ctx.shared].map((f) => f.addr));
    // Its live view says how many members it chooses among and how many of them we hear for.
    const live = ctx.sut.admin ? [...(await ctx.view()).values()].filter((m) => m.state === "alive" && m.id !== ctx.sut.info?.id) : undefined;
    const candidates = live?.length ?? ctx.fakes.length;
    const listening = live ? live.filter((m) => listeners.has(m.addr)).length : ctx.fakes.length;
    if (listening === 0) {
      return [
        skip(
          "KV-AE-1",
          "ae-tree requests",
          `none of the node's ${candidates} live member(s) is a fake member that could hear them (it holds them all ${live === undefined ? "unreachable" : "not alive"})`,
        ),
      ];
    }
    const windowMs = interval === undefined ? 30_000 : sessionWindowMs(interval, candidates, listening);
    const since = Date.now();
    const first = await pollFor(() => [...ctx.fakes, ctx.shared].flatMap((f) => f.messagesSince(since, "ae-tree"))[0], windowMs, ctx.signal);
    return [
      finding(
        first !== undefined,
        "KV-AE-1",
        `an ae-tree request reaches a fake member within ${windowMs} ms (interval ${interval ?? "undeclared"} ms, ${listening} of ${candidates} live members are fake)`,
        first ? `after ${first.at - since} ms` : "none arrived",
      ),
    ];
  },
};

/** Asks for the root with a hash that cannot match, then for every leaf's entries, pushing one of its own. */
const answersSessions: ConformanceCase = {
  name: "answers anti-entropy sessions",
  requirements: ["KV-AE-2", "KV-AE-3"],
  needs: ["admin", "kv"],
  async run(ctx) {
    const held = `conformance/${ctx.memberId("ae-held")}`;
    await ctx.tell([], [entry(held, "held", Date.now())]);
    await pollFor(async () => ((await valueOf(ctx, held)) === "held" ? true : undefined), 3000, ctx.signal);
    const tree = await ctx.send({
      v: WIRE_VERSION,
      type: "ae-tree",
      from: ctx.driver.peer,
      session: 77,
      level: 0,
      nodes: [{ index: 0, hash: "0000000000000000" }],
    });
    const treeOk = tree.kind === "reply" && tree.message.type === "ae-tree" && tree.message.level === 1 && tree.message.nodes.length === MERKLE_FANOUT;
    const pushed = `conformance/${ctx.memberId("ae-pushed")}`;
    const leaves = Array.from({ length: MERKLE_FANOUT ** MERKLE_DEPTH }, (_, i) => i);
    const entries = await ctx.send({
      v: WIRE_VERSION,
      type: "ae-entries",
      from: ctx.driver.peer,
      session: 77,
      leaves,
      entries: [entry(pushed, "pushed", Date.now())],
      want: true,
    });
    const returned = entries.kind === "reply" && entries.message.type === "ae-entries" ? entries.message.entries : undefined;
    const merged = await pollFor(async () => ((await valueOf(ctx, pushed)) === "pushed" ? true : undefined), 3000, ctx.signal);
    const gaveHeld = returned?.some((e) => e.key === held) ?? false;
    return [
      finding(
        treeOk,
        "KV-AE-2",
        `ae-tree level 1 with the ${MERKLE_FANOUT} children of the differing root`,
        tree.kind === "reply" && tree.message.type === "ae-tree"
          ? `ae-tree level ${tree.message.level} with ${tree.message.nodes.length} node(s)`
          : describeOutcome(tree),
      ),
      finding(
        gaveHeld && merged === true,
        "KV-AE-3",
        `ae-entries carrying ${held}; ${pushed} stored`,
        `${returned ? `${returned.length} entries returned, ${gaveHeld ? "including" : "without"} ${held}` : describeOutcome(entries)}; ${pushed} ${merged ? "stored" : "not stored"}`,
      ),
    ];
  },
};

/**
 * A year-ahead version rumored to the node, then a write through its admin API to the same key.
 * A node that rejects or clamps far-future versions stamps the write with its own time and keeps
 * it; one whose clock took the far-future wall stamps the write a year ahead (or loses it to the
 * rumor). Either way the rumor is about a key of its own, so no other case sees it.
 */
const boundedClock: ConformanceCase = {
  name: "a far-future version does not pin the clock",
  requirements: ["KV-CLOCK-1"],
  needs: ["admin", "kv"],
  async run(ctx) {
    const key = `conformance/${ctx.memberId("clock")}`;
    const yearMs = 365 * 24 * 3600 * 1000;
    await ctx.tell([], [entry(key, "from the future", Date.now() + yearMs)]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = Date.now();
    const written = await ctx.sut.admin!.kvPut(key, "now");
    const aheadMs = written.version.wall - before;
    const held = await valueOf(ctx, key);
    return [
      finding(
        aheadMs < 60_000 && held === "now",
        "KV-CLOCK-1",
        "a write after a year-ahead rumor is stamped within 60 s of the node's time and is what the key holds",
        `stamped ${aheadMs >= 0 ? `${Math.round(aheadMs / 1000)} s ahead` : `${Math.round(-aheadMs / 1000)} s behind`}; the key holds ${JSON.stringify(held)}`,
      ),
    ];
  },
};

export const KV_CASES: ConformanceCase[] = [rumor, lastWriterWins, startsSessions, answersSessions, boundedClock];
