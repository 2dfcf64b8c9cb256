// Proof that the checks can fail: each reference-node mutant makes a default-suite scenario exit 1, naming the check it broke.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../../harness/paths.js";
import { caughtByScenario } from "./mutant-catchers.js";
import { twoAtATime } from "./two-at-a-time.js";

// A catch that holds only in the simulator (sim-scenario.test.ts runs it there) is left out here, with its reason.
const caughtBy = Object.fromEntries(Object.entries(caughtByScenario).filter(([, c]) => !c.simOnly)) as Record<string, { scenario: string; check: RegExp }>;
for (const [mutant, { simOnly }] of Object.entries(caughtByScenario)) if (simOnly) t.comment(`--mutant ${mutant}: simulator only, ${simOnly}`);

// Scenarios of 15–40 s each: more than the default per-file limit.
t.setTimeout(420_000);

const limit = twoAtATime();
const runs = Object.fromEntries(
  Object.entries(caughtBy).map(([mutant, { scenario }]) => {
    const reportDir = mkdtempSync(path.join(tmpdir(), `grapevine-${mutant}-`));
    const file = path.join(packageRoot(), "specs", "scenarios", scenario);
    return [
      mutant,
      limit(() => execa(process.execPath, [builtCli(), "run", file, "--mutant", mutant, "--report-dir", reportDir], { reject: false, timeout: 150_000 })),
    ];
  }),
);

for (const [mutant, { scenario, check }] of Object.entries(caughtBy)) {
  t.test(`[~40 s each, two at a time] --mutant ${mutant} fails ${scenario}`, async (t) => {
    const result = await runs[mutant]!;
    // 1 is a check that failed; anything else (3: Grapevine itself failed) says nothing about the mutant.
    t.equal(result.exitCode, 1, `exit 1\n${result.stdout}\n${String(result.stderr).slice(-3000)}`);
    t.match(result.stdout, check, "the failed check is named");
    t.match(result.stdout, new RegExp(`\\(mutant: ${mutant}\\)`));
  });
}
