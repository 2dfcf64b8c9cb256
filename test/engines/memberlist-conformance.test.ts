// memberlist's wire against the real implementations: conformance of the memberlist agent (Debian's
// memberlist 0.2.2) and of Serf, started from their manifests, and of a memberlist node someone else
// started (--target --protocol memberlist); and interop, a mixed cluster of memberlist agents and
// reference nodes on memberlist's wire (specs/interop/mixed-memberlist.yaml). Every requirement gets
// a verdict or a SKIP that names what the implementation lacks; every wire log entry was decoded by
// the spec; the crashes the malformed corpus finds are pinned on memberlist's source lines. The two
// conformance runs start together (each on ports and namespaces of its own) and the tests below read
// them. The interop run starts once they are done: its nodes answer probes within memberlist's 500 ms
// timeout, which a 2-core machine also running two conformance runs and another test file does not
// always leave them (a CI run saw a memberlist agent suspect and lose both reference nodes).
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

interface Finished {
  exitCode: number;
  all: string;
  runDir: string;
}

function run(args: string[]): Promise<Finished> {
  const reports = mkdtempSync(path.join(tmpdir(), "ml-wire-"));
  return execa(process.execPath, [builtCli(), ...args, "--report-dir", reports], { reject: false, timeout: 280_000, cwd: packageRoot(), all: true }).then(
    (result) => ({ exitCode: result.exitCode ?? -1, all: String(result.all), runDir: path.join(reports, readdirSync(reports)[0] ?? "(no run folder)") }),
  );
}

// The runs one after another take about three minutes, past tap's default for a file.
t.setTimeout(420_000);

const conformance = skip
  ? undefined
  : {
      memberlist: run(["conformance", "--sut", "fixtures/adapters/memberlist.json", "--generated", "100", "--seed", "11", "--reporter", "github"]),
      serf: run(["conformance", "--sut", "fixtures/adapters/serf.json", "--generated", "50", "--seed", "11"]),
    };
const started = conformance && {
  ...conformance,
  interop: Promise.allSettled([conformance.memberlist, conformance.serf]).then(() =>
    run(["run", "--sut", "fixtures/adapters/mixed-memberlist.json", "--faults", "packet", "specs/interop/mixed-memberlist.yaml"]),
  ),
};

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
  /memberlist's wire has no heartbeat message/,
];

async function cases(running: Promise<Finished>): Promise<Finished & { cases: Case[] }> {
  const result = await running;
  const report = JSON.parse(readFileSync(path.join(result.runDir, "conformance.json"), "utf8")) as { cases: Case[] };
  return { ...result, cases: report.cases };
}

/** Every requirement judged or SKIP for a named lack, and every wire log entry decoded by the spec. */
function judgeRun(t: Test, run: Finished & { cases: Case[] }, name: string): void {
  const seen = new Set(run.cases.map((c) => c.requirement));
  t.same(
    REQUIREMENTS.filter((r) => !seen.has(r.id)).map((r) => r.id),
    [],
    `${name}: every requirement of the catalogue has a verdict`,
  );
  const badSkips = run.cases.filter((c) => c.verdict === "SKIP" && !CAPABILITY.some((re) => re.test(c.actual)));
  t.same(
    badSkips.map((c) => `${c.id}: ${c.actual}`),
    [],
    `${name}: every SKIP names a missing capability`,
  );
  let entries = 0;
  for (const log of new Set(run.cases.map((c) => c.wireLog))) {
    const lines = readFileSync(path.join(run.runDir, log), "utf8").split("\n").filter(Boolean);
    entries += lines.length;
    t.same(
      lines.filter((l) => /the spec cannot decode/.test(l)),
      [],
      `${name} ${log}: nothing the spec cannot decode`,
    );
  }
  t.ok(entries > 200, `${name}: ${entries} wire log entries`);
}

t.test(
  "[~50 s, beside Serf's run] memberlist 0.2.2 (the agent): the memberlist requirements pass; the corpus crashes it where its source says",
  { skip, timeout: 300_000 },
  async (t) => {
    const run = await cases(started!.memberlist);
    t.equal(run.exitCode, 1, "exit 1: MUST failures");
    // Under --reporter github each failed MUST is an annotation on the manifest the agent was started from.
    t.match(
      run.all,
      /^::error file=fixtures\/adapters\/memberlist\.json,title=memberlist › WIRE-ALIVE-1\/compound-empty-part \(MUST FAIL\)::/m,
      "the crash annotated on memberlist's manifest",
    );
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
    // memberlist counts a higher suspicion about a suspect as a confirmation (state.go:1149–1158).
    t.match(verdict("MERGE-SUSPECT-SUSPECT-HIGHER"), { verdict: "FAIL", actual: /view shows suspect\(5\)/ });
    t.match(verdict("MERGE-LEFT-DEAD-EQUAL"), { verdict: "SKIP", actual: /no leave distinct from death/ });
    const crashes: [string, string][] = [
      ["compound-empty-part", "memberlist/net.go:359"],
      ["crc-around-nothing", "memberlist/net.go:359"],
      ["pushpull-negative-nodes", "memberlist/net.go:1105"],
      ["pushpull-short-vsn", "memberlist/state.go:703"],
      ["alive-short-vsn", "memberlist/state.go:1099"],
    ];
    for (const [entry, site] of crashes)
      t.match(
        verdict(`WIRE-ALIVE-1/${entry}`),
        { verdict: "FAIL", actual: new RegExp(`crashed: .* at .*${site.replace(/\./g, "\\.")}`) },
        `${entry} crashes it at ${site}`,
      );
    t.equal(verdict("WIRE-ALIVE-1/unknown-type-255")?.verdict, "PASS", "a message type it does not know is dropped, and it lives");
  },
);

t.test(
  "[read from the run started beside memberlist's] Serf: the same wire through Serf's agent; its view has no incarnations and its own leave, said as SKIP",
  { skip, timeout: 300_000 },
  async (t) => {
    const run = await cases(started!.serf);
    judgeRun(t, run, "serf");
    const verdict = (id: string) => run.cases.find((c) => c.id === id);
    for (const id of ["SWIM-PING-1", "ML-PUSHPULL-1", "ML-CRC-1", "ML-COMPRESS-1", "ML-ENC-1", "ML-ENC-3", "ML-KEYRING-1", "SWIM-SUSPECT-1"])
      t.equal(verdict(id)?.verdict, "PASS", `${id}: ${verdict(id)?.actual}`);
    t.match(verdict("MERGE-ALIVE-DEAD-HIGHER"), { verdict: "SKIP", actual: /serf's view does not show incarnations/ });
    t.match(verdict("SWIM-LEFT-1"), { verdict: "SKIP", actual: /Serf's own leave intent/ });
    t.match(verdict("WIRE-ALIVE-1/compound-empty-part"), { verdict: "FAIL", actual: /crashed: .*memberlist\/net\.go:359/ });
  },
);

t.test(
  "[~110 s, after the conformance runs] interop: 3 memberlist agents + 2 reference nodes form one cluster, re-form after a long partition, detect crashes of either kind",
  { skip, timeout: 300_000 },
  async (t) => {
    const result = await started!.interop;
    t.equal(result.exitCode, 0, `the scenario passed\n${result.all.slice(-2500)}`);
    const summary = JSON.parse(readFileSync(path.join(result.runDir, "summary.json"), "utf8")) as {
      scenarios: { verdict: string; checks: { name: string; verdict: string; summary: string }[] }[];
    };
    const scenario = summary.scenarios[0]!;
    t.equal(scenario.verdict, "pass");
    for (const wanted of [/^split /, /^heal/, /^detection n2/, /^detection n5/]) {
      const check = scenario.checks.find((c) => wanted.test(c.name));
      t.match(check, { verdict: "pass" }, `${String(wanted)}: ${check?.summary}`);
    }
    const logs = readdirSync(path.join(result.runDir, "logs", "mixed-memberlist"));
    t.same(logs.sort(), ["n1.log", "n2.log", "n3.log", "n4.log", "n5.log"], "both kinds ran, each with its log");
  },
);

t.test("[~15 s] --target --protocol memberlist: a node someone else started, judged without restarting or keying it", { skip, timeout: 120_000 }, async (t) => {
  const [port, admin] = await freePorts(2);
  const agent = path.join(packageRoot(), "fixtures", "agents", "memberlist", "memberlist-agent");
  const node = execa(agent, ["-name=outside", "-bind=127.0.0.1", `-port=${port}`, `-admin=127.0.0.1:${admin}`], {
    reject: false,
    timeout: 110_000,
    stdout: "ignore",
    stderr: "ignore",
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const only = ["SWIM-PING", "ML-ENC", "WIRE-ALIVE"].flatMap((o) => ["--only", o]);
    const target = await cases(
      run(["conformance", "--target", `127.0.0.1:${port}`, "--protocol", "memberlist", "--admin", `http://127.0.0.1:${admin}`, "--generated", "0", ...only]),
    );
    const verdict = (id: string) => target.cases.find((c) => c.id === id);
    t.equal(verdict("SWIM-PING-1")?.verdict, "PASS");
    t.match(verdict("ML-ENC-1"), { verdict: "SKIP", actual: /--target runs with whatever keys/ });
    // The first crash ends it: the harness does not own the node, so the rest of the corpus is not sent.
    t.match(
      target.cases.find((c) => c.requirement === "WIRE-ALIVE-1" && c.verdict === "FAIL"),
      { actual: /stopped acking pings|exited/ },
    );
    t.ok(
      target.cases.some((c) => c.requirement === "WIRE-ALIVE-1" && c.verdict === "SKIP" && /could not be restarted/.test(c.actual)),
      "later corpus entries are SKIP, saying why",
    );
  } finally {
    node.kill("SIGKILL");
    await node;
  }
});
