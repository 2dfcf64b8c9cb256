// What a runtime does to a node that is a child process of the harness, whatever it runs (the
// reference node, or another implementation from its adapter manifest): signals, and its exit.
import type { ResultPromise } from "execa";

/** Every node process started and not seen to exit, whatever runtime: killed if the harness itself exits. */
const live = new Set<ChildProcessNode>();
process.on("exit", () => {
  for (const node of live) node.killNow();
});

export abstract class ChildProcessNode {
  private exitedFlag = false;
  /** Resolves when the process has exited, however it ended. */
  readonly exited: Promise<void>;

  constructor(
    protected readonly child: ResultPromise,
    /** The signal that makes it leave the cluster and exit. */
    private readonly stopSignal: NodeJS.Signals,
  ) {
    live.add(this);
    this.exited = child
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.exitedFlag = true;
        live.delete(this);
        this.onExit();
      });
  }

  /** Called once the process has exited (after construction is long over). */
  protected onExit(): void {}

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitedFlag;
  }

  /** Crash: SIGKILL, no goodbye. */
  async crash(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }

  /** Freeze the process (SIGSTOP): its clock and sockets stop. */
  pause(): void {
    this.child.kill("SIGSTOP");
  }

  resume(): void {
    this.child.kill("SIGCONT");
  }

  /** Graceful: the stop signal makes the node leave and exit; SIGKILL if it has not within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exitedFlag) return;
    this.child.kill("SIGCONT");
    this.child.kill(this.stopSignal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Synchronous last resort, for exit handlers. */
  killNow(): void {
    if (!this.exitedFlag) this.child.kill("SIGKILL");
  }
}
