// Loading adapter manifests (fixtures/adapters/*.json), and filling their command templates.
import { parseJsonWith } from "../../specs/parse.js";
import { readFileSync } from "node:fs";
import { AdapterManifest } from "../../specs/adapter/manifest.js";

/** A manifest that cannot be used: the message names the file and the field. */
export class ManifestError extends Error {
  override readonly name = "ManifestError";
}

export function loadManifest(file: string): AdapterManifest {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ManifestError(`${file}: ${(error as Error).message}`);
  }
  return parseJsonWith(AdapterManifest, text, file, (message) => new ManifestError(message));
}

/** Replaces every {name} with vars[name]; a name the manifest uses but nothing provides is an error, not an empty string. */
export function fill(template: readonly string[], vars: Record<string, string | number>): string[] {
  return template.map((part) =>
    part.replace(/\{([a-zA-Z0-9.]+)\}/g, (_, name: string) => {
      if (!(name in vars))
        throw new ManifestError(
          `template "${part}" uses {${name}}, which is not one of ${Object.keys(vars)
            .map((k) => `{${k}}`)
            .join(", ")}`,
        );
      return String(vars[name]);
    }),
  );
}

/** A member list out of the view command's JSON, mapped onto Grapevine's states. Unknown states are an error. */
export function mapView(
  json: unknown,
  view: Extract<AdapterManifest["view"], { kind: "command" }>,
): { id: string; addr: string; state: "alive" | "suspect" | "dead" | "left" }[] {
  const list = (json as Record<string, unknown> | null)?.[view.members];
  if (!Array.isArray(list)) throw new ManifestError(`the view command's JSON has no array "${view.members}"`);
  return list.map((entry: Record<string, unknown>) => {
    const raw = String(entry[view.fields.state]);
    const state = view.states[raw];
    if (!state) throw new ManifestError(`state "${raw}" of ${String(entry[view.fields.id])} is not mapped in view.states`);
    return { id: String(entry[view.fields.id]), addr: String(entry[view.fields.addr]), state };
  });
}
