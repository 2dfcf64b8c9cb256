// Proof that the checks can fail: each reference-node mutant makes a default-suite scenario exit 1, naming the check it broke.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../../harness/paths.js";
import { MUTANTS } from "../../../reference-node/core/mutants.js";
import { twoAtATime } from "./two-at-a-time.js";

/** For each mutant, the scenario of the default suite that catches it and the check that must fail. */
const caughtBy: Record<keyof typeof MUTANTS, { scenario: string; check: RegExp }> = {
  "no-indirect-probe": { scenario: "07-one-way-cut.yaml", check: /✗ suspicions n1,n2: \d+ suspicions/ },
  "no-refute": { scenario: "05-pause-long.yaml", check: /✗ rejoined n2: .* did not hold n2 alive above incarnation 0/ },
  "no-suspicion": { scenario: "02-crash-detection.yaml", check: /✗ detection n3: first suspicion —/ },
  "ignore-incarnation": { scenario: "12-stale-rumor.yaml", check: /✗ incarnation-order: \d+ transitions to a lower incarnation/ },
  "no-dissemination": { scenario: "03-graceful-leave.yaml", check: /✗ left n4: .* did not see it leave in time/ },
  "no-anti-entropy": { scenario: "13-partition-writes.yaml", check: /✗ no-data-loss: \d+ acknowledged writes missing/ },
  "lww-wrong-order": { scenario: "13-partition-writes.yaml", check: /✗ no-data-loss: \d+ acknowledged writes missing/ },
};

// Seven scenarios of 15–40 s each: more than the default per-file limit.
t.setTimeout(420_000);

t.test("every mutant has a scenario that catches it", async (t) => {
  t.same(Object.keys(caughtBy).sort(), Object.keys(MUTANTS).sort());
});

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
