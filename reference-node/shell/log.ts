// ndjson logging on stderr: one JSON object per line, so a harness can keep and grep node logs.
export type LogLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
}

export function ndjsonLogger(node: string, minLevel: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  return {
    log(level, msg, fields) {
      if (RANK[level] < RANK[minLevel]) return;
      write(`${JSON.stringify({ t: Date.now(), level, node, msg, ...fields })}\n`);
    },
  };
}
