// The wire audit: each message held to the catalogue's rule against its sender's view then, and the
// `wire` check that judges the audit's records (and is SKIP where no engine audited).
import t from "tap";
import { judge } from "../../../harness/checks/judge.js";
import { runCheck } from "../../../harness/checks/index.js";
import { WireAudit } from "../../../harness/sim/wire-audit.js";
import type { HistoryRecord } from "../../../specs/history/history.js";
import type { MemberState, Message } from "../../../specs/wire/messages.js";

const peer = (id: string) => ({ id, addr: `${id}.sim:7000` });
const ping = (from: string, target: string, updates: Extract<Message, { type: "ping" }>["updates"] = []): Message => ({
  v: 1,
  type: "ping",
  from: peer(from),
  seq: 1,
  target,
  updates,
  kv: [],
});
const heartbeat = (from: string, generation: number, count: number): Message => ({
  v: 1,
  type: "heartbeat",
  from: peer(from),
  // Another member's count first: the audit must find the sender's own wherever it is.
  beats: [
    { id: "n9", addr: "n9.sim:7000", generation: 1, heartbeat: 99 },
    { id: from, addr: `${from}.sim:7000`, generation, heartbeat: count },
  ],
  updates: [],
  kv: [],
});
const view = (audit: WireAudit, observer: string, id: string, to: MemberState, from: MemberState | null = "alive") =>
  audit.transition({ at: 0, observer, id, from, to, incarnation: 0 });
const suspicion = (id: string) => ({ state: "suspect" as const, id, addr: `${id}.sim:7000`, incarnation: 0, by: "n1" });
const byRule = (audit: WireAudit) => Object.fromEntries(audit.records(1000).map((r) => [r.requirement, r]));

t.test("LIFEGUARD-BUDDY-1: only pings to a member the sender holds suspect are judged, by whether they carry it", async (t) => {
  const audit = new WireAudit();
  audit.sent(10, "n1", "n2", ping("n1", "n2"));
  t.match(byRule(audit)["LIFEGUARD-BUDDY-1"], { judged: 0, violations: 0 }, "n2 alive to n1: nothing to carry");
  view(audit, "n1", "n2", "suspect");
  audit.sent(20, "n1", "n2", ping("n1", "n2", [suspicion("n2")]));
  audit.sent(30, "n1", "n2", ping("n1", "n2", [suspicion("n3")]));
  audit.sent(40, "n3", "n2", ping("n3", "n2"));
  t.match(
    byRule(audit)["LIFEGUARD-BUDDY-1"],
    { judged: 2, violations: 1, examples: [{ at: 30, from: "n1", to: "n2", detail: /without suspect\(n2\)/ }] },
    "n1's ping with another member's suspicion breaks it; n3 does not suspect n2",
  );
  view(audit, "n1", "n2", "alive", "suspect");
  audit.sent(50, "n1", "n2", ping("n1", "n2"));
  t.match(byRule(audit)["LIFEGUARD-BUDDY-1"], { judged: 2 }, "refuted: n2 alive again to n1");
  view(audit, "n1", "n2", "suspect");
  audit.started("n1");
  audit.sent(60, "n1", "n2", ping("n1", "n2"));
  t.match(byRule(audit)["LIFEGUARD-BUDDY-1"], { judged: 2 }, "n1 restarted: its new process suspects nobody");
});

t.test("PHI-HEARTBEAT-1: a count lower than one sent before, within a generation, breaks it; a new generation starts over", async (t) => {
  const audit = new WireAudit();
  for (const count of [1, 2, 2, 3, 1, 4]) audit.sent(count * 10, "n1", "n2", heartbeat("n1", 100, count));
  audit.sent(100, "n1", "n2", heartbeat("n1", 200, 1));
  audit.sent(110, "n1", "n2", heartbeat("n1", 100, 5));
  t.match(byRule(audit)["PHI-HEARTBEAT-1"], {
    judged: 8,
    violations: 1,
    examples: [{ from: "n1", detail: "heartbeat 1 after 3 (generation 100)" }],
  });
  for (let i = 0; i < 8; i++) audit.sent(200 + i, "n3", "n1", heartbeat("n3", 1, 10 - i));
  t.match(byRule(audit)["PHI-HEARTBEAT-1"], { violations: 8 }, "each step back counts");
  t.equal(byRule(audit)["PHI-HEARTBEAT-1"]!.examples.length, 5, "the first five kept as examples");
  t.equal(byRule(audit)["LIFEGUARD-BUDDY-1"]!.judged, 0, "a heartbeat is no ping");
});

const meta = { name: "s", file: "s.yaml", description: "d", startedAt: 0, durationMs: 1000, aborted: undefined };
const start: HistoryRecord = {
  type: "scenario-start",
  source: "harness",
  scenario: "s",
  t: 0,
  nodes: ["n1", "n2"],
  config: {},
  seed: 1,
  toxiproxy: "none (simulated network)",
  file: "s.yaml",
  description: "d",
  checks: [],
  proxies: {},
};
const up: HistoryRecord = { type: "node-up", source: "harness", scenario: "s", t: 0, node: "n1", addr: "n1.sim:7000" };
const end: HistoryRecord = { type: "scenario-end", source: "harness", scenario: "s", t: 1000 };
const audited = (audit: WireAudit): HistoryRecord[] => [start, up, ...audit.records(1000).map((r) => ({ ...r, scenario: "s" })), end];

t.test("the wire check: FAIL on a broken rule, PASS when every judged message kept it, INFO on nothing judged, SKIP with no audit", async (t) => {
  const broken = new WireAudit();
  view(broken, "n1", "n2", "suspect");
  broken.sent(10, "n1", "n2", ping("n1", "n2"));
  broken.sent(20, "n1", "n2", ping("n1", "n2", [suspicion("n2")]));
  const failed = runCheck({ check: "wire", args: {} }, audited(broken));
  t.equal(failed.verdict, "fail");
  t.equal(
    failed.summary,
    "LIFEGUARD-BUDDY-1 (SHOULD): 1 of 2 pings to a member their sender held suspect did not carry the suspicion; nothing fell under PHI-HEARTBEAT-1",
  );
  t.match(failed.evidence, [{ observer: "n1", member: "n2", atMs: 10 }]);
  t.match(failed.metrics, { wireJudged: 2, wireViolations: 1 });

  const kept = new WireAudit();
  kept.sent(10, "n1", "n2", heartbeat("n1", 1, 1));
  const passed = runCheck({ check: "wire", args: {} }, audited(kept));
  t.equal(passed.verdict, "pass");
  t.match(passed.summary, /^PHI-HEARTBEAT-1 \(MUST\): all 1 heartbeats with their sender's own count kept the rule; nothing fell under LIFEGUARD-BUDDY-1$/);

  const future = audited(kept).map((r) => (r.type === "wire-audit" && r.judged > 0 ? { ...r, requirement: "NEW-RULE-1", violations: 1 } : r));
  t.match(
    runCheck({ check: "wire", args: {} }, future),
    { verdict: "fail", summary: "NEW-RULE-1 (level unknown): 1 of 1 messages broke the rule; nothing fell under LIFEGUARD-BUDDY-1" },
    "a rule this version does not know, in a saved history: still judged",
  );

  const nothing = runCheck({ check: "wire", args: {} }, audited(new WireAudit()));
  t.equal(nothing.verdict, "info", "audited, but no message fell under a rule: not a PASS");
  t.match(nothing.summary, /nothing to judge/);
  const unaudited = runCheck({ check: "wire", args: {} }, [start, up, end]);
  t.equal(unaudited.verdict, "skip", "a process run has no audit");
  t.match(unaudited.summary, /only the simulator sees every message/);
});

t.test("every scenario of an audited run is judged by the wire check; a run without an audit is not given one", async (t) => {
  const broken = new WireAudit();
  view(broken, "n1", "n2", "suspect");
  broken.sent(10, "n1", "n2", ping("n1", "n2"));
  const result = judge(meta, [], [], audited(broken));
  t.same(
    result.checks.map((c) => `${c.name} ${c.verdict}`),
    ["exits pass", "wire fail"],
  );
  t.equal(result.verdict, "fail");
  t.same(
    judge(meta, [], [], [start, up, end]).checks.map((c) => c.name),
    ["exits"],
    "no audit: a process run",
  );
  const idle = judge(meta, [], [], audited(new WireAudit()));
  t.same(
    idle.checks.map((c) => `${c.name} ${c.verdict}`),
    ["exits pass", "wire info"],
    "audited, but nothing fell under a rule: the check is there, so every seed's run has the same checks",
  );
  t.equal(idle.verdict, "pass");
});
