// Which test catches each reference-node mutant: a conformance requirement that must fail, or a
// default-suite scenario whose named check must fail. Every mutant needs at least one of the two.
import type { MUTANTS } from "../../../reference-node/core/mutants.js";

type Mutant = keyof typeof MUTANTS;

/** The requirement each mutant breaks; conformance.test.ts runs it with --only and expects FAIL (MUST) or NON-STRICT (SHOULD). */
export const caughtByConformance: Partial<Record<Mutant, string>> = {
  "no-indirect-probe": "SWIM-PROBE-2",
  "no-refute": "SWIM-REFUTE-1",
  "no-suspicion": "SWIM-SUSPECT-1",
  "ignore-incarnation": "SWIM-STALE-1",
  "no-dissemination": "SWIM-DISSEM-1",
  "no-anti-entropy": "KV-AE-1",
  "lww-wrong-order": "KV-LWW-1",
  "unbounded-clock": "KV-CLOCK-1",
  "no-local-health": "LIFEGUARD-LHM-1",
  "ignore-nacks": "LIFEGUARD-NACK-1",
  "ignore-confirmations": "LIFEGUARD-CONFIRM-1",
  "unbounded-retransmit": "SWIM-RETRANSMIT-1",
  "no-buddy": "LIFEGUARD-BUDDY-1",
};

/** The φ detector's mutants: the requirement each breaks, run on a reference node started with --detector phi. */
export const caughtByPhiConformance: Partial<Record<Mutant, string>> = {
  "heartbeat-goes-back": "PHI-HEARTBEAT-1",
  "accept-stale-heartbeat": "PHI-SUPERSEDE-1",
  "phi-no-pause": "PHI-VALUE-1",
  "convict-at-suspect": "PHI-CONVICT-1",
};

/**
 * The scenario of the default suite that catches each mutant, and the check line that must fail;
 * mutants.test.ts runs them on processes, sim-scenario.test.ts in the simulator. `simOnly` says why
 * a catch holds only in the simulator, which then runs it alone.
 */
export const caughtByScenario: Partial<Record<Mutant, { scenario: string; check: RegExp; simOnly?: string; detector?: "phi" }>> = {
  "no-indirect-probe": { scenario: "07-one-way-cut.yaml", check: /✗ suspicions n1,n2: \d+ suspicion episodes/ },
  "no-refute": { scenario: "05-pause-long.yaml", check: /✗ rejoined n2: .* did not hold n2 alive above incarnation 0/ },
  "no-suspicion": { scenario: "02-crash-detection.yaml", check: /✗ detection n3: first suspicion —/ },
  "ignore-incarnation": { scenario: "12-stale-rumor.yaml", check: /✗ incarnation-order: \d+ transitions to a lower incarnation/ },
  "no-dissemination": { scenario: "03-graceful-leave.yaml", check: /✗ left n4: .* did not see it leave in time/ },
  "no-anti-entropy": { scenario: "13-partition-writes.yaml", check: /✗ no-data-loss: \d+ acknowledged writes missing/ },
  "lww-wrong-order": { scenario: "13-partition-writes.yaml", check: /✗ no-data-loss: \d+ acknowledged writes missing/ },
  "no-reconnect": {
    scenario: "06-partition-heal.yaml",
    check: /✗ heal: a partition did not heal within \d+ ms/,
    simOnly:
      "on processes a busy machine's false suspicions are refuted after the heal, and gossip to the recently dead carries the refutation across, which re-forms the cluster without any reconnect (healed in 9.3 s, bound 10 s, in one CI run)",
  },
  "ignore-nacks": {
    scenario: "02-crash-detection.yaml",
    check: /✗ health: .+ raised their local health by more than 1: they took failed probes for their own fault/,
  },
  "ignore-confirmations": { scenario: "02-crash-detection.yaml", check: /✗ detection n3: first dead [\d.]+ m?s after the first suspicion, bound [\d.]+ m?s/ },
  "unbounded-clock": {
    scenario: "19-clock-ahead.yaml",
    check: /✗ kv-clock: \d+ of \d+ writes stamped more than 60000 ms away from their node's clock/,
    simOnly: "a clock offset is a fault only the simulator makes",
  },
  "unbounded-retransmit": {
    scenario: "01-steady-state.yaml",
    check: /✗ quiet: [\d.]+ exchanges per node per probe period over the last \d+ ms: [\d.]+ × what the failure detector alone needs/,
  },
  "no-local-health": { scenario: "18-slow-node.yaml", check: /✗ suspicions but n1: \d+ suspicion episodes about members other than n1 \(at most 20\)/ },
  "no-buddy": {
    scenario: "02-crash-detection.yaml",
    check: /✗ wire: LIFEGUARD-BUDDY-1 \(SHOULD\): \d+ of \d+ pings to a member their sender held suspect did not carry the suspicion/,
    simOnly: "the wire audit needs each ping together with its sender's view, which only the simulator sees; on processes conformance catches it",
  },
  "heartbeat-goes-back": {
    scenario: "02-crash-detection.yaml",
    detector: "phi",
    check: /✗ wire: PHI-HEARTBEAT-1 \(MUST\): \d+ of \d+ heartbeats with their sender's own count sent a count lower than one it had sent before/,
    simOnly:
      "the wire audit sees every heartbeat only in the simulator; on processes the detector rides out the one arrival in five it costs, and conformance catches it",
  },
};
