// `grapevine bench tradeoff --runtime process`: the reference node's two families through its proxies,
// memberlist and a φ implementation through their manifests' tunable settings under the packet
// engine, all under 10 % loss. Small: the figures of record are in the closing note.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../harness/paths.js";
import type { TradeoffBench, TradeoffRow } from "../../harness/bench/tradeoff/plan.js";
import { engineSkip } from "./requirements.js";

const skip = await engineSkip(t, true);
const adapter = (name: string) => path.join(packageRoot(), "fixtures", "adapters", name);

t.test(
  "[~2.5 min] six settings of three implementations, each a fresh cluster, each crash detected by every survivor",
  { skip, timeout: 600_000 },
  async (t) => {
    const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-bench-tradeoff-"));
    const sut = ["--sut", "reference", "--sut", adapter("memberlist.json"), "--sut", adapter("reference-phi.json")];
    const result = await execa(
      process.execPath,
      [
        builtCli(),
        "bench",
        "tradeoff",
        "--runtime",
        "process",
        ...sut,
        "--nodes",
        "4",
        "--multipliers",
        "2,8",
        "--thresholds",
        "5",
        "--conditions",
        "loss-10",
      ].concat(["--quiet-minutes", "0.25", "--trials", "1", "--seed", "3", "--report-dir", reportDir]),
      { reject: false, timeout: 580_000 },
    );
    t.equal(result.exitCode, 0, result.stderr);
    const runDir = path.join(reportDir, readdirSync(reportDir)[0]!);
    const bench = JSON.parse(readFileSync(path.join(runDir, "summary.json"), "utf8")) as TradeoffBench;
    t.equal(bench.runtime, "process");
    t.same(
      bench.implementations.map((i) => i.name),
      ["reference", "memberlist", "reference-phi"],
    );
    const row = (implementation: string, family: string, setting: number): TradeoffRow =>
      bench.rows.find((r) => r.implementation === implementation && r.family === family && r.setting === setting)!;
    const expected = [
      ["reference", "swim", 2],
      ["reference", "swim", 8],
      ["reference", "phi", 5],
      ["memberlist", "swim", 2],
      ["memberlist", "swim", 8],
      ["reference-phi", "phi", 5],
    ] as const;
    t.same(
      bench.rows.map((r) => [r.implementation, r.family, r.setting]),
      expected,
      "memberlist joins with SWIM only, reference-phi with φ only: what their manifests declare",
    );
    for (const r of bench.rows) {
      t.notOk(r.error, `${r.implementation} ${r.family} ${r.setting} ran`);
      const who = `${r.implementation} ${r.family} ${r.setting}`;
      t.equal(r.missed, 0, `${who}: no survivor missed the crash`);
      t.equal(r.detections + (r.unjudged ?? 0), 3, `${who}: all 3 survivors judged (${r.unjudged ?? 0} held the victim dead already)`);
      t.ok(r.detections >= 1, `${who}: ${r.detections} detections`);
    }
    // The knob reached memberlist: at 1 s probes and 4 nodes its suspicion lasts 2 s at ×2 and 8 s at ×8.
    t.ok(
      row("memberlist", "swim", 2).detectionP50Ms! + 3000 < row("memberlist", "swim", 8).detectionP50Ms!,
      `memberlist ×2 ${row("memberlist", "swim", 2).detectionP50Ms} ms, ×8 ${row("memberlist", "swim", 8).detectionP50Ms} ms`,
    );
    // The condition went through each implementation's own engine, as the fault log recorded it.
    for (const r of bench.rows)
      t.match(r.faults, [new RegExp(`^${r.implementation === "reference" ? "toxiproxy" : "packet"}: loss .*rate=0\\.1`)], `${r.implementation}: ${r.faults}`);
    const html = readFileSync(path.join(runDir, "index.html"), "utf8");
    t.match(html, /processes, seed 3/);
    t.match(html, /memberlist SWIM ×mult/, "a curve per implementation and family");
    t.match(result.stdout, /\| loss-10 \| reference-phi φ 5 \| \d+ \| \d+ \| 0 of 3 \|/);
    t.match(result.stdout, /Faults carried by: reference, toxiproxy; memberlist, packet; reference-phi, packet/);
  },
);
