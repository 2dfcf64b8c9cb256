// limit_data: lets `bytes` bytes through on the link, truncating the chunk that crosses the limit, then closes.
import type { ToxicAttributes } from "../../../specs/toxiproxy/api.js";
import type { Stage, StageContext } from "./stage.js";

/** Bytes already let through: kept per link across updates of the toxic, as Toxiproxy's stub state is. */
export interface LimitDataState {
  transmitted: number;
}

export function limitDataStage(attrs: ToxicAttributes["limit_data"], ctx: StageContext, state: LimitDataState): Stage {
  return {
    async process(chunk, emit) {
      const remaining = Math.max(0, attrs.bytes - state.transmitted);
      const data = remaining < chunk.data.length ? chunk.data.subarray(0, remaining) : chunk.data;
      if (data.length > 0) {
        state.transmitted += data.length;
        await emit({ data, readAt: chunk.readAt });
      }
      if (attrs.bytes - state.transmitted <= 0) ctx.close("fin");
    },
    stop: () => undefined,
  };
}
