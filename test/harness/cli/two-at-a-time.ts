// Runs CLI processes two at a time: for tests of mutants, each of which fails its check by a wide margin.

/**
 * A limiter of two. The extra load of a second run can only add failures, never hide the one a
 * test asserts, and it halves the time of a file of long runs.
 */
export function twoAtATime(): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await work();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
