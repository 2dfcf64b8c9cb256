// bandwidth: at most `rate` KB/s per link; chunks larger than 100 ms worth go out in 100 ms slices; rate 0 stalls.
import type { ToxicAttributes } from "../../../specs/toxiproxy/api.js";
import { type Chunk, type Emit, Sleeper, type Stage } from "./stage.js";

export function bandwidthStage(attrs: ToxicAttributes["bandwidth"]): Stage {
  const sleeper = new Sleeper();
  // As in Toxiproxy, the sleep owed carries over between chunks so that timer error does not accumulate.
  let owedMs = 0;
  return {
    async process(chunk: Chunk, emit: Emit) {
      const rate = attrs.rate;
      if (rate <= 0) {
        // Toxiproxy never lets a byte through at rate 0; the chunk goes on only if the toxic is stopped.
        await sleeper.forever();
        await emit(chunk);
        return;
      }
      owedMs += chunk.data.length / rate;
      let data = chunk.data;
      const slice = rate * 100;
      while (data.length > slice) {
        if (!(await sleeper.sleep(100))) break;
        await emit({ data: data.subarray(0, slice), readAt: chunk.readAt });
        data = data.subarray(slice);
        owedMs -= 100;
      }
      const started = performance.now();
      await sleeper.sleep(owedMs);
      owedMs -= performance.now() - started;
      await emit({ data, readAt: chunk.readAt });
    },
    stop: () => sleeper.wake(),
  };
}
