// `grapevine bench tradeoff --runtime process`: the trade-off measured on real processes, for the
// reference node's two families and for any adapter whose manifest declares a tunable detector
// setting. Each trial is a fresh cluster behind the fault engine `bench loss` uses: the condition is
// put on every link, the quiet phase counts verdicts about running members, and each crash gives
// every surviving observer's dead verdict, timed by the transition's own timestamp.
import type { MembershipEvent } from "../../../specs/admin/api.js";
import type { NodeConfig } from "../../../specs/node/config.js";
import type { Implementation } from "../../adapters/implementation.js";
import { tunedImplementation } from "../../adapters/tunable.js";
import { faultableCluster, formed, seededRandom, transitionsOver, POLL_MS } from "../compare/measure.js";
import type { FaultEngine } from "../../faults/engine.js";
import type { Cluster } from "../../run/cluster.js";
import { allHold } from "../../observe/views.js";
import {
  type Condition,
  type Contestant,
  FAMILY_SETTING,
  progressLine,
  referenceSettings,
  type TradeoffBench,
  type TradeoffPlan,
  type TradeoffRow,
  trialConfig,
  tradeoffRow,
} from "./plan.js";

/** The longest a crash is waited for: a verdict later than this counts as missed. */
const DETECTION_LIMIT_MS = 90_000;
/** The longest a restarted victim is waited for before the next crash. */
const REJOIN_LIMIT_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A contestant with what it runs as: the implementation (an adapter already tuned) and the reference node's settings. */
export interface ProcessContestant extends Contestant {
  impl: Implementation;
  config?: Partial<NodeConfig>;
}

/** The contestants of one implementation: the reference node in both families, an adapter in each family its manifest can tune. */
export function contestantsOf(impl: Implementation, multipliers: number[], thresholds: number[]): ProcessContestant[] {
  const sweep = { swim: multipliers, phi: thresholds } as const;
  if (!impl.adapter)
    return (["swim", "phi"] as const).flatMap((family) =>
      sweep[family].map((setting) => ({ implementation: impl.name, family, setting, impl, config: trialConfig(family, setting) })),
    );
  return (["swim", "phi"] as const).flatMap((family) =>
    impl.adapter!.manifest.tunable.some((t) => t.setting === FAMILY_SETTING[family])
      ? sweep[family].map((setting) => ({ implementation: impl.name, family, setting, impl: tunedImplementation(impl, FAMILY_SETTING[family], setting) }))
      : [],
  );
}

/** Puts `condition` on every link; resolves with what the halfway step does (the latency step's second half). */
async function applyCondition(faults: FaultEngine, condition: Condition): Promise<() => Promise<void>> {
  const nothing = async () => undefined;
  if (condition === "jitter") await faults.latency(20, 10);
  if (condition === "loss-10") await faults.loss(0.1);
  if (condition === "loss-30") await faults.loss(0.3);
  if (condition !== "latency-step") return nothing;
  const first = await faults.latency(20, 0);
  return async () => {
    await first.undo();
    await faults.latency(200, 0);
  };
}

/** Each node's next event sequence number: its transitions from now on are read `after` it. */
const nextSeqs = (nodes: Cluster["nodes"]) => Promise.all(nodes.map((n) => n.admin.events().then((e) => e.next)));

/** Verdicts about running members (never a node about itself) in each node's transitions. */
function falseVerdicts(cluster: Cluster, events: MembershipEvent[][]): { falseDead: number; falseSuspect: number } {
  let falseDead = 0;
  let falseSuspect = 0;
  events.forEach((list, i) => {
    for (const e of list.filter((e) => e.id !== cluster.nodes[i]!.id)) {
      if (e.to === "dead") falseDead++;
      if (e.to === "suspect") falseSuspect++;
    }
  });
  return { falseDead, falseSuspect };
}

/** Waits (at most REJOIN_LIMIT_MS) until every node holds `id` alive. */
async function untilAllHoldAlive(cluster: Cluster, id: string): Promise<void> {
  const deadline = Date.now() + REJOIN_LIMIT_MS;
  while (Date.now() < deadline) {
    if (await allHold(cluster.nodes, [id], "alive").catch(() => false)) return;
    await sleep(POLL_MS * 2.5);
  }
}

/**
 * Crashes `victimId` and waits until every observer has held it dead (or DETECTION_LIMIT_MS passed):
 * each observer's latency is its first dead transition's timestamp less the moment of the kill.
 * Only an observer that holds the victim alive or suspect at the kill is judged: one that already
 * holds it dead (a false verdict under loss, not yet refuted) has no death left to detect.
 */
async function crashAndTime(cluster: Cluster, victimId: string): Promise<{ latencies: number[]; missed: number; unjudged: number }> {
  await untilAllHoldAlive(cluster, victimId);
  const live = cluster.nodes.filter((n) => n.id !== victimId);
  const [from, views] = await Promise.all([nextSeqs(live), Promise.all(live.map((n) => n.admin.members().catch(() => undefined)))]);
  const judged = live.flatMap((node, i) =>
    views[i]?.members.some((m) => m.id === victimId && (m.state === "alive" || m.state === "suspect")) ? [{ node, from: from[i] }] : [],
  );
  const crashedAt = Date.now();
  await cluster.node(victimId).crash();
  const seen = new Map<string, number>();
  while (seen.size < judged.length && Date.now() - crashedAt < DETECTION_LIMIT_MS) {
    await sleep(POLL_MS);
    await Promise.all(
      judged.map(async ({ node, from }) => {
        if (seen.has(node.id)) return;
        const events = await node.admin.events(from).catch(() => undefined);
        const dead = events?.events.find((e) => e.id === victimId && e.to === "dead");
        if (dead) seen.set(node.id, Math.max(0, dead.at - crashedAt));
      }),
    );
  }
  return { latencies: [...seen.values()], missed: judged.length - seen.size, unjudged: live.length - judged.length };
}

export async function processTradeoffTrial(contestant: ProcessContestant, plan: TradeoffPlan, condition: Condition): Promise<TradeoffRow> {
  const { impl, config } = contestant;
  const random = seededRandom(plan.seed);
  const { cluster, close } = await faultableCluster(impl, plan.nodes, plan.seed, config);
  try {
    await formed(cluster, impl);
    const from = await nextSeqs(cluster.nodes);
    const step = await applyCondition(cluster.faults, condition);
    const halfway = sleep(plan.quietMs / 2).then(step);
    const quiet = await transitionsOver(cluster, from, plan.quietMs);
    await halfway;
    const latencies: number[] = [];
    let missed = 0;
    let unjudged = 0;
    for (let k = 0; k < plan.crashes; k++) {
      const victim = cluster.nodes[1 + (k % (cluster.nodes.length - 1))]!.id;
      // Each crash falls at another phase of the protocol period.
      await sleep(random() * (config?.probeIntervalMs ?? impl.timing.probeIntervalMs));
      const crash = await crashAndTime(cluster, victim);
      latencies.push(...crash.latencies);
      missed += crash.missed;
      unjudged += crash.unjudged;
      await cluster.restart(victim);
    }
    const faults = cluster.log.all().map(
      (f) =>
        `${cluster.faults.kind}: ${f.kind} ${Object.entries(f.params)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(" ")}`,
    );
    return { ...tradeoffRow(contestant, condition, plan, { latencies, missed, ...falseVerdicts(cluster, quiet) }), faults, ...(unjudged ? { unjudged } : {}) };
  } finally {
    await close();
  }
}

export interface ProcessTradeoffPlan extends TradeoffPlan {
  contestants: ProcessContestant[];
}

export async function runProcessTradeoff(plan: ProcessTradeoffPlan, say: (line: string) => void, interrupted: () => boolean): Promise<TradeoffBench> {
  const rows: TradeoffRow[] = [];
  const total = plan.contestants.length * plan.conditions.length;
  for (const condition of plan.conditions) {
    for (const contestant of plan.contestants) {
      if (interrupted()) break;
      const started = Date.now();
      const row = await processTradeoffTrial(contestant, plan, condition).catch((error: Error): TradeoffRow => ({
        ...tradeoffRow(contestant, condition, plan, { latencies: [], missed: 0, falseDead: 0, falseSuspect: 0 }),
        error: error.message,
      }));
      rows.push(row);
      say(
        row.error
          ? `[${rows.length}/${total}] ${condition}, ${contestant.implementation} could not run: ${row.error}`
          : progressLine(rows.length, total, row, (Date.now() - started) / 1000),
      );
    }
  }
  const impls = [...new Map(plan.contestants.map((c) => [c.impl.name, c.impl])).values()];
  return {
    runtime: "process",
    nodes: plan.nodes,
    quietMs: plan.quietMs,
    crashes: plan.crashes,
    implementations: impls.map((impl) => ({
      name: impl.name,
      version: impl.version,
      settings: impl.adapter ? `${impl.timing.source}; the swept setting replaces its default` : referenceSettings(),
    })),
    rows,
  };
}
