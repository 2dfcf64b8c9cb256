// Every fault the harness applied, with its targets and when it started and ended: the fault side of the history.
import type { FaultKind } from "../../specs/history/history.js";

export type { FaultKind };

export interface FaultRecord {
  id: number;
  kind: FaultKind;
  /** The nodes it acts on (for a partition: every node named in the grudge). */
  targets: string[];
  params: Record<string, unknown>;
  /** Epoch ms. */
  startedAt: number;
  endedAt: number | undefined;
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

  /** Records a fault that has just been applied, with what undoes it. */
  started(kind: FaultKind, targets: string[], params: Record<string, unknown>, undo: () => Promise<void>): FaultHandle {
    const record: FaultRecord = { id: this.nextId++, kind, targets, params, startedAt: Date.now(), endedAt: undefined };
    this.records.push(record);
    this.tell(record, "start");
    let undone: Promise<void> | undefined;
    const handle: FaultHandle = {
      record,
      undo: () => {
        undone ??= (async () => {
          this.active.delete(record.id);
          try {
            await undo();
          } finally {
            record.endedAt = Date.now();
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
    const record: FaultRecord = { id: this.nextId++, kind, targets, params, startedAt: now, endedAt: now };
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
