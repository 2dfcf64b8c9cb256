// Where a command's reports go: one folder per run, named by time and by what ran.
import path from "node:path";

/** reports/<timestamp>-<suite>: the suite is named after the first file or folder given. */
export function runDirFor(reportDir: string, paths: string[], now = new Date()): { suite: string; runDir: string } {
  const suite = path.basename(paths[0] ?? "suite").replace(/\.(ya?ml|m?ts|m?js)$/, "") || "suite";
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  return { suite, runDir: path.join(reportDir, `${stamp}-${suite}`) };
}
