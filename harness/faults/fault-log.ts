// Every fault the harness applied, with its targets and when it started and ended: the fault side of the history.
import type { FaultKind } from "../../specs/history/history.js";

export type { FaultKind };

export interface FaultRecord {
  id: number;
  kind: FaultKind;
  /** The nodes it acts on (for a partition: every node named in the grudge). */
  targets: string[];
  params: Record<string, unknown>;
  /** Epoch ms when it began to take effect: before its first toxic, signal or API call. Checks measure from here. */
  startedAt: number;
  /** When it was fully in effect: after its last toxic was installed (or the engine confirmed the pause). */
  inEffectAt: number;
  /** When its removal began (before the first toxic was removed); undefined while it is in force. */
  endedAt: number | undefined;
  /** When it was fully removed. */
  removedAt: number | undefined;
}

/** A fault in force; `undo` ends it and is safe to call twice. */
export interface FaultHandle {
  readonly record: FaultRecord;
  undo(): Promise<void>;
}

/** Told of every fault as it starts and ends (the runner writes them into the history). */
export type FaultListener = (record: FaultRecord, phase: "start" | "end") => void;

export class FaultLog {
  private readonly records: FaultRecord[] = [];
  private readonly listeners: FaultListener[] = [];

  onChange(listener: FaultListener): void {
    this.listeners.push(listener);
  }

  private tell(record: FaultRecord, phase: "start" | "end"): void {
    for (const listener of this.listeners) listener(record, phase);
  }
  private readonly active = new Map<number, () => Promise<void>>();
  private nextId = 1;

  /**
   * Records a fault that has just been applied, with what undoes it. `beganAt` is when applying it
   * began: a partition of many toxics starts to cut links at its first, not its last.
   */
  started(kind: FaultKind, targets: string[], params: Record<string, unknown>, undo: () => Promise<void>, beganAt = Date.now()): FaultHandle {
    const record: FaultRecord = {
      id: this.nextId++,
      kind,
      targets,
      params,
      startedAt: beganAt,
      inEffectAt: Date.now(),
      endedAt: undefined,
      removedAt: undefined,
    };
    this.records.push(record);
    this.tell(record, "start");
    let undone: Promise<void> | undefined;
    const handle: FaultHandle = {
      record,
      undo: () => {
        undone ??= (async () => {
          this.active.delete(record.id);
          // The heal starts to take effect with the first removal: that is the instant heal times count from.
          record.endedAt = Date.now();
          try {
            await undo();
          } finally {
            record.removedAt = Date.now();
            this.tell(record, "end");
          }
        })();
        return undone;
      },
    };
    this.active.set(record.id, handle.undo);
    return handle;
  }

  /** A fault with no duration (a crash): recorded as started and ended at once. */
  instant(kind: FaultKind, targets: string[], params: Record<string, unknown>): FaultRecord {
    const now = Date.now();
    const record: FaultRecord = { id: this.nextId++, kind, targets, params, startedAt: now, inEffectAt: now, endedAt: now, removedAt: now };
    this.records.push(record);
    this.tell(record, "start");
    this.tell(record, "end");
    return record;
  }

  all(): readonly FaultRecord[] {
    return this.records;
  }

  activeCount(): number {
    return this.active.size;
  }

  /** Ends every fault still in force, newest first; used on every exit path. Errors are collected, not thrown early. */
  async undoAll(): Promise<Error[]> {
    const errors: Error[] = [];
    for (const undo of [...this.active.values()].reverse()) {
      try {
        await undo();
      } catch (error) {
        errors.push(error as Error);
      }
    }
    return errors;
  }
}
