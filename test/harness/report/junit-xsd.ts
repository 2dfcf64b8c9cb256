// Checks a junit.xml against fixtures/junit/junit.xsd with libxml2 (compiled to WebAssembly: no
// system xmllint needed). Returns libxml2's errors, one line each; none means valid.
import { readFileSync } from "node:fs";
import path from "node:path";
import { validateXML } from "xmllint-wasm";
import { packageRoot } from "../../../harness/paths.js";

const XSD = readFileSync(path.join(packageRoot(), "fixtures", "junit", "junit.xsd"), "utf8");

export async function junitErrors(xml: string, fileName = "junit.xml"): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName, contents: xml }], schema: [XSD] });
  return result.errors.map((e) => e.rawMessage);
}
