// Appends validated records to history.ndjson as they happen, and keeps them for the checks run during a scenario.
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { HistoryRecord } from "../../specs/history/history.js";

type Unstamped<R> = R extends unknown ? Omit<R, "scenario" | "t"> & { t?: number } : never;

export class HistoryWriter {
  readonly records: HistoryRecord[] = [];

  private pending: string[] = [];
  private pendingBytes = 0;

  /**
   * `file` is created (empty) if it does not exist; records are appended line by line so a crash
   * loses nothing written. `buffered`: lines are written in batches of about a megabyte (and by
   * `flush`), for a simulated run that makes records far faster than one write each.
   */
  constructor(
    private readonly file: string | undefined,
    private readonly options: { buffered?: boolean } = {},
  ) {
    if (file) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, "", { flag: "a" });
    }
  }

  /** A writer for one scenario: stamps every record with the scenario's name and the current time. */
  forScenario(scenario: string): ScenarioHistory {
    return new ScenarioHistory(this, scenario);
  }

  append(record: HistoryRecord): void {
    const valid = HistoryRecord.parse(record);
    this.records.push(valid);
    if (!this.file) return;
    const line = `${JSON.stringify(valid)}\n`;
    if (!this.options.buffered) return appendFileSync(this.file, line);
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes > 1 << 20) this.flush();
  }

  /** Writes the lines a buffered writer holds. */
  flush(): void {
    if (!this.file || this.pending.length === 0) return;
    appendFileSync(this.file, this.pending.join(""));
    this.pending = [];
    this.pendingBytes = 0;
  }
}

export class ScenarioHistory {
  private readonly start: number;

  constructor(
    private readonly writer: HistoryWriter,
    readonly scenario: string,
  ) {
    this.start = writer.records.length;
  }

  add(record: Unstamped<HistoryRecord>): void {
    this.writer.append({ t: Date.now(), ...record, scenario: this.scenario } as HistoryRecord);
  }

  /** This scenario's records so far. */
  records(): HistoryRecord[] {
    return this.writer.records.slice(this.start).filter((r) => r.scenario === this.scenario);
  }
}
