// Runs one scenario on the simulator: N reference cores in this process, on a virtual clock, over the
// simulated network. The steps, the history records and the checks are those of a process run; the
// clock is not. Time zero is the scenario's start and every record's t is virtual ms, so the same
// seed writes the same history, byte for byte.
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { NodeConfig } from "../../specs/node/config.js";
import type { CheckResult, ScenarioResult } from "../../specs/report/summary.js";
import { crashed, KV_STEP_KINDS, SCENARIO_DEFAULT_CONFIG, type CheckSpec, type Scenario, type ScenarioStep } from "../../specs/scenario/scenario.js";
import type { MutantName } from "../../reference-node/core/mutants.js";
import { SimCluster } from "../../reference-node/sim/cluster.js";
import type { Link, LinkRule } from "../../reference-node/sim/network.js";
import { CheckContext, checkDeadlineMs, runCheck } from "../checks/index.js";
import { judge, notRun } from "../checks/judge.js";
import { cutPairs, grudgeFromGroups, grudgeIsolate, grudgeNodes, grudgeOneWay, type Grudge } from "../faults/grudge.js";
import type { HistoryWriter, ScenarioHistory } from "../history/writer.js";
import { stepEnd, stepOrigin } from "../history/step-record.js";
import type { Progress } from "../run/progress.js";
import { ViewRecorder } from "./view-recorder.js";
import { WireAudit } from "./wire-audit.js";
import { describeStep } from "../scenario/describe.js";
import { simTooLarge } from "./footprint.js";

export interface SimRunOptions {
  history: HistoryWriter;
  progress: Progress;
  signal: AbortSignal;
  mutant?: MutantName | undefined;
  seed?: number | undefined;
  /** Record the aggregated view stream from this many nodes on (default 64): below it, one record per view change. */
  aggregateFrom?: number;
  /** One-way delay of a clean simulated link, ms (default 1: loopback's order of magnitude). */
  linkDelayMs?: number;
}

/** Virtual ms between view-count records, and between key-value digests (the process run's observer takes one every 500 ms). */
const TICK_MS = 100;
const DIGEST_EVERY_TICKS = 5;
/** Ticks between traffic samples: once a virtual second, as the process run samples its proxies. */
const TRAFFIC_EVERY_TICKS = 10;
/**
 * How often an `expect` step judges its check again while it waits: every 200 virtual ms (as the
 * process run polls), or a tenth of the time waited so far if longer. Each judgement reads the whole
 * history, which at scale is costly, and a wait of virtual minutes then ends at most 10 % late.
 */
const EXPECT_POLL_MS = 200;
const EXPECT_POLL_SHARE = 0.1;
/** Wall-clock ms of simulation between yields to the event loop, so that Ctrl-C is heard. */
const YIELD_EVERY_MS = 50;
/** Wall-clock ms between progress notes while the clock runs (a large cluster takes a while). */
const NOTE_EVERY_MS = 5000;

/** Steps the simulator does not model: a scenario with one is SKIP, with the reason. */
const NOT_MODELLED: Partial<Record<ScenarioStep["kind"], string>> = {
  bandwidth: "bandwidth (messages have no size on its links)",
  throttle: "throttling (a node runs or is paused, nothing between)",
  duplicate: "datagrams (wire v1's exchanges are request and reply on a connection)",
  reorder: "datagrams (wire v1's exchanges are request and reply on a connection)",
};

/** Why the simulator cannot run `scenario`, or undefined when it can. */
export function simNotRunReason(scenario: Scenario): string | undefined {
  const tooLarge = simTooLarge(scenario.nodes);
  if (tooLarge) return `not run: ${tooLarge}`;
  const kinds = [...new Set(scenario.steps.map((s) => s.kind))].filter((k) => NOT_MODELLED[k]);
  if (kinds.length === 0) return undefined;
  const what = [...new Set(kinds.map((k) => NOT_MODELLED[k]))].join(", ");
  return `not run: the simulator does not model ${what}, which its ${kinds.join(" and ")} steps need; run it on processes`;
}

class StepFailed extends Error {}
class Interrupted extends Error {}

export async function runSimScenario(file: string, scenario: Scenario, options: SimRunOptions): Promise<ScenarioResult> {
  const history = options.history.forScenario(scenario.name);
  const seed = options.seed ?? scenario.seed ?? 1;
  const startedAt = Date.now();
  const config = { ...SCENARIO_DEFAULT_CONFIG, ...scenario.config };
  const aggregated = scenario.nodes >= (options.aggregateFrom ?? 64);
  history.add({
    type: "scenario-start",
    source: "harness",
    t: 0,
    config,
    seed,
    ...(options.mutant ? { mutant: options.mutant } : {}),
    toxiproxy: "none (simulated network)",
    runtime: "sim",
    ...(aggregated ? { aggregated } : {}),
    file,
    description: scenario.description.trim(),
    checks: scenario.checks.map((c) => ({ [c.check]: c.args })),
    nodes: Array.from({ length: scenario.nodes }, (_, i) => `n${i + 1}`),
    proxies: {},
  });
  const reason = simNotRunReason(scenario);
  if (reason) {
    history.add({ type: "scenario-end", source: "harness", t: 0, skipped: reason });
    return { ...notRun({ name: scenario.name, file, description: scenario.description.trim(), startedAt, durationMs: 0 }, reason), seed };
  }
  const player = new SimPlayer(scenario, history, NodeConfig.parse(config), seed, aggregated, options);
  const stepResults: CheckResult[] = [];
  let aborted: string | undefined;
  try {
    player.start();
    for (const [index, step] of scenario.steps.entries()) {
      options.progress.step(index, scenario.steps.length, describeStep(step));
      history.add({ type: "step", source: "harness", t: player.now, phase: "start", index, kind: step.kind, args: step.args });
      const began = player.now;
      let outcome: CheckResult | undefined;
      try {
        outcome = await player.play(step, index);
      } catch (error) {
        if (!(error instanceof StepFailed)) throw error;
        outcome = { name: `step ${index + 1}: ${step.kind}`, verdict: "fail", summary: error.message, evidence: [], metrics: {} };
      }
      if (outcome) stepResults.push({ ...outcome, durationMs: player.now - began, origin: stepOrigin(index) });
      history.add({ ...stepEnd(index, step, outcome), t: player.now });
    }
  } catch (error) {
    aborted = error instanceof Interrupted ? "interrupted" : (error as Error).message;
  }
  player.finish();
  history.add({ type: "scenario-end", source: "harness", t: player.now, ...(aborted ? { aborted } : {}) });
  const result = judge(
    { name: scenario.name, file, description: scenario.description.trim(), startedAt, durationMs: Date.now() - startedAt, aborted },
    stepResults,
    scenario.checks,
    history.records(),
  );
  return { ...result, seed };
}

/** A fault in force: its history id and how to end it. */
interface Held {
  id: number;
  kind: string;
  end: () => void;
}

/** Plays a scenario's steps on a simulated cluster, writing what happens into the history. */
class SimPlayer {
  private readonly sim: SimCluster;
  private readonly views: ViewRecorder;
  private readonly held: Held[] = [];
  private readonly paused = new Map<string, Held>();
  private nextFault = 1;
  private nextTick = TICK_MS;
  private ticks = 0;
  private lastYield = Date.now();
  private lastNote = Date.now();
  /** Whether the scenario writes to the key-value store. */
  private readonly writes: boolean;
  private readonly kvSeq = new Map<string, number>();
  private restarts = 1;
  /** Each running node's local health score as last recorded (a restarted node starts over). */
  private readonly health = new Map<string, number>();
  /** Every message held to the wire rules (harness/checks/wire.ts). */
  private readonly audit = new WireAudit();

  constructor(
    private readonly scenario: Scenario,
    private readonly history: ScenarioHistory,
    config: NodeConfig,
    private readonly seed: number,
    aggregated: boolean,
    private readonly options: SimRunOptions,
  ) {
    this.views = new ViewRecorder(history, aggregated);
    this.writes = scenario.steps.some((s) => KV_STEP_KINDS.has(s.kind));
    this.sim = new SimCluster({
      config,
      latencyMs: options.linkDelayMs ?? 1,
      networkSeed: seed ^ 0x5eed,
      keepTransitions: false,
      measureBytes: false,
      mutant: options.mutant,
      listener: {
        transition: (tr) => {
          this.views.change(tr);
          this.audit.transition(tr);
        },
        sent: (at, from, to, message) => this.audit.sent(at, from, to, message),
        started: (id) => this.audit.started(id),
        kvApplied: (a) => {
          const seq = (this.kvSeq.get(a.observer) ?? 0) + 1;
          this.kvSeq.set(a.observer, seq);
          this.history.add({
            type: "kv-applied",
            source: `node:${a.observer}`,
            t: a.at,
            observer: a.observer,
            seq,
            key: a.key,
            version: a.version,
            origin: a.origin,
          });
        },
      },
    });
  }

  get now(): number {
    return this.sim.now;
  }

  /** n1 first, then the rest joining through it, all at time zero (the machines of a cluster booting). */
  start(): void {
    this.recordTraffic(this.now);
    for (let i = 0; i < this.scenario.nodes; i++) this.boot(`n${i + 1}`, i);
  }

  /** The exchanges nodes have started so far (each a connection of wire v1, as the proxies count them). */
  private recordTraffic(t: number): void {
    this.history.add({ type: "traffic", source: "harness", t, exchanges: this.sim.messages.sent });
  }

  private boot(id: string, index: number): void {
    const seeds = this.sim.ids.filter((n) => n !== id && this.sim.status(n) !== "crashed").slice(0, 1);
    this.views.observerUp(id);
    this.health.delete(id);
    this.history.add({ type: "node-up", source: "harness", t: this.now, readyAt: this.now, node: id, addr: SimCluster.addrOf(id) });
    if (this.sim.status(id) === undefined) this.sim.add(id, this.seed + index, seeds);
    // A restarted process draws a new seed, as a process run's restart does not replay the old one.
    else this.sim.restart(id, this.seed + index + 7919 * this.restarts++, seeds);
  }

  /** Nodes whose process runs (paused ones included). */
  private running(): string[] {
    return this.sim.ids.filter((id) => this.sim.status(id) !== "crashed");
  }

  /** Runs the virtual clock `ms` forward, writing counts and digests at each tick. */
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    while (this.now < until) {
      const next = Math.min(until, this.nextTick);
      this.sim.runUntil(next);
      if (next === this.nextTick) this.tick();
      if (Date.now() - this.lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        this.lastYield = Date.now();
        if (this.options.signal.aborted) throw new Interrupted();
        if (this.lastYield - this.lastNote > NOTE_EVERY_MS) {
          this.lastNote = this.lastYield;
          this.options.progress.note?.(`simulated ${(this.now / 1000).toFixed(1)} s (this step until ${(until / 1000).toFixed(1)} s)`);
        }
      }
    }
  }

  private tick(): void {
    this.views.tick(this.nextTick);
    this.recordHealth();
    if (++this.ticks % DIGEST_EVERY_TICKS === 0) this.recordDigests();
    if (this.ticks % TRAFFIC_EVERY_TICKS === 0) this.recordTraffic(this.nextTick);
    this.nextTick += TICK_MS;
  }

  /**
   * Each running node's local health score, when it first shows one and whenever it has changed since
   * (a process run's observer reads the same from /v1/metrics, every 500 ms). A paused node is not
   * asked, as a process run cannot ask it.
   */
  private recordHealth(): void {
    for (const id of this.running()) {
      if (this.sim.status(id) !== "up") continue;
      const score = this.sim.node(id).healthScore;
      if (score === undefined || this.health.get(id) === score) continue;
      this.health.set(id, score);
      this.history.add({ type: "health", source: "sim", t: this.nextTick, node: id, score });
    }
  }

  /**
   * A digest of every running node's store, as the process run's observer samples them (a paused
   * node cannot be asked). Only a scenario that writes needs them: at scale, a membership scenario
   * would otherwise fill its history with empty stores.
   */
  private recordDigests(): void {
    if (!this.writes) return;
    for (const id of this.running()) {
      if (this.sim.status(id) !== "up") continue;
      const kv = this.sim.node(id).kv;
      this.history.add({ type: "kv-digest", source: "observer", t: this.now, observer: id, root: kv.tree.root(), keys: kv.liveKeys, entries: kv.size });
    }
  }

  /** The end: faults kept to the end are ended, last digests and every running node's store are recorded. */
  finish(): void {
    for (const held of [...this.held]) this.endFault(held);
    this.views.tick(this.now);
    this.recordDigests();
    this.recordTraffic(this.now);
    for (const record of this.audit.records(this.now)) this.history.add(record);
    for (const id of this.running())
      if (this.sim.status(id) === "up")
        this.history.add({ type: "kv-snapshot", source: "observer", t: this.now, observer: id, entries: this.sim.node(id).kv.all() });
  }

  async play(step: ScenarioStep, index: number): Promise<CheckResult | undefined> {
    switch (step.kind) {
      case "wait":
        if ("ms" in step.args) {
          await this.advance(step.args.ms);
          return undefined;
        }
        return this.untilConverged(step.args.timeout, index);
      case "crash": {
        const nodes = crashed(step.args);
        for (const node of nodes) this.requireRunning(node);
        for (const node of nodes) {
          this.down(node, "crash");
          this.sim.crash(node);
        }
        return undefined;
      }
      case "stop":
      case "leave": {
        const node = step.args;
        this.requireRunning(node);
        this.down(node, step.kind);
        this.sim.leave(node);
        // The node spreads its leave, then exits (a process run waits up to 10 s for it too).
        for (let waited = 0; waited < 10_000 && !this.sim.node(node).hasLeft; waited += TICK_MS) await this.advance(TICK_MS);
        this.sim.crash(node);
        return undefined;
      }
      case "restart": {
        const node = step.args;
        if (this.sim.status(node) !== "crashed") this.down(node, "crash");
        this.boot(node, Number(node.slice(1)) - 1);
        return undefined;
      }
      case "pause": {
        const { node, for: forMs } = step.args as { node: string; for?: number };
        this.requireRunning(node);
        this.sim.pause(node);
        const held = this.startFault("pause", [node], {}, () => this.sim.resume(node));
        if (forMs === undefined) this.paused.set(node, held);
        else {
          await this.advance(forMs);
          this.endFault(held);
        }
        return undefined;
      }
      case "resume": {
        const held = this.paused.get(step.args);
        if (!held) throw new StepFailed(`${step.args} is not paused`);
        this.paused.delete(step.args);
        this.endFault(held);
        return undefined;
      }
      case "partition": {
        const a = step.args;
        this.partition("groups" in a ? grudgeFromGroups(a.groups) : "grudge" in a ? a.grudge : grudgeOneWay(a.from, a.to));
        return undefined;
      }
      case "isolate":
        this.partition(grudgeIsolate(step.args, this.sim.ids));
        return undefined;
      case "loss":
        this.linkFault("loss", { kind: "loss", rate: step.args.rate, links: step.args.links }, { rate: step.args.rate }, step.args.links);
        return undefined;
      case "latency": {
        const { latency, jitter, links } = step.args;
        this.linkFault("latency", { kind: "latency", latencyMs: latency, jitterMs: jitter, links }, { latencyMs: latency, jitterMs: jitter }, links);
        return undefined;
      }
      case "refuse":
        this.linkFault("refuse", { kind: "refuse", links: step.args.links }, {}, step.args.links);
        return undefined;
      case "clock": {
        const { node, ahead, behind } = step.args;
        this.requireRunning(node);
        this.sim.setClockOffset(node, ahead ?? -(behind ?? 0));
        return undefined;
      }
      case "heal":
        for (const held of this.held.filter((h) => h.kind === "partition")) this.endFault(held);
        return undefined;
      case "clear":
        for (const held of this.held.filter((h) => h.kind !== "pause")) this.endFault(held);
        return undefined;
      case "join": {
        const id = (step.args as { node?: string }).node ?? `n${this.sim.ids.length + 1}`;
        if (this.sim.ids.includes(id)) throw new StepFailed(`${id} is already part of the cluster`);
        this.boot(id, Number(id.slice(1)) - 1);
        return undefined;
      }
      case "put":
        this.write(step.args.node, step.args.key, step.args.value);
        return undefined;
      case "write-load":
        return this.writeLoad(step.args, index);
      case "expect":
        return this.expect(step.args, index);
      case "bandwidth":
      case "throttle":
      case "duplicate":
      case "reorder":
        // simNotRunReason keeps these scenarios from running.
        throw new StepFailed(`the simulator does not model ${step.kind}`);
    }
  }

  private requireRunning(node: string): void {
    const status = this.sim.status(node);
    if (status === undefined || status === "crashed") throw new StepFailed(`${node} is not running`);
  }

  private down(node: string, how: "crash" | "stop" | "leave"): void {
    this.history.add({ type: "node-down", source: "harness", t: this.now, node, how });
    this.views.observerGone(node);
  }

  private partition(grudge: Grudge): void {
    const links = cutPairs(grudge);
    const rule = this.sim.network.add({ kind: "cut", links });
    this.startFault("partition", grudgeNodes(grudge), { grudge }, () => this.sim.network.remove(rule));
  }

  private linkFault(kind: "loss" | "latency" | "refuse", rule: LinkRule, params: Record<string, unknown>, links: readonly Link[] | undefined): void {
    const id = this.sim.network.add(rule);
    const targets = links ? [...new Set(links.flat())].sort() : this.sim.ids;
    this.startFault(kind, targets, links ? { ...params, links } : params, () => this.sim.network.remove(id));
  }

  private startFault(kind: "partition" | "loss" | "latency" | "refuse" | "pause", targets: string[], params: Record<string, unknown>, end: () => void): Held {
    const id = this.nextFault++;
    const t = this.now;
    this.history.add({ type: "fault", source: "harness", phase: "start", id, kind, targets, params, t, settledAt: t });
    const held: Held = {
      id,
      kind,
      end: () => {
        end();
        this.history.add({ type: "fault", source: "harness", phase: "end", id, kind, targets, params, t: this.now, settledAt: this.now });
      },
    };
    this.held.push(held);
    return held;
  }

  private endFault(held: Held): void {
    const at = this.held.indexOf(held);
    if (at < 0) return;
    this.held.splice(at, 1);
    held.end();
  }

  private write(node: string, key: string, value: string | null): void {
    const version = this.sim.put(node, key, value);
    if (version === undefined) throw new StepFailed(`${node} did not take the write: it is ${this.sim.status(node) ?? "not part of the cluster"}`);
    this.history.add({ type: "kv-write", source: "harness", t: this.now, node, key, value, version });
  }

  private async writeLoad(args: Extract<ScenarioStep, { kind: "write-load" }>["args"], index: number): Promise<CheckResult> {
    const nodes = args.nodes ?? this.sim.ids;
    const total = Math.max(1, Math.round((args.rate * args.duration) / 1000));
    const started = this.now;
    let acknowledged = 0;
    const refused: string[] = [];
    for (let i = 0; i < total; i++) {
      await this.advance(Math.max(0, started + Math.round((i * 1000) / args.rate) - this.now));
      const node = nodes[i % nodes.length]!;
      const key = `${args.prefix}-${args.keys === undefined ? i : i % args.keys}`;
      try {
        this.write(node, key, `${node}#${i}`);
        acknowledged++;
      } catch (error) {
        refused.push((error as Error).message);
      }
    }
    await this.advance(Math.max(0, started + args.duration - this.now));
    const summary = `${acknowledged} of ${total} writes acknowledged${refused.length ? `; refused: ${refused.slice(0, 3).join("; ")}` : ""}`;
    return { name: `step ${index + 1}: write-load`, verdict: "info", summary, evidence: [], metrics: { writes: total, acknowledged } };
  }

  /** Judges the check on the history so far (see EXPECT_POLL_MS) until it passes or its own bound runs out. */
  private async expect(spec: CheckSpec, index: number): Promise<CheckResult> {
    const started = this.now;
    const deadline = this.now + checkDeadlineMs(spec);
    for (;;) {
      this.views.tick(this.now);
      const result = runCheck(spec, new CheckContext(this.history.records(), this.now));
      if (result.verdict !== "fail" || this.now >= deadline) return { ...result, name: `step ${index + 1}: expect ${result.name}` };
      const poll = Math.max(EXPECT_POLL_MS, Math.round((this.now - started) * EXPECT_POLL_SHARE));
      await this.advance(Math.min(poll, deadline - this.now));
    }
  }

  private async untilConverged(timeoutMs: number, index: number): Promise<CheckResult> {
    const started = this.now;
    const name = `step ${index + 1}: wait until converged`;
    let reason = "";
    for (;;) {
      const running = this.running();
      const verdict = running.some((id) => this.sim.status(id) === "paused") ? { ok: false, reason: "a node is paused" } : this.views.converged(running);
      if (verdict.ok)
        return { name, verdict: "pass", summary: `converged after ${this.now - started} ms`, evidence: [], metrics: { waitedMs: this.now - started } };
      reason = verdict.reason ?? "";
      if (this.now - started >= timeoutMs) break;
      await this.advance(TICK_MS);
    }
    return { name, verdict: "fail", summary: `not converged within ${timeoutMs} ms: ${reason}`, evidence: [], metrics: { waitedMs: null } };
  }
}
