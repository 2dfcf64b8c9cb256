// The hand-written malformed-input corpus: fixtures/malformed/*.json, validated and turned into bytes.
import { parseJsonWith } from "../../specs/parse.js";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { MalformedCase } from "../../specs/conformance/malformed.js";
import { FRAME_HEADER_BYTES } from "../../specs/wire/frame.js";

export interface CorpusEntry {
  name: string;
  spec: MalformedCase;
  bytes: Buffer;
}

/** A corpus file that cannot be used, with the file and field that are wrong. */
export class CorpusError extends Error {
  override readonly name = "CorpusError";
}

export function bodyBytes(body: MalformedCase["body"]): Buffer {
  if ("text" in body) return Buffer.from(body.text, "utf8");
  if ("json" in body) return Buffer.from(JSON.stringify(body.json), "utf8");
  if ("hex" in body) return Buffer.from(body.hex, "hex");
  return Buffer.from(body.prefix + body.repeat.repeat(body.times) + body.infix + body.repeatAfter.repeat(body.times) + body.suffix, "utf8");
}

export function bytesOf(spec: MalformedCase): Buffer {
  const body = bodyBytes(spec.body);
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUInt32BE(spec.declaredLength ?? body.length, 0);
  return Buffer.concat([header, body]);
}

export function loadCorpus(dir: string): CorpusEntry[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort();
  } catch (error) {
    throw new CorpusError(`${dir}: cannot read the malformed-input corpus: ${(error as Error).message}`);
  }
  return files.map((file) => {
    const where = path.join(dir, file);
    const spec = parseJsonWith(MalformedCase, readFileSync(where, "utf8"), where, (message) => new CorpusError(message));
    return { name: file.replace(/\.json$/, ""), spec, bytes: bytesOf(spec) };
  });
}
