// Reading a node's ready line from its stdout, whatever runs the node (a child process or a container).
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { ReadyLine } from "../../specs/node/cli.js";

/**
 * Resolves with the first stdout line that is a valid ready line. Rejects after `timeoutMs`, or
 * when `gone` resolves first (with what happened, e.g. "exited with 2").
 */
export function readReadyLine(stdout: Readable, timeoutMs: number, gone: Promise<string>): Promise<ReadyLine> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: stdout });
    const timer = setTimeout(() => done(new Error(`no ready line within ${timeoutMs} ms`)), timeoutMs);
    const done = (error: Error | null, ready?: ReadyLine) => {
      clearTimeout(timer);
      lines.removeAllListeners("line");
      if (error) reject(error);
      else resolve(ready!);
    };
    lines.on("line", (line) => {
      try {
        const parsed = ReadyLine.safeParse(JSON.parse(line));
        if (parsed.success) done(null, parsed.data);
      } catch {
        // Not the ready line; keep reading.
      }
    });
    void gone.then((what) => done(new Error(`${what} before it was ready`)));
  });
}
