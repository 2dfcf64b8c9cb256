// slow_close: data passes untouched; when the source ends, the close waits `delay` ms.
import type { ToxicAttributes } from "../../../specs/toxiproxy/api.js";
import { Sleeper, type Stage } from "./stage.js";

export function slowCloseStage(attrs: ToxicAttributes["slow_close"]): Stage {
  const sleeper = new Sleeper();
  return {
    process: (chunk, emit) => emit(chunk),
    async end() {
      await sleeper.sleep(attrs.delay);
    },
    stop: () => sleeper.wake(),
  };
}
