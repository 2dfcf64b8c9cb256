// The two fault engines agree: the reference node passes partition-heal, one-way-cut and loss-10pct
// with every check the same under Toxiproxy's proxies and under the packet engine's rules and relay.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../harness/paths.js";
import { Summary } from "../../specs/report/summary.js";
import { engineSkip } from "./requirements.js";

const skip = await engineSkip(t, false);
const scenarios = ["06-partition-heal.yaml", "07-one-way-cut.yaml", "08-loss-10pct.yaml"].map((f) => path.join(packageRoot(), "specs", "scenarios", f));

async function run(faults: "proxy" | "packet"): Promise<Summary> {
  const reportDir = mkdtempSync(path.join(tmpdir(), `grapevine-agree-${faults}-`));
  const result = await execa(process.execPath, [builtCli(), "run", "--faults", faults, "--seed", "7", ...scenarios, "--report-dir", reportDir], {
    reject: false,
    timeout: 240_000,
  });
  const made = readdirSync(reportDir)[0];
  if (!made) throw new Error(`no run folder (exit ${result.exitCode}): ${result.stderr}`);
  const runDir = path.join(reportDir, made);
  const summary = Summary.parse(JSON.parse(readFileSync(path.join(runDir, "summary.json"), "utf8")));
  if (result.exitCode !== 0) process.stderr.write(result.stdout);
  return summary;
}

t.test("[~2 min] proxy and packet engines: the same verdict on every check", { skip, timeout: 500_000 }, async (t) => {
  const proxy = await run("proxy");
  const packet = await run("packet");
  t.equal(proxy.faults, "proxy");
  t.equal(packet.faults, "packet");
  const verdicts = (s: Summary) => Object.fromEntries(s.scenarios.map((sc) => [sc.name, Object.fromEntries(sc.checks.map((c) => [c.name, c.verdict]))]));
  t.same(verdicts(packet), verdicts(proxy), "check by check");
  for (const s of [proxy, packet])
    t.same(
      s.scenarios.map((sc) => sc.verdict),
      ["pass", "pass", "pass"],
      `${s.faults}: all three pass`,
    );
});
