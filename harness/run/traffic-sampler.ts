// The traffic between nodes, sampled into the history about once a second, for the `quiet` check and
// the reports: as many exchanges as the fault engine has carried since the scenario began.
import type { FaultEngine } from "../faults/engine.js";
import type { ScenarioHistory } from "../history/writer.js";

/** How often the count is read. */
export const TRAFFIC_SAMPLE_MS = 1000;

/**
 * Starts sampling `engine`'s exchange count into `history`; `stop` takes a last sample. An engine
 * that cannot count exchanges writes nothing, and `quiet` then says it could not judge.
 */
export function sampleTraffic(engine: FaultEngine, history: ScenarioHistory): { stop(): void } {
  const read = engine.exchangesCarried?.bind(engine);
  if (!read) return { stop: () => undefined };
  const base = read();
  const sample = () => history.add({ type: "traffic", source: "harness", exchanges: read() - base });
  sample();
  const timer = setInterval(sample, TRAFFIC_SAMPLE_MS);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
    },
  };
}
