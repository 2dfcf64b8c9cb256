// Sleeping that a Ctrl-C or a scenario timeout can cut short.
export class Aborted extends Error {
  override readonly name = "Aborted";
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Aborted("aborted"));
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Aborted("aborted"));
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
