// The traffic between nodes, sampled into the history about once a second, for the `quiet` check and
// the reports: as many exchanges as the fault engine has carried since the scenario began.
import type { FaultEngine } from "../faults/engine.js";
import type { ScenarioHistory } from "../history/writer.js";

/** How often the count is read. */
export const TRAFFIC_SAMPLE_MS = 1000;

/**
 * Starts sampling `engine`'s exchange count into `history`; `stop` takes a last sample. An engine
 * that cannot count exchanges writes nothing, and `quiet` then says it could not judge. Reads run
 * one after another (the packet engine's asks nft), so the samples stay in order; a read that fails
 * is left out.
 */
export async function sampleTraffic(engine: FaultEngine, history: ScenarioHistory): Promise<{ stop(): Promise<void> }> {
  const read = engine.exchangesCarried?.bind(engine);
  if (!read) return { stop: async () => undefined };
  const base = await read();
  let chain = Promise.resolve();
  const sample = () => {
    chain = chain
      .then(async () => {
        const t = Date.now();
        const exchanges = await read();
        history.add({ type: "traffic", source: "harness", t, exchanges: exchanges - base });
      })
      .catch(() => undefined);
    return chain;
  };
  void sample();
  const timer = setInterval(() => void sample(), TRAFFIC_SAMPLE_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      await sample();
    },
  };
}
