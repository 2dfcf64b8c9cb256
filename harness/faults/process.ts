// Process faults on a runtime's nodes: crash, graceful stop, restart, pause/resume (a frozen clock), throttle.
import type { FaultHandle, FaultLog, FaultRecord } from "./fault-log.js";

/** What a runtime lets the fault layer do to one node. */
export interface ProcessTarget {
  readonly id: string;
  /** SIGKILL (or the engine's kill): no goodbye. */
  crash(): Promise<void>;
  /** Graceful: the node leaves, then exits. */
  stop(): Promise<void>;
  /** Freeze (SIGSTOP / cgroup freezer): the node's clock and sockets stop. Resolves once the freeze is in effect. */
  pause(): void | Promise<void>;
  resume(): void | Promise<void>;
}

export interface ProcessRuntime {
  node(id: string): ProcessTarget;
  /** Starts the node again with the same id, address and settings. */
  restart(id: string): Promise<void>;
}

export class ProcessFaults {
  constructor(
    private readonly runtime: ProcessRuntime,
    private readonly log: FaultLog,
  ) {}

  async crash(id: string): Promise<FaultRecord> {
    const record = this.log.instant("crash", [id], {});
    await this.runtime.node(id).crash();
    return record;
  }

  async stop(id: string): Promise<FaultRecord> {
    const record = this.log.instant("stop", [id], {});
    await this.runtime.node(id).stop();
    return record;
  }

  async restart(id: string): Promise<FaultRecord> {
    const record = this.log.instant("restart", [id], {});
    await this.runtime.restart(id);
    return record;
  }

  /** Freezes the node until the handle is undone; resolves once the runtime says it is frozen (a container's freezer takes an API call). */
  async pause(id: string): Promise<FaultHandle> {
    const node = this.runtime.node(id);
    const beganAt = Date.now();
    await node.pause();
    return this.log.started("pause", [id], {}, async () => void (await node.resume()), beganAt);
  }

  /**
   * A node that runs only `runFraction` of every `periodMs`, like a process starved of CPU:
   * frozen for the rest of each period. Runs until the handle is undone.
   */
  throttle(id: string, runFraction: number, periodMs: number): FaultHandle {
    if (!(runFraction > 0 && runFraction < 1)) throw new RangeError(`throttle runFraction must be strictly between 0 and 1, got ${runFraction}`);
    if (!(periodMs >= 10)) throw new RangeError(`throttle periodMs must be at least 10, got ${periodMs}`);
    const node = this.runtime.node(id);
    const runMs = runFraction * periodMs;
    let active = true;
    let timer: NodeJS.Timeout | undefined;
    const cycle = () => {
      if (!active) return;
      node.resume();
      timer = setTimeout(() => {
        if (!active) return;
        node.pause();
        timer = setTimeout(cycle, periodMs - runMs);
      }, runMs);
    };
    cycle();
    return this.log.started("throttle", [id], { runFraction, periodMs }, async () => {
      active = false;
      clearTimeout(timer);
      node.resume();
    });
  }
}
