// The checkers on hand-built histories: each verdict follows from records written out here, not from a run.
import t from "tap";
import { CheckContext, runCheck } from "../../../harness/checks/index.js";
import type { HistoryRecord } from "../../../specs/history/history.js";
import { Check } from "../../../specs/scenario/scenario.js";
import { CheckResult } from "../../../specs/report/summary.js";

const T0 = 1_000_000;
const nodes = ["n1", "n2", "n3"];

/** A small history builder: times are ms after T0. */
function history() {
  const records: HistoryRecord[] = [];
  let seq = 0;
  const h = {
    records,
    start() {
      records.push({
        t: T0,
        scenario: "s",
        type: "scenario-start",
        source: "harness",
        nodes,
        config: { probeIntervalMs: 200, suspicionMult: 4, suspicionMaxTimeoutMult: 6 },
        seed: 1,
        toxiproxy: "embedded",
        file: "f.yaml",
        description: "d",
        checks: [],
        proxies: {},
      });
      for (const n of nodes) h.up(n, 0);
      // Everyone sees everyone alive at 10 ms.
      for (const o of nodes) for (const m of nodes) h.tr(o, m, null, "alive", 0, 10);
      return h;
    },
    up(node: string, at: number) {
      records.push({ t: T0 + at, scenario: "s", type: "node-up", source: "harness", node, addr: `127.0.0.1:${7000 + Number(node.slice(1))}` });
      return h;
    },
    down(node: string, how: "crash" | "stop" | "leave", at: number) {
      records.push({ t: T0 + at, scenario: "s", type: "node-down", source: "harness", node, how });
      return h;
    },
    fault(id: number, kind: "partition" | "pause" | "loss", targets: string[], from: number, to?: number, params: Record<string, unknown> = {}) {
      records.push({ t: T0 + from, scenario: "s", type: "fault", source: "harness", phase: "start", id, kind, targets, params });
      if (to !== undefined) records.push({ t: T0 + to, scenario: "s", type: "fault", source: "harness", phase: "end", id, kind, targets, params });
      return h;
    },
    tr(
      observer: string,
      id: string,
      from: "alive" | "suspect" | "dead" | "left" | null,
      to: "alive" | "suspect" | "dead" | "left",
      incarnation: number,
      at: number,
    ) {
      records.push({ t: T0 + at, scenario: "s", type: "transition", source: `node:${observer}`, observer, seq: ++seq, id, from, to, incarnation });
      return h;
    },
    /** Any record, as written: for the kinds the helpers above do not cover. */
    add(record: Record<string, unknown>) {
      records.push({ scenario: "s", ...record } as HistoryRecord);
      return h;
    },
    end(at: number) {
      records.push({ t: T0 + at, scenario: "s", type: "scenario-end", source: "harness" });
      return h.records.sort((a, b) => a.t - b.t);
    },
  };
  return h;
}

const check = (raw: unknown, records: HistoryRecord[]) => runCheck(Check.parse(raw), new CheckContext(records));

t.test("detection measures first suspect, first dead and all dead from the crash", async (t) => {
  const records = history()
    .start()
    .down("n3", "crash", 1000)
    .tr("n1", "n3", "alive", "suspect", 0, 1300)
    .tr("n2", "n3", "alive", "suspect", 0, 1350)
    .tr("n1", "n3", "suspect", "dead", 0, 2100)
    .tr("n2", "n3", "suspect", "dead", 0, 2250)
    .end(5000);
  const r = check({ detection: { node: "n3", deadWithin: "2s" } }, records);
  t.equal(r.verdict, "pass");
  t.same(r.metrics, { firstSuspectMs: 300, firstDeadMs: 1100, allDeadMs: 1250, suspectToDeadMs: 800 });
  t.equal(check({ detection: { node: "n3", deadWithin: "2s", confirmedWithin: "800ms" } }, records).verdict, "pass", "dead 800 ms after the first suspicion");
  const slow = check({ detection: { node: "n3", deadWithin: "2s", confirmedWithin: "799ms" } }, records);
  t.equal(slow.verdict, "fail");
  t.match(slow.summary, /^first dead 800 ms after the first suspicion, bound 799 ms: the suspicion ran as if nobody confirmed it/);
  t.equal(check({ detection: { node: "n3", deadWithin: "1200ms" } }, records).verdict, "fail", "n2 at 1250 ms misses a 1200 ms bound");
  t.equal(check({ detection: { node: "n3", deadWithin: "2s", suspectWithin: "200ms" } }, records).verdict, "fail");
  t.equal(check({ detection: { node: "n2", deadWithin: "2s" } }, records).verdict, "fail", "n2 was never taken down");
});

t.test("all-dead: every live node holds every crashed node dead within the bound; the crashed are not asked", async (t) => {
  const records = history()
    .start()
    .down("n2", "crash", 1000)
    .down("n3", "crash", 1000)
    .tr("n1", "n2", "alive", "suspect", 0, 1200)
    .tr("n1", "n2", "suspect", "dead", 0, 1500)
    .tr("n1", "n3", "alive", "dead", 0, 2400)
    .end(5000);
  const r = check({ "all-dead": { nodes: ["n2", "n3"], within: "2s" } }, records);
  t.equal(r.verdict, "pass", r.summary);
  t.equal(r.name, "all-dead n2,n3");
  t.same(r.metrics, { crashed: 2, late: 0, medianAllDeadMs: 950, maxAllDeadMs: 1400 }, "n2 held dead after 500 ms, n3 after 1400 ms");
  t.match(r.summary, /^every live node held all 2 crashed nodes dead within 1400 ms \(median 950 ms, bound 2000 ms\)/);
  t.equal(r.evidence[0]!.member, "n3", "the slowest first");
  const late = check({ "all-dead": { nodes: ["n2", "n3"], within: "1s" } }, records);
  t.equal(late.verdict, "fail");
  t.match(late.summary, /^n3 not held dead by every live node within 1000 ms/);
  t.same(late.metrics, { crashed: 2, late: 1, medianAllDeadMs: 500, maxAllDeadMs: null }, "n3 is not counted as found within the bound");
  t.match(late.evidence[0]!.detail, /^n1 did not mark n3 dead within 1000 ms/);
  const never = check({ "all-dead": { nodes: ["n1", "n2"], within: "2s" } }, records);
  t.equal(never.verdict, "fail");
  t.match(never.summary, /^n1 never crashed or paused/);
});

t.test("a dead verdict about a healthy node is a false positive; about a crashed, paused or partitioned one it is not", async (t) => {
  const clean = history()
    .start()
    .down("n3", "crash", 1000)
    .tr("n1", "n3", "alive", "dead", 0, 2000)
    .fault(1, "pause", ["n2"], 3000, 6000)
    .tr("n1", "n2", "alive", "dead", 0, 5000)
    .tr("n1", "n2", "dead", "alive", 1, 6500)
    .end(9000);
  const ok = check({ "no-false-positives": {} }, clean);
  t.equal(ok.verdict, "pass", ok.summary);
  t.equal(ok.metrics.deadFalsePositives, 0);

  const wrong = history().start().tr("n1", "n2", "alive", "suspect", 0, 8000).tr("n1", "n2", "suspect", "dead", 0, 9000).end(10_000);
  const fp = check({ "no-false-positives": {} }, wrong);
  t.equal(fp.verdict, "fail");
  t.same([fp.metrics.deadFalsePositives, fp.metrics.suspectFalsePositives], [1, 1]);
  t.match(fp.evidence[0], { observer: "n1", member: "n2", atMs: 9000 });
  t.ok(fp.metrics.deadPerMemberHour! > 0);
  t.equal(
    check({ "no-false-positives": { maxSuspect: 0 } }, history().start().tr("n1", "n2", "alive", "suspect", 0, 8000).end(9000)).verdict,
    "fail",
    "a suspicion fails only when a bound is set",
  );
  t.equal(check({ "no-false-positives": {} }, history().start().tr("n1", "n2", "alive", "suspect", 0, 8000).end(9000)).verdict, "pass");

  const partitioned = history().start().fault(1, "partition", ["n1", "n2"], 1000, 4000).tr("n1", "n2", "alive", "dead", 0, 3000).end(5000);
  t.equal(check({ "no-false-positives": {} }, partitioned).verdict, "pass", "a partitioned member's death is not a false positive");
  const lossy = history().start().fault(1, "loss", ["n1", "n2", "n3"], 1000, 8000).tr("n1", "n2", "alive", "dead", 0, 7000).end(9000);
  t.equal(check({ "no-false-positives": {} }, lossy).verdict, "fail", "loss leaves a member healthy: its death is a false positive");
  const soonAfter = history().start().fault(1, "pause", ["n2"], 1000, 2000).tr("n1", "n2", "alive", "dead", 0, 3000).end(9000);
  t.equal(check({ "no-false-positives": {} }, soonAfter).verdict, "pass", "within the horizon after a pause, a death is explained");
});

t.test("converged: every running node holds exactly the running nodes alive", async (t) => {
  const records = history().start().down("n3", "crash", 1000).tr("n1", "n3", "alive", "dead", 0, 2000).tr("n2", "n3", "alive", "dead", 0, 2600).end(4000);
  const r = check({ converged: { within: "2s" } }, records);
  t.equal(r.verdict, "pass");
  t.equal(r.metrics.convergenceMs, 1600, "converged when the last view dropped n3");
  t.match(
    r.evidence,
    [
      { atMs: 0, tookMs: 10 },
      { atMs: 1000, tookMs: 1600 },
    ],
    "each change's time to convergence is carried as a number, for the chart",
  );
  t.equal(check({ converged: { within: "1s" } }, records).verdict, "fail");
  const notAtEnd = history()
    .start()
    .down("n3", "crash", 1000)
    .tr("n1", "n3", "alive", "dead", 0, 1500)
    .tr("n2", "n3", "alive", "dead", 0, 1500)
    .tr("n2", "n1", "alive", "suspect", 0, 3000)
    .end(4000);
  t.match(check({ converged: { within: "2s" } }, notAtEnd), { verdict: "fail", summary: /not at the end: n2 does not hold n1 alive/ });
  const paused = new CheckContext(history().start().fault(1, "pause", ["n2"], 1000).end(3000));
  t.same(paused.views.convergedAt(T0 + 2000), { ok: false, reason: "a node is paused or throttled" });
});

t.test("a check keeps every measurement but only the first 200 other facts, and says how many it left out", async (t) => {
  const flapping = history().start();
  // 300 false suspicions, each refuted: 600 verdicts, 300 of them false.
  for (let i = 0; i < 300; i++) flapping.tr("n1", "n2", "alive", "suspect", i, 1000 + 10 * i).tr("n1", "n2", "suspect", "alive", i + 1, 1005 + 10 * i);
  const fp = check({ "no-false-positives": { maxSuspect: 0 } }, flapping.end(10_000));
  t.equal(fp.metrics.suspectFalsePositives, 300, "the count is whole");
  t.equal(fp.evidence.length, 200);
  t.equal(fp.evidenceOmitted, 100);
  t.equal(CheckResult.parse(fp).evidenceOmitted, 100, "summary.json's schema carries the count");

  const crash = history().start().down("n3", "crash", 1000).tr("n1", "n3", "alive", "dead", 0, 2000).tr("n2", "n3", "alive", "dead", 0, 2100).end(5000);
  const detection = check({ detection: { node: "n3", deadWithin: "5s" } }, crash);
  t.equal(detection.evidence.length, 2);
  t.equal(detection.evidenceOmitted, undefined, "nothing left out when nothing is over the limit");
});

t.test("heal and split: the sides hold each other dead during a partition, and re-form after", async (t) => {
  const h = history().start().fault(1, "partition", ["n1", "n2", "n3"], 1000, 5000);
  for (const [a, b] of [
    ["n1", "n3"],
    ["n2", "n3"],
    ["n3", "n1"],
    ["n3", "n2"],
  ] as const)
    h.tr(a, b, "alive", "dead", 0, 3000);
  for (const [a, b] of [
    ["n1", "n3"],
    ["n2", "n3"],
    ["n3", "n1"],
    ["n3", "n2"],
  ] as const)
    h.tr(a, b, "dead", "alive", 1, 5800);
  const records = h.end(8000);
  const splitCheck = check({ split: { groups: [["n1", "n2"], ["n3"]], within: "3s" } }, records);
  t.equal(splitCheck.verdict, "pass");
  t.equal(splitCheck.metrics.splitMs, 2000);
  t.equal(check({ split: { groups: [["n1", "n2"], ["n3"]], within: "1s" } }, records).verdict, "fail");
  const healCheck = check({ heal: { within: "1s" } }, records);
  t.equal(healCheck.verdict, "pass");
  t.equal(healCheck.metrics.healTimeMs, 800);
  t.equal(check({ heal: { within: "500ms" } }, records).verdict, "fail");
});

t.test("split counts what each side holds at each instant: a verdict taken back, or a restart that empties a view, undoes it", async (t) => {
  const cut = ["n1", "n2", "n3"];
  const bothWays = [
    ["n1", "n3"],
    ["n2", "n3"],
    ["n3", "n1"],
    ["n3", "n2"],
  ] as const;
  const split = (records: HistoryRecord[]) => check({ split: { groups: [["n1", "n2"], ["n3"]], within: "6s" } }, records);

  const flip = history().start().fault(1, "partition", cut, 1000, 9000);
  for (const [a, b] of bothWays) flip.tr(a, b, "alive", "dead", 0, 2000);
  flip.tr("n1", "n3", "dead", "alive", 1, 2000).tr("n1", "n3", "alive", "dead", 1, 3500);
  t.equal(split(flip.end(10_000)).metrics.splitMs, 2500, "n1 took n3 back alive at the same instant: the split holds only when it is dead again");

  const restart = history().start().fault(1, "partition", cut, 1000, 9000);
  for (const [a, b] of bothWays) restart.tr(a, b, "alive", "dead", 0, 2000);
  restart.down("n3", "crash", 2500).up("n3", 3000).tr("n3", "n3", null, "alive", 1, 3000).tr("n3", "n1", null, "dead", 0, 3200);
  t.equal(split(restart.end(10_000)).metrics.splitMs, 1000, "held before the restart: the first instant counts");

  const reset = history().start().fault(1, "partition", cut, 1000, 9000);
  for (const [a, b] of bothWays.slice(0, 2)) reset.tr(a, b, "alive", "dead", 0, 2000);
  reset.tr("n3", "n1", "alive", "dead", 0, 1500);
  reset.down("n3", "crash", 1800).up("n3", 1900).tr("n3", "n2", null, "dead", 0, 2500).tr("n3", "n1", null, "dead", 0, 4000);
  t.equal(split(reset.end(10_000)).metrics.splitMs, 3000, "n3's verdict on n1 from before its restart does not count; its new one at 4 s does");
  t.equal(check({ split: { groups: [["n1", "n2"], ["n3"]], within: "2500ms" } }, reset.records).verdict, "fail", "and within 2.5 s it had not split");
});

t.test("suspicions counted as episodes: one span of suspicion however many nodes hold it; except leaves a member out", async (t) => {
  // n2 suspected by n1 and then by n3 while n1 still holds it (one episode), refuted by both; then
  // suspected again by n3 (a second). n1 suspected once by n2 (a third, about another member).
  const spread = history()
    .start()
    .tr("n1", "n2", "alive", "suspect", 0, 1000)
    .tr("n3", "n2", "alive", "suspect", 0, 1100)
    .tr("n1", "n2", "suspect", "alive", 1, 1300)
    .tr("n3", "n2", "suspect", "alive", 1, 1350)
    .tr("n3", "n2", "alive", "suspect", 1, 2000)
    .tr("n3", "n2", "suspect", "alive", 2, 2100)
    .tr("n2", "n1", "alive", "suspect", 0, 2500)
    .tr("n2", "n1", "suspect", "alive", 1, 2600)
    .end(3000);
  t.match(check({ suspicions: { max: 10 } }, spread), { verdict: "pass", metrics: { suspicions: 4 } }, "verdicts: one per observer");
  t.match(check({ suspicions: { max: 2, count: "episodes" } }, spread), { verdict: "fail", metrics: { suspicions: 3 } }, "episodes: 2 of n2, 1 of n1");
  const butN1 = check({ suspicions: { except: ["n1"], max: 2, count: "episodes" } }, spread);
  t.match(butN1, { name: "suspicions but n1", verdict: "pass", metrics: { suspicions: 2 } });
  t.match(butN1.summary, /2 suspicion episodes about members other than n1 \(at most 2\)/);

  // An observer that crashes while it holds n2 suspect holds nothing after: the next suspicion opens a new episode.
  const crashed = history().start().tr("n1", "n2", "alive", "suspect", 0, 1000).down("n1", "crash", 1200).tr("n3", "n2", "alive", "suspect", 0, 1500).end(3000);
  t.match(check({ suspicions: { max: 5, count: "episodes" } }, crashed), { metrics: { suspicions: 2 } });

  const dead = history().start().tr("n2", "n1", "alive", "dead", 0, 1000).tr("n1", "n3", "alive", "dead", 0, 1100).end(3000);
  t.match(check({ deaths: { except: ["n1"], max: 0 } }, dead), { name: "deaths but n1", verdict: "fail", metrics: { deadVerdicts: 1 } });
  t.match(check({ deaths: { except: ["n1", "n3"], max: 0 } }, dead), { verdict: "pass", metrics: { deadVerdicts: 0 } });
  t.throws(() => Check.parse({ suspicions: { nodes: ["n1"], except: ["n2"], max: 0 } }), /give nodes or except, not both/);
});

t.test("left, never-dead, suspicions, rejoined and flaps", async (t) => {
  const leave = history().start().down("n2", "leave", 1000).tr("n1", "n2", "alive", "left", 0, 1200).tr("n3", "n2", "alive", "left", 0, 1400).end(3000);
  t.match(check({ left: { node: "n2", within: "1s" } }, leave), { verdict: "pass", metrics: { leftMs: 400 } });
  const leftThenDead = history().start().down("n2", "leave", 1000).tr("n1", "n2", "alive", "dead", 0, 1200).tr("n3", "n2", "alive", "left", 0, 1400).end(3000);
  t.equal(check({ left: { node: "n2", within: "1s" } }, leftThenDead).verdict, "fail");
  t.equal(check({ "never-dead": { nodes: ["n2"] } }, leftThenDead).verdict, "fail");
  t.equal(check({ "never-dead": { nodes: ["n1"] } }, leftThenDead).verdict, "pass");

  const flappy = history()
    .start()
    .tr("n1", "n2", "alive", "suspect", 0, 1000)
    .tr("n1", "n2", "suspect", "alive", 1, 1300)
    .tr("n3", "n2", "alive", "suspect", 1, 2000)
    .end(3000);
  t.match(check({ suspicions: { max: 1 } }, flappy), { verdict: "fail", metrics: { suspicions: 2 } });
  t.equal(check({ suspicions: { nodes: ["n1"], max: 0 } }, flappy).verdict, "pass");
  t.match(check({ flaps: {} }, flappy), { verdict: "info", metrics: { flaps: 1 } });

  // The quiet period starts when the cluster first converges: n3 joins at 500 ms and is first seen alive by all at 900 ms.
  const joining = history().start();
  joining.records.splice(
    joining.records.findIndex((r) => r.type === "transition" && r.observer === "n1" && r.id === "n3"),
    1,
  );
  const startupThenQuiet = joining
    .tr("n1", "n3", null, "suspect", 0, 400)
    .tr("n1", "n3", "suspect", "alive", 1, 900)
    .tr("n2", "n1", "alive", "suspect", 0, 2000)
    .tr("n2", "n1", "suspect", "alive", 1, 2100)
    .end(3000);
  const counted = check({ suspicions: { max: 0 } }, startupThenQuiet);
  t.match(counted, { verdict: "fail", metrics: { suspicions: 1, startupSuspicions: 1 } }, "the suspicion after convergence counts");
  t.match(counted.summary, /1 more during start-up, before the cluster first converged at \+900 ms \(not counted\)/);
  const startupOnly = check({ suspicions: { nodes: ["n3"], max: 0 } }, startupThenQuiet);
  t.match(startupOnly, { verdict: "pass", metrics: { suspicions: 0, startupSuspicions: 1 } }, "a start-up suspicion alone is reported, not counted");
  t.equal(check({ flaps: { max: 0 } }, flappy).verdict, "fail");

  const back = history()
    .start()
    .fault(1, "pause", ["n2"], 1000, 6000)
    .tr("n1", "n2", "alive", "dead", 0, 4000)
    .tr("n3", "n2", "alive", "dead", 0, 4100)
    .tr("n1", "n2", "dead", "alive", 1, 6200)
    .tr("n3", "n2", "dead", "alive", 1, 6300)
    .end(8000);
  t.match(check({ rejoined: { node: "n2", within: "1s" } }, back), { verdict: "pass", metrics: { rejoinMs: 300 } });
  const sameIncarnation = history()
    .start()
    .fault(1, "pause", ["n2"], 1000, 6000)
    .tr("n1", "n2", "alive", "dead", 3, 4000)
    .tr("n1", "n2", "dead", "alive", 3, 6200)
    .end(8000);
  t.equal(
    check({ rejoined: { node: "n2", within: "1s" } }, sameIncarnation).verdict,
    "fail",
    "alive again at the incarnation it died with is not a refutation",
  );
});

t.test("a restarted node's view starts again from nothing", async (t) => {
  const records = history().start().down("n2", "crash", 1000).up("n2", 1500).tr("n2", "n2", null, "alive", 0, 1600).end(3000);
  const ctx = new CheckContext(records);
  t.same([...ctx.views.viewAt("n2", T0 + 2000).keys()], ["n2"], "only what the new process has seen");
  t.equal(ctx.views.viewAt("n1", T0 + 2000).size, 3);
});

t.test("key-value checks: no data loss, digest agreement, dissemination", async (t) => {
  const v = (wall: number, node = "n1") => ({ wall, logical: 0, node });
  const h = history().start();
  const add = (r: Record<string, unknown>) => h.add(r);
  add({ t: T0 + 1000, type: "kv-write", source: "harness", node: "n1", key: "a", value: "1", version: v(T0 + 1000) });
  add({ t: T0 + 1100, type: "kv-write", source: "harness", node: "n2", key: "b", value: "2", version: v(T0 + 1100, "n2") });
  let seq = 100;
  for (const [observer, key, at] of [
    ["n1", "a", 1000],
    ["n2", "a", 1050],
    ["n3", "a", 1200],
    ["n2", "b", 1100],
    ["n1", "b", 1300],
  ] as const) {
    add({
      t: T0 + at,
      type: "kv-applied",
      source: `node:${observer}`,
      observer,
      seq: seq++,
      key,
      version: v(T0 + (key === "a" ? 1000 : 1100), key === "a" ? "n1" : "n2"),
      origin: "rumor",
    });
  }
  for (const [observer, root, at] of [
    ["n1", "x", 1500],
    ["n2", "x", 1500],
    ["n3", "y", 1500],
    ["n3", "x", 2500],
  ] as const) {
    add({ t: T0 + at, type: "kv-digest", source: "observer", observer, root, keys: 2, entries: 2 });
  }
  const full = [
    { key: "a", value: "1", version: v(T0 + 1000) },
    { key: "b", value: "2", version: v(T0 + 1100, "n2") },
  ];
  add({ t: T0 + 2900, type: "kv-snapshot", source: "observer", observer: "n1", entries: full });
  add({ t: T0 + 2900, type: "kv-snapshot", source: "observer", observer: "n2", entries: full });
  add({ t: T0 + 2900, type: "kv-snapshot", source: "observer", observer: "n3", entries: [full[0]!, { key: "b", value: "old", version: v(T0 + 5, "n3") }] });
  const records = h.end(3000);

  const loss = check({ "no-data-loss": {} }, records);
  t.match(loss, { verdict: "fail", metrics: { acknowledgedWrites: 2, lostWrites: 1 } });
  t.match(loss.evidence[0], { observer: "n3", detail: /lacks b@/ });
  t.match(
    check({ "kv-converged": { within: "2s" } }, records),
    { verdict: "pass", metrics: { kvConvergenceMs: 1400 } },
    "n3's digest agreed at 2.5 s, 1.4 s after the last write",
  );
  t.equal(check({ "kv-converged": { within: "1s" } }, records).verdict, "fail");
  const spread = check({ dissemination: {} }, records);
  t.match(spread, { verdict: "info", metrics: { writes: 2, completeWrites: 1 } }, "b never reached n3");
  t.equal(spread.name, "dissemination", "named the same whatever the outcome, so runs compare");
  t.match(spread.summary, /^incomplete delivery: 1 of 2 writes reached every node/);
  t.equal(check({ dissemination: { complete: true } }, records).verdict, "fail");
});

t.test("dissemination counts from when the write was made, not from when the harness heard the acknowledgement", async (t) => {
  const h = history().start();
  const add = (r: Record<string, unknown>) => h.add(r);
  const version = { wall: T0 + 1000, logical: 0, node: "n1" };
  // The writer stored it at 1000; the acknowledgement reached the harness 200 ms later (a busy machine).
  add({ t: T0 + 1200, type: "kv-write", source: "harness", node: "n1", key: "k", value: "v", version });
  let seq = 1;
  for (const [observer, at] of [
    ["n1", 1000],
    ["n2", 1040],
    ["n3", 1090],
  ] as const) {
    add({ t: T0 + at, type: "kv-applied", source: `node:${observer}`, observer, seq: seq++, key: "k", version, origin: observer === "n1" ? "local" : "rumor" });
  }
  const r = check({ dissemination: { complete: true } }, h.end(3000));
  t.match(r, { verdict: "pass", metrics: { completeWrites: 1, fullSpreadP50Ms: 90 } });
});

t.test("incarnation-order: an observer never moves a member to a lower incarnation while it lives", async (t) => {
  const refuted = history()
    .start()
    .tr("n1", "n2", "alive", "suspect", 0, 1000)
    .tr("n1", "n2", "suspect", "alive", 1, 1200)
    .tr("n1", "n2", "alive", "dead", 1, 3000)
    .end(4000);
  t.match(check({ "incarnation-order": {} }, refuted), { verdict: "pass", metrics: { staleMerges: 0 } });
  // A stale dead(0) believed after alive(1): merged by arrival order.
  const stale = history()
    .start()
    .tr("n1", "n2", "alive", "suspect", 0, 1000)
    .tr("n1", "n2", "suspect", "alive", 1, 1200)
    .tr("n1", "n2", "alive", "dead", 0, 2000)
    .end(4000);
  const r = check({ "incarnation-order": {} }, stale);
  t.match(r, { verdict: "fail", summary: /^1 transitions to a lower incarnation/, metrics: { staleMerges: 1 } });
  t.match(r.evidence, [{ observer: "n1", member: "n2", atMs: 2000, detail: "moved n2 to dead at incarnation 0, below the 1 it held" }]);
  // The evidence names what was held when the stale update came, not what came later.
  const later = history()
    .start()
    .tr("n1", "n2", "alive", "alive", 1, 1200)
    .tr("n1", "n2", "alive", "dead", 0, 2000)
    .tr("n1", "n2", "dead", "alive", 2, 2500)
    .end(4000);
  t.match(check({ "incarnation-order": {} }, later).evidence, [{ atMs: 2000, detail: "moved n2 to dead at incarnation 0, below the 1 it held" }]);
  // A restarted observer learns the member afresh: a lower incarnation than its earlier process held is no stale merge.
  const restarted = history()
    .start()
    .tr("n1", "n2", "alive", "alive", 3, 1000)
    .down("n1", "crash", 1500)
    .up("n1", 2000)
    .tr("n1", "n2", null, "alive", 0, 2100)
    .end(4000);
  t.equal(check({ "incarnation-order": {} }, restarted).verdict, "pass");
});

t.test("converged counts a new node from when it said it was ready, not from its spawn (boot time is not the protocol's)", async (t) => {
  const h = history().start();
  // n3 is restarted: spawned at 1000 ms, ready at 2500 ms (a slow boot on a busy machine), held alive by both others at 2900 ms.
  h.down("n3", "crash", 500);
  h.records.push({ t: T0 + 1000, scenario: "s", type: "node-up", source: "harness", node: "n3", addr: "127.0.0.1:7003", readyAt: T0 + 2500 });
  h.tr("n1", "n3", "alive", "dead", 0, 900).tr("n2", "n3", "alive", "dead", 0, 900).tr("n3", "n3", null, "alive", 1, 1100);
  h.tr("n3", "n1", null, "alive", 0, 2600).tr("n3", "n2", null, "alive", 0, 2600);
  const records = h.tr("n1", "n3", "dead", "alive", 1, 2900).tr("n2", "n3", "dead", "alive", 1, 2900).end(5000);
  const r = check({ converged: { within: "1s" } }, records);
  t.equal(r.metrics.convergenceMs, 400, "400 ms from ready, where 1 900 ms from the spawn would fail the 1 s bound");
  t.equal(r.verdict, "pass");
});

t.test("key-value checks never pass on nothing: no acknowledged write, or a node whose store was never read", async (t) => {
  const none = history().start().end(3000);
  for (const spec of [{ "no-data-loss": {} }, { "kv-converged": { within: "2s" } }, { dissemination: { complete: true } }] as const) {
    t.match(check(spec, none), { verdict: "fail", summary: /no acknowledged write in this scenario: nothing to check/ }, Object.keys(spec)[0]!);
  }
  t.not(check({ dissemination: {} }, none).verdict, "pass", "the informational curve is not a pass either");

  const h = history().start();
  const add = (r: Record<string, unknown>) => h.add(r);
  const version = { wall: T0 + 1000, logical: 0, node: "n1" };
  add({ t: T0 + 1000, type: "kv-write", source: "harness", node: "n1", key: "k", value: "v", version });
  // n1 and n2 were read at the end; n3 runs but no snapshot of it was recorded.
  for (const observer of ["n1", "n2"]) add({ t: T0 + 2900, type: "kv-snapshot", source: "observer", observer, entries: [{ key: "k", value: "v", version }] });
  const r = check({ "no-data-loss": {} }, h.end(3000));
  t.match(r, { verdict: "fail", summary: "no final key-value snapshot of n3: what they hold is unknown" });
});

t.test("kv-clock: each write's stamp against the clock of the node that took it, a clock step's offset included", async (t) => {
  const HOUR = 3_600_000;
  const h = history().start();
  const add = (r: Record<string, unknown>) => h.add(r);
  const write = (at: number, node: string, wall: number) =>
    add({ t: T0 + at, type: "kv-write", source: "harness", node, key: `k${at}`, value: "v", version: { wall, logical: 0, node } });
  // n1's clock runs an hour ahead from 500 ms to 2 s: its write then is stamped by that clock, honestly.
  add({ t: T0 + 500, type: "step", source: "harness", phase: "start", index: 1, kind: "clock", args: { node: "n1", ahead: HOUR } });
  write(1000, "n1", T0 + 1000 + HOUR);
  add({ t: T0 + 2000, type: "step", source: "harness", phase: "start", index: 2, kind: "clock", args: { node: "n1", ahead: 0 } });
  write(2500, "n2", T0 + 2500);
  t.match(check({ "kv-clock": { within: "1m" } }, h.end(3000)), { verdict: "pass", metrics: { acknowledgedWrites: 2, offWrites: 0, worstSkewMs: 0 } });
  // n3 took n1's hour and stamps its own write with it.
  write(2600, "n3", T0 + 1000 + HOUR + 1);
  const dragged = check({ "kv-clock": { within: "1m" } }, h.end(3000));
  t.match(dragged, { verdict: "fail", metrics: { offWrites: 1 } });
  t.match(dragged.summary, /1 of 3 writes stamped more than 60000 ms away from their node's clock, by n3/);
  // A stamp behind its node's clock is as wrong as one ahead.
  const behind = history().start();
  behind.add({
    t: T0 + 1000,
    type: "kv-write",
    source: "harness",
    node: "n2",
    key: "k",
    value: "v",
    version: { wall: T0 + 1000 - HOUR, logical: 0, node: "n2" },
  });
  t.match(check({ "kv-clock": { within: "1m" } }, behind.end(3000)), { verdict: "fail", summary: /by n2/ });
  t.match(check({ "kv-clock": { within: "1m" } }, history().start().end(3000)), { verdict: "fail", summary: /nothing to check/ });
});

t.test("quiet: exchanges per running node per probe period over the last window, against the one probe SWIM needs", async (t) => {
  const traffic = (rates: number[]) => {
    // One sample a second; `rates[i]` exchanges per node per 200 ms period during second i (3 nodes).
    const h = history().start();
    let total = 0;
    h.add({ t: T0, type: "traffic", source: "harness", exchanges: 0 });
    rates.forEach((rate, i) => {
      total += rate * 3 * 5;
      h.add({ t: T0 + (i + 1) * 1000, type: "traffic", source: "harness", exchanges: total });
    });
    return h.end(rates.length * 1000);
  };
  // A busy start (joins spreading), then one exchange per node per period.
  const settles = traffic([6, 5, 4, 1, 1, 1, 1]);
  t.match(check({ quiet: { window: "4s", max: 2, period: 200 } }, settles), { verdict: "pass", metrics: { exchangesPerNodePeriod: 1, quietRatio: 1 } });
  t.match(
    check({ quiet: { window: "4s", max: 2, period: 200 } }, settles).summary,
    /1\.00 exchanges per node per probe period over the last 4000 ms: 1\.00 × what the failure detector alone needs/,
  );
  t.match(check({ quiet: { window: "6s", max: 2, period: 200 } }, settles), { verdict: "fail" }, "a window reaching back into the busy start");
  const never = traffic([6, 5, 4, 4, 4, 4, 4]);
  t.match(check({ quiet: { window: "4s", max: 2, period: 200 } }, never), { verdict: "fail", metrics: { quietRatio: 4 } }, "gossip that never stops");
  t.match(check({ quiet: { window: "10s", max: 2, period: 200 } }, settles), { verdict: "fail", summary: /less than the 10000 ms window: nothing to judge/ });
  t.match(
    check({ quiet: { window: "4s", max: 2, period: 200 } }, history().start().end(7000)),
    { verdict: "skip", summary: /were not counted in this run/ },
    "no samples: SKIP, not PASS",
  );
});

t.test(
  "health: each node's climb in Lifeguard local health from the first fault after start-up, against max; SKIP where no node shows one, and under φ",
  async (t) => {
    /** Readings as [node, ms, score]; the cluster converges at 10 ms and n3 crashes at 500 ms. */
    const readings = (list: [string, number, number][]) => {
      const h = history().start().down("n3", "crash", 500);
      for (const [node, at, score] of list) h.add({ t: T0 + at, type: "health", source: "observer", node, score });
      return h.end(2000);
    };
    // n1 doubted itself at start-up and comes down after the crash; n2 missed one nack and recovered.
    const calm = readings([
      ["n1", 100, 2],
      ["n1", 600, 1],
      ["n1", 800, 0],
      ["n2", 100, 0],
      ["n2", 700, 1],
      ["n2", 900, 0],
    ]);
    t.match(check({ health: { max: 1 } }, calm), { verdict: "pass", metrics: { maxRise: 1, maxHealth: 2, nodesOverMax: 0, nodesShown: 2 } });
    t.match(check({ health: { max: 0 } }, calm), { verdict: "fail", metrics: { nodesOverMax: 1 } }, "n2's one point is a climb of 1");
    const doubting = readings([
      ["n1", 100, 0],
      ["n1", 700, 2],
      ["n1", 900, 1],
      ["n2", 100, 1],
      ["n2", 600, 0],
      ["n2", 800, 3],
    ]);
    const failed = check({ health: { max: 1 } }, doubting);
    t.match(failed, { verdict: "fail", metrics: { maxRise: 3, maxHealth: 3, nodesOverMax: 2 } });
    t.match(
      failed.summary,
      /^n2, n1 raised their local health by more than 1: they took failed probes for their own fault \(largest climb 3 over 2 nodes from \+500 ms, at most 1; highest score 3\)$/,
    );
    t.same(
      failed.evidence.map((e) => [e.observer, e.atMs]),
      [
        ["n2", 800],
        ["n1", 700],
      ],
      "the largest climb first, each at its peak",
    );
    t.match(
      check(
        { health: { max: 1 } },
        readings([
          ["n2", 600, 2],
          ["n2", 800, 1],
        ]),
      ),
      { verdict: "pass", metrics: { maxRise: 0 } },
      "a node first read after the fault starts from its first reading",
    );
    t.match(
      check({ health: { max: 1 } }, history().start().end(2000)),
      { verdict: "skip", summary: /no node showed a local health score/ },
      "no readings: SKIP, not PASS",
    );
    const phi = readings([["n1", 600, 5]]);
    (phi[0] as { config: Record<string, unknown> }).config.detector = "phi";
    t.match(check({ health: { max: 1 } }, phi), { verdict: "skip", summary: /keeps no local health/ });
  },
);

t.test("kv-converged counts only digests sampled after the last write, and reports from the last write", async (t) => {
  const h = history().start();
  const add = (r: Record<string, unknown>) => h.add(r);
  // Every node agreed at 900 ms, before the write at 1000 ms: that says nothing about the store after it.
  for (const observer of ["n1", "n2", "n3"]) add({ t: T0 + 900, type: "kv-digest", source: "observer", observer, root: "old", keys: 0, entries: 0 });
  add({ t: T0 + 1000, type: "kv-write", source: "harness", node: "n1", key: "k", value: "v", version: { wall: T0 + 1000, logical: 0, node: "n1" } });
  t.match(check({ "kv-converged": { within: "1500ms" } }, h.end(2000)), { verdict: "fail" }, "no digest sampled since the write: not converged");
  // After it, n1 and n2 were sampled at 1.2 s, n3 only at 1.7 s.
  for (const observer of ["n1", "n2"]) add({ t: T0 + 1200, type: "kv-digest", source: "observer", observer, root: "new", keys: 1, entries: 1 });
  t.match(check({ "kv-converged": { within: "1500ms" } }, h.end(2000)), { verdict: "fail" }, "n3's sample from before the write does not count");
  add({ t: T0 + 1700, type: "kv-digest", source: "observer", observer: "n3", root: "new", keys: 1, entries: 1 });
  const agreed = check({ "kv-converged": { within: "1500ms" } }, h.end(2000));
  t.match(agreed, { verdict: "pass", metrics: { kvConvergenceMs: 700 } }, "all three agree at 1.7 s: 700 ms after the write");
});

t.test("dissemination's percentiles are the tool's one definition (the middle of two is their mean)", async (t) => {
  const h = history().start();
  const add = (r: Record<string, unknown>) => h.add(r);
  let seq = 1;
  for (const [key, spreadMs] of [
    ["a", 100],
    ["b", 300],
  ] as const) {
    const version = { wall: T0 + 1000, logical: 0, node: "n1" };
    add({ t: T0 + 1000, type: "kv-write", source: "harness", node: "n1", key, value: "v", version });
    for (const observer of ["n1", "n2", "n3"])
      add({
        t: T0 + 1000 + (observer === "n3" ? spreadMs : 0),
        type: "kv-applied",
        source: `node:${observer}`,
        observer,
        seq: seq++,
        key,
        version,
        origin: "rumor",
      });
  }
  t.match(check({ dissemination: { complete: true } }, h.end(3000)), { verdict: "pass", metrics: { completeWrites: 2, fullSpreadP50Ms: 200 } });
});

t.test("no-false-positives judges reachability per observer and member: isolating n3 excuses no verdict between n1 and n2", async (t) => {
  // isolate n3, as the engine records it: n3 hears nobody, and nobody hears n3.
  const grudge = { n3: ["n1", "n2"], n1: ["n3"], n2: ["n3"] };
  const isolated = () => history().start().fault(1, "partition", nodes, 1000, 6000, { grudge });
  const aboutN3 = isolated().tr("n1", "n3", "alive", "dead", 0, 4000).tr("n3", "n1", "alive", "dead", 0, 4000).end(8000);
  t.match(check({ "no-false-positives": {} }, aboutN3), { verdict: "pass" }, "verdicts across the cut are excused");
  const aboutN2 = isolated().tr("n1", "n2", "alive", "dead", 0, 4000).end(8000);
  t.match(check({ "no-false-positives": {} }, aboutN2), { verdict: "fail", metrics: { deadFalsePositives: 1 } }, "n1–n2 was never cut");
  // A one-way cut counts for the pair in both directions (an ack is a message too).
  const oneWay = history()
    .start()
    .fault(1, "partition", ["n1", "n2"], 1000, 6000, { grudge: { n2: ["n1"] } })
    .tr("n2", "n1", "alive", "suspect", 0, 3000)
    .end(8000);
  t.match(check({ "no-false-positives": { maxSuspect: 0 } }, oneWay), { verdict: "pass" });
});
