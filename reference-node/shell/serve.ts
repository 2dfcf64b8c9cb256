// Serves one reference node in this process: start it, print the ready line, leave on a signal, and
// exit when the harness that started it is gone.
import type { ReadyLine } from "../../specs/node/cli.js";
import { NodeFlagError, type NodeStart } from "./flags.js";
import { ndjsonLogger, type Logger } from "./log.js";
import { DialMapError, NodeRunner } from "./runner.js";

/**
 * A node started by the harness gets its pid in GRAPEVINE_PARENT_PID and exits when that
 * process is gone, so that even a harness killed with SIGKILL leaves no node behind.
 */
function watchParent(logger: Logger, exit: () => void): void {
  const parent = Number(process.env.GRAPEVINE_PARENT_PID);
  if (!Number.isInteger(parent) || parent <= 0) return;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      logger.log("warn", "the harness that started this node is gone; exiting", { parent });
      exit();
    }
  }, 500).unref();
}

/** Starts the node and returns once its ready line is out; the process then lives until the node leaves. */
export async function serveNode(start: NodeStart): Promise<void> {
  const logger = ndjsonLogger(start.id, start.logLevel);
  let runner: NodeRunner;
  try {
    const { logLevel: _, ...options } = start;
    runner = await NodeRunner.start({ ...options, logger });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { port?: number };
    if (error instanceof DialMapError) throw new NodeFlagError(`--dial-map ${error.message}`);
    if (e.code === "EADDRINUSE") throw new NodeFlagError(`port ${e.port ?? ""} is already in use: choose another --port/--admin-port, or 0 for any free port`);
    if (e.code === "EADDRNOTAVAIL") throw new NodeFlagError(`cannot bind: address not available on this machine (${e.message})`);
    throw error;
  }
  const ready: ReadyLine = { ready: true, id: start.id, port: runner.port, adminPort: runner.adminPort };
  process.stdout.write(`${JSON.stringify(ready)}\n`);

  const exit = async (code: number) => {
    await runner.close();
    process.exit(code);
  };
  // A leave (POST /v1/leave or a signal) ends the process once `left` has spread, as `serf leave` does.
  runner.onLeft(() => void exit(0));
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(130);
    signalled = true;
    logger.log("info", "leaving on signal", { signal });
    void runner.leave();
    // The core finishes the leave within leaveTimeoutMs; this is only a backstop.
    setTimeout(() => void exit(0), start.config.leaveTimeoutMs + 1000).unref();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  process.on("SIGHUP", () => runner.reloadDialMap());
  watchParent(logger, () => void exit(0));
}
