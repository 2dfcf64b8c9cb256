// A toxic as configured on a proxy: its name, type, stream, toxicity and validated attributes.
import type { Stream, ToxicAttributes, ToxicJson, ToxicType } from "../../specs/toxiproxy/api.js";

export interface ToxicDef<T extends ToxicType = ToxicType> {
  name: string;
  type: T;
  stream: Stream;
  toxicity: number;
  attributes: ToxicAttributes[T];
}

export function toxicJson(def: ToxicDef): ToxicJson {
  return { attributes: { ...def.attributes }, name: def.name, type: def.type, stream: def.stream, toxicity: def.toxicity };
}
