// `grapevine run` and `grapevine check` as a user runs them: real nodes, real proxies, real report files.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { readHistory } from "../../../harness/history/read.js";
import { builtCli, packageRoot } from "../../../harness/paths.js";
import { Summary } from "../../../specs/report/summary.js";

const fixture = (name: string) => path.join(packageRoot(), "fixtures", "scenarios", name);
const grapevine = (args: string[], timeout = 120_000) => execa(process.execPath, [builtCli(), ...args], { reject: false, timeout });
const onlyRunDir = (reportDir: string) => path.join(reportDir, readdirSync(reportDir)[0]!);

t.test("a passing run exits 0 and writes all five report files; check reproduces its verdicts", async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-run-"));
  const run = await grapevine(["run", fixture("quick-crash.ts"), "--report-dir", reportDir, "--seed", "7"]);
  t.equal(run.exitCode, 0, run.stdout + run.stderr);
  t.match(run.stdout, /quick-crash\s+PASS/);
  t.match(run.stderr, /quick-crash step 2\/4: crash n3/, "progress names scenario and step");
  const runDir = onlyRunDir(reportDir);
  t.match(path.basename(runDir), /^\d{4}-\d\d-\d\dT.*-quick-crash$/);
  for (const file of ["history.ndjson", "summary.json", "junit.xml", "report.md", "index.html"]) t.ok(existsSync(path.join(runDir, file)), file);
  t.ok(existsSync(path.join(runDir, "logs", "quick-crash", "n1.log")), "node logs kept");
  const summary = Summary.parse(JSON.parse(readFileSync(path.join(runDir, "summary.json"), "utf8")));
  t.equal(summary.verdict, "pass");
  t.equal(summary.scenarios[0]!.seed, 7, "the seed in summary.json");
  t.match(run.stdout, /quick-crash\s+PASS\s+0\s+[\d.]+s\s+7$/m, "and in the table");
  t.match(readFileSync(path.join(runDir, "index.html"), "utf8"), /seed 7/, "and in the HTML");
  t.match(
    summary.scenarios[0]!.checks.map((c) => c.name),
    ["step 1: wait until converged", "step 3: expect detection n3", "detection n3", "no-false-positives", "converged", "exits"],
  );
  const history = readHistory(path.join(runDir, "history.ndjson"));
  t.match(history[0], { type: "scenario-start", seed: 7, nodes: ["n1", "n2", "n3"] });
  t.ok(
    history.some((r) => r.type === "transition" && r.id === "n3" && r.to === "dead"),
    "the nodes' own transitions are in the history",
  );
  t.ok(
    history.some((r) => r.type === "fault" && r.kind === "crash"),
    "the harness's faults too",
  );
  const junit = readFileSync(path.join(runDir, "junit.xml"), "utf8");
  t.equal((junit.match(/<testcase /g) ?? []).length, 6, "a testcase per check, the exits check every scenario gets included");

  const check = await grapevine(["check", runDir]);
  t.equal(check.exitCode, 0, check.stderr);
  t.match(check.stderr, /every verdict matches summary.json/);
});

t.test("--reporter tap prints TAP on stdout", async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-run-"));
  const run = await grapevine(["run", fixture("quick-pause.yaml"), "--report-dir", reportDir, "--reporter", "tap"]);
  t.equal(run.exitCode, 0, run.stdout + run.stderr);
  t.match(run.stdout, /^TAP version 14\n1\.\.1\n/);
  t.match(run.stdout, /ok 1 - quick-pause/);
});

t.test("--toxiproxy that is not a URL, or where no Toxiproxy answers, is bad input: exit 2, no stack, no run folder", async (t) => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const closedPort = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const cases: [string, RegExp][] = [
    ["notaurl", /--toxiproxy: "notaurl" is not an http:\/\/ or https:\/\/ URL/],
    [`http://127.0.0.1:${closedPort}`, new RegExp(`no Toxiproxy answers at http://127\\.0\\.0\\.1:${closedPort}`)],
  ];
  for (const [url, message] of cases) {
    const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-badproxy-"));
    const result = await grapevine(["run", fixture("quick-pause.yaml"), "--toxiproxy", url, "--report-dir", reportDir]);
    t.equal(result.exitCode, 2, url);
    t.match(result.stderr, message);
    t.notMatch(result.stderr, /\n\s+at /, `${url}: no stack trace`);
    t.same(readdirSync(reportDir), [], `${url}: no run folder`);
  }
});

t.test("check on a folder that is not a run folder is bad input", async (t) => {
  const result = await grapevine(["check", tmpdir()]);
  t.equal(result.exitCode, 2);
  t.match(result.stderr, /no history.ndjson here/);
});

t.test("Ctrl-C in the middle of a partition: exit 130, no node process and no proxy left listening", async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-int-"));
  const child = execa(process.execPath, [builtCli(), "run", fixture("long-partition.yaml"), "--report-dir", reportDir], { reject: false });
  // Wait until the partition step has started.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the partition never started")), 30_000);
    child.stderr!.on("data", (d: Buffer) => {
      if (/step 3\/4: wait/.test(d.toString())) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.kill("SIGINT");
  const result = await child;
  t.equal(result.exitCode, 130);
  t.match(result.stderr, /SIGINT: stopping/);
  const runDir = onlyRunDir(reportDir);
  const history = readHistory(path.join(runDir, "history.ndjson"));
  const start = history.find((r) => r.type === "scenario-start")!;
  t.ok(
    history.some((r) => r.type === "scenario-end" && r.aborted === "interrupted"),
    "the history says it was interrupted",
  );
  t.ok(existsSync(path.join(runDir, "index.html")), "a report is still written");
  const pids = history.flatMap((r) => (r.type === "node-up" && r.pid ? [r.pid] : []));
  t.equal(pids.length, 3);
  for (const pid of pids) t.throws(() => process.kill(pid, 0), { code: "ESRCH" }, `node process ${pid} is gone`);
  const addresses = [...history.flatMap((r) => (r.type === "node-up" ? [r.addr] : [])), ...Object.values(start.type === "scenario-start" ? start.proxies : {})];
  t.equal(addresses.length, 3 + 6);
  for (const addr of addresses) {
    const port = Number(addr.split(":").at(-1));
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(false);
      });
      socket.once("error", () => resolve(true));
    });
    t.ok(refused, `nothing listens on ${addr}`);
  }
});
