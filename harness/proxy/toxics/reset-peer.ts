// reset_peer: on the first chunk (or end of stream), drop it, wait `timeout` ms, then reset the connection.
import type { ToxicAttributes } from "../../../specs/toxiproxy/api.js";
import { Sleeper, type Stage, type StageContext } from "./stage.js";

export function resetPeerStage(attrs: ToxicAttributes["reset_peer"], ctx: StageContext): Stage {
  const sleeper = new Sleeper();
  const reset = async () => {
    if (await sleeper.sleep(attrs.timeout)) ctx.close("rst");
  };
  return {
    process: reset,
    end: reset,
    stop: () => sleeper.wake(),
  };
}
