// A toxic as configured on a proxy: its name, type, stream, toxicity and validated attributes.
import type { ToxicJson, ToxicType, TypedToxic } from "../../specs/toxiproxy/api.js";

export type ToxicDef<T extends ToxicType = ToxicType> = TypedToxic<T>;

export function toxicJson(def: ToxicDef): ToxicJson {
  return { attributes: { ...def.attributes }, name: def.name, type: def.type, stream: def.stream, toxicity: def.toxicity };
}
