// --sut and --faults: what each names, and bad values refused with the flag, file and reason.
import path from "node:path";
import { chmodSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { execa } from "execa";
import t from "tap";
import { faultsFor, parseSut } from "../../../harness/cli/sut-spec.js";
import { builtCli, packageRoot } from "../../../harness/paths.js";

const adapter = (name: string) => path.join(packageRoot(), "fixtures", "adapters", name);

t.test("reference, reference:MUTANT and manifests", async (t) => {
  t.same(parseSut("reference"), { kind: "reference", label: "reference" });
  t.same(parseSut("reference:no-refute"), { kind: "reference", label: "reference:no-refute", mutant: "no-refute" });
  const serf = parseSut(adapter("serf.json"));
  t.equal(serf.kind, "adapter");
  t.equal(serf.label, "serf");
  t.throws(() => parseSut("reference:nope"), { name: "UsageError", message: /no mutant "nope"/ });
  t.throws(() => parseSut("consul"), { name: "UsageError", message: /expected "reference", "reference:MUTANT" or an adapter manifest/ });
  t.throws(() => parseSut("/nonexistent/x.json"), { name: "UsageError", message: /--sut \/nonexistent\/x.json: ENOENT/ });
});

t.test("which engine carries the faults", async (t) => {
  t.equal(faultsFor(parseSut("reference"), undefined), "proxy", "the reference node needs no root by default");
  t.equal(faultsFor(parseSut("reference"), "packet"), "packet");
  t.equal(faultsFor(parseSut(adapter("memberlist.json")), undefined), "packet", "a manifest that says packet gets it");
  t.throws(() => faultsFor(parseSut(adapter("serf.json")), "proxy"), { message: /--faults proxy: serf .* is faulted on its packets/ });
  const dir = mkdtempSync(path.join(tmpdir(), "grapevine-sut-"));
  const manifest = JSON.parse(JSON.stringify(parseSut(adapter("serf.json")))).manifest;
  manifest.faults.network = { unsupported: "it listens on a unix socket" };
  writeFileSync(path.join(dir, "x.json"), JSON.stringify(manifest));
  t.throws(() => faultsFor(parseSut(path.join(dir, "x.json")), undefined), { message: /network faults cannot reach serf \(it listens on a unix socket\)/ });
});

t.test("grapevine run: bad --sut and --faults are exit 2 with the reason, and leave no run folder", async (t) => {
  const cases: [string[], RegExp][] = [
    [["--sut", "reference:nope"], /--sut reference:nope: no mutant "nope"/],
    [["--sut", "serf"], /--sut serf: expected/],
    [["--sut", adapter("serf.json"), "--faults", "proxy"], /--faults proxy: serf/],
    [["--sut", "reference", "--mutant", "no-refute"], /--mutant: give it as --sut reference:MUTANT/],
    [["--sut", "reference", "--sut", "reference"], /--sut: each implementation once/],
    [["--sut", adapter("serf.json"), "--runtime", "docker"], /--runtime docker: runs the reference node.s image only; serf runs as child processes/],
  ];
  for (const [args, message] of cases) {
    const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-badsut-"));
    const result = await execa(process.execPath, [builtCli(), "run", ...args, "--report-dir", reportDir], { reject: false, timeout: 30_000 });
    t.equal(result.exitCode, 2, args.join(" "));
    t.match(result.stderr, message, args.join(" "));
    t.notMatch(result.stderr, /\n\s+at /, "no stack trace");
    t.same(readdirSync(reportDir), [], "no run folder");
  }
});

t.test("--faults packet without root, or without nft and ip: exit 2 naming what is missing and what to do", async (t) => {
  const scenario = path.join(packageRoot(), "fixtures", "scenarios", "quick-pause.yaml");
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-noroot-"));
  chmodSync(reportDir, 0o777);
  const asRoot = process.getuid?.() === 0;
  // As root, drop to nobody for the first case; a user who is not root is already the case.
  const notRoot = asRoot
    ? await execa(
        "setpriv",
        ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, builtCli(), "run", "--faults", "packet", scenario, "--report-dir", reportDir],
        {
          reject: false,
          timeout: 30_000,
          // Nothing of the test runner's environment (its loader writes where nobody may not).
          env: { HOME: reportDir, PATH: process.env.PATH ?? "/usr/bin:/bin" },
          extendEnv: false,
        },
      )
    : await execa(process.execPath, [builtCli(), "run", "--faults", "packet", scenario, "--report-dir", reportDir], { reject: false, timeout: 30_000 });
  t.equal(notRoot.exitCode, 2, notRoot.stderr);
  t.match(notRoot.stderr, /packet-level faults need root .* run as root, or use --faults proxy/);
  if (asRoot) {
    // No /usr/sbin on PATH: nft is not found (ip is, in /usr/bin, on most systems).
    const noTools = await execa(process.execPath, [builtCli(), "run", "--faults", "packet", scenario, "--report-dir", reportDir], {
      reject: false,
      timeout: 30_000,
      env: { PATH: "/usr/bin:/bin" },
      extendEnv: true,
    });
    t.equal(noTools.exitCode, 2, noTools.stderr);
    t.match(noTools.stderr, /packet-level faults need .*the `nft` command \(apt-get install -y nftables\)/);
  }
  t.same(
    readdirSync(reportDir).filter((f) => !f.startsWith(".")),
    [],
    "no run folder",
  );
});
