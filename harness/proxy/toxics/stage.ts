// What a toxic is on one link (one connection, one direction): a stage that passes chunks on, delays, splits, drops or closes.

/** Bytes as read from a socket, stamped with when they were read (performance.now(), ms). */
export interface Chunk {
  data: Buffer;
  readAt: number;
}

/** Hands a chunk to the rest of the chain; resolves once it has been passed on. */
export type Emit = (chunk: Chunk) => Promise<void>;

/** Why a running stage is stopped: its toxic was removed, updated, or its toxicity is re-rolled. */
export type StopReason = "removed" | "updated" | "rerun" | "closed";

export interface StageContext {
  /** Closes the whole connection: after flushing what was emitted ("fin"), or at once with a TCP reset ("rst"). */
  close(mode: "fin" | "rst"): void;
  /** A uniform number in [0, 1). */
  random(): number;
}

export interface Stage {
  /** Handles one chunk. May wait; the link feeds the next chunk only after this resolves, so order is kept. */
  process(chunk: Chunk, emit: Emit): Promise<void> | void;
  /** The source reached end of stream; resolves when the close may proceed. */
  end?(): Promise<void> | void;
  /** Releases whatever the stage waits on: held data goes on at once (Toxiproxy drops nothing on an interrupt). */
  stop(reason: StopReason): void;
}

/** A sleep that `wake()` ends early; used by every toxic that holds data. */
export class Sleeper {
  private timer: NodeJS.Timeout | undefined;
  private resolve: (() => void) | undefined;
  private woken = false;

  /** Resolves after `ms` (at once if ≤ 0 or already woken); true when it ran its full length. */
  sleep(ms: number): Promise<boolean> {
    if (this.woken) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.resolve = () => resolve(false);
      this.timer = setTimeout(() => {
        this.resolve = undefined;
        resolve(true);
      }, ms);
    });
  }

  /** Sleeps until woken. */
  forever(): Promise<boolean> {
    if (this.woken) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.resolve = () => resolve(false);
    });
  }

  wake(): void {
    this.woken = true;
    clearTimeout(this.timer);
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.();
  }

  get isWoken(): boolean {
    return this.woken;
  }
}

/** Passes everything on untouched: what a toxic is when its toxicity roll fails. */
export const passThrough: Stage = {
  process: (chunk, emit) => emit(chunk),
  stop: () => undefined,
};
