// A scenario's verdict: checks run over the history, never a pass on a history in which nothing ran.
import t from "tap";
import { judge } from "../../../harness/checks/judge.js";
import type { HistoryRecord } from "../../../specs/history/history.js";
import { Check } from "../../../specs/scenario/scenario.js";

const meta = { name: "s", file: "s.yaml", description: "d", startedAt: 1000, durationMs: 5000, aborted: undefined };
const start: HistoryRecord = {
  type: "scenario-start",
  source: "harness",
  scenario: "s",
  t: 1000,
  nodes: ["n1", "n2"],
  config: {},
  seed: 1,
  toxiproxy: "embedded",
  file: "s.yaml",
  description: "d",
  checks: [],
  proxies: {},
};
const end: HistoryRecord = { type: "scenario-end", source: "harness", scenario: "s", t: 6000 };
const up = (node: string): HistoryRecord => ({ type: "node-up", source: "harness", scenario: "s", t: 1100, node, addr: "127.0.0.1:1" });
const neverDead = [Check.parse({ "never-dead": { nodes: ["n1"] } })];

t.test("a history with running nodes is judged by its checks", async (t) => {
  const result = judge(meta, [], neverDead, [start, up("n1"), up("n2"), end]);
  t.equal(result.verdict, "pass");
  t.same(
    result.checks.map((c) => c.name),
    ["never-dead n1", "exits"],
    "its own checks, and the exits check every scenario gets",
  );
});

t.test("a scenario that names the exits check is judged by its own, not a second default one", async (t) => {
  const own = judge(meta, [], [...neverDead, Check.parse({ exits: { allow: ["n2"] } })], [start, up("n1"), up("n2"), end]);
  t.same(
    own.checks.map((c) => c.name),
    ["never-dead n1", "exits"],
  );
  t.match(own.checks[1]!.summary, /\(n2 may\)/);
});

t.test("no node ever came up: fails, and the checks are not run on nothing", async (t) => {
  const quiet = judge(meta, [], neverDead, [start, end]);
  t.equal(quiet.verdict, "fail");
  t.same(
    quiet.checks.map((c) => `${c.name}: ${c.summary}`),
    ["scenario: no node came up: nothing to judge"],
  );
  const aborted = judge({ ...meta, aborted: "the cluster did not start: node n2 did not start" }, [], neverDead, [start, end]);
  t.equal(aborted.verdict, "fail");
  t.same(
    aborted.checks.map((c) => c.summary),
    ["aborted: the cluster did not start: node n2 did not start"],
  );
});
