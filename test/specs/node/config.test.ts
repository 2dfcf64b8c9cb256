// Protocol settings: memberlist's LAN defaults, and the probe timeout that follows a short period.
import t from "tap";
import { configArgs, configFlag, DEFAULT_CONFIG, NodeConfig } from "../../../specs/node/config.js";

t.test("defaults are memberlist's LAN profile", async (t) => {
  t.match(DEFAULT_CONFIG, {
    probeIntervalMs: 1000,
    probeTimeoutMs: 500,
    suspicionMult: 4,
    suspicionMaxTimeoutMult: 6,
    indirectChecks: 3,
    retransmitMult: 4,
    awarenessMaxMultiplier: 8,
    gossipIntervalMs: 200,
    gossipNodes: 3,
    pushPullIntervalMs: 30_000,
  });
});

t.test("without an explicit probe timeout, a short period gets half of it", async (t) => {
  t.equal(NodeConfig.parse({ probeIntervalMs: 200 }).probeTimeoutMs, 100);
  t.equal(NodeConfig.parse({ probeIntervalMs: 5000 }).probeTimeoutMs, 500);
  t.equal(NodeConfig.parse({ probeIntervalMs: 200, probeTimeoutMs: 150 }).probeTimeoutMs, 150, "an explicit value is kept");
});

t.test("an explicit probe timeout not shorter than the period is refused, on that field", async (t) => {
  const result = NodeConfig.safeParse({ probeIntervalMs: 200, probeTimeoutMs: 200 });
  t.notOk(result.success);
  t.same(result.error?.issues[0]?.path, ["probeTimeoutMs"]);
});

t.test("settings become flags: one derivation for the node's CLI and every runtime that starts it", async (t) => {
  t.equal(configFlag("probeIntervalMs"), "probe-interval-ms");
  t.equal(configFlag("kvMaxKeyBytes"), "kv-max-key-bytes");
  t.same(configArgs({ probeIntervalMs: 200, antiEntropyMode: "pull" }), ["--probe-interval-ms", "200", "--anti-entropy-mode", "pull"]);
  t.same(configArgs({}), []);
});
