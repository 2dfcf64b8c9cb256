// The φ detector inside one core, driven step by step: what the shell's event loop does after a freeze.
import t from "tap";
import { NodeConfig } from "../../../specs/node/config.js";
import type { Message } from "../../../specs/wire/messages.js";
import { SwimNode } from "../../../reference-node/core/node.js";
import type { Effect } from "../../../reference-node/core/io.js";
import { newerHeartbeat } from "../../../specs/protocol/phi.js";

const config = NodeConfig.parse({
  detector: "phi",
  heartbeatIntervalMs: 100,
  phiAcceptablePauseMs: 100,
  phiMinStdDeviationMs: 10,
  probeIntervalMs: 200,
  probeTimeoutMs: 100,
});
const peer = { id: "b", addr: "127.0.0.1:2" };
const heartbeat = (count: number): Message => ({
  v: 1,
  type: "heartbeat",
  from: peer,
  beats: [{ ...peer, generation: 1, heartbeat: count }],
  updates: [],
  kv: [],
});
const deaths = (effects: Effect[]) => effects.filter((e) => e.type === "transition" && e.to !== "alive");

/** Node a, which has heard b beat every 100 ms for two seconds, up to `until`. */
function beating(until: number): SwimNode {
  const node = new SwimNode({ id: "a", addr: "127.0.0.1:1", config, seed: 1 });
  node.step({ type: "start" }, 0);
  node.step({ type: "request", conn: 1, message: { v: 1, type: "sync", from: peer, join: true, members: [{ ...peer, state: "alive", incarnation: 0 }] } }, 0);
  for (let at = 0, count = 1; at <= until; at += 100, count++) {
    node.step({ type: "request", conn: count + 1, message: heartbeat(count) }, at);
    node.step({ type: "tick" }, at);
  }
  return node;
}

t.test("a node thawed after a freeze reads the heartbeats that waited before it judges anyone", async (t) => {
  const node = beating(2000);
  // Frozen for 3 s: the shell runs the overdue timer first, at 5000, with b's heartbeat still unread.
  t.same(deaths(node.step({ type: "tick" }, 5000)), [], "no verdict at the overdue deadline: one grace");
  t.ok(node.nextWakeAt()! <= 5000 + config.probeTimeoutMs!, `the verdict waits one probe timeout (${node.nextWakeAt()})`);
  node.step({ type: "request", conn: 100, message: heartbeat(50) }, 5001);
  t.same(deaths(node.step({ type: "tick" }, node.nextWakeAt()!)), [], "the heartbeat that waited was read in time: b stays alive");
  t.equal(node.members().find((m) => m.id === "b")?.state, "alive");
});

t.test("the grace is one: a member that really went silent is judged after it", async (t) => {
  const node = beating(2000);
  t.same(deaths(node.step({ type: "tick" }, 5000)), []);
  const verdicts = deaths(node.step({ type: "tick" }, node.nextWakeAt()!));
  t.same(
    verdicts.map((e) => (e.type === "transition" ? e.to : "")),
    ["dead"],
    "dead once the grace is over",
  );
});

t.test("a member judged on time needs no grace", async (t) => {
  const node = beating(2000);
  const effects: Effect[] = [];
  for (let at = 2001; at <= 4000; at++) if (node.nextWakeAt()! <= at) effects.push(...node.step({ type: "tick" }, at));
  t.same(
    deaths(effects).map((e) => (e.type === "transition" ? e.to : "")),
    ["suspect", "dead"],
    "suspect, then dead, each at its crossing",
  );
});

t.test("newer means a higher generation, or the same generation and a higher count", async (t) => {
  t.ok(newerHeartbeat({ generation: 2, heartbeat: 0 }, { generation: 1, heartbeat: 99 }));
  t.ok(newerHeartbeat({ generation: 1, heartbeat: 5 }, { generation: 1, heartbeat: 4 }));
  t.notOk(newerHeartbeat({ generation: 1, heartbeat: 4 }, { generation: 1, heartbeat: 4 }));
  t.notOk(newerHeartbeat({ generation: 0, heartbeat: 9 }, { generation: 1, heartbeat: 0 }));
  t.ok(newerHeartbeat({ generation: 0, heartbeat: 0 }, undefined));
});
