// Trials against any implementation, measured the same way for all: each node's view read every pollMs.
import { percentile } from "../../stats.js";
import { suspicionTimeoutMs } from "../../../specs/protocol/suspicion.js";
import type { DetectionTrial, Distribution, LossPoint, PausePoint } from "../../../specs/bench/summary.js";
import type { BenchCluster, BenchNode, Implementation, ViewRow } from "../../adapters/implementation.js";
import { obtainToxiproxy } from "../../faults/toxiproxy-source.js";
import { allHold } from "../../observe/views.js";
import { waitUntil } from "../../observe/wait.js";
import { ToxiproxyEngine } from "../../faults/toxiproxy-engine.js";
import { Cluster } from "../../run/cluster.js";
import { grudgeFromGroups } from "../../faults/grudge.js";
import { PacketEngine } from "../../faults/packet/packet-engine.js";
import { AdapterRuntime } from "../../runtime/adapter-runtime.js";
import type { MembershipEvent } from "../../../specs/admin/api.js";
import type { NodeConfig } from "../../../specs/node/config.js";

export const POLL_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A small seeded generator (mulberry32), so that victims and crash phases repeat with the seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function distribution(values: (number | null)[]): Distribution | null {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const q = (p: number) => Math.round(percentile(sorted, p)!);
  return { n: sorted.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: sorted[sorted.length - 1]! };
}

/** Polls until every given node holds every given member in `state`; false if the time runs out. */
export async function until(nodes: BenchNode[], check: (views: ViewRow[][]) => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const views = await Promise.all(nodes.map((n) => n.view().catch(() => [] as ViewRow[])));
    if (check(views)) return true;
    await sleep(POLL_MS);
  }
  return false;
}

const holds = (view: ViewRow[], id: string, states: string[]) => view.some((m) => m.id === id && states.includes(m.state));
const fullMembership = (ids: string[]) => (views: ViewRow[][]) => views.every((v) => ids.every((id) => holds(v, id, ["alive"])));

/**
 * Expected protocol periods until some live member first probes a member that crashed, with N nodes
 * (M = N − 1 live probers, each with N − 1 others to choose from):
 * - random: each prober picks a uniformly random member each period (SWIM §3.1), so the first probe
 *   comes after 1 / (1 − (1 − 1/M)^M) periods on average (→ e/(e−1) ≈ 1.58 for large N);
 * - round-robin: each prober walks a shuffled list (SWIM §4.3, memberlist), so the dead member's turn
 *   is uniform over 1..M periods for each prober, and the first of M such turns comes after
 *   E[min] = Σ_{k=1..M} ((M − k + 1)/M)^M periods (→ e/(e−1) too, but never more than M periods).
 */
export function periodsToFirstProbe(nodes: number, order: "round-robin" | "random"): number {
  const m = nodes - 1;
  if (m < 1) return Number.POSITIVE_INFINITY;
  if (order === "random") return 1 / (1 - (1 - 1 / m) ** m);
  let sum = 0;
  for (let k = 1; k <= m; k++) sum += ((m - k + 1) / m) ** m;
  return sum;
}

/**
 * SWIM's expectation for a crash (Das et al.): the dead member is first probed after
 * periodsToFirstProbe periods, and suspected when that probe's period ends; a crash lands
 * mid-period on average (− ½ + 1). Then Lifeguard's suspicion runs between its minimum
 * (k confirmations) and maximum (none).
 */
export function swimExpectation(
  probeIntervalMs: number,
  nodes: number,
  suspicionMult: number,
  suspicionMaxTimeoutMult = 1,
  order: "round-robin" | "random" = "random",
) {
  const periods = periodsToFirstProbe(nodes, order);
  const suspicionMinMs = suspicionTimeoutMs(suspicionMult, nodes, probeIntervalMs);
  return {
    periodsToFirstProbe: periods,
    firstSuspectMeanMs: Math.round(probeIntervalMs * (periods + 0.5)),
    suspicionMinMs,
    suspicionMaxMs: suspicionMinMs * suspicionMaxTimeoutMult,
  };
}

/** The expectation from an implementation's declared timing, as the bench report shows it. */
export function detectionExpectation(impl: Implementation, nodes: number) {
  const probeOrder = impl.timing.probeOrder ?? "random";
  const { firstSuspectMeanMs, suspicionMinMs, suspicionMaxMs } = swimExpectation(
    impl.timing.probeIntervalMs,
    nodes,
    impl.timing.suspicionMult,
    impl.timing.suspicionMaxTimeoutMult,
    probeOrder,
  );
  return { firstSuspectMeanMs, suspicionMinMs, suspicionMaxMs, probeOrder: impl.timing.probeOrder ?? "random (not declared)" };
}

async function withCluster<T>(impl: Implementation, size: number, seed: number, body: (cluster: BenchCluster) => Promise<T>): Promise<T> {
  const cluster = await impl.startCluster(size, seed);
  try {
    const ids = cluster.nodes.map((n) => n.id);
    if (!(await until(cluster.nodes, fullMembership(ids), 30_000))) {
      const views = await Promise.all(cluster.nodes.map((n) => n.view().catch(() => [] as ViewRow[])));
      const lacking = views.map((v, i) => `${ids[i]} lacks ${ids.filter((id) => !holds(v, id, ["alive"])).join(",") || "nothing"}`).join("; ");
      throw new Error(`${impl.name}: ${size} nodes did not all see each other alive within 30 s (${lacking})`);
    }
    return await body(cluster);
  } finally {
    await cluster.stop();
  }
}

/** One crash on a fresh cluster: first suspicion (where the view shows it), first dead, all dead, from the kill. */
export async function detectionTrial(impl: Implementation, size: number, seed: number, random: () => number): Promise<DetectionTrial> {
  return withCluster(impl, size, seed, async (cluster) => {
    // Crash at a random phase of the protocol period, after the cluster has settled.
    await sleep(1000 + random() * impl.timing.probeIntervalMs);
    const victim = cluster.nodes[1 + Math.floor(random() * (size - 1))]!;
    const live = cluster.nodes.filter((n) => n !== victim);
    const expectation = detectionExpectation(impl, size);
    const boundMs = 3 * (expectation.firstSuspectMeanMs + expectation.suspicionMaxMs) + 10_000;
    const crashedAt = Date.now();
    await victim.crash();
    let firstSuspectMs: number | null = null;
    let firstDeadMs: number | null = null;
    const deadAt = new Map<string, number>();
    while (deadAt.size < live.length && Date.now() - crashedAt < boundMs) {
      const views = await Promise.all(live.map((n) => n.view().catch(() => [] as ViewRow[])));
      const at = Date.now() - crashedAt;
      views.forEach((view, i) => {
        if (firstSuspectMs === null && impl.showsSuspect && holds(view, victim.id, ["suspect", "dead"])) firstSuspectMs = at;
        if (holds(view, victim.id, ["dead"]) && !deadAt.has(live[i]!.id)) deadAt.set(live[i]!.id, at);
      });
      if (firstDeadMs === null && deadAt.size > 0) firstDeadMs = at;
      await sleep(POLL_MS);
    }
    return { victim: victim.id, firstSuspectMs, firstDeadMs, allDeadMs: deadAt.size === live.length ? Math.max(...deadAt.values()) : null };
  });
}

/**
 * Freezes `node` for `ms` on a timer of its own, not the poll loop's: a resume that waits for the
 * next poll would overshoot the pause's label by up to a poll. Resolves with the time it was held.
 */
export function holdPaused(node: Pick<BenchNode, "pause" | "resume">, ms: number): { resumed: Promise<number>; resumeNow: () => void } {
  const pausedAt = performance.now();
  node.pause();
  let finish!: () => void;
  let done = false;
  const resumed = new Promise<number>((resolve) => {
    finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      node.resume();
      resolve(performance.now() - pausedAt);
    };
  });
  const timer = setTimeout(() => finish(), ms);
  return { resumed, resumeNow: () => finish() };
}

/**
 * How long after a pause ends a false death can still be declared: a suspicion raised just before
 * the resume runs its longest timeout (Lifeguard's maximum), plus the period it took to raise it and
 * the observers' own poll, with 2 s of slack.
 */
export function pauseWatchMs(impl: Implementation, size: number): number {
  const { suspicionMaxMs } = detectionExpectation(impl, size);
  return suspicionMaxMs + 2 * impl.timing.probeIntervalMs + 2000;
}

/** One node paused for each duration in turn (the cluster recovering in between): who declared it dead? */
export async function pauseTrials(impl: Implementation, size: number, seed: number, pausesMs: number[], trials: number): Promise<PausePoint[]> {
  const points: PausePoint[] = [];
  const watchAfterMs = pauseWatchMs(impl, size);
  for (const pauseMs of pausesMs) {
    let declaredDead = 0;
    let rejoined = 0;
    let longestHeldMs = 0;
    for (let trial = 0; trial < trials; trial++) {
      await withCluster(impl, size, seed + pauseMs + trial, async (cluster) => {
        const victim = cluster.nodes[1]!;
        const live = cluster.nodes.filter((n) => n !== victim);
        const accusers = new Set<string>();
        const hold = holdPaused(victim, pauseMs);
        // Watch through the pause and for as long after it as a verdict reached in the dark can still arrive.
        const watchUntil = Date.now() + pauseMs + watchAfterMs;
        try {
          while (Date.now() < watchUntil) {
            const views = await Promise.all(live.map((n) => n.view().catch(() => [] as ViewRow[])));
            views.forEach((view, i) => holds(view, victim.id, ["dead"]) && accusers.add(live[i]!.id));
            await sleep(POLL_MS);
          }
        } finally {
          hold.resumeNow();
        }
        longestHeldMs = Math.max(longestHeldMs, Math.round(await hold.resumed));
        declaredDead += accusers.size;
        if (await until(live, (views) => views.every((v) => holds(v, victim.id, ["alive"])), 30_000)) rejoined++;
      });
    }
    points.push({ pauseMs, trials, observers: size - 1, declaredDead, rejoined, longestHeldMs, watchedAfterMs: watchAfterMs });
  }
  return points;
}

/**
 * A cluster of `impl` whose network faults reach it: the reference node through Toxiproxy proxies
 * (or, asked, the packet engine), an implementation whose manifest says so in network namespaces
 * under the packet engine.
 */
export async function faultableCluster(
  impl: Implementation,
  size: number,
  seed: number,
  /** The reference node's settings (an adapter's come from its manifest). */
  config?: Partial<NodeConfig>,
): Promise<{ cluster: Cluster; close(): Promise<void> }> {
  if (impl.adapter) {
    if (impl.faults !== "packet") throw new Error(`${impl.name}: network faults reach adapters through the packet engine only (faults.network: "packet")`);
    const runtime = new AdapterRuntime(impl.adapter.manifest, impl.adapter.file);
    await runtime.build();
    const cluster = await Cluster.start({ size, faults: (log) => PacketEngine.create(log), runtime, baseSeed: seed });
    return { cluster, close: () => cluster.close() };
  }
  if (impl.faults === "packet") {
    const cluster = await Cluster.start({ size, faults: (log) => PacketEngine.create(log), baseSeed: seed, ...(config ? { config } : {}) });
    return { cluster, close: () => cluster.close() };
  }
  const toxiproxy = await obtainToxiproxy({ allowPath: false });
  try {
    const prefix = `bench${process.pid}-${seed}-`;
    const cluster = await Cluster.start({
      size,
      faults: (log) => ToxiproxyEngine.create(toxiproxy.api, { prefix }, log),
      baseSeed: seed,
      ...(config ? { config } : {}),
    });
    return {
      cluster,
      close: async () => {
        await cluster.close();
        await toxiproxy.close();
      },
    };
  } catch (error) {
    await toxiproxy.close();
    throw error;
  }
}

/**
 * Each node's transitions since `from` (per node, in the cluster's order), read every 2.5 POLL_MS for
 * `durationMs` (a command view sees changes only when read).
 */
export async function transitionsOver(cluster: Cluster, from: number[], durationMs: number): Promise<MembershipEvent[][]> {
  const deadline = Date.now() + durationMs;
  let events: MembershipEvent[][] = [];
  do {
    await sleep(Math.min(POLL_MS * 2.5, Math.max(0, deadline - Date.now())));
    events = await Promise.all(
      cluster.nodes.map((n, i) =>
        n.admin
          .events(from[i])
          .then((e) => e.events)
          .catch(() => events[i] ?? []),
      ),
    );
  } while (Date.now() < deadline);
  return events;
}

/** Waits until every node holds every node alive (30 s at most); returns their ids. */
export async function formed(cluster: Cluster, impl: Implementation): Promise<string[]> {
  const ids = cluster.nodes.map((n) => n.id);
  await waitUntil(() => allHold(cluster.nodes, ids, "alive"), {
    timeoutMs: 30_000,
    intervalMs: POLL_MS,
    what: `${ids.length} ${impl.name} nodes to see each other alive`,
  });
  return ids;
}

const viewsOf = (nodes: Cluster["nodes"]) =>
  Promise.all(
    nodes.map((n) =>
      n.admin
        .members()
        .then((v) => v.members)
        .catch(() => []),
    ),
  );

/**
 * `impl` with every link losing `rate` of its packets (or, through proxies, of its exchanges): false
 * verdicts about healthy members over `durationMs`, then one crash under the same loss.
 */
export async function lossTrial(impl: Implementation, size: number, rate: number, durationMs: number, seed: number, random: () => number): Promise<LossPoint> {
  const { cluster, close } = await faultableCluster(impl, size, seed);
  try {
    const ids = await formed(cluster, impl);
    const from = await Promise.all(cluster.nodes.map((n) => n.admin.events().then((e) => e.next)));
    if (rate > 0) await cluster.faults.loss(rate);
    const events = (await transitionsOver(cluster, from, durationMs)).flat();
    const falseSuspect = events.filter((e) => e.to === "suspect").length;
    const falseDead = events.filter((e) => e.to === "dead").length;
    const memberHours = (size * durationMs) / 3_600_000;
    const victim = cluster.nodes[1 + Math.floor(random() * (size - 1))]!;
    const live = cluster.nodes.filter((n) => n !== victim);
    const crashedAt = Date.now();
    await victim.crash();
    let firstDeadMs: number | null = null;
    let allDeadMs: number | null = null;
    while (allDeadMs === null && Date.now() - crashedAt < 90_000) {
      const seen = await viewsOf(live);
      const dead = seen.filter((v) => v.some((m) => m.id === victim.id && m.state === "dead")).length;
      if (dead > 0 && firstDeadMs === null) firstDeadMs = Date.now() - crashedAt;
      if (dead === live.length) allDeadMs = Date.now() - crashedAt;
      await sleep(POLL_MS);
    }
    return {
      rate,
      durationMs,
      falseSuspect,
      falseDead,
      falseSuspectPerMemberHour: round(falseSuspect / memberHours),
      falseDeadPerMemberHour: round(falseDead / memberHours),
      firstDeadMs,
      allDeadMs,
    };
  } finally {
    await close();
  }
}

/**
 * One partition of `partitionMs` between the two halves of a fresh cluster of `impl`: how long until
 * each half held the other dead, and how long after the heal until every node held every node alive
 * again (null if not within `waitMs`: a cluster that never re-forms).
 */
export async function partitionTrial(
  impl: Implementation,
  size: number,
  partitionMs: number,
  waitMs: number,
  seed: number,
): Promise<{ splitMs: number | null; healMs: number | null }> {
  const { cluster, close } = await faultableCluster(impl, size, seed);
  try {
    const ids = await formed(cluster, impl);
    const half = Math.floor(size / 2);
    const groups = [ids.slice(0, half), ids.slice(half)];
    const other = (id: string) => groups.find((g) => !g.includes(id))!;
    const cut = await cluster.faults.partition(grudgeFromGroups(groups));
    const cutAt = cut.record.startedAt;
    let splitMs: number | null = null;
    while (Date.now() - cutAt < partitionMs) {
      if (splitMs === null) {
        const views = await viewsOf(cluster.nodes);
        if (views.every((v, i) => other(ids[i]!).every((id) => v.some((m) => m.id === id && m.state === "dead")))) splitMs = Date.now() - cutAt;
      }
      await sleep(Math.min(POLL_MS * 2.5, Math.max(0, cutAt + partitionMs - Date.now())));
    }
    await cut.undo();
    const healedAt = cut.record.endedAt ?? Date.now();
    let healMs: number | null = null;
    while (healMs === null && Date.now() - healedAt < waitMs) {
      const views = await viewsOf(cluster.nodes);
      if (views.every((v) => ids.every((id) => v.some((m) => m.id === id && m.state === "alive")))) healMs = Date.now() - healedAt;
      else await sleep(POLL_MS * 2.5);
    }
    return { splitMs, healMs };
  } finally {
    await close();
  }
}

const round = (x: number) => Math.round(x * 10) / 10;
