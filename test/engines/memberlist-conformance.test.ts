// Conformance on memberlist's wire against the real implementations: the memberlist agent (Debian's
// memberlist 0.2.2) and Serf, started from their manifests, and a memberlist node someone else
// started (--target --protocol memberlist). Every requirement gets a verdict or a SKIP that names
// what the implementation lacks; every wire log entry was decoded by the spec; the crashes the
// malformed corpus finds are pinned on memberlist's source lines.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t, { type Test } from "tap";
import { builtCli, packageRoot } from "../../harness/paths.js";
import { freePorts } from "../../harness/ports.js";
import { REQUIREMENTS } from "../../specs/requirements/catalogue.js";
import { engineSkip } from "./requirements.js";

const skip = await engineSkip(t, true);

interface Case {
  requirement: string;
  id: string;
  verdict: string;
  actual: string;
  wireLog: string;
}

/** SKIP reasons a memberlist-wire run may give: each names something the implementation (or its wire) lacks. */
const CAPABILITY = [
  /has no key-value store/,
  /wire v1's length-prefixed JSON frames/,
  /local health score/,
  /view does not show incarnations/,
  /no leave distinct from death/,
  /Serf shows a member as left only after Serf's own leave intent/,
  /runs with whatever keys it was started with/,
  /could not be restarted/,
  /no case drives it on memberlist's wire yet/,
];

async function conformance(args: string[]): Promise<{ exitCode: number; stdout: string; runDir: string; cases: Case[] }> {
  const reports = mkdtempSync(path.join(tmpdir(), "ml-conformance-"));
  const result = await execa(process.execPath, [builtCli(), "conformance", ...args, "--report-dir", reports], {
    reject: false,
    timeout: 240_000,
    cwd: packageRoot(),
  });
  const runDir = path.join(
    reports,
    readdirSync(reports).find((d) => d.endsWith("conformance"))!,
  );
  const report = JSON.parse(readFileSync(path.join(runDir, "conformance.json"), "utf8")) as { cases: Case[] };
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), runDir, cases: report.cases };
}

function judgeRun(t: Test, run: Awaited<ReturnType<typeof conformance>>, name: string): void {
  const byRequirement = new Map<string, Case[]>();
  for (const c of run.cases) byRequirement.set(c.requirement, [...(byRequirement.get(c.requirement) ?? []), c]);
  t.same(
    REQUIREMENTS.filter((r) => !byRequirement.has(r.id)).map((r) => r.id),
    [],
    `${name}: every requirement of the catalogue has a verdict`,
  );
  const badSkips = run.cases.filter((c) => c.verdict === "SKIP" && !CAPABILITY.some((re) => re.test(c.actual)));
  t.same(
    badSkips.map((c) => `${c.id}: ${c.actual}`),
    [],
    `${name}: every SKIP names a missing capability`,
  );
  // Every message the fakes heard was decoded by the spec: an undecodable one is logged as such.
  const logs = new Set(run.cases.map((c) => c.wireLog));
  let entries = 0;
  for (const log of logs) {
    const lines = readFileSync(path.join(run.runDir, log), "utf8").split("\n").filter(Boolean);
    entries += lines.length;
    const undecoded = lines.filter((l) => /the spec cannot decode/.test(l));
    t.same(undecoded, [], `${name} ${log}: nothing the spec cannot decode`);
  }
  t.ok(entries > 200, `${name}: ${entries} wire log entries`);
}

t.test(
  "[~55 s] memberlist 0.2.2 (the agent): the memberlist requirements pass; the corpus crashes it where its source says",
  { skip, timeout: 300_000 },
  async (t) => {
    const run = await conformance(["--sut", "fixtures/adapters/memberlist.json", "--generated", "100", "--seed", "11"]);
    t.equal(run.exitCode, 1, "exit 1: MUST failures");
    judgeRun(t, run, "memberlist");
    const verdict = (id: string) => run.cases.find((c) => c.id === id);
    for (const r of REQUIREMENTS.filter((r) => r.id.startsWith("ML-"))) t.equal(verdict(r.id)?.verdict, "PASS", `${r.id}: ${verdict(r.id)?.actual}`);
    for (const id of [
      "SWIM-PING-1",
      "SWIM-PINGREQ-1",
      "SWIM-PINGREQ-2",
      "SWIM-REFUTE-1",
      "SWIM-SUSPECT-2",
      "LIFEGUARD-BUDDY-1",
      "SWIM-LEFT-1",
      "MERGE-ALIVE-DEAD-HIGHER",
    ])
      t.equal(verdict(id)?.verdict, "PASS", `${id}: ${verdict(id)?.actual}`);
    // memberlist treats a higher suspicion about a suspect as a confirmation (state.go:1149–1158).
    t.match(verdict("MERGE-SUSPECT-SUSPECT-HIGHER"), { verdict: "FAIL", actual: /view shows suspect\(5\)/ });
    t.match(verdict("MERGE-LEFT-DEAD-EQUAL"), { verdict: "SKIP", actual: /no leave distinct from death/ });
    for (const [entry, site] of <[string, string][]>[
      ["compound-empty-part", "memberlist/net.go:359"],
      ["crc-around-nothing", "memberlist/net.go:359"],
      ["pushpull-negative-nodes", "memberlist/net.go:1105"],
      ["pushpull-short-vsn", "memberlist/state.go:703"],
      ["alive-short-vsn", "memberlist/state.go:1099"],
    ])
      t.match(
        verdict(`WIRE-ALIVE-1/${entry}`),
        { verdict: "FAIL", actual: new RegExp(`crashed: .* at .*${site.replace(/\./g, "\\.")}`) },
        `${entry} crashes it at ${site}`,
      );
    t.equal(verdict("WIRE-ALIVE-1/unknown-type-255")?.verdict, "PASS", "a message type it does not know is dropped, and it lives");
  },
);

t.test(
  "[~45 s] Serf: the same wire through Serf's agent; its view has no incarnations and its own leave, said as SKIP",
  { skip, timeout: 300_000 },
  async (t) => {
    const run = await conformance(["--sut", "fixtures/adapters/serf.json", "--generated", "50", "--seed", "11"]);
    judgeRun(t, run, "serf");
    const verdict = (id: string) => run.cases.find((c) => c.id === id);
    for (const id of ["SWIM-PING-1", "ML-PUSHPULL-1", "ML-CRC-1", "ML-COMPRESS-1", "ML-ENC-1", "ML-ENC-3", "ML-KEYRING-1", "SWIM-SUSPECT-1"])
      t.equal(verdict(id)?.verdict, "PASS", `${id}: ${verdict(id)?.actual}`);
    t.match(verdict("MERGE-ALIVE-DEAD-HIGHER"), { verdict: "SKIP", actual: /serf's view does not show incarnations/ });
    t.match(verdict("SWIM-LEFT-1"), { verdict: "SKIP", actual: /Serf's own leave intent/ });
    t.match(verdict("WIRE-ALIVE-1/compound-empty-part"), { verdict: "FAIL", actual: /crashed: .*memberlist\/net\.go:359/ });
  },
);

t.test("[~40 s] --target --protocol memberlist: a node someone else started, judged without restarting or keying it", { skip, timeout: 300_000 }, async (t) => {
  const [port, admin] = await freePorts(2);
  const agent = path.join(packageRoot(), "fixtures", "agents", "memberlist", "memberlist-agent");
  const node = execa(agent, ["-name=outside", "-bind=127.0.0.1", `-port=${port}`, `-admin=127.0.0.1:${admin}`], {
    reject: false,
    timeout: 280_000,
    stdout: "ignore",
    stderr: "ignore",
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const run = await conformance(["--target", `127.0.0.1:${port}`, "--protocol", "memberlist", "--admin", `http://127.0.0.1:${admin}`, "--generated", "0"]);
    judgeRun(t, run, "target");
    const verdict = (id: string) => run.cases.find((c) => c.id === id);
    t.equal(verdict("SWIM-PING-1")?.verdict, "PASS");
    t.match(verdict("ML-ENC-1"), { verdict: "SKIP", actual: /--target runs with whatever keys/ });
    // The first crash ends it: the harness does not own the node, so the rest of the corpus is not sent.
    const crashed = run.cases.find((c) => c.requirement === "WIRE-ALIVE-1" && c.verdict === "FAIL");
    t.match(crashed, { actual: /stopped acking pings|exited/ });
    t.ok(
      run.cases.some((c) => c.requirement === "WIRE-ALIVE-1" && c.verdict === "SKIP" && /could not be restarted/.test(c.actual)),
      "later corpus entries are SKIP, saying why",
    );
  } finally {
    node.kill("SIGKILL");
    await node;
  }
});
