// Polling until a condition on the cluster holds: bounded in time and in the number of calls.
export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Said in the error when the time runs out. */
  what: string;
}

/** Resolves with the elapsed ms once `check` returns true; rejects after timeoutMs. Errors in `check` count as false. */
export async function waitUntil(check: () => Promise<boolean> | boolean, options: WaitOptions): Promise<number> {
  const started = Date.now();
  const interval = options.intervalMs ?? 50;
  for (;;) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return Date.now() - started;
    if (Date.now() - started >= options.timeoutMs) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
