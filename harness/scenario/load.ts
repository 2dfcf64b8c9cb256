// Reads scenario files (YAML, or TypeScript/JavaScript modules exporting defineScenario) and validates them.
import { fieldName, issuesOf } from "../../specs/parse.js";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import YAML from "yaml";
import { Scenario, withPhiDetector } from "../../specs/scenario/scenario.js";
import { scaleScenario } from "./scale.js";
import { type ScenarioTiming, withTiming } from "../../specs/scenario/timing.js";

const EXTENSIONS = [".yaml", ".yml", ".ts", ".mts", ".js", ".mjs"];

/** A scenario file that cannot be used; the message names the file, the field and the reason. */
export class ScenarioFileError extends Error {
  override readonly name = "ScenarioFileError";
}

export interface LoadedScenario {
  file: string;
  scenario: Scenario;
}

/** Files and folders → scenario files, folders expanded to their scenario files in name order. */
export function scenarioFiles(paths: readonly string[]): string[] {
  return paths.flatMap((p) => {
    let stat;
    try {
      stat = statSync(p);
    } catch {
      throw new ScenarioFileError(`${p}: no such file or folder`);
    }
    if (!stat.isDirectory()) return [p];
    const files = readdirSync(p)
      .filter((f) => EXTENSIONS.includes(path.extname(f)) && !f.endsWith(".d.ts"))
      .sort()
      .map((f) => path.join(p, f));
    if (files.length === 0) throw new ScenarioFileError(`${p}: no scenario files (${EXTENSIONS.join(", ")}) in this folder`);
    return files;
  });
}

/** Where a field of a YAML file is written: the line of the deepest part of its path the file has. */
type Locate = (fieldPath: readonly PropertyKey[]) => number | undefined;

function yamlLocator(doc: YAML.Document, lines: YAML.LineCounter): Locate {
  return (fieldPath) => {
    for (let k = fieldPath.length; k >= 0; k--) {
      const node = k === 0 ? doc.contents : doc.getIn(fieldPath.slice(0, k) as unknown[], true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) return lines.linePos(range[0]).line;
    }
    return undefined;
  };
}

/** A YAML file parsed with its line positions kept. */
function parseYaml(text: string): { doc: YAML.Document; locate: Locate } {
  const lines = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { prettyErrors: true, lineCounter: lines });
  return { doc, locate: yamlLocator(doc, lines) };
}

const isYaml = (file: string) => [".yaml", ".yml"].includes(path.extname(file));

/**
 * Where scenario results come from, as lines: (file, origin) → the line the origin (steps.N or
 * checks.N, as a CheckResult gives it) is written on, for annotations. Each file is read and parsed
 * once per lookup function. Only YAML files have lines; a module or a file that is gone gives undefined.
 */
export function originLines(): (file: string, origin: string) => number | undefined {
  const locators = new Map<string, Locate | undefined>();
  const locatorOf = (file: string): Locate | undefined => {
    if (!isYaml(file)) return undefined;
    try {
      return parseYaml(readFileSync(file, "utf8")).locate;
    } catch {
      return undefined;
    }
  };
  return (file, origin) => {
    if (!locators.has(file)) locators.set(file, locatorOf(file));
    const [field, index] = origin.split(".");
    return locators.get(file)?.([field!, Number(index)]);
  };
}

async function readRaw(file: string): Promise<{ raw: unknown; locate?: Locate }> {
  const ext = path.extname(file);
  if (isYaml(file)) {
    const { doc, locate } = parseYaml(readFileSync(file, "utf8"));
    if (doc.errors.length > 0) throw new ScenarioFileError(`${file}: not valid YAML: ${doc.errors.map((e) => e.message).join("\n")}`);
    return { raw: doc.toJS(), locate };
  }
  if (!EXTENSIONS.includes(ext)) throw new ScenarioFileError(`${file}: not a scenario file (expected ${EXTENSIONS.join(", ")})`);
  let module: Record<string, unknown>;
  try {
    if (ext === ".ts" || ext === ".mts") {
      // TypeScript scenarios are loaded through tsx, so they run without a build step.
      const { tsImport } = await import("tsx/esm/api");
      module = (await tsImport(pathToFileURL(path.resolve(file)).href, import.meta.url)) as Record<string, unknown>;
    } else {
      module = (await import(pathToFileURL(path.resolve(file)).href)) as Record<string, unknown>;
    }
  } catch (error) {
    throw new ScenarioFileError(`${file}: cannot load module: ${(error as Error).message}`);
  }
  const exported = module.default ?? module.scenario;
  if (exported === undefined) throw new ScenarioFileError(`${file}: export the scenario as default (export default defineScenario({...}))`);
  return { raw: exported };
}

/** The scenario parsed, or every problem in it, one line each: `file:line: field path: what` (the line for YAML files). */
function parseScenario(value: unknown, file: string, locate: Locate | undefined): Scenario {
  const parsed = Scenario.safeParse(value);
  if (parsed.success) return parsed.data as Scenario;
  const problems = issuesOf(parsed.error).map((p) => {
    const line = locate?.(p.path);
    return `${file}${line ? `:${line}` : ""}: field ${fieldName(p.path)}: ${p.message}`;
  });
  throw new ScenarioFileError(problems.join("\n"));
}

export interface LoadOverrides {
  /** Run every scenario with this many nodes (node names are checked against it; whole-cluster partitions widen: scale.ts). */
  nodes?: number | undefined;
  /** The tested implementation's declared timing, which timing expressions in bounds are evaluated with (default: the reference node's settings in each scenario). */
  timing?: ScenarioTiming | undefined;
  /** Run the reference node with this failure detector (phi: withPhiDetector's settings over the scenario's). */
  detector?: "swim" | "phi" | undefined;
}

/** The file's content with the overrides that change what it says: the node count, then the detector (whose settings depend on it). */
function overridden(raw: unknown, overrides: LoadOverrides, withNodes: boolean): unknown {
  if (!raw || typeof raw !== "object") return raw;
  let out = raw as Record<string, unknown>;
  if (withNodes && overrides.nodes !== undefined) out = { ...out, nodes: overrides.nodes };
  if (overrides.detector === "phi") {
    const config = out.config && typeof out.config === "object" ? (out.config as Record<string, unknown>) : {};
    // The φ settings depend on the cluster's size: the count it will run with.
    out = { ...out, config: withPhiDetector(config, typeof out.nodes === "number" ? out.nodes : undefined) };
  }
  return out;
}

export async function loadScenario(file: string, overrides: LoadOverrides = {}): Promise<LoadedScenario> {
  const { raw, locate } = await readRaw(file);
  const withOverrides = overridden(raw, overrides, true);
  const scenario = withTiming(overrides.timing, () => parseScenario(withOverrides, file, locate));
  if (overrides.nodes === undefined) return { file, scenario };
  // The count the file was written for: its own, else the schema's default.
  const written = withTiming(overrides.timing, () => parseScenario(overridden(raw, overrides, false), file, locate)).nodes;
  return { file, scenario: scaleScenario(scenario, written) };
}

/** Loads every scenario; the first bad file stops the run before anything starts. Names must be unique. */
export async function loadScenarios(paths: readonly string[], overrides: LoadOverrides = {}): Promise<LoadedScenario[]> {
  const loaded: LoadedScenario[] = [];
  for (const file of scenarioFiles(paths)) loaded.push(await loadScenario(file, overrides));
  const seen = new Map<string, string>();
  for (const { file, scenario } of loaded) {
    const other = seen.get(scenario.name);
    if (other) throw new ScenarioFileError(`${file}: field name: "${scenario.name}" is already the name of ${other}`);
    seen.set(scenario.name, file);
  }
  return loaded;
}
