// The protocol settings a SWIM node declares: one zod schema gives the defaults, the CLI flags and the validation.
// The reference node runs on them; the harness reads the same names from any node's /v1/node and
// from scenarios, and derives its bounds (suspicion, retransmission) from them.
import { z } from "zod";

const ms = () =>
  z
    .number()
    .int()
    .min(1)
    .max(24 * 3600 * 1000);

/**
 * Defaults are memberlist's LAN profile (DefaultLANConfig), so a comparison with
 * Serf/Consul runs like against like. Tests and scenarios run faster clusters by
 * lowering probeIntervalMs and friends.
 */
export const NodeConfigFields = z.object({
  detector: z
    .enum(["swim", "phi"])
    .default("swim")
    .describe(
      "the failure detector: swim (probes, ping-req and suspicion, with Lifeguard) or phi (heartbeat-counter gossip judged by the φ accrual detector, as Cassandra and Akka do)",
    ),
  probeIntervalMs: ms().default(1000).describe("time between probes of successive members (one protocol period)"),
  probeTimeoutMs: ms().optional().describe("how long to wait for an ack to a direct ping (default 500, or half the probe interval when that is shorter)"),
  indirectChecks: z.number().int().min(0).max(16).default(3).describe("members asked to ping-req a target that missed its ack"),
  suspicionMult: z.number().int().min(1).max(100).default(4).describe("suspicion timeout = mult · max(1, log10 N) · probe interval"),
  suspicionMaxTimeoutMult: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(6)
    .describe("a suspicion starts at up to this many times the minimum timeout and shrinks with confirmations (Lifeguard)"),
  awarenessMaxMultiplier: z.number().int().min(1).max(64).default(8).describe("cap on the local health multiplier (Lifeguard)"),
  retransmitMult: z.number().int().min(1).max(100).default(4).describe("each update is sent at most mult · ceil(log10(N+1)) times"),
  gossipIntervalMs: ms().default(200).describe("time between gossip rounds"),
  gossipNodes: z.number().int().min(0).max(64).default(3).describe("members each gossip round sends to"),
  gossipToTheDeadMs: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600 * 1000)
    .default(30_000)
    .describe("keep gossiping to a dead member this long, so it can refute; then it is removed from the table (reconnect keeps trying it)"),
  pushPullIntervalMs: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600 * 1000)
    .default(30_000)
    .describe("time between full-state syncs with a random member; 0 disables"),
  reconnectIntervalMs: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600 * 1000)
    .default(30_000)
    .describe("time between syncs with a random dead member, which re-forms a healed partition; 0 disables"),
  reconnectTimeoutMs: ms()
    .default(24 * 3600 * 1000)
    .describe(
      "how long a dead member is still tried by reconnect after it is removed from the table (Serf's reconnect_timeout, same default); removal comes gossipToTheDeadMs after its death",
    ),
  joinRetryMs: ms().default(1000).describe("time between attempts to reach the seeds until one answers"),
  maxPiggybackBytes: z
    .number()
    .int()
    .min(256)
    .max(512 * 1024)
    .default(8192)
    .describe("room for piggybacked updates on one message"),
  readTimeoutMs: ms().default(5000).describe("a connection that does not deliver a whole frame in this time is closed"),
  leaveTimeoutMs: ms().default(2000).describe("on leave, how long to keep gossiping `left` before exiting"),
  antiEntropyIntervalMs: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600 * 1000)
    .default(5000)
    .describe("time between key-value anti-entropy sessions with a random member; 0 leaves rumors alone"),
  antiEntropyMode: z.enum(["push", "pull", "push-pull"]).default("push-pull").describe("which way entries flow in an anti-entropy session"),
  kvRetransmitMult: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(4)
    .describe("each key-value write is rumored at most mult · ceil(log10(N+1)) times; 0 leaves it to anti-entropy"),
  heartbeatIntervalMs: ms().default(1000).describe("phi: time between a node's heartbeats; each raises its own counter and sends its table of counters"),
  heartbeatFanout: z.number().int().min(1).max(64).default(3).describe("phi: members each heartbeat's table is sent to"),
  phiSuspectThreshold: z.number().min(0.1).max(1000).default(5).describe("phi: a member whose φ reaches this is suspect"),
  phiConvictThreshold: z.number().min(0.1).max(1000).default(8).describe("phi: a member whose φ reaches this is dead (Akka's and Cassandra's threshold, 8)"),
  phiMaxSampleSize: z.number().int().min(2).max(100_000).default(1000).describe("phi: heartbeat inter-arrival times kept per member"),
  phiMinStdDeviationMs: ms().default(100).describe("phi: floor under the inter-arrival times' standard deviation"),
  phiAcceptablePauseMs: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600 * 1000)
    .default(3000)
    .describe("phi: added to the mean inter-arrival time, so a pause this long costs no φ (Akka's acceptable-heartbeat-pause)"),
  phiFirstHeartbeatEstimateMs: ms().optional().describe("phi: the inter-arrival time assumed before any is measured (default: the heartbeat interval)"),
  kvMaxKeyBytes: z.number().int().min(1).max(1024).default(256).describe("longest key accepted, in UTF-8 bytes"),
  kvMaxValueBytes: z
    .number()
    .int()
    .min(1)
    .max(512 * 1024)
    .default(65_536)
    .describe("largest value accepted, in UTF-8 bytes"),
  kvMaxClockOffsetMs: ms()
    .default(500)
    .describe(
      "a key-value version whose wall time is more than this ahead of the local clock is rejected, not stored (CockroachDB's max-offset, same default): one far-future version would otherwise pin every clock in the cluster",
    ),
});

/**
 * Some of the settings, each optional and without its default: what a scenario's `config:` writes.
 * (`NodeConfigFields.partial()` would still fill every unnamed setting with its default, so one named
 * setting would silently bring memberlist's LAN defaults for all the others.)
 */
export const NodeConfigOverrides = z.object(
  Object.fromEntries(
    Object.entries(NodeConfigFields.shape).map(([key, field]) => {
      const inner = field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : field;
      return [key, inner.optional().describe(field.description ?? key)];
    }),
  ) as { [K in keyof typeof NodeConfigFields.shape]: z.ZodOptional<z.ZodType<z.output<(typeof NodeConfigFields.shape)[K]>>> },
);

export const NodeConfig = NodeConfigFields.transform((c) => ({
  ...c,
  // memberlist's 500 ms, unless the period is so short that the probe could not fail within it.
  probeTimeoutMs: c.probeTimeoutMs ?? Math.min(500, Math.floor(c.probeIntervalMs / 2)),
  phiFirstHeartbeatEstimateMs: c.phiFirstHeartbeatEstimateMs ?? c.heartbeatIntervalMs,
}))
  .refine((c) => c.probeTimeoutMs < c.probeIntervalMs, {
    message: "must be shorter than the probe interval (--probe-interval-ms)",
    path: ["probeTimeoutMs"],
  })
  .refine((c) => c.phiSuspectThreshold <= c.phiConvictThreshold, {
    message: "must be at most the conviction threshold (--phi-convict-threshold): a member is suspect before it is dead",
    path: ["phiSuspectThreshold"],
  });

export type NodeConfig = z.infer<typeof NodeConfig>;

export const DEFAULT_CONFIG: NodeConfig = NodeConfig.parse({});

/** The setting names, in the order the schema declares them (used to generate CLI flags). */
export function configKeys(): (keyof NodeConfig)[] {
  return Object.keys(NodeConfigFields.shape) as (keyof NodeConfig)[];
}

/** The flag name of a setting: `probeIntervalMs` → `probe-interval-ms`. */
export function configFlag(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Settings as `grapevine node` arguments: `{ probeIntervalMs: 200 }` → `["--probe-interval-ms", "200"]`. */
export function configArgs(config: Partial<NodeConfig>): string[] {
  return Object.entries(config).flatMap(([key, value]) => [`--${configFlag(key)}`, String(value)]);
}
