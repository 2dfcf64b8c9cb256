// Where a command's reports go: one folder per run, named by time and by what ran.
import { renameSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";

/** reports/<timestamp>-<suite>: the suite is named after the first file or folder given. */
export function runDirFor(reportDir: string, paths: string[], now = new Date()): { suite: string; runDir: string } {
  const suite = path.basename(paths[0] ?? "suite").replace(/\.(ya?ml|m?ts|m?js)$/, "") || "suite";
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  return { suite, runDir: path.join(reportDir, `${stamp}-${suite}`) };
}

/**
 * Points `<reportDir>/latest` at `runDir` (a relative symlink, replaced atomically), once the run
 * folder holds its reports: `reports/latest/index.html` is always the newest report. Best effort: a
 * file system without symlinks keeps the run folder and says why there is no link.
 */
export function pointLatestAt(runDir: string): void {
  const reportDir = path.dirname(runDir);
  const link = path.join(reportDir, "latest");
  const staging = path.join(reportDir, `.latest-${process.pid}`);
  try {
    rmSync(staging, { force: true });
    symlinkSync(path.basename(runDir), staging);
    renameSync(staging, link);
  } catch (error) {
    rmSync(staging, { force: true });
    process.stderr.write(`grapevine: ${link} not updated: ${(error as Error).message}\n`);
  }
}
