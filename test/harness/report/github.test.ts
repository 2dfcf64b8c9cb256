// --reporter github, as a GitHub Actions job runs it: an ::error per failing check pointing at the
// scenario file and the line of the step or check that failed, a ::notice per SKIP, the step summary
// in Markdown; `grapevine check` gives the same annotations from the saved history. The workflow
// command syntax and its escaping follow actions/toolkit.
import { execa } from "execa";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { builtCli, packageRoot } from "../../../harness/paths.js";
import { escapeData, escapeProperty, renderAnnotations } from "../../../harness/report/github.js";
import type { CheckResult, Summary } from "../../../specs/report/summary.js";

const root = packageRoot();

interface Annotation {
  level: string;
  file: string;
  line: number | undefined;
  title: string;
  message: string;
}

const unescape = (text: string) => text.replace(/%2C/g, ",").replace(/%3A/g, ":").replace(/%0A/g, "\n").replace(/%0D/g, "\r").replace(/%25/g, "%");

/** The workflow commands in a job's output, read as Actions reads them. */
function annotations(stdout: string): Annotation[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("::"))
    .map((l) => {
      const m = /^::(error|notice) ([^:]*)::(.*)$/.exec(l);
      if (!m) throw new Error(`not a workflow command: ${l}`);
      const props = Object.fromEntries(m[2]!.split(",").map((kv) => kv.split("=").map(unescape) as [string, string]));
      return { level: m[1]!, file: props.file!, line: props.line ? Number(props.line) : undefined, title: props.title!, message: unescape(m[3]!) };
    });
}

/** The text of list item k (from 0) under a top-level key of a YAML scenario, found by reading lines, not through the loader. */
function itemLine(file: string, key: "steps" | "checks", k: number): number {
  const lines = readFileSync(file, "utf8").split("\n");
  const start = lines.indexOf(`${key}:`);
  let seen = -1;
  for (let i = start + 1; i < lines.length && !/^\S/.test(lines[i]!); i++) if (/^\s*- /.test(lines[i]!) && ++seen === k) return i + 1;
  throw new Error(`${file}: no ${key}[${k}]`);
}

t.test("a failing mutant run: each ::error points at an existing file and the line of its step or check", async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-github-"));
  const stepSummary = path.join(reportDir, "step-summary.md");
  const scenarios = ["05-pause-long", "17-duplicate-reorder"].map((s) => `specs/scenarios/${s}.yaml`);
  const env = { GITHUB_STEP_SUMMARY: stepSummary, GITHUB_WORKSPACE: root };
  const run = await execa(
    process.execPath,
    [builtCli(), "run", "--runtime", "sim", "--seed", "1", "--mutant", "no-refute", ...scenarios, "--reporter", "github", "--report-dir", reportDir],
    { reject: false, timeout: 120_000, cwd: root, env },
  );
  t.equal(run.exitCode, 1, run.stderr);
  const found = annotations(run.stdout);
  const errors = found.filter((a) => a.level === "error");
  t.ok(errors.length >= 2, `${errors.length} errors`);
  for (const a of errors) {
    t.equal(a.file, "specs/scenarios/05-pause-long.yaml", `${a.title}: the failing scenario's file, relative to the workspace`);
    t.ok(existsSync(path.join(root, a.file)), `${a.file} exists`);
    t.ok(a.line !== undefined, `${a.title}: has a line`);
    const step = /› step (\d+): (\w+)/.exec(a.title);
    if (step) {
      t.equal(a.line, itemLine(path.join(root, a.file), "steps", Number(step[1]) - 1), `${a.title}: the line of step ${step[1]}`);
      t.match(readFileSync(path.join(root, a.file), "utf8").split("\n")[a.line! - 1], new RegExp(`- ${step[2]}:`));
    } else {
      // A check written under checks: its line begins with the check's own key (rejoined, converged…).
      const text = readFileSync(path.join(root, a.file), "utf8").split("\n")[a.line! - 1]!;
      const key = /› (\S+)/.exec(a.title)![1]!;
      t.match(text, new RegExp(`^\\s*- ${key}:`), `${a.title}: line ${a.line} is that check`);
      t.ok(a.line! > itemLine(path.join(root, a.file), "checks", 0) - 1, "under checks:");
    }
    t.match(a.message, /\(seed 1\)$/, "the seed to replay it");
  }
  t.ok(
    errors.some((a) => /rejoined n2/.test(a.title)),
    "the check no-refute breaks is annotated",
  );
  const notices = found.filter((a) => a.level === "notice");
  t.ok(
    notices.every((a) => a.title.startsWith("SKIP ")),
    "SKIPs are notices, never errors",
  );
  t.match(run.stdout, /^pause-long\s+FAIL/m, "the table follows, for the log");
  const markdown = readFileSync(stepSummary, "utf8");
  t.match(markdown, /^# Grapevine run: .* — FAIL$/m, "the step summary has the run");
  t.match(markdown, /\| FAIL \| pause-long \| \d+ of \d+ \| [\d.]+ s \| 1 \|/, "its row, with the seed");

  // The same annotations again from the saved history, offline.
  const runDir = path.join(
    reportDir,
    readdirSync(reportDir).find((d) => d.endsWith("05-pause-long"))!,
  );
  const check = await execa(process.execPath, [builtCli(), "check", runDir, "--reporter", "github"], { reject: false, cwd: root, env });
  t.equal(check.exitCode, 1);
  t.match(check.stderr, /every verdict matches summary\.json/, "the skipped scenario is SKIP again, not a failure");
  t.same(
    annotations(check.stdout).map((a) => [a.level, a.file, a.line, a.title]),
    found.map((a) => [a.level, a.file, a.line, a.title]),
    "check reads them back from history.ndjson",
  );
});

t.test("outside Actions: the annotations still print; the missing step summary is said on stderr", async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-github-"));
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.GITHUB_STEP_SUMMARY;
  const run = await execa(
    process.execPath,
    [builtCli(), "run", "--runtime", "sim", "--seed", "1", "specs/scenarios/02-crash-detection.yaml", "--reporter", "github", "--report-dir", reportDir],
    { reject: false, timeout: 120_000, cwd: root, env, extendEnv: false },
  );
  t.equal(run.exitCode, 0, run.stderr);
  t.same(annotations(run.stdout), [], "a passing run annotates nothing");
  t.match(run.stderr, /GITHUB_STEP_SUMMARY is not set: no step summary written/);
});

const check = (over: Partial<CheckResult>): CheckResult => ({ name: "c", verdict: "pass", summary: "", evidence: [], metrics: {}, ...over });

t.test("escaping as actions/toolkit does, and where each result points", (t) => {
  t.equal(escapeData("50% lost\r\nthen"), "50%25 lost%0D%0Athen");
  t.equal(escapeProperty("a › step 1: x, y"), "a › step 1%3A x%2C y");
  const summary = {
    scenarios: [
      {
        name: "s",
        file: "/work/repo/specs/a.yaml",
        seed: 7,
        checks: [
          check({ name: "step 2: crash", verdict: "fail", summary: "boom\nline two", origin: "steps.1" }),
          check({ name: "exits", verdict: "fail", summary: "n1 exited" }),
          check({ name: "datagram faults", verdict: "skip", summary: "no packet engine" }),
          check({ name: "converged", verdict: "pass", origin: "checks.0" }),
        ],
      },
    ],
  } as unknown as Summary;
  const lines = renderAnnotations(summary, "/work/repo", (_file, origin) => (origin === "steps.1" ? 12 : undefined));
  t.same(lines, [
    "::error file=specs/a.yaml,line=12,title=s › step 2%3A crash::boom%0Aline two (seed 7)",
    "::error file=specs/a.yaml,title=s › exits::n1 exited (seed 7)",
    "::notice file=specs/a.yaml,title=SKIP s › datagram faults::no packet engine",
  ]);
  t.end();
});
