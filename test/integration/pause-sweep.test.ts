// Pauses up to 0.8 × the shortest suspicion timeout on real processes (the default suite's
// pause-sweep scenario): the reference node survives each. (That never-dead fails on a death is
// tested on hand-built histories in test/harness/checks; the simulator sweep in
// test/reference-node/sim/pause-sweep.test.ts covers 100 seeds per pause length.)
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../harness/paths.js";

const scenario = path.join(packageRoot(), "specs", "scenarios", "16-pause-sweep.yaml");

t.test("[~25 s] pauses of 300, 500 and 640 ms (minimum suspicion 800 ms): nobody is declared dead", async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), "grapevine-sweep-"));
  const result = await execa(process.execPath, [builtCli(), "run", scenario, "--report-dir", reportDir], { reject: false, timeout: 120_000 });
  t.equal(result.exitCode, 0, `${result.stdout}\n${String(result.stderr).slice(-2000)}`);
  t.match(result.stdout, /pause-sweep\s+PASS/);
  t.notMatch(result.stdout, /✗/);
});
