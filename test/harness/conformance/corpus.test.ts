// The malformed-input corpus: every file loads, bytes are built as described, bad files are named with their field.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { bytesOf, CorpusError, loadCorpus } from "../../../harness/conformance/corpus.js";
import { packageRoot } from "../../../harness/paths.js";
import { REQUIREMENTS } from "../../../specs/requirements/catalogue.js";
import { decodeMessage, MAX_FRAME_BYTES } from "../../../specs/wire/frame.js";

const corpus = loadCorpus(path.join(packageRoot(), "fixtures", "malformed"));

t.test("the corpus covers the cases the wire spec names, each citing a catalogued requirement", async (t) => {
  const names = corpus.map((c) => c.name);
  for (const name of [
    "oversize-length",
    "zero-length",
    "truncated-body",
    "not-json",
    "json-array",
    "wrong-types",
    "unknown-type",
    "unknown-version",
    "deeply-nested",
    "huge-string",
    "slow-sender",
  ]) {
    t.ok(names.includes(name), name);
  }
  for (const c of corpus)
    t.ok(
      REQUIREMENTS.some((r) => r.id === c.spec.requirement),
      `${c.name} cites ${c.spec.requirement}`,
    );
});

t.test("bytes: length prefix as declared, bodies really malformed", async (t) => {
  const byName = new Map(corpus.map((c) => [c.name, c]));
  t.equal(byName.get("oversize-length")!.bytes.readUInt32BE(0), 0xffffffff);
  t.ok(byName.get("oversize-body")!.bytes.length > MAX_FRAME_BYTES + 4);
  t.equal(byName.get("zero-length")!.bytes.length, 4);
  const nested = byName.get("deeply-nested")!.bytes;
  t.equal(nested.readUInt32BE(0), nested.length - 4);
  for (const name of [
    "not-json",
    "json-array",
    "wrong-types",
    "unknown-type",
    "unknown-version",
    "huge-string",
    "too-many-updates",
    "bad-address",
    "trailing-garbage",
    "missing-from",
  ]) {
    const decoded = decodeMessage(byName.get(name)!.bytes.subarray(4));
    t.notOk(decoded.ok, `${name} is rejected by the decoder`);
  }
  t.ok(decodeMessage(byName.get("slow-sender")!.bytes.subarray(4)).ok, "the slow sender's ping is itself valid: only its pace is wrong");
  t.same(bytesOf({ description: "d", requirement: "WIRE-JSON-1", body: { text: "ab" }, declaredLength: 9 }), Buffer.from([0, 0, 0, 9, 0x61, 0x62]));
});

t.test("a bad corpus file is reported with its path and field", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "corpus-"));
  writeFileSync(path.join(dir, "bad.json"), JSON.stringify({ description: "x", requirement: "WIRE-JSON-1", body: { hex: "abc" } }));
  t.throws(() => loadCorpus(dir), new CorpusError(`${path.join(dir, "bad.json")}: field body.hex: pairs of hex digits`));
  writeFileSync(path.join(dir, "bad.json"), "{");
  t.throws(() => loadCorpus(dir), { name: "CorpusError", message: /bad\.json: not JSON/ });
  t.throws(() => loadCorpus(path.join(dir, "missing")), { name: "CorpusError", message: /cannot read/ });
});
