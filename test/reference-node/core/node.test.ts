// The protocol core stepped by hand on virtual time: every message and timer is chosen by the test.
import t from "tap";
import { NodeConfig } from "../../../specs/node/config.js";
import type { Effect } from "../../../reference-node/core/io.js";
import { SwimNode } from "../../../reference-node/core/node.js";
import type { Message, Update } from "../../../specs/wire/messages.js";

const config = NodeConfig.parse({
  probeIntervalMs: 1000,
  probeTimeoutMs: 500,
  pushPullIntervalMs: 0,
  reconnectIntervalMs: 0,
});
const addr = (id: string) => `${id}.test:7000`;
const peer = (id: string) => ({ id, addr: addr(id) });
const alive = (id: string, incarnation = 0): Update => ({ state: "alive", id, addr: addr(id), incarnation });

type Send = Extract<Effect, { type: "send" }>;
const sends = (effects: Effect[]) => effects.filter((e): e is Send => e.type === "send");
const replies = (effects: Effect[]) => effects.filter((e) => e.type === "reply");
const transitions = (effects: Effect[]) => effects.filter((e) => e.type === "transition");

/** A started node that knows `others` (all alive), learned through one sync request. */
function nodeKnowing(others: string[], seed = 1): SwimNode {
  const node = new SwimNode({ id: "me", addr: addr("me"), config, seed });
  node.step({ type: "start" }, 0);
  node.step(
    { type: "request", conn: 1_000_000, message: { v: 1, type: "sync", from: peer(others[0]!), join: false, members: others.map((id) => ({ ...alive(id) })) } },
    0,
  );
  return node;
}

/**
 * Runs the node's timers up to `until`, answering each request it sends with `answer`
 * at once (null: no answer). Returns every effect produced on the way.
 */
function drive(node: SwimNode, until: number, answer: (send: Send) => Message | null): Effect[] {
  const all: Effect[] = [];
  const handle = (effects: Effect[], now: number) => {
    all.push(...effects);
    for (const send of sends(effects)) {
      if (send.expectReply) handle(node.step({ type: "response", exchange: send.exchange, message: answer(send) }, now), now);
    }
  };
  for (let at = node.nextWakeAt(); at !== undefined && at <= until; at = node.nextWakeAt()) handle(node.step({ type: "tick" }, at), at);
  return all;
}

/** Everyone answers pings with an ack, as a healthy cluster would; ping-reqs get a nack (their target is the one not answering). */
const healthy = (send: Send): Message | null => {
  const from = peer(send.to.id!);
  if (send.message.type === "ping") return { v: 1, type: "ack", from, seq: send.message.seq, kv: [], updates: [] };
  if (send.message.type === "ping-req") return { v: 1, type: "nack", from, seq: send.message.seq, kv: [], updates: [] };
  return null;
};

const stateOf = (node: SwimNode, id: string) => node.members().find((m) => m.id === id)?.state;

/** Steps timers until the node sends its next direct probe; returns the ping and the time. */
function nextProbe(node: SwimNode): { ping: Send; now: number } {
  for (let i = 0; i < 100; i++) {
    const now = node.nextWakeAt()!;
    const ping = sends(node.step({ type: "tick" }, now)).find((s) => s.message.type === "ping");
    if (ping) return { ping, now };
  }
  throw new Error("no probe sent");
}

t.test("ping is answered by an ack with the same seq", async (t) => {
  const node = nodeKnowing(["a"]);
  const effects = node.step({ type: "request", conn: 7, message: { v: 1, type: "ping", from: peer("a"), seq: 42, target: "me", kv: [], updates: [] } }, 10);
  const [reply] = replies(effects);
  t.match(reply, { type: "reply", conn: 7, message: { type: "ack", seq: 42, from: { id: "me" } } });
});

t.test("a ping meant for another id is not answered", async (t) => {
  const node = nodeKnowing(["a"]);
  const effects = node.step(
    { type: "request", conn: 7, message: { v: 1, type: "ping", from: peer("a"), seq: 1, target: "someone-else", kv: [], updates: [] } },
    10,
  );
  t.same(replies(effects), [{ type: "reply", conn: 7, message: null }]);
});

t.test("failed ping → ping-req through k members → an ack relayed back: no suspicion", async (t) => {
  const node = nodeKnowing(["a", "b", "c", "d", "e"]);
  const { ping, now } = nextProbe(node);
  const target = ping.to.id!;
  const indirect = sends(node.step({ type: "response", exchange: ping.exchange, message: null }, now + 500));
  t.equal(indirect.length, 3, "indirectChecks = 3 ping-reqs");
  for (const req of indirect) {
    t.match(req.message, { type: "ping-req", seq: (ping.message as { seq: number }).seq, target: { id: target } });
    t.not(req.to.id, target, "never through the target itself");
  }
  const helper = indirect[0]!;
  node.step(
    {
      type: "response",
      exchange: helper.exchange,
      message: { v: 1, type: "ack", from: peer(helper.to.id!), seq: (ping.message as { seq: number }).seq, kv: [], updates: [] },
    },
    now + 600,
  );
  const after = drive(node, now + 1500, healthy);
  t.same(
    transitions(after).filter((e) => e.id === target),
    [],
    "target stays alive",
  );
  t.equal(stateOf(node, target), "alive");
  t.equal(node.healthScore, 0);
});

t.test("failed ping → every helper nacks → suspect at the end of the period, health unchanged", async (t) => {
  const node = nodeKnowing(["a", "b", "c", "d", "e"]);
  const { ping, now } = nextProbe(node);
  const target = ping.to.id!;
  const seq = (ping.message as { seq: number }).seq;
  const indirect = sends(node.step({ type: "response", exchange: ping.exchange, message: null }, now + 500));
  // The ping-reqs carry the 500 ms left of the period; a relay waits 80 % of it (400 ms) for the target, then nacks.
  t.ok(
    indirect.length > 0 && indirect.every((req) => (req.message as { deadlineMs?: number }).deadlineMs === 500),
    "each ping-req carries the requester's deadline",
  );
  for (const req of indirect) {
    node.step(
      { type: "response", exchange: req.exchange, message: { v: 1, type: "nack", from: peer(req.to.id!), seq, kv: [], updates: [] } },
      now + 500 + 400 + 2,
    );
  }
  t.equal(stateOf(node, target), "alive", "not before the period ends");
  const effects = node.step({ type: "tick" }, now + 1000);
  t.match(transitions(effects), [{ id: target, from: "alive", to: "suspect", incarnation: 0 }]);
  t.equal(node.healthScore, 0, "nacks arrived: the problem is the target, not us (Lifeguard)");
  t.equal(node.counters.probeFailures, 1);
});

t.test("a direct ack later than the probe timeout but within the period still ends the round (memberlist keeps its ack handler for the period)", async (t) => {
  const node = nodeKnowing(["a", "b", "c", "d", "e"]);
  const { ping, now } = nextProbe(node);
  t.equal(ping.timeoutMs, 1000, "the direct ping stays open for the whole period");
  // No ack by the probe timeout: the indirect probes go out while the direct ping is still open.
  const indirect = sends(node.step({ type: "tick" }, now + 500)).filter((s) => s.message.type === "ping-req");
  t.equal(indirect.length, 3, "three ping-reqs at the probe timeout");
  const seq = (ping.message as { seq: number }).seq;
  node.step({ type: "response", exchange: ping.exchange, message: { v: 1, type: "ack", from: peer(ping.to.id!), seq, kv: [], updates: [] } }, now + 700);
  for (const req of indirect) node.step({ type: "response", exchange: req.exchange, message: null }, now + 999);
  const effects = node.step({ type: "tick" }, now + 1000);
  t.same(transitions(effects), [], "no suspicion: the target answered in its period");
  t.equal(stateOf(node, ping.to.id!), "alive");
  t.equal(node.counters.probeFailures, 0);
});

t.test("local health stretches the period, not the wait for the direct ack (memberlist state.go probeNode)", async (t) => {
  const node = nodeKnowing(["a", "b", "c", "d", "e"]);
  // Three refutations: health score 3, so the period is four times longer.
  for (let incarnation = 0; incarnation < 3; incarnation++) {
    node.step(
      {
        type: "request",
        conn: 50 + incarnation,
        message: { v: 1, type: "ping", from: peer("a"), seq: 1, kv: [], updates: [{ state: "suspect", id: "me", addr: addr("me"), incarnation, by: "a" }] },
      },
      1,
    );
  }
  t.equal(node.healthScore, 3);
  const { ping, now } = nextProbe(node);
  t.equal(ping.timeoutMs, 4000, "the direct ping is open for the stretched period");
  const pingReqsAt = (at: number) => sends(node.step({ type: "tick" }, at)).filter((s) => s.message.type === "ping-req").length;
  t.equal(pingReqsAt(now + 499), 0, "no indirect probe before the probe timeout");
  t.equal(pingReqsAt(now + 500), 3, "indirect probes after the unscaled probe timeout, not four times it");
});

t.test("failed ping → helpers silent → suspect, and the node doubts itself by the missed nacks", async (t) => {
  const node = nodeKnowing(["a", "b", "c", "d", "e"]);
  const { ping, now } = nextProbe(node);
  const indirect = sends(node.step({ type: "response", exchange: ping.exchange, message: null }, now + 500));
  for (const req of indirect) node.step({ type: "response", exchange: req.exchange, message: null }, now + 999);
  node.step({ type: "tick" }, now + 1000);
  t.equal(stateOf(node, ping.to.id!), "suspect");
  t.equal(node.healthScore, 3, "three nacks expected, none came");
});

t.test("ping-req relay: waits for the target at most 80 % of the requester's deadline, never more than its own probe timeout", async (t) => {
  for (const [deadlineMs, waits] of [
    [500, 400],
    [10_000, 500],
    [1, 1],
    [undefined, 500],
  ] as const) {
    const node = nodeKnowing(["a", "b"]);
    const request: Message = {
      v: 1,
      type: "ping-req",
      from: peer("a"),
      seq: 77,
      target: peer("b"),
      kv: [],
      updates: [],
      ...(deadlineMs ? { deadlineMs } : {}),
    };
    const [relayed] = sends(node.step({ type: "request", conn: 9, message: request }, 5));
    t.equal(relayed?.timeoutMs, waits, `deadline ${deadlineMs ?? "absent"} → waits ${waits} ms`);
  }
});

t.test("ping-req relay: ack when the target answers, nack when it does not", async (t) => {
  for (const targetAnswers of [true, false]) {
    const node = nodeKnowing(["a", "b"]);
    const effects = node.step(
      { type: "request", conn: 9, message: { v: 1, type: "ping-req", from: peer("a"), seq: 77, target: peer("b"), kv: [], updates: [] } },
      5,
    );
    const [relayed] = sends(effects);
    t.match(relayed, { to: { id: "b" }, message: { type: "ping", target: "b" } });
    const answer: Message | null = targetAnswers
      ? { v: 1, type: "ack", from: peer("b"), seq: (relayed!.message as { seq: number }).seq, kv: [], updates: [] }
      : null;
    const [reply] = replies(node.step({ type: "response", exchange: relayed!.exchange, message: answer }, 50));
    t.match(reply, { conn: 9, message: { type: targetAnswers ? "ack" : "nack", seq: 77 } }, targetAnswers ? "ack relayed" : "nack sent");
  }
});

t.test("a suspicion about itself is refuted with a higher incarnation, spread on the next message", async (t) => {
  const node = nodeKnowing(["a", "b"]);
  const suspectMe: Update = { state: "suspect", id: "me", addr: addr("me"), incarnation: 0, by: "a" };
  node.step({ type: "request", conn: 3, message: { v: 1, type: "gossip", from: peer("a"), kv: [], updates: [suspectMe] } }, 100);
  t.equal(node.currentIncarnation, 1);
  t.equal(node.counters.refutations, 1);
  const [reply] = replies(
    node.step({ type: "request", conn: 4, message: { v: 1, type: "ping", from: peer("b"), seq: 1, target: "me", kv: [], updates: [] } }, 110),
  );
  const updates = (reply as { message: { updates: Update[] } }).message.updates;
  t.ok(
    updates.some((u) => u.id === "me" && u.state === "alive" && u.incarnation === 1),
    "alive(me, 1) piggybacked",
  );
  // Spend the refutation's retransmits (as on replies to pingers that had already given up).
  for (let i = 0; i < 10; i++)
    node.step({ type: "request", conn: 50 + i, message: { v: 1, type: "ping", from: peer("b"), seq: 10 + i, target: "me", kv: [], updates: [] } }, 111);
  const [stale] = replies(
    node.step({ type: "request", conn: 5, message: { v: 1, type: "ping", from: peer("a"), seq: 2, target: "me", kv: [], updates: [suspectMe] } }, 120),
  );
  t.equal(node.currentIncarnation, 1, "a stale suspicion (lower incarnation) does not raise the incarnation");
  t.ok(
    (stale as { message: { updates: Update[] } }).message.updates.some((u) => u.id === "me" && u.state === "alive" && u.incarnation === 1),
    "but the accuser has not heard the refutation: the reply to it carries alive(me, 1) again",
  );
  node.step(
    { type: "request", conn: 6, message: { v: 1, type: "gossip", from: peer("a"), kv: [], updates: [{ ...suspectMe, state: "dead", incarnation: 1 }] } },
    130,
  );
  t.equal(node.currentIncarnation, 2, "declared dead at the current incarnation: refuted again");
});

t.test("an unrefuted suspect becomes dead after the maximum timeout; confirmations shrink it to the minimum", async (t) => {
  const members = ["a", "b", "c", "d", "e", "f", "g", "x"];
  // N = 9: min = 4 · max(1, log10 9) · 1000 ms = 4000 ms, max = 6 · min = 24000 ms.
  const suspect = (by: string): Update => ({ state: "suspect", id: "x", addr: addr("x"), incarnation: 0, by });
  const gossip = (node: SwimNode, by: string, now: number) =>
    node.step({ type: "request", conn: 1, message: { v: 1, type: "gossip", from: peer(by), kv: [], updates: [suspect(by)] } }, now);

  const lonely = nodeKnowing(members);
  gossip(lonely, "a", 1000);
  drive(lonely, 1000 + 24_000 - 1, healthy);
  t.equal(stateOf(lonely, "x"), "suspect", "still suspect just before the maximum");
  drive(lonely, 1000 + 24_000, healthy);
  t.equal(stateOf(lonely, "x"), "dead", "dead at the maximum");

  const confirmed = nodeKnowing(members);
  gossip(confirmed, "a", 1000);
  gossip(confirmed, "b", 1010);
  gossip(confirmed, "b", 1015);
  gossip(confirmed, "c", 1020);
  t.equal(confirmed.counters.confirmations, 2, "b and c confirm; b's repeat does not count");
  drive(confirmed, 1000 + 4000 - 1, healthy);
  t.equal(stateOf(confirmed, "x"), "suspect");
  const effects = drive(confirmed, 1000 + 4000, healthy);
  t.equal(stateOf(confirmed, "x"), "dead", "dead at the minimum after k = 2 confirmations");
  t.match(transitions(effects), [{ id: "x", from: "suspect", to: "dead" }]);
});

t.test("copies of one dead verdict carried by many syncs are one suspicion, not confirmations of it", async (t) => {
  const members = ["a", "b", "c", "d", "e", "f", "g", "x"];
  // N = 9: min 4000 ms, max 24000 ms, as above. After a partition heals, each sync from the other
  // side lists x dead: three of them must not shrink the suspicion as three suspectors would.
  const sync = (node: SwimNode, from: string, now: number) =>
    node.step(
      {
        type: "request",
        conn: 1,
        message: { v: 1, type: "sync", from: peer(from), join: false, members: [{ id: "x", addr: addr("x"), state: "dead", incarnation: 0 }] },
      },
      now,
    );
  const node = nodeKnowing(members);
  sync(node, "a", 1000);
  sync(node, "b", 1010);
  sync(node, "c", 1020);
  t.equal(stateOf(node, "x"), "suspect", "the remote dead is a suspicion here");
  t.equal(node.counters.confirmations, 0, "no sync confirmed it");
  drive(node, 1000 + 4000, healthy);
  t.equal(stateOf(node, "x"), "suspect", "not dead at the minimum: x has the whole timeout to refute");
  // A member's own suspicion, from its own probe, still confirms.
  node.step(
    {
      type: "request",
      conn: 2,
      message: { v: 1, type: "gossip", from: peer("d"), kv: [], updates: [{ state: "suspect", id: "x", addr: addr("x"), incarnation: 0, by: "d" }] },
    },
    5000,
  );
  t.equal(node.counters.confirmations, 1, "d's own suspicion counts");
});

/** The node hears from a that x is suspect, then spends that rumor's retransmits on its answers to a's pings: only the buddy system can still carry it. */
function hearSuspicionOfX(node: SwimNode, at: number): void {
  node.step(
    {
      type: "request",
      conn: 1,
      message: { v: 1, type: "gossip", from: peer("a"), kv: [], updates: [{ state: "suspect", id: "x", addr: addr("x"), incarnation: 0, by: "a" }] },
    },
    at,
  );
  for (let i = 0; i < 10; i++)
    node.step({ type: "request", conn: 10 + i, message: { v: 1, type: "ping", from: peer("a"), seq: i, target: "me", kv: [], updates: [] } }, at + 10 + i);
}

t.test("buddy system: a ping to a suspect carries its suspicion even after the rumor's retransmits are spent", async (t) => {
  const node = nodeKnowing(["a", "b", "c", "x"]);
  hearSuspicionOfX(node, 10);
  const pingsToX: Send[] = [];
  for (let i = 0; i < 20 && pingsToX.length === 0; i++) {
    const { ping } = nextProbe(node);
    node.step({ type: "response", exchange: ping.exchange, message: ping.to.id === "x" ? null : healthy(ping) }, node.nextWakeAt() ?? 0);
    if (ping.to.id === "x") pingsToX.push(ping);
  }
  t.equal(pingsToX.length, 1, "x is probed while suspect");
  t.match((pingsToX[0]!.message as { updates: Update[] }).updates[0], { state: "suspect", id: "x", incarnation: 0 });
});

t.test("buddy system: a relay's ping to a member it holds suspect carries the suspicion too", async (t) => {
  const node = nodeKnowing(["a", "b", "c", "x"]);
  const relayPing = (conn: number, at: number) => {
    const effects = node.step(
      { type: "request", conn, message: { v: 1, type: "ping-req", from: peer("a"), seq: conn, target: peer("x"), kv: [], updates: [] } },
      at,
    );
    const sent = effects.filter((e): e is Send => e.type === "send" && e.to.id === "x");
    t.equal(sent.length, 1, "the relay pings x");
    return (sent[0]!.message as { updates: Update[] }).updates;
  };
  t.notOk(
    relayPing(100, 10).some((u) => u.id === "x" && u.state === "suspect"),
    "x alive in the relay's view: no suspicion to carry",
  );
  hearSuspicionOfX(node, 20);
  t.match(relayPing(101, 50)[0], { state: "suspect", id: "x", incarnation: 0 }, "x suspect in the relay's view: the relay's ping says so first");
});

t.test("an alive with a higher incarnation clears the suspicion", async (t) => {
  const node = nodeKnowing(["a", "b", "c", "d", "x"]);
  node.step(
    {
      type: "request",
      conn: 1,
      message: { v: 1, type: "gossip", from: peer("a"), kv: [], updates: [{ state: "suspect", id: "x", addr: addr("x"), incarnation: 0, by: "a" }] },
    },
    10,
  );
  node.step({ type: "request", conn: 2, message: { v: 1, type: "gossip", from: peer("x"), kv: [], updates: [alive("x", 1)] } }, 20);
  drive(node, 60_000, healthy);
  t.equal(stateOf(node, "x"), "alive");
});

t.test("each update is piggybacked at most retransmitMult · ceil(log10(N+1)) times", async (t) => {
  const node = nodeKnowing(["a", "b", "c", "d"]); // N = 5 → 4 · ceil(log10 6) = 4
  node.step({ type: "request", conn: 1, message: { v: 1, type: "gossip", from: peer("a"), kv: [], updates: [alive("z")] } }, 10);
  let carried = 0;
  for (let i = 0; i < 20; i++) {
    const [reply] = replies(
      node.step({ type: "request", conn: 100 + i, message: { v: 1, type: "ping", from: peer("a"), seq: i, target: "me", kv: [], updates: [] } }, 20 + i),
    );
    if ((reply as { message: { updates: Update[] } }).message.updates.some((u) => u.id === "z")) carried++;
  }
  t.equal(carried, 4, "N = 6 after z joined: limit 4 · ceil(log10 7) = 4");
});

t.test("identical seeds and inputs give identical effects; another seed does not", async (t) => {
  const run = (seed: number) => {
    const node = nodeKnowing(["a", "b", "c", "d", "e"], seed);
    return drive(node, 40_000, (send) => (send.to.id === "c" ? null : healthy(send)));
  };
  const first = run(11);
  t.ok(first.filter((e) => e.type === "send").length >= 40, `a busy run (${first.length} effects)`);
  t.ok(
    first.some((e) => e.type === "transition" && e.id === "c" && e.to === "dead"),
    "the silent member is found dead",
  );
  t.same(run(11), first);
  t.notSame(run(12), first);
});

t.test("an unknown sender's state is pulled once, not again on every reply that still does not name it", async (t) => {
  const node = nodeKnowing(["a"]);
  // A member we never heard of pings us: we pull its state with a sync.
  const first = sends(node.step({ type: "request", conn: 9, message: { v: 1, type: "ping", from: peer("x"), seq: 1, kv: [], updates: [] } }, 10));
  const pulls = first.filter((s) => s.message.type === "sync" && s.to.id === "x");
  t.equal(pulls.length, 1, "the unknown sender is asked for its state");
  // Its reply comes from it but lists nobody, so it stays unknown. Answering every sync the same way
  // used to start the next pull at once: a storm of thousands of syncs a second.
  const emptySync = (send: Send): Message | null =>
    send.message.type === "sync" ? { v: 1, type: "sync", from: peer("x"), join: false, members: [] } : healthy(send);
  const cooldownMs = Math.max(10 * config.probeIntervalMs, config.readTimeoutMs);
  const effects: Effect[] = [...first];
  const handle = (out: Effect[], now: number) => {
    effects.push(...out);
    for (const send of sends(out)) if (send.expectReply) handle(node.step({ type: "response", exchange: send.exchange, message: emptySync(send) }, now), now);
  };
  handle(node.step({ type: "response", exchange: pulls[0]!.exchange, message: emptySync(pulls[0]!) }, 20), 20);
  for (let at = node.nextWakeAt(); at !== undefined && at <= 2.5 * cooldownMs; at = node.nextWakeAt()) {
    // x keeps talking to us: a ping from it every period.
    handle(node.step({ type: "request", conn: 10 + at, message: { v: 1, type: "ping", from: peer("x"), seq: at, kv: [], updates: [] } }, at), at);
    handle(node.step({ type: "tick" }, at), at);
  }
  const syncsToX = sends(effects).filter((s) => s.message.type === "sync" && s.to.id === "x").length;
  t.ok(syncsToX >= 2 && syncsToX <= 3, `one pull per ${cooldownMs} ms over ${2.5 * cooldownMs} ms, got ${syncsToX}`);
});
