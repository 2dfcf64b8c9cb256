// Chaos scenarios: one zod schema for TypeScript modules (defineScenario) and YAML files alike.
import { z } from "zod";
import { NodeConfig, NodeConfigOverrides } from "../node/config.js";
import { phiTimingOf } from "../protocol/phi.js";
import { DurationText, enterScenario, type ScenarioTiming } from "./timing.js";

/**
 * A duration: milliseconds as a number, a string such as "500ms", "2s", "1.5m", or a timing
 * expression such as "probe-round + suspicion-max + 2s" (timing.ts), evaluated with the tested
 * implementation's declared settings.
 */
export const Duration = z.union([z.number().int().min(0), DurationText]);

/** Nodes are named n1 … nN by the runtime; a join adds the next one. */
export const NodeName = z.string().regex(/^n[1-9]\d*$/, 'must be a node name such as "n3"');
const Link = z.tuple([NodeName, NodeName]).describe("[from, to]: messages from → to");

/** Step and check arguments that name a single node may also be written as a plain string. */
const nodeOr = <T extends z.ZodRawShape>(shape: T) => z.union([NodeName.transform((node) => ({ node })), z.object({ node: NodeName, ...shape }).strict()]);
const empty = z.union([z.null(), z.object({}).strict()]).transform(() => ({}));

// ---- checks ------------------------------------------------------------------------------

export const CHECK_ARGS = {
  "no-false-positives": z
    .object({
      horizon: Duration.optional().describe("how long before a verdict the member must have been healthy (default: longest suspicion + 2 periods)"),
      maxSuspect: z.number().int().min(0).optional().describe("fail when more suspicions than this hit healthy members (default: reported only)"),
    })
    .strict(),
  detection: z
    .object({
      node: NodeName,
      suspectWithin: Duration.optional(),
      deadWithin: Duration.describe("every live node holds the crashed node dead within this long"),
      confirmedWithin: Duration.optional().describe(
        "the first death follows the first suspicion within this long: other members' own suspicions confirm it and shorten its timeout (Lifeguard §IV-B), where one nobody confirms runs to suspicion-max",
      ),
    })
    .strict(),
  "all-dead": z
    .object({
      nodes: z.array(NodeName).min(1).describe("the nodes crashed together, as a `crash` step's list names them (widened with it by --nodes)"),
      within: Duration.describe("after each one's crash"),
    })
    .strict()
    .describe(
      "every live node holds every one of these crashed nodes dead within `within` of its crash: after a mass failure (a rack, a zone), probers that see their probes fail for the targets' sake, not their own, keep their pace (Lifeguard's nacks, §IV-A)",
    ),
  converged: z.object({ within: Duration.describe("after the last fault or membership change the harness made") }).strict(),
  heal: z.object({ within: Duration.describe("after each partition ends, the cluster converges within this long") }).strict(),
  left: z.object({ node: NodeName, within: Duration }).strict(),
  "never-dead": z
    .object({ nodes: z.array(NodeName).min(1), by: z.array(NodeName).min(1).optional().describe("count only these observers' verdicts (default: all)") })
    .strict(),
  suspicions: z
    .object({
      nodes: z.array(NodeName).optional().describe("count suspicions of these members (default: all)"),
      except: z.array(NodeName).optional().describe("leave these members out (a node the scenario slows, whose suspicion is expected)"),
      max: z.number().int().min(0),
      count: z
        .enum(["verdicts", "episodes"])
        .default("verdicts")
        .describe(
          "verdicts: each node's move of a member to suspect counts once, so one suspicion heard by the whole cluster counts N − 1 times; episodes: each span during which some node holds the member suspect counts once, however many nodes hold it, the same at any cluster size",
        ),
    })
    .strict()
    .refine((a) => a.nodes === undefined || a.except === undefined, { message: "give nodes or except, not both" }),
  deaths: z
    .object({
      nodes: z.array(NodeName).optional(),
      except: z.array(NodeName).optional().describe("leave these members out"),
      by: z.array(NodeName).min(1).optional(),
      max: z.number().int().min(0),
    })
    .strict()
    .refine((a) => a.nodes === undefined || a.except === undefined, { message: "give nodes or except, not both" })
    .describe("at most `max` dead verdicts about these members by these observers"),
  rejoined: z.object({ node: NodeName, within: Duration.describe("after the node resumed or restarted") }).strict(),
  "incarnation-order": z
    .object({})
    .strict()
    .describe("no node ever moves a member to a lower incarnation than it holds (SWIM §4.2: incarnations, not arrival order, decide)"),
  flaps: z.object({ max: z.number().int().min(0).optional() }).strict(),
  "kv-converged": z
    .object({ within: Duration.describe("after the last write or change") })
    .strict()
    .describe("every running node's key-value digest is the same"),
  "kv-clock": z
    .object({ within: Duration.describe("how far a write's version may lie from the clock of the node that took it") })
    .strict()
    .describe(
      "every acknowledged write is stamped within `within` of the clock of the node that took it (a hybrid logical clock's bounded offset, Kulkarni et al. 2014; CockroachDB's max-offset): one node's far-future clock must not drag the others' stamps along",
    ),
  "no-data-loss": z.object({}).strict().describe("every acknowledged write is on every running node at the end, or superseded by a newer version of its key"),
  dissemination: z
    .object({ complete: z.boolean().default(false).describe("fail unless every write reached every running node (default: report only)") })
    .strict(),
  quiet: z
    .object({
      window: Duration.describe("the scenario's last stretch, which must be at rest"),
      max: z.number().positive().describe("how many times the failure detector's own traffic (SWIM: one probe per node per period) the nodes may start"),
      period: Duration.prefault("probe").describe(
        "the detector's period, in the tested implementation's own settings (default: `probe`, its probe interval, or its heartbeat interval under φ)",
      ),
    })
    .strict()
    .describe(
      "at rest, the nodes start at most `max` times the exchanges their failure detector alone needs: updates are retransmitted a bounded number of times (λ · log N, SWIM §4.1) and gossip rounds with nothing to carry are not sent. Needs a fault engine that counts exchanges (the simulator, the embedded Toxiproxy-compatible server, the packet engine); elsewhere SKIP",
    ),
  health: z
    .object({ max: z.number().int().min(0).describe("how many points any node's score may climb") })
    .strict()
    .describe(
      "Lifeguard's local health (§IV-A): from the first fault or membership change after the cluster first converged, no node's score climbs more than `max` points above the lowest it had been since. Start-up, when members are still loading, does not count, as for suspicions. A probe that fails for the target's sake comes back with nacks from the helpers asked to probe it indirectly, so a correct prober does not count it against itself; one that does stretches its probe period. Judged where the nodes show a score (`healthScore` in /v1/metrics, a command view's `health` command, and in the simulator); elsewhere SKIP, and SKIP under φ, which keeps no local health",
    ),
  exits: z
    .object({ allow: z.array(NodeName).default([]).describe("nodes that may exit on their own") })
    .strict()
    .describe(
      "no node exits unless the harness made it (crash, stop, leave, restart) or `allow` names it; every scenario is judged by it, with `allow` empty, unless it names the check itself",
    ),
  wire: z
    .object({})
    .strict()
    .describe(
      "every message of the run kept the wire rules of the requirement catalogue that the fault engine holds it to: a ping to a member its sender holds suspect carries that suspicion (LIFEGUARD-BUDDY-1), a node's own heartbeat count never goes back (PHI-HEARTBEAT-1). Only the simulator sees every message with its sender's view: every scenario it runs is judged by it (INFO when no message fell under a rule); elsewhere SKIP",
    ),
  split: z
    .object({ groups: z.array(z.array(NodeName).min(1)).min(2), within: Duration.describe("after the partition began") })
    .strict()
    .describe("during a partition, every node holds every node of the other groups dead"),
} as const;

export type CheckName = keyof typeof CHECK_ARGS;
export type CheckArgs = { [K in CheckName]: z.output<(typeof CHECK_ARGS)[K]> };
export type CheckSpec = { [K in CheckName]: { check: K; args: CheckArgs[K] } }[CheckName];

export const Check = singleKey("check", CHECK_ARGS).transform(({ kind, args }) => ({ check: kind, args }) as CheckSpec);

// ---- steps -------------------------------------------------------------------------------

const Partition = z.union([
  z.object({ groups: z.array(z.array(NodeName).min(1)).min(2) }).strict(),
  z.object({ grudge: z.record(NodeName, z.array(NodeName)) }).strict(),
  z
    .object({ from: z.array(NodeName).min(1), to: z.array(NodeName).min(1) })
    .strict()
    .describe("one-way: messages from → to are cut"),
]);

export const STEP_ARGS = {
  wait: z.union([Duration.transform((ms) => ({ ms })), z.object({ until: z.literal("converged"), timeout: Duration }).strict()]),
  crash: z
    .union([NodeName, z.array(NodeName).min(1)])
    .describe(
      "a node, or a list of nodes crashed at once: a share of the cluster, which --nodes widens as it does a partition's groups (n(k + w) falls with n(k))",
    ),
  stop: NodeName,
  leave: NodeName,
  restart: NodeName,
  pause: nodeOr({ for: Duration.optional() }),
  resume: NodeName,
  throttle: z.object({ node: NodeName, run: z.number().gt(0).lt(1), period: Duration, for: Duration.optional() }).strict(),
  partition: Partition,
  isolate: NodeName,
  loss: z.object({ rate: z.number().min(0).max(1), links: z.array(Link).optional() }).strict(),
  latency: z.object({ latency: Duration, jitter: Duration.default(0), links: z.array(Link).optional() }).strict(),
  bandwidth: z.object({ rate: z.number().int().min(0).describe("KB/s"), links: z.array(Link).optional() }).strict(),
  duplicate: z
    .object({ rate: z.number().min(0).max(1), links: z.array(Link).optional() })
    .strict()
    .describe("each datagram on the links is delivered twice with probability rate (packet engine; TCP streams are not duplicated)"),
  reorder: z
    .object({ rate: z.number().min(0).max(1), delay: Duration, links: z.array(Link).optional() })
    .strict()
    .describe("each datagram on the links is held `delay` longer with probability rate, so that later ones overtake it (packet engine)"),
  refuse: z.object({ links: z.array(Link).min(1) }).strict(),
  clock: z
    .object({ node: NodeName, ahead: Duration.optional(), behind: Duration.optional() })
    .strict()
    .refine((c) => (c.ahead === undefined) !== (c.behind === undefined), { message: "give the node's clock one offset: ahead or behind" })
    .describe(
      "from now on the node's wall clock reads `ahead` later (or `behind` earlier) than the others': what its key-value versions are stamped with; its timers run on a monotonic clock, as a real process's do (simulator only: a process reads the machine's clock)",
    ),
  heal: empty,
  clear: empty,
  join: z.union([z.null().transform(() => ({})), z.object({ node: NodeName.optional() }).strict()]),
  put: z
    .object({ node: NodeName, key: z.string().min(1), value: z.string().nullable() })
    .strict()
    .describe("a client write through node (null deletes)"),
  "write-load": z
    .object({
      rate: z.number().positive().max(1000).describe("writes per second, spread over the nodes in turn"),
      duration: Duration,
      nodes: z.array(NodeName).min(1).optional(),
      keys: z.number().int().min(1).optional().describe("distinct keys to write to (default: a new key per write)"),
      prefix: z.string().default("load"),
    })
    .strict(),
  expect: z.lazy(() => Check).describe("a check, as in `checks`, evaluated now: polled until it passes or its `within` runs out"),
} as const;

export type StepKind = keyof typeof STEP_ARGS;
export type Step = { [K in StepKind]: { kind: K; args: z.output<(typeof STEP_ARGS)[K]> } }[StepKind];

/**
 * `{kind: args}` objects with exactly one key, the way YAML reads best (`- crash: n3`).
 * Errors name the kind and the field inside it.
 */
function singleKey<M extends Record<string, z.ZodType>>(what: string, schemas: M) {
  type Keyed = { [K in keyof M & string]: { kind: K; args: z.output<M[K]> } }[keyof M & string];
  return z.record(z.string(), z.unknown()).transform((object, ctx): Keyed => {
    const keys = Object.keys(object);
    const known = Object.keys(schemas).join(", ");
    if (keys.length !== 1) {
      ctx.addIssue({ code: "custom", message: `a ${what} has exactly one key, its kind (one of: ${known}); found ${keys.length ? keys.join(", ") : "none"}` });
      return z.NEVER;
    }
    const kind = keys[0]!;
    const schema = schemas[kind];
    if (!schema) {
      ctx.addIssue({ code: "custom", path: [kind], message: `unknown ${what} "${kind}" (one of: ${known})` });
      return z.NEVER;
    }
    const parsed = schema.safeParse(object[kind]);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: [kind, ...issue.path] } as never);
      return z.NEVER;
    }
    // The lookup by a runtime key cannot be typed; the schema that parsed the args is the one for `kind`.
    return { kind, args: parsed.data } as Keyed;
  });
}

/** A step; `expect` carries a check. */
export const StepSchema = singleKey("step", STEP_ARGS);

export type ExpectStep = Extract<Step, { kind: "expect" }>;
export type ScenarioStep = Step;

/** The most nodes one machine runs as processes or containers, and as simulated cores (--runtime sim). */
export const MAX_PROCESS_NODES = 64;
export const MAX_SIM_NODES = 10_000;

/** The nodes a `crash` step takes down: one, or a list at once. */
export const crashed = (args: string | readonly string[]): string[] => (typeof args === "string" ? [args] : [...args]);

/** Steps that write to the key-value store. */
export const KV_STEP_KINDS: ReadonlySet<StepKind> = new Set<StepKind>(["put", "write-load"]);

/** The fast profile scenarios run unless they say otherwise: 200 ms periods, quick reconnects. */
export const SCENARIO_DEFAULT_CONFIG = { probeIntervalMs: 200, probeTimeoutMs: 100, reconnectIntervalMs: 1000, pushPullIntervalMs: 10_000 };

/**
 * A scenario's settings switched to the φ accrual detector (`run --detector phi`) for a cluster of
 * `nodes`: heartbeats at the scenario's probe interval, and Akka's proportions around it (a deviation
 * floor of a tenth of a heartbeat, an acceptable pause of three), unless the scenario sets them itself.
 *
 * The pause is three heartbeats per decade of cluster size, max(1, log₁₀ N) as in SWIM's suspicion
 * timeout. Akka sends heartbeats first-hand; here a count reaches most observers through relays, about
 * log N of them, and both the gaps between its arrivals and the wait for a newly learned member's first
 * count grow with them. With three heartbeats at any size, 400 nodes raised 86 false suspicions and
 * 1,000 raised 1,875 in steady-state; with the pause scaled, 1,000 raise none. Five nodes keep three.
 */
export function withPhiDetector(config: Record<string, unknown>, nodes = 5): Record<string, unknown> {
  const period = typeof config.probeIntervalMs === "number" ? config.probeIntervalMs : SCENARIO_DEFAULT_CONFIG.probeIntervalMs;
  return {
    heartbeatIntervalMs: period,
    phiAcceptablePauseMs: Math.round(3 * Math.max(1, Math.log10(nodes)) * period),
    phiMinStdDeviationMs: Math.max(1, Math.round(period / 10)),
    ...config,
    detector: "phi",
  };
}

const ScenarioObject = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be lowercase letters, digits and dashes"),
    description: z.string().min(1),
    nodes: z.number().int().min(1).max(MAX_SIM_NODES).default(5).describe(`cluster size (more than ${MAX_PROCESS_NODES} runs only with --runtime sim)`),
    config: NodeConfigOverrides.strict().default({}).describe("reference-node settings over the scenario defaults"),
    seed: z.number().int().optional(),
    timeout: Duration.default(180_000).describe("the whole scenario is aborted after this long"),
    steps: z.array(StepSchema).min(1),
    checks: z.array(Check).default([]),
  })
  .strict()
  .superRefine((scenario, ctx) => {
    // The settings as the nodes will get them (scenario defaults under the file's own) must be ones a node accepts.
    const effective = NodeConfig.safeParse({ ...SCENARIO_DEFAULT_CONFIG, ...scenario.config });
    for (const issue of effective.success ? [] : effective.error.issues) {
      const key = String(issue.path[0] ?? "");
      const inherited =
        key in SCENARIO_DEFAULT_CONFIG && !(key in scenario.config)
          ? ` (the scenario default ${key} ${SCENARIO_DEFAULT_CONFIG[key as keyof typeof SCENARIO_DEFAULT_CONFIG]} applies: set it too)`
          : "";
      ctx.addIssue({ code: "custom", path: ["config", ...issue.path], message: `${issue.message}${inherited}` });
    }
    // Node names must exist: the initial nodes, plus one per join before the step.
    let count = scenario.nodes;
    const known = (name: string) => Number(name.slice(1)) <= count;
    const mentioned = (value: unknown): string[] =>
      typeof value === "string" && /^n\d+$/.test(value)
        ? [value]
        : value && typeof value === "object"
          ? Object.entries(value).flatMap(([k, v]) => [...mentioned(k), ...mentioned(v)])
          : [];
    scenario.steps.forEach((step, i) => {
      if (step.kind === "join") {
        count++;
        return;
      }
      for (const name of mentioned(step.args)) {
        if (!known(name))
          ctx.addIssue({ code: "custom", path: ["steps", i, step.kind], message: `node ${name} is not in the cluster at this step (${count} nodes)` });
      }
    });
    scenario.checks.forEach((check, i) => {
      for (const name of mentioned(check.args)) {
        if (!known(name)) ctx.addIssue({ code: "custom", path: ["checks", i, check.check], message: `node ${name} is not in the cluster (${count} nodes)` });
      }
    });
  });

/** The reference node's timing in a scenario: the scenario defaults under its own settings (what timing expressions mean for it). */
export function referenceTiming(config: unknown): ScenarioTiming {
  const parsed = NodeConfig.safeParse({ ...SCENARIO_DEFAULT_CONFIG, ...(config && typeof config === "object" ? config : {}) });
  const c = parsed.success ? parsed.data : NodeConfig.parse(SCENARIO_DEFAULT_CONFIG);
  return {
    source: "the reference node's settings in this scenario",
    probeIntervalMs: c.probeIntervalMs,
    probeTimeoutMs: c.probeTimeoutMs,
    suspicionMult: c.suspicionMult,
    suspicionMaxTimeoutMult: c.suspicionMaxTimeoutMult,
    gossipIntervalMs: c.gossipIntervalMs,
    pushPullIntervalMs: c.pushPullIntervalMs,
    awarenessMaxMultiplier: c.awarenessMaxMultiplier,
    ...(c.detector === "phi"
      ? {
          phi: phiTimingOf((key) => c[key]),
        }
      : {}),
  };
}

/** A scenario; its timing expressions are evaluated as it is parsed (with withTiming's settings, else the reference node's). */
export const Scenario = z.preprocess((raw) => {
  const r = (raw && typeof raw === "object" ? raw : {}) as { config?: unknown; nodes?: unknown };
  enterScenario(referenceTiming(r.config), typeof r.nodes === "number" ? r.nodes : 5);
  return raw;
}, ScenarioObject);

/**
 * The scenario file as an editor sees it (`grapevine schema` writes it as JSON Schema): the same
 * fields, with each step and check spelled out as an object of one key, its kind, from the same
 * argument schemas the parser uses. What only parsing can judge (node names against the cluster's
 * size, timing expressions' terms, the effective node settings) is left to `grapevine run`.
 */
export const ScenarioAuthoring = z
  .object({
    ...ScenarioObject.shape,
    steps: z.array(z.union(Object.entries(STEP_ARGS).map(([kind, args]) => z.object({ [kind]: args }).strict()))).min(1),
    checks: z.array(z.union(Object.entries(CHECK_ARGS).map(([kind, args]) => z.object({ [kind]: args }).strict()))).default([]),
  })
  .strict();

export type ScenarioInput = z.input<typeof ScenarioObject>;
export type Scenario = Omit<z.output<typeof ScenarioObject>, "steps"> & { steps: ScenarioStep[] };

/** Typed authoring of a scenario in TypeScript; validated like a YAML file when loaded. */
export function defineScenario(scenario: ScenarioInput): ScenarioInput {
  return scenario;
}
