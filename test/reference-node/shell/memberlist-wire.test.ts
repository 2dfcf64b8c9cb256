// The reference node on memberlist's wire (--wire memberlist), as real processes: two nodes join
// over push-pull and see each other alive; and the memberlist conformance cases that judge its
// framing (compound, CRC, versions, probes) pass against it. The mixed cluster with real memberlist
// agents is test/engines/interop.test.ts.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli } from "../../../harness/paths.js";
import { NodeProcess } from "../../../harness/runtime/process.js";

const MEMBERLIST = ["--wire", "memberlist"];

t.test("two reference nodes on memberlist's wire join and see each other alive, at incarnation 1", async (t) => {
  const a = await NodeProcess.start({ id: "a", extraArgs: MEMBERLIST, config: { probeIntervalMs: 200 } });
  t.teardown(() => a.stop(2000));
  const b = await NodeProcess.start({ id: "b", extraArgs: MEMBERLIST, seeds: [a.addr], config: { probeIntervalMs: 200 } });
  t.teardown(() => b.stop(2000));
  const seen = async () => {
    for (let i = 0; i < 100; i++) {
      const views = await Promise.all([a.admin.members(), b.admin.members()]);
      if (views.every((v) => v.members.filter((m) => m.state === "alive").length === 2)) return views;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return undefined;
  };
  const views = await seen();
  t.ok(views, "both alive in both views within 10 s");
  // memberlist drops an alive at incarnation 0 about a member it does not know: on its wire the node starts at 1.
  t.same(
    views?.[0].members.map((m) => m.incarnation),
    [1, 1],
  );
  t.match((await a.admin.node()).protocol, /over memberlist's wire/);
});

t.test("[~12 s] memberlist's framing requirements pass against the reference node on memberlist's wire", async (t) => {
  const node = await NodeProcess.start({ id: "ml-ref", extraArgs: MEMBERLIST });
  t.teardown(() => node.stop(2000));
  const reports = mkdtempSync(path.join(tmpdir(), "ref-ml-"));
  const only = ["SWIM-PING", "ML-PING", "ML-COMPOUND", "ML-CRC", "ML-COMPRESS", "ML-TYPE", "ML-DECODE", "ML-TCP-PING-1", "ML-PUSHPULL-1", "ML-VSN"];
  const result = await execa(
    process.execPath,
    [
      builtCli(),
      "conformance",
      "--target",
      node.addr,
      "--protocol",
      "memberlist",
      "--admin",
      node.admin.baseUrl,
      "--generated",
      "0",
      "--report-dir",
      reports,
      ...only.flatMap((o) => ["--only", o]),
    ],
    { reject: false, timeout: 120_000 },
  );
  t.equal(result.exitCode, 0, `every MUST passed\n${String(result.stdout).slice(-1500)}`);
  const runDir = path.join(reports, readdirSync(reports)[0]!);
  const cases = (JSON.parse(readFileSync(path.join(runDir, "conformance.json"), "utf8")) as { cases: { id: string; verdict: string }[] }).cases;
  for (const id of [
    "SWIM-PING-1",
    "SWIM-PING-2",
    "ML-PING-1",
    "ML-COMPOUND-1",
    "ML-COMPOUND-2",
    "ML-CRC-1",
    "ML-COMPRESS-1",
    "ML-TYPE-1",
    "ML-DECODE-1",
    "ML-VSN-1",
  ])
    t.equal(cases.find((c) => c.id === id)?.verdict, "PASS", id);
});
