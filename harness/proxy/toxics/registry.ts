// Every toxic type the embedded server knows, with its attribute schema and how it becomes a stage on a link.
import { TOXIC_ATTRIBUTES, type ToxicAttributes, type ToxicType } from "../../../specs/toxiproxy/api.js";
import { bandwidthStage } from "./bandwidth.js";
import { latencyStage } from "./latency.js";
import { limitDataStage, type LimitDataState } from "./limit-data.js";
import { resetPeerStage } from "./reset-peer.js";
import { slicerStage } from "./slicer.js";
import { slowCloseStage } from "./slow-close.js";
import { passThrough, type Stage, type StageContext } from "./stage.js";
import { timeoutStage } from "./timeout.js";

/** Per-link state a toxic keeps across its own updates (only limit_data has any). */
export type ToxicState = LimitDataState;

export function newToxicState(): ToxicState {
  return { transmitted: 0 };
}

export function isToxicType(type: string): type is ToxicType {
  return Object.hasOwn(TOXIC_ATTRIBUTES, type);
}

export function createStage<T extends ToxicType>(type: T, attributes: ToxicAttributes[T], ctx: StageContext, state: ToxicState): Stage {
  const a = attributes as ToxicAttributes[ToxicType];
  switch (type) {
    case "noop":
      return passThrough;
    case "latency":
      return latencyStage(a as ToxicAttributes["latency"], ctx);
    case "bandwidth":
      return bandwidthStage(a as ToxicAttributes["bandwidth"]);
    case "slow_close":
      return slowCloseStage(a as ToxicAttributes["slow_close"]);
    case "timeout":
      return timeoutStage(a as ToxicAttributes["timeout"], ctx);
    case "reset_peer":
      return resetPeerStage(a as ToxicAttributes["reset_peer"], ctx);
    case "slicer":
      return slicerStage(a as ToxicAttributes["slicer"], ctx);
    case "limit_data":
      return limitDataStage(a as ToxicAttributes["limit_data"], ctx, state);
  }
  throw new Error(`unknown toxic type ${type}`);
}
