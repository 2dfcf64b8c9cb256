// Every frame a conformance run exchanges with the implementation, so each case can show its own wire log.
export interface WireEntry {
  at: number;
  /** "sent" = from the harness (a client or a fake member) to the implementation; "received" = the other way. */
  dir: "sent" | "received";
  /** Which harness part: "client" for connections the harness opened, or the fake member's id. */
  via: string;
  /** The message, or a description of raw bytes that were not a message. */
  message?: unknown;
  note?: string;
}

const MAX_LOGGED_CHARS = 4000;

/** One recorder per implementation; a case takes the entries logged since it started. */
export class WireLog {
  private readonly entries: WireEntry[] = [];

  add(entry: Omit<WireEntry, "at">): void {
    this.entries.push({ at: Date.now(), ...entry, ...(entry.message === undefined ? {} : { message: clip(entry.message) }) });
  }

  /** A position to slice from later. */
  mark(): number {
    return this.entries.length;
  }

  since(mark: number): WireEntry[] {
    return this.entries.slice(mark);
  }
}

/** Huge fuzzed messages are kept as a prefix, so a wire log stays readable. */
function clip(message: unknown): unknown {
  const text = JSON.stringify(message) ?? String(message);
  return text.length <= MAX_LOGGED_CHARS ? message : { clipped: true, chars: text.length, prefix: text.slice(0, MAX_LOGGED_CHARS) };
}
