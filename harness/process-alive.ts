// Whether a process still runs: how start-up sweeps tell a dead harness's leftovers (containers,
// network namespaces) from those of one still running.

/** True while a process with this pid exists (EPERM: it exists, as another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
