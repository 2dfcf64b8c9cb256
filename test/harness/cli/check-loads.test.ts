// `grapevine check` re-judges a saved history with only the history, the checks and the reporters
// loaded: no runner, runtime, fault engine or proxy code, and nothing of the reference node.
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import t from "tap";
import { builtCli, packageRoot } from "../../../harness/paths.js";

const hook = path.join(packageRoot(), "test", "harness", "cli", "record-loaded.mjs");

/** Runs the built CLI with `args`; returns its result and the project files it loaded (dist-relative). */
async function loaded(args: string[]) {
  const log = path.join(mkdtempSync(path.join(tmpdir(), "grapevine-loaded-")), "loaded.txt");
  const result = await execa(process.execPath, ["--import", hook, builtCli(), ...args], { reject: false, env: { GRAPEVINE_LOADED_LOG: log }, timeout: 60_000 });
  const dist = path.join(packageRoot(), "dist") + path.sep;
  const files = readFileSync(log, "utf8")
    .split("\n")
    .filter((url) => url.startsWith("file://"))
    .map((url) => new URL(url).pathname)
    .filter((file) => file.startsWith(dist))
    .map((file) => file.slice(dist.length));
  return { result, files };
}

t.test("check on a saved run loads no runner, runtime, fault, proxy or reference-node code", async (t) => {
  const runDir = mkdtempSync(path.join(tmpdir(), "grapevine-check-"));
  copyFileSync(path.join(packageRoot(), "fixtures", "histories", "partition-heal.ndjson"), path.join(runDir, "history.ndjson"));
  const { result, files } = await loaded(["check", runDir]);
  t.match(result.stderr + result.stdout, /partition-heal/, "it judged the saved scenario");
  t.ok(files.includes("harness/checks/judge.js"), "the judge was loaded (the recording works)");
  const live = files.filter((f) => /^(harness\/(run|runtime|faults|proxy)|reference-node)\//.test(f));
  t.same(live, [], `loaded: ${live.join(", ")}`);
});
