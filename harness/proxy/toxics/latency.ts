// latency: each chunk is delayed by latency ± jitter, counted from when it was read; order is kept and chunks are pipelined.
import type { ToxicAttributes } from "../../../specs/toxiproxy/api.js";
import { type Chunk, type Emit, Sleeper, type Stage, type StageContext } from "./stage.js";

export function latencyStage(attrs: ToxicAttributes["latency"], ctx: StageContext): Stage {
  const sleeper = new Sleeper();
  return {
    async process(chunk: Chunk, emit: Emit) {
      // Toxiproxy: delay = latency + rand.Int63n(2·jitter) − jitter, i.e. uniform in [−jitter, +jitter).
      const jitter = attrs.jitter > 0 ? Math.floor(ctx.random() * 2 * attrs.jitter) - attrs.jitter : 0;
      const due = chunk.readAt + attrs.latency + jitter;
      await sleeper.sleep(due - performance.now());
      await emit(chunk);
    },
    stop: () => sleeper.wake(),
  };
}
