// slicer: splits each chunk into pieces of about average_size ± size_variation bytes, `delay` µs apart; data stays intact.
import type { ToxicAttributes } from "../../../specs/toxiproxy/api.js";
import { type Chunk, type Emit, Sleeper, type Stage, type StageContext } from "./stage.js";

/**
 * Toxiproxy's recursive split: halve (± variation) until a piece is within the variation of
 * the average. Returns offsets [start0, end0, start1, end1, …].
 */
export function sliceOffsets(start: number, end: number, attrs: ToxicAttributes["slicer"], random: () => number): number[] {
  // The length-1 guard keeps a zero average size from recursing forever (Toxiproxy would panic there).
  if (end - start - attrs.average_size <= attrs.size_variation || end - start <= 1) return [start, end];
  const variation = attrs.size_variation > 0 ? Math.floor(random() * 2 * attrs.size_variation) - attrs.size_variation : 0;
  const mid = start + Math.floor((end - start) / 2) + variation;
  return [...sliceOffsets(start, mid, attrs, random), ...sliceOffsets(mid, end, attrs, random)];
}

export function slicerStage(attrs: ToxicAttributes["slicer"], ctx: StageContext): Stage {
  const sleeper = new Sleeper();
  return {
    async process(chunk: Chunk, emit: Emit) {
      const offsets = sliceOffsets(0, chunk.data.length, attrs, ctx.random);
      for (let i = 1; i < offsets.length; i += 2) {
        await emit({ data: chunk.data.subarray(offsets[i - 1], offsets[i]), readAt: chunk.readAt });
        if (i + 1 < offsets.length && !(await sleeper.sleep(attrs.delay / 1000))) {
          // Stopped mid-chunk: the rest goes on in one piece.
          await emit({ data: chunk.data.subarray(offsets[i]), readAt: chunk.readAt });
          return;
        }
      }
    },
    stop: () => sleeper.wake(),
  };
}
