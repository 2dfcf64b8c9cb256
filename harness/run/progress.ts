// Progress on the terminal while a suite runs: which scenario, which step, how long so far.
export interface Progress {
  scenario(index: number, total: number, name: string): void;
  step(index: number, total: number, what: string): void;
  scenarioDone(name: string, verdict: string, durationMs: number): void;
  /** A long step still going (a simulated run at scale): how far it has got. */
  note?(what: string): void;
}

/** One line per step, so it reads the same in a terminal and in a CI log. Written to stderr, keeping stdout for reporters. */
export function lineProgress(write: (line: string) => void = (l) => process.stderr.write(l)): Progress {
  const suiteStart = Date.now();
  let scenarioStart = Date.now();
  let current = "";
  const clock = () => `${((Date.now() - suiteStart) / 1000).toFixed(1).padStart(6)}s`;
  return {
    scenario(index, total, name) {
      current = name;
      scenarioStart = Date.now();
      write(`${clock()}  [${index + 1}/${total}] ${name}\n`);
    },
    step(index, total, what) {
      write(`${clock()}      ${current} step ${index + 1}/${total}: ${what} (${((Date.now() - scenarioStart) / 1000).toFixed(1)}s in)\n`);
    },
    note(what) {
      write(`${clock()}        ${current}: ${what}\n`);
    },
    scenarioDone(name, verdict, durationMs) {
      write(`${clock()}  ${verdict.toUpperCase()} ${name} in ${(durationMs / 1000).toFixed(1)}s\n`);
    },
  };
}

export const silentProgress: Progress = { scenario: () => undefined, step: () => undefined, scenarioDone: () => undefined };
