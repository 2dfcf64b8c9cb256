// The packet engine's nftables rules, as text: what each fault turns into, in which chain.
import t from "tap";
import { createTable, lossThreshold, relayTcpSourcePorts, renderRules } from "../../../../harness/faults/packet/ruleset.js";

const state = {
  routerAddr: "10.200.1.1",
  nodeAddrs: ["10.200.1.10", "10.200.1.11"],
  drops: [
    { kind: "partition" as const, from: "10.200.1.10", to: "10.200.1.11" },
    { kind: "loss" as const, from: "10.200.1.11", to: "10.200.1.10", rate: 0.25, tag: "loss 2 n2>n1" },
    { kind: "refuse" as const, from: "10.200.1.11", to: "10.200.1.10" },
  ],
  diversions: [
    { proto: "udp" as const, from: "10.200.1.10", to: "10.200.1.11", port: 7946, relayPort: 20000 },
    { proto: "tcp" as const, from: "10.200.1.10", to: "10.200.1.11", port: 7946, relayPort: 20001 },
  ],
};

t.test("every rule is replaced in one script, and each fault lands where it acts", async (t) => {
  const script = renderRules(state);
  const lines = script.trim().split("\n");
  t.same(
    lines.filter((l) => l.startsWith("flush")).map((l) => l.split(" ").at(-1)),
    ["faults", "divert_udp", "relay_out", "divert_tcp", "relay_snat"],
    "the chains are flushed first, so the script states the whole set",
  );
  t.ok(lines.includes("add rule ip grapevine faults ip saddr 10.200.1.10 ip daddr 10.200.1.11 drop"), "a cut drops in prerouting");
  t.ok(
    lines.includes(
      'add rule ip grapevine faults ip saddr 10.200.1.11 ip daddr 10.200.1.10 counter numgen random mod 1000000 < 250000 counter drop comment "loss 2 n2>n1"',
    ),
    "loss at 25 %, counting what it saw and what it dropped, named so the counters can be read back",
  );
  t.ok(lines.includes("add rule ip grapevine faults ip saddr 10.200.1.11 ip daddr 10.200.1.10 meta l4proto tcp reject with tcp reset"));
  t.ok(
    lines.includes(
      "add rule ip grapevine divert_udp ip saddr 10.200.1.10 ip daddr 10.200.1.11 udp dport 7946 notrack ip daddr set 10.200.1.1 udp dport set 20000",
    ),
  );
  t.ok(lines.includes("add rule ip grapevine divert_tcp ip saddr 10.200.1.10 ip daddr 10.200.1.11 tcp dport 7946 dnat to 10.200.1.1:20001"));
  const [low, high] = relayTcpSourcePorts(1);
  t.ok(
    lines.includes(`add rule ip grapevine relay_snat ip saddr 10.200.1.1 tcp sport ${low}-${high} snat to 10.200.1.11`),
    "each node has its own source range",
  );
  t.ok(relayTcpSourcePorts(240)[1] < 50000, "the ranges stay below the relay's datagram ports");
  t.match(createTable(), /chain faults \{ type filter hook prerouting priority -350;/);
});

t.test("the traffic between nodes is counted first in the faults chain, into named counters that outlive reloads", async (t) => {
  const lines = renderRules(state).trim().split("\n");
  const faults = lines.filter((l) => l.startsWith("add rule ip grapevine faults"));
  const between = "ip saddr { 10.200.1.10, 10.200.1.11 } ip daddr { 10.200.1.10, 10.200.1.11 }";
  t.same(
    faults.slice(0, 2),
    [
      `add rule ip grapevine faults ${between} meta l4proto udp counter name "traffic_udp"`,
      `add rule ip grapevine faults ${between} tcp flags & (fin | syn | rst | ack) == syn counter name "traffic_tcp"`,
    ],
    "every datagram and every connection opened between two nodes, before any fault drops it (not the harness's own traffic)",
  );
  t.match(createTable(), /counter traffic_udp \{ \}\n  counter traffic_tcp \{ \}/, "declared in the table, not in a chain the reload flushes");
  t.notOk(renderRules({ ...state, nodeAddrs: [] }).includes("traffic_"), "no node yet: nothing to count");
});

t.test("loss thresholds", async (t) => {
  t.equal(lossThreshold(0), 0);
  t.equal(lossThreshold(1), 1_000_000);
  t.equal(lossThreshold(0.1), 100_000);
  t.throws(() => lossThreshold(1.5), RangeError);
  t.throws(() => lossThreshold(Number.NaN), RangeError);
});
