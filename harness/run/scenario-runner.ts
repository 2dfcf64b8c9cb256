// Runs one scenario: start the cluster through the fault layer, play the steps, record the history, judge it.
import { sampleTraffic } from "./traffic-sampler.js";
import { randomInt } from "node:crypto";
import path from "node:path";
import type { CheckResult, ScenarioResult } from "../../specs/report/summary.js";
import {
  crashed,
  KV_STEP_KINDS,
  MAX_PROCESS_NODES,
  SCENARIO_DEFAULT_CONFIG,
  type CheckSpec,
  type Scenario,
  type ScenarioStep,
} from "../../specs/scenario/scenario.js";
import { CheckContext, checkDeadlineMs, runCheck } from "../checks/index.js";
import { datagramsUntouched, judge, notRun } from "../checks/judge.js";
import type { FaultEngine } from "../faults/engine.js";
import type { FaultHandle } from "../faults/fault-log.js";
import { grudgeFromGroups, grudgeIsolate, grudgeOneWay, type Grudge } from "../faults/grudge.js";
import { PacketEngine } from "../faults/packet/packet-engine.js";
import { ToxiproxyEngine } from "../faults/toxiproxy-engine.js";
import type { ToxiproxySource } from "../faults/toxiproxy-source.js";
import type { TestedImplementation } from "../../specs/history/history.js";
import type { HistoryWriter, ScenarioHistory } from "../history/writer.js";
import { stepEnd, stepOrigin } from "../history/step-record.js";
import { AdminClient } from "../observe/admin-client.js";
import { Observer } from "../observe/observer.js";
import type { ClusterNode, NodeRuntime } from "../runtime/node-runtime.js";
import { Cluster } from "./cluster.js";
import { abortableSleep, Aborted } from "./abort.js";
import { ExitWatch } from "./exit-watch.js";
import type { Progress } from "./progress.js";
import { describeStep } from "../scenario/describe.js";

export interface ScenarioRunOptions {
  runDir: string;
  /** What carries the network faults: Toxiproxy proxies on loopback, or the packet engine's namespaces. */
  faults: { kind: "proxy"; toxiproxy: ToxiproxySource } | { kind: "packet" };
  /** Default: child processes. */
  runtime?: NodeRuntime;
  history: HistoryWriter;
  progress: Progress;
  signal: AbortSignal;
  mutant?: string | undefined;
  seed?: number | undefined;
  /** What is tested, when not the reference node: its name and what its views show. */
  implementation?: TestedImplementation | undefined;
}

/** Steps that act on datagrams, which only an engine on the packets can give (Toxiproxy relays TCP streams). */
const DATAGRAM_STEPS = new Set<ScenarioStep["kind"]>(["duplicate", "reorder"]);

/**
 * Why `scenario` cannot be run on this implementation under these faults, or undefined when it can:
 * writes with no key-value store to go to, or datagram faults the proxy engine cannot give.
 */
export function notRunReason(scenario: Scenario, implementation: TestedImplementation | undefined, faults: "proxy" | "packet"): string | undefined {
  if (scenario.nodes > MAX_PROCESS_NODES)
    return `not run: ${scenario.nodes} nodes; a run of processes or containers takes at most ${MAX_PROCESS_NODES} (run it with --runtime sim)`;
  const clocks = stepKinds(scenario, new Set(["clock"]));
  if (clocks)
    return "not run: its clock steps offset a node's clock, which only the simulator can do (a process reads the machine's clock); run it with --runtime sim";
  const writes = stepKinds(scenario, KV_STEP_KINDS);
  if (implementation && !implementation.shows.kv && writes) return `not run: ${implementation.name} has no key-value store, which its ${writes} steps write to`;
  const datagrams = stepKinds(scenario, DATAGRAM_STEPS);
  if (faults === "proxy" && datagrams)
    return `not run: its ${datagrams} steps act on datagrams, which the proxy engine does not carry (Toxiproxy relays TCP streams); run with --faults packet`;
  return undefined;
}

/** The kinds of `scenario`'s steps that are in `set`, as "a and b" ("" for none). */
function stepKinds(scenario: Scenario, set: ReadonlySet<ScenarioStep["kind"]>): string {
  return [...new Set(scenario.steps.filter((s) => set.has(s.kind)).map((s) => s.kind))].join(" and ");
}

/** The engine's datagram fault, bound to it; a scenario the engine cannot serve never gets here (notRunReason). */
function datagramFault<K extends "duplicate" | "reorder">(engine: FaultEngine, kind: K): NonNullable<FaultEngine[K]> {
  const fault = engine[kind];
  if (!fault) throw new Error(`the ${engine.kind} fault engine cannot ${kind} datagrams`);
  return fault.bind(engine) as NonNullable<FaultEngine[K]>;
}

/**
 * Has the observer follow a node: through the reference node's admin API with a short timeout, so
 * that a paused node fails fast (an adapter's API as it is), and its key-value store if it has one.
 */
const follow = (observer: Observer, node: ClusterNode): void =>
  observer.watch(node.id, node.admin instanceof AdminClient ? new AdminClient(node.admin.baseUrl, 1000) : node.admin, node.shows?.kv ?? true);

/** The record of a node that started: when it was started and when it said it was ready. */
const nodeUp = (node: ClusterNode) =>
  ({
    type: "node-up",
    source: "harness",
    t: node.startedAt,
    readyAt: node.readyAt,
    node: node.id,
    addr: node.addr,
    ...(node.pid ? { pid: node.pid } : {}),
  }) as const;

/** A step that could not do what it says; the scenario fails with this as a check named after the step. */
class StepFailed extends Error {}

export async function runScenario(file: string, scenario: Scenario, options: ScenarioRunOptions): Promise<ScenarioResult> {
  const history = options.history.forScenario(scenario.name);
  const seed = options.seed ?? scenario.seed ?? randomInt(2 ** 31);
  const config = { ...SCENARIO_DEFAULT_CONFIG, ...scenario.config };
  const startedAt = Date.now();
  const stepResults: CheckResult[] = [];
  let aborted: string | undefined;
  const progress = options.progress;

  const timeout = AbortSignal.timeout(scenario.timeout);
  const signal = AbortSignal.any([options.signal, timeout]);
  const started = {
    type: "scenario-start" as const,
    source: "harness" as const,
    // Time zero is when the scenario began, before its nodes were started.
    t: startedAt,
    config,
    seed,
    ...(options.mutant ? { mutant: options.mutant } : {}),
    toxiproxy: options.faults.kind === "proxy" ? options.faults.toxiproxy.kind : "none (packet engine)",
    faults: options.faults.kind,
    ...(options.implementation ? { implementation: options.implementation } : {}),
    file,
    description: scenario.description.trim(),
    checks: scenario.checks.map((c) => ({ [c.check]: c.args })),
  };
  // The seed every node's random source was given: the same one runs the scenario again (`--seed`).
  const verdict = (steps: CheckResult[]) => ({
    ...judge(
      { name: scenario.name, file, description: scenario.description.trim(), startedAt, durationMs: Date.now() - startedAt, aborted },
      steps,
      scenario.checks,
      history.records(),
    ),
    seed,
  });
  const reason = notRunReason(scenario, options.implementation, options.faults.kind);
  const datagramSteps = stepKinds(scenario, DATAGRAM_STEPS);
  /** The datagram steps that found no datagram to act on ("duplicate and reorder"), when none did. */
  let untouched: string | undefined;
  if (reason) {
    // Nothing to run. The reason is the scenario's one result.
    history.add({ ...started, nodes: [], proxies: {} });
    history.add({ type: "scenario-end", source: "harness", skipped: reason });
    return notRun({ name: scenario.name, file, description: scenario.description.trim(), startedAt, durationMs: Date.now() - startedAt }, reason);
  }
  const runtime = options.runtime;
  // Proxies listen where the runtime's nodes can reach them (loopback, or the proxy container).
  const hosts = runtime ? { listenHost: runtime.proxyListenHost, ...(runtime.proxyDialHost ? { dialHost: runtime.proxyDialHost } : {}) } : {};
  let run: Cluster;
  try {
    run = await Cluster.start({
      size: scenario.nodes,
      faults: (log) => {
        const faults = options.faults;
        return faults.kind === "packet"
          ? PacketEngine.create(log)
          : ToxiproxyEngine.create(
              faults.toxiproxy.api,
              { prefix: `gv${process.pid}-${scenario.name}-`, hosts, connectionsAccepted: faults.toxiproxy.connectionsAccepted },
              log,
            );
      },
      ...(runtime ? { runtime } : {}),
      config,
      baseSeed: seed,
      logDir: path.join(options.runDir, "logs", scenario.name),
      ...(options.mutant ? { mutant: options.mutant } : {}),
    });
  } catch (error) {
    // Nothing ran, so there is nothing to judge: the scenario fails with the reason, and the run goes on.
    aborted = `the cluster did not start: ${(error as Error).message}`;
    history.add({ ...started, nodes: [], proxies: {} });
    history.add({ type: "scenario-end", source: "harness", aborted });
    return verdict([]);
  }
  history.add({ ...started, nodes: run.nodes.map((n) => n.id), proxies: run.faults.listing() });
  run.log.onChange((record, phase) => {
    history.add({
      type: "fault",
      source: "harness",
      phase,
      id: record.id,
      kind: record.kind,
      targets: record.targets,
      params: record.params,
      t: phase === "start" ? record.startedAt : (record.endedAt ?? Date.now()),
      settledAt: phase === "start" ? record.inEffectAt : (record.removedAt ?? Date.now()),
    });
  });
  const observer = new Observer(history);
  const exits = new ExitWatch((node) => {
    history.add({ type: "node-down", source: "harness", node: node.id, how: "exited" });
    void observer.unwatch(node.id, false).catch(() => undefined);
  });
  for (const node of run.nodes) {
    history.add(nodeUp(node));
    follow(observer, node);
    exits.watch(node);
  }
  observer.start();
  const traffic = await sampleTraffic(run.faults, history).catch(() => ({ stop: async () => undefined }));
  const steps = new StepPlayer(run, history, observer, exits, signal);
  /** The step's end in the history: ok unless it judged and failed, with what it concluded. */
  const stepEnded = (index: number, step: ScenarioStep, outcome: CheckResult | undefined) => history.add(stepEnd(index, step, outcome));

  try {
    for (const [index, step] of scenario.steps.entries()) {
      progress.step(index, scenario.steps.length, describeStep(step));
      history.add({ type: "step", source: "harness", phase: "start", index, kind: step.kind, args: step.args });
      const began = Date.now();
      try {
        const outcome = await steps.play(step, index);
        if (outcome) stepResults.push({ ...outcome, durationMs: Date.now() - began, origin: stepOrigin(index) });
        stepEnded(index, step, outcome);
      } catch (error) {
        if (error instanceof Aborted || signal.aborted) throw error;
        const message = (error as Error).message;
        const failed: CheckResult = { name: `step ${index + 1}: ${step.kind}`, verdict: "fail", summary: message, evidence: [], metrics: {} };
        stepResults.push({ ...failed, durationMs: Date.now() - began, origin: stepOrigin(index) });
        stepEnded(index, step, failed);
        if (!(error instanceof StepFailed)) throw error;
      }
    }
  } catch (error) {
    aborted = timeout.aborted ? `timed out after ${scenario.timeout} ms` : options.signal.aborted ? "interrupted" : (error as Error).message;
  } finally {
    exits.close();
    await traffic.stop();
    await observer.stop().catch(() => undefined);
    if (datagramSteps && (await run.faults.datagramsCarried?.().catch(() => undefined)) === 0) untouched = datagramSteps;
    history.add({ type: "scenario-end", source: "harness", ...(aborted ? { aborted } : {}), ...(untouched ? { datagramsUntouched: untouched } : {}) });
    await run.close();
  }

  return untouched ? datagramsUntouched(verdict(stepResults), untouched) : verdict(stepResults);
}

/** Carries out steps against a running cluster; keeps the handles of faults that later steps end. */
class StepPlayer {
  private readonly paused = new Map<string, FaultHandle>();
  private readonly throttled = new Map<string, FaultHandle>();

  constructor(
    private readonly run: Cluster,
    private readonly history: ScenarioHistory,
    private readonly observer: Observer,
    private readonly exits: ExitWatch,
    private readonly signal: AbortSignal,
  ) {}

  /** Plays one step; returns a check result for steps that judge (expect, wait until converged). */
  async play(step: ScenarioStep, index: number): Promise<CheckResult | undefined> {
    const { run, history, observer } = this;
    switch (step.kind) {
      case "wait":
        if ("ms" in step.args) {
          await abortableSleep(step.args.ms, this.signal);
          return undefined;
        }
        return this.untilConverged(step.args.timeout, index);
      case "crash": {
        // A list falls at once: every kill is sent before any is awaited.
        const nodes = crashed(step.args);
        for (const node of nodes) this.requireRunning(node);
        await Promise.all(
          nodes.map(async (node) => {
            this.exits.expect(run.node(node));
            history.add({ type: "node-down", source: "harness", node, how: "crash" });
            await run.processes.crash(node);
            await observer.unwatch(node, false);
          }),
        );
        return undefined;
      }
      case "stop":
      case "leave": {
        const node = step.args;
        this.requireRunning(node);
        await observer.unwatch(node, true);
        this.exits.expect(run.node(node));
        history.add({ type: "node-down", source: "harness", node, how: step.kind });
        if (step.kind === "stop") await run.processes.stop(node);
        else {
          const leaving = run.node(node);
          await (leaving.leave ? leaving.leave() : leaving.admin.leave());
          await Promise.race([run.node(node).exited, abortableSleep(10_000, this.signal)]);
        }
        return undefined;
      }
      case "restart": {
        const node = step.args;
        await observer.unwatch(node, false);
        this.exits.expect(run.node(node));
        // A node already crashed is down in the history: a second record would say it died twice (the simulator writes one too).
        if (!run.node(node).hasExited) history.add({ type: "node-down", source: "harness", node, how: "crash" });
        await run.processes.restart(node);
        const fresh = run.node(node);
        history.add(nodeUp(fresh));
        follow(observer, fresh);
        this.exits.watch(fresh);
        return undefined;
      }
      case "pause": {
        const { node, for: forMs } = step.args as { node: string; for?: number };
        this.requireRunning(node);
        await this.holdOrKeep(await run.processes.pause(node), forMs, this.paused, node);
        return undefined;
      }
      case "resume": {
        const handle = this.paused.get(step.args);
        if (!handle) throw new StepFailed(`${step.args} is not paused`);
        this.paused.delete(step.args);
        await handle.undo();
        return undefined;
      }
      case "throttle": {
        const { node, run: fraction, period, for: forMs } = step.args;
        await this.holdOrKeep(run.processes.throttle(node, fraction, period), forMs, this.throttled, node);
        return undefined;
      }
      case "partition": {
        const a = step.args;
        const grudge: Grudge = "groups" in a ? grudgeFromGroups(a.groups) : "grudge" in a ? a.grudge : grudgeOneWay(a.from, a.to);
        await run.faults.partition(grudge);
        return undefined;
      }
      case "isolate":
        await run.faults.partition(grudgeIsolate(step.args, run.nodeIds));
        return undefined;
      case "loss":
        await run.faults.loss(step.args.rate, step.args.links);
        return undefined;
      case "latency":
        await run.faults.latency(step.args.latency, step.args.jitter, step.args.links);
        return undefined;
      case "bandwidth":
        await run.faults.bandwidth(step.args.rate, step.args.links);
        return undefined;
      case "duplicate":
        await datagramFault(run.faults, "duplicate")(step.args.rate, step.args.links);
        return undefined;
      case "reorder":
        await datagramFault(run.faults, "reorder")(step.args.rate, step.args.delay, step.args.links);
        return undefined;
      case "refuse":
        await run.faults.refuse(step.args.links);
        return undefined;
      case "clock":
        // notRunReason keeps these scenarios from running on processes.
        throw new StepFailed("a process's clock cannot be offset; run it with --runtime sim");
      case "heal":
        await run.faults.heal();
        return undefined;
      case "clear":
        await run.faults.clear();
        return undefined;
      case "join": {
        const id = (step.args as { node?: string }).node ?? `n${run.nodeIds.length + 1}`;
        if (run.nodeIds.includes(id)) throw new StepFailed(`${id} is already part of the cluster`);
        const node = await run.join(id);
        history.add(nodeUp(node));
        follow(observer, node);
        this.exits.watch(node);
        return undefined;
      }
      case "put":
        await this.write(step.args.node, step.args.key, step.args.value);
        return undefined;
      case "write-load":
        return this.writeLoad(step.args, index);
      case "expect":
        return this.expect(step.args, index);
    }
  }

  /** One client write; recorded in the history only once the node has acknowledged it, with its version. */
  private async write(node: string, key: string, value: string | null): Promise<void> {
    const admin = this.run.node(node).admin;
    const written = value === null ? await admin.kvDelete(key) : await admin.kvPut(key, value);
    this.history.add({ type: "kv-write", source: "harness", node, key, value, version: written.version });
  }

  /**
   * `rate` writes a second for `duration`, through the nodes in turn: bounded in count
   * (rate × duration) and in time. A write a node cannot take (it is down) is counted, not fatal.
   */
  private async writeLoad(args: Extract<ScenarioStep, { kind: "write-load" }>["args"], index: number): Promise<CheckResult> {
    const nodes = args.nodes ?? this.run.nodeIds;
    const total = Math.max(1, Math.round((args.rate * args.duration) / 1000));
    const started = Date.now();
    let acknowledged = 0;
    const refused: string[] = [];
    for (let i = 0; i < total; i++) {
      await abortableSleep(Math.max(0, started + (i * 1000) / args.rate - Date.now()), this.signal);
      const node = nodes[i % nodes.length]!;
      const key = `${args.prefix}-${args.keys === undefined ? i : i % args.keys}`;
      try {
        await this.write(node, key, `${node}#${i}`);
        acknowledged++;
      } catch (error) {
        refused.push(`${node}: ${(error as Error).message}`);
      }
    }
    const summary = `${acknowledged} of ${total} writes acknowledged${refused.length ? `; refused: ${refused.slice(0, 3).join("; ")}` : ""}`;
    return { name: `step ${index + 1}: write-load`, verdict: "info", summary, evidence: [], metrics: { writes: total, acknowledged } };
  }

  /** A fault given `for` a duration ends after it; otherwise it is kept for a later step (or the run's end) to undo. */
  private async holdOrKeep(handle: FaultHandle, forMs: number | undefined, kept: Map<string, FaultHandle>, node: string): Promise<void> {
    if (forMs === undefined) {
      kept.set(node, handle);
      return;
    }
    await abortableSleep(forMs, this.signal);
    await handle.undo();
  }

  private requireRunning(node: string): void {
    if (this.run.node(node).hasExited) throw new StepFailed(`${node} is not running`);
  }

  /** Polls the check on the history so far until it passes or its own bound (plus the observer's lag) runs out. */
  private async expect(spec: CheckSpec, index: number): Promise<CheckResult> {
    const deadline = Date.now() + checkDeadlineMs(spec) + 1000;
    for (;;) {
      await this.observer.flush();
      const result = runCheck(spec, new CheckContext(this.history.records(), Date.now()));
      if (result.verdict !== "fail" || Date.now() >= deadline) return { ...result, name: `step ${index + 1}: expect ${result.name}` };
      await abortableSleep(200, this.signal);
    }
  }

  private async untilConverged(timeoutMs: number, index: number): Promise<CheckResult> {
    const started = Date.now();
    let reason = "";
    while (Date.now() - started < timeoutMs) {
      await this.observer.flush();
      // One instant for both: judged after the history's end, no node would count as running.
      const now = Date.now();
      const verdict = new CheckContext(this.history.records(), now).views.convergedAt(now);
      if (verdict.ok)
        return {
          name: `step ${index + 1}: wait until converged`,
          verdict: "pass",
          summary: `converged after ${Date.now() - started} ms`,
          evidence: [],
          metrics: { waitedMs: Date.now() - started },
        };
      reason = verdict.reason ?? "";
      await abortableSleep(100, this.signal);
    }
    return {
      name: `step ${index + 1}: wait until converged`,
      verdict: "fail",
      summary: `not converged within ${timeoutMs} ms: ${reason}`,
      evidence: [],
      metrics: { waitedMs: null },
    };
  }
}
