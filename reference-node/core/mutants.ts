// Deliberately broken protocol behaviour, selected with --mutant NAME: proof that Grapevine's checks can fail.
import { z } from "zod";

export const MUTANTS = {
  "no-indirect-probe": "never asks other members to ping-req a target that missed its ack",
  "no-refute": "never refutes a suspicion (or death) about itself",
  "no-suspicion": "declares a member dead as soon as a probe fails, skipping suspicion",
  "ignore-incarnation": "merges updates by arrival order, ignoring incarnation numbers",
  "no-dissemination": "sends no piggybacked updates and no gossip rounds",
  "no-anti-entropy": "never starts a key-value anti-entropy session (rumors only)",
  "lww-wrong-order": "on a key-value conflict keeps the older write instead of the newer",
  "unbounded-clock": "lets any key-value version move its clock, however far in the future",
  "no-local-health": "never changes its Lifeguard health score (timeouts never stretch)",
  "ignore-nacks": "does not count nacks, so every failed indirect probe lowers its own health",
  "ignore-confirmations": "ignores other members' confirmations of a suspicion (the timeout never shrinks)",
  "unbounded-retransmit": "piggybacks every update forever instead of retransmitMult · log N times",
  "no-buddy": "does not tell a suspected member it is suspected when it probes it (no Lifeguard buddy system)",
  "no-reconnect": "never tries to reach members it holds dead (no reconnect after a partition)",
  "heartbeat-goes-back": "phi: its heartbeat counter steps back three counts every fifth beat",
  "accept-stale-heartbeat": "phi: takes any heartbeat count it hears as an arrival, even one no higher than the last",
  "phi-no-pause": "phi: leaves the acceptable heartbeat pause out of φ, so φ rises too soon",
  "convict-at-suspect": "phi: declares a member dead when φ reaches the suspect threshold, not the conviction threshold",
} as const;

export const MutantName = z.enum(Object.keys(MUTANTS) as [keyof typeof MUTANTS, ...(keyof typeof MUTANTS)[]]);
export type MutantName = z.infer<typeof MutantName>;

/** The protocol's switchable behaviours; the correct protocol has them all on. */
export interface Behaviour {
  indirectProbes: boolean;
  refute: boolean;
  suspicion: boolean;
  respectIncarnation: boolean;
  disseminate: boolean;
  antiEntropy: boolean;
  newestWriteWins: boolean;
  boundedClock: boolean;
  localHealth: boolean;
  countNacks: boolean;
  countConfirmations: boolean;
  retransmitLimit: boolean;
  buddy: boolean;
  reconnect: boolean;
  monotonicHeartbeat: boolean;
  newerHeartbeatOnly: boolean;
  phiPause: boolean;
  convictAtThreshold: boolean;
}

export function behaviourOf(mutant: MutantName | undefined): Behaviour {
  return {
    indirectProbes: mutant !== "no-indirect-probe",
    refute: mutant !== "no-refute",
    suspicion: mutant !== "no-suspicion",
    respectIncarnation: mutant !== "ignore-incarnation",
    disseminate: mutant !== "no-dissemination",
    antiEntropy: mutant !== "no-anti-entropy",
    newestWriteWins: mutant !== "lww-wrong-order",
    boundedClock: mutant !== "unbounded-clock",
    localHealth: mutant !== "no-local-health",
    countNacks: mutant !== "ignore-nacks",
    countConfirmations: mutant !== "ignore-confirmations",
    retransmitLimit: mutant !== "unbounded-retransmit",
    buddy: mutant !== "no-buddy",
    reconnect: mutant !== "no-reconnect",
    monotonicHeartbeat: mutant !== "heartbeat-goes-back",
    newerHeartbeatOnly: mutant !== "accept-stale-heartbeat",
    phiPause: mutant !== "phi-no-pause",
    convictAtThreshold: mutant !== "convict-at-suspect",
  };
}
