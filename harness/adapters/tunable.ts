// The detector settings an adapter manifest lets a bench choose (its `tunable` list), and the
// implementation started with one of them set: its start arguments and its declared timing.
import type { Tunable } from "../../specs/adapter/manifest.js";
import type { Implementation } from "./implementation.js";

export type TunableSetting = Tunable["setting"];

/** The manifest's entry for `setting`, or undefined when the implementation does not let it be set. */
export function tunableOf(impl: Implementation, setting: TunableSetting): Tunable | undefined {
  return impl.adapter?.manifest.tunable.find((t) => t.setting === setting);
}

/** Why `value` cannot be given to `impl`'s `setting`, or undefined when it can. */
export function whyNotTunable(impl: Implementation, setting: TunableSetting, value: number): string | undefined {
  const tunable = tunableOf(impl, setting);
  if (!tunable) return `${impl.name}: its manifest (${impl.adapter?.file ?? "none"}) declares no tunable ${setting}`;
  if (!Number.isInteger(value) || value < tunable.min || value > tunable.max)
    return `${impl.name}: ${setting} ${value} is outside what its manifest accepts (${tunable.min} to ${tunable.max})`;
  return undefined;
}

/**
 * `impl` with `setting` set to `value`: the manifest's arguments for it appended to its start command
 * ({value} filled now; {id}, {host} and the ports when each node starts), and its declared timing
 * saying so, so that reports and expectations use the value it runs with.
 */
export function tunedImplementation(impl: Implementation, setting: TunableSetting, value: number): Implementation {
  const why = whyNotTunable(impl, setting, value);
  if (why) throw new Error(why);
  const { manifest, file } = impl.adapter!;
  const tunable = tunableOf(impl, setting)!;
  const args = tunable.args.map((a) => a.replaceAll("{value}", String(value)));
  return {
    ...impl,
    timing: setting === "suspicionMult" ? { ...impl.timing, suspicionMult: value } : impl.timing,
    adapter: { manifest: { ...manifest, start: { ...manifest.start, command: [...manifest.start.command, ...args] } }, file },
  };
}
