// `grapevine schema --out DIR`: writes every wire and admin contract as JSON Schema, for implementers in other languages.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CommandModule } from "yargs";

interface SchemaArgs {
  out: string;
}

export const schemaCommand: CommandModule<object, SchemaArgs> = {
  command: "schema",
  describe: "Write the wire and admin schemas as JSON Schema (draft 2020-12)",
  builder: (y) =>
    y
      .option("out", { type: "string", demandOption: true, describe: "directory to write into" })
      .example("$0 schema --out schemas/", "every contract (wire, admin API, history, summaries) as JSON Schema"),
  handler: async (args) => {
    const { SCHEMAS, toJsonSchema } = await import("../../../specs/catalog.js");
    for (const [name, schema] of Object.entries(SCHEMAS)) {
      const file = path.join(args.out, `${name}.schema.json`);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(toJsonSchema(name, schema), null, 2)}\n`);
    }
    process.stdout.write(`wrote ${Object.keys(SCHEMAS).length} schemas to ${args.out}\n`);
  },
};
