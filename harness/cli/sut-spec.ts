// How commands name what they test: `--sut reference`, `--sut reference:MUTANT`, or `--sut FILE.json`
// (an adapter manifest: Serf, memberlist, the next implementation).
import { MUTANTS } from "../../reference-node/core/mutants.js";
import type { AdapterManifest } from "../../specs/adapter/manifest.js";
import { loadManifest, ManifestError } from "../adapters/manifest.js";
import { UsageError } from "./usage-error.js";

/** "reference" or "reference:MUTANT"; undefined for anything else. */
export function parseReferenceSut(spec: string): { mutant?: string } | undefined {
  const match = /^reference(?::([a-z-]+))?$/.exec(spec);
  if (!match) return undefined;
  return match[1] ? { mutant: match[1] } : {};
}

export type Sut = { kind: "reference"; label: string; mutant?: string } | { kind: "adapter"; label: string; file: string; manifest: AdapterManifest };

/** One --sut value, checked: an unknown mutant or a bad manifest is a usage error naming the file and field. */
export function parseSut(spec: string): Sut {
  const reference = parseReferenceSut(spec);
  if (reference) {
    if (reference.mutant && !(reference.mutant in MUTANTS))
      throw new UsageError(`--sut ${spec}: no mutant "${reference.mutant}" (one of ${Object.keys(MUTANTS).join(", ")})`);
    return reference.mutant ? { kind: "reference", label: spec, mutant: reference.mutant } : { kind: "reference", label: spec };
  }
  if (!spec.endsWith(".json")) throw new UsageError(`--sut ${spec}: expected "reference", "reference:MUTANT" or an adapter manifest (.json)`);
  try {
    const manifest = loadManifest(spec);
    return { kind: "adapter", label: manifest.name, file: spec, manifest };
  } catch (error) {
    if (error instanceof ManifestError) throw new UsageError(`--sut ${error.message}`);
    throw error;
  }
}

/**
 * What carries an implementation's network faults: what the user asked for, else the proxies for
 * the reference node (no root needed) and the packet engine for a manifest that says so.
 */
export function faultsFor(sut: Sut, asked: "proxy" | "packet" | undefined): "proxy" | "packet" {
  if (sut.kind === "reference") return asked ?? "proxy";
  const network = sut.manifest.faults.network;
  if (network === "packet") {
    if (asked === "proxy")
      throw new UsageError(
        `--faults proxy: ${sut.label} (${sut.file}) is faulted on its packets (faults.network is "packet"); use --faults packet or leave --faults out`,
      );
    return "packet";
  }
  if (network !== true) throw new UsageError(`--sut ${sut.file}: network faults cannot reach ${sut.label} (${network.unsupported})`);
  return asked ?? "proxy";
}
