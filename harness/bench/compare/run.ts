// The trials of `grapevine bench`, for one implementation: detection, pause, loss or convergence.
// The command parses flags and hands off here, as `run` hands off to the scenario runner.
import type { DetectionTrial, ImplementationBench, PartitionPoint } from "../../../specs/bench/summary.js";
import type { Implementation } from "../../adapters/implementation.js";
import { detectionExpectation, detectionTrial, distribution, lossTrial, partitionTrial, pauseTrials, seededRandom } from "./measure.js";

export type BenchKind = "detection" | "pause" | "loss" | "partition" | "convergence";

/** What to measure, validated by the command. */
export interface BenchPlan {
  kind: BenchKind;
  /** One cluster size, or several for convergence. */
  sizes: number[];
  trials: number;
  seed: number;
  /** pause: durations in ms. */
  pauses: number[];
  /** loss: percentages of exchanges lost. */
  rates: number[];
  /** loss: seconds of watching for false verdicts at each rate. */
  durationS: number;
  /** partition: how long each partition lasts, in seconds. */
  partitionsS: number[];
  /** partition: how long to wait for the cluster to re-form after each heal, in seconds. */
  healWaitS: number;
}

/**
 * Every trial of `plan` on one implementation. A trial that cannot run is recorded with its reason
 * (and said) instead of ending the bench; `interrupted()` stops between trials.
 */
export async function benchImplementation(
  impl: Implementation,
  plan: BenchPlan,
  say: (line: string) => void,
  interrupted: () => boolean,
): Promise<ImplementationBench> {
  const random = seededRandom(plan.seed);
  const result: ImplementationBench = {
    name: impl.name,
    description: impl.description,
    version: impl.version,
    timing: Object.fromEntries(Object.entries(impl.timing).filter(([, v]) => v !== undefined)) as Record<string, string | number>,
    showsSuspect: impl.showsSuspect,
    skipped: [],
  };
  if (!impl.showsSuspect) result.skipped.push({ what: "first-suspect", reason: "this implementation's view shows no suspicion (only alive/failed)" });
  if (plan.kind === "detection") {
    const n = plan.sizes[0]!;
    const trials = [];
    for (let i = 0; i < plan.trials && !interrupted(); i++) {
      const trial = await detectionTrial(impl, n, plan.seed + i * 100, random).catch((error: Error): DetectionTrial => {
        say(`${impl.name} trial ${i + 1}/${plan.trials} could not run: ${error.message}`);
        return { victim: "-", firstSuspectMs: null, firstDeadMs: null, allDeadMs: null, error: error.message };
      });
      trials.push(trial);
      if (trial.error) continue;
      say(
        `${impl.name} trial ${i + 1}/${plan.trials}: ${trial.victim} first-suspect ${trial.firstSuspectMs ?? "—"} ms, first-dead ${trial.firstDeadMs ?? "—"} ms, all-dead ${trial.allDeadMs ?? "—"} ms`,
      );
    }
    result.detection = {
      nodes: n,
      trials,
      firstSuspect: distribution(trials.map((t) => t.firstSuspectMs)),
      firstDead: distribution(trials.map((t) => t.firstDeadMs)),
      allDead: distribution(trials.map((t) => t.allDeadMs)),
      expectation: detectionExpectation(impl, n),
    };
  } else if (plan.kind === "pause") {
    say(`${impl.name}: pauses of ${plan.pauses.join(", ")} ms, ${plan.trials} trial(s) each`);
    result.pause = await pauseTrials(impl, plan.sizes[0]!, plan.seed, plan.pauses, plan.trials);
  } else if (plan.kind === "loss" || plan.kind === "partition") {
    const unreachable =
      impl.networkUnsupported ?? (impl.adapter && impl.faults !== "packet" ? "its manifest does not put it under the packet engine" : undefined);
    if (unreachable) result.skipped.push({ what: plan.kind, reason: unreachable });
    else if (plan.kind === "loss") {
      result.loss = [];
      for (const rate of plan.rates) {
        if (interrupted()) break;
        const point = await lossTrial(impl, plan.sizes[0]!, rate / 100, plan.durationS * 1000, plan.seed + rate, random);
        result.loss.push(point);
        say(
          `${impl.name} ${rate}% loss: ${point.falseSuspect} false suspect, ${point.falseDead} false dead in ${plan.durationS} s; then a crash: first dead ${point.firstDeadMs ?? "—"} ms, all dead ${point.allDeadMs ?? "—"} ms`,
        );
      }
    } else {
      result.partition = [];
      for (const seconds of plan.partitionsS) {
        const point: PartitionPoint = { partitionMs: seconds * 1000, trials: 0, splitMs: [], healMs: [], waitedMs: plan.healWaitS * 1000 };
        for (let i = 0; i < plan.trials && !interrupted(); i++) {
          const trial = await partitionTrial(impl, plan.sizes[0]!, seconds * 1000, plan.healWaitS * 1000, plan.seed + seconds * 10 + i).catch(
            (error: Error) => {
              say(`${impl.name} ${seconds} s partition trial ${i + 1} could not run: ${error.message}`);
              return undefined;
            },
          );
          if (!trial) continue;
          point.trials++;
          point.splitMs.push(trial.splitMs);
          point.healMs.push(trial.healMs);
          say(
            `${impl.name} ${seconds} s partition trial ${i + 1}/${plan.trials}: split ${trial.splitMs ?? "—"} ms, healed ${trial.healMs === null ? `not within ${plan.healWaitS} s` : `${trial.healMs} ms`} after the heal`,
          );
        }
        result.partition.push(point);
      }
    }
  } else {
    result.convergence = [];
    for (const n of plan.sizes) {
      if (interrupted()) break;
      const spreads: (number | null)[] = [];
      for (let i = 0; i < plan.trials && !interrupted(); i++) {
        const t = await detectionTrial(impl, n, plan.seed + n * 1000 + i * 100, random).catch((error: Error): DetectionTrial => {
          say(`${impl.name} ${n} nodes trial ${i + 1} could not run: ${error.message}`);
          return { victim: "-", firstSuspectMs: null, firstDeadMs: null, allDeadMs: null, error: error.message };
        });
        spreads.push(t.allDeadMs !== null && t.firstDeadMs !== null ? t.allDeadMs - t.firstDeadMs : null);
        say(`${impl.name} ${n} nodes trial ${i + 1}/${plan.trials}: first-dead → all-dead ${spreads.at(-1) ?? "—"} ms`);
      }
      // Infection-style spread: about log_fanout(N) gossip rounds (SWIM §4.1; fanout = gossipNodes, 3 in memberlist).
      const expectedMs = Math.round((impl.timing.gossipIntervalMs ?? impl.timing.probeIntervalMs) * Math.ceil(Math.log(n) / Math.log(3)));
      result.convergence.push({ nodes: n, spread: distribution(spreads), expectedMs });
    }
  }
  return result;
}

/** How many trials produced a measurement for this implementation (a skipped or failed trial produced none). */
export function trialsMeasured(result: ImplementationBench): number {
  const detection = result.detection?.trials.filter((t) => t.error === undefined).length ?? 0;
  const pause = (result.pause ?? []).reduce((n, p) => n + p.trials, 0);
  const loss = (result.loss?.length ?? 0) + (result.partition ?? []).reduce((n, p) => n + p.trials, 0);
  const convergence = (result.convergence ?? []).reduce((n, c) => n + (c.spread?.n ?? 0), 0);
  return detection + pause + loss + convergence;
}
