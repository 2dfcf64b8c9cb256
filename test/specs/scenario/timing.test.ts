// Bounds in terms of the implementation's declared timing: one suite file, each implementation's settings.
import t from "tap";
import { describeIssue } from "../../../specs/parse.js";
import { Scenario } from "../../../specs/scenario/scenario.js";
import { evaluateTiming, looksLikeExpression, withTiming } from "../../../specs/scenario/timing.js";

const lan = {
  source: "memberlist DefaultLANConfig",
  probeIntervalMs: 1000,
  probeTimeoutMs: 500,
  suspicionMult: 4,
  suspicionMaxTimeoutMult: 6,
  gossipIntervalMs: 200,
};

t.test("terms, multipliers and durations add up", async (t) => {
  t.equal(evaluateTiming("probe", lan, 5), 1000);
  t.equal(evaluateTiming("2 probe + 500ms", lan, 5), 2500);
  t.equal(evaluateTiming("probe-round", lan, 5), 4000, "(n − 1) periods");
  t.equal(evaluateTiming("suspicion-min", lan, 5), 4000, "max(1, log10 5) = 1");
  t.equal(evaluateTiming("suspicion-min", lan, 100), 8000, "log10 100 = 2");
  t.equal(evaluateTiming("suspicion-max", lan, 5), 24_000);
  t.equal(evaluateTiming("suspicion-max", { ...lan, suspicionMaxTimeoutMult: undefined }, 5), 4000, "no Lifeguard stretch declared");
  t.equal(evaluateTiming("gossip + probe-timeout + 1.5s", lan, 5), 2200);
  t.equal(evaluateTiming("push-pull + 10s", { ...lan, pushPullIntervalMs: 30_000 }, 5), 40_000);
  t.equal(evaluateTiming("probe-round-degraded", { ...lan, awarenessMaxMultiplier: 8 }, 5), 36_000, "4 periods at 9 × 1 s");
  t.equal(evaluateTiming("probe-round-degraded", lan, 5), 4000, "no multiplier declared: a plain round");
  t.throws(() => evaluateTiming("push-pull", lan, 5), /"push-pull": memberlist DefaultLANConfig declares no pushPullIntervalMs/);
  t.throws(() => evaluateTiming("probe * 2", lan, 5), /"probe \* 2" is neither a duration nor/);
  t.throws(() => evaluateTiming("2 probes", lan, 5), /"probes" is not a timing term/);
  t.ok(looksLikeExpression("suspicion-max + 2s"));
  t.notOk(looksLikeExpression("2s"));
});

const scenario = {
  name: "x",
  description: "x",
  config: { probeIntervalMs: 300 },
  steps: [{ crash: "n3" }, { expect: { detection: { node: "n3", deadWithin: "probe-round + suspicion-max" } } }],
  checks: [{ converged: { within: "2 probe" } }],
};

t.test("in a scenario: the reference node's settings in it, or the implementation's declared timing", async (t) => {
  const reference = Scenario.parse(scenario);
  // 5 nodes, probe 300 ms: round 1200; suspicion 4 · 1 · 300 = 1200, max 6× = 7200.
  t.same(reference.steps[1], { kind: "expect", args: { check: "detection", args: { node: "n3", deadWithin: 8400 } } });
  t.same(reference.checks[0]!.args, { within: 600 });
  const memberlist = withTiming(lan, () => Scenario.parse(scenario));
  t.same(memberlist.steps[1]!.args, { check: "detection", args: { node: "n3", deadWithin: 28_000 } });
  t.same(memberlist.checks[0]!.args, { within: 2000 });
  const bad = Scenario.safeParse({ ...scenario, checks: [{ converged: { within: "3 heartbeats" } }] });
  t.notOk(bad.success);
  t.equal(
    describeIssue(bad.error!),
    'field checks.0.converged.within: timing expression "3 heartbeats": "heartbeats" is not a timing term (one of probe, probe-timeout, probe-round, suspicion-min, suspicion-max, gossip, push-pull, probe-round-degraded)',
  );
  const plain = Scenario.safeParse({ ...scenario, checks: [{ converged: { within: "2 s!" } }] });
  t.match(describeIssue(plain.error!), /must be a duration such as "500ms", "2s" or "1m", or a timing expression/, "the hint, not zod's bare Invalid input");
});

t.test("under the φ detector the terms are the stages of a φ detection, from the φ settings", async (t) => {
  const { phi, phiCrossingMs } = await import("../../../specs/protocol/phi.js");
  const settings = { heartbeatIntervalMs: 200, phiSuspectThreshold: 5, phiConvictThreshold: 8, phiAcceptablePauseMs: 600, phiMinStdDeviationMs: 20 };
  const timing = { source: "test", probeIntervalMs: 200, probeTimeoutMs: 100, suspicionMult: 4, suspicionMaxTimeoutMult: 6, phi: settings };
  // A steady window at its first estimate: mean 200 + 600 ms pause, deviation a quarter of 200 (above the 20 ms floor).
  const suspect = phiCrossingMs(5, 800, 50);
  const convict = phiCrossingMs(8, 800, 50);
  t.ok(phi(suspect, 800, 50) >= 5 && phi(suspect - 1, 800, 50) < 5, `suspect after ${suspect} ms of silence`);
  t.equal(evaluateTiming("probe", timing, 5), 200, "probe: one heartbeat");
  t.equal(evaluateTiming("probe-round", timing, 5), suspect);
  t.equal(evaluateTiming("probe-round-degraded", timing, 5), suspect, "no local health under φ");
  t.equal(evaluateTiming("suspicion-max", timing, 5), convict - suspect);
  t.equal(evaluateTiming("probe-round + 2 probe + suspicion-max + 2s", timing, 5), convict + 400 + 2000, "a crash's detection bound");
  t.equal(evaluateTiming("probe-timeout", timing, 5), 100, "what φ does not change stays");
  const swim = { ...timing, phi: undefined };
  t.equal(evaluateTiming("suspicion-max", swim, 5), 4 * 200 * 6, "SWIM's unchanged");
});

t.test("relayed heartbeats (a declared fanout): the window's deviation is a whole interval, and probe-round waits for the last count to spread", async (t) => {
  const { phiCrossingMs } = await import("../../../specs/protocol/phi.js");
  const { epidemicRoundsWhp } = await import("../../../specs/protocol/epidemic.js");
  const settings = {
    heartbeatIntervalMs: 200,
    phiSuspectThreshold: 5,
    phiConvictThreshold: 8,
    phiAcceptablePauseMs: 1800,
    phiMinStdDeviationMs: 20,
    heartbeatFanout: 3,
  };
  const timing = { source: "test", probeIntervalMs: 200, probeTimeoutMs: 100, suspicionMult: 4, phi: settings };
  const suspect = phiCrossingMs(5, 2000, 200);
  const convict = phiCrossingMs(8, 2000, 200);
  // log₄ 1000 + 2 ln 1000 / 3 = 9.59 rounds of 200 ms.
  const relay = Math.round(200 * epidemicRoundsWhp(1000, 3));
  t.equal(relay, 1918);
  t.equal(evaluateTiming("probe-round", timing, 1000), relay + suspect);
  t.equal(evaluateTiming("suspicion-max", timing, 1000), convict - suspect, "the silence between the thresholds does not depend on the size");
  t.equal(evaluateTiming("probe-round + 2 probe + suspicion-max + 2s", timing, 1000), relay + convict + 400 + 2000);
  t.ok(evaluateTiming("probe-round", timing, 5) < evaluateTiming("probe-round", timing, 1000), "fewer relays in a smaller cluster");
  const firstHand = { ...timing, phi: { ...settings, heartbeatFanout: undefined } };
  t.equal(
    evaluateTiming("probe-round", firstHand, 1000),
    phiCrossingMs(5, 2000, 50),
    "first-hand: no relay, and the first estimate's deviation (a quarter interval)",
  );
});
