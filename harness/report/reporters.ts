// The names `--reporter` takes: a module of its own so that the CLI can offer them without loading any reporter.
export const REPORTERS = ["default", "tap", "json", "junit", "github"] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** Whether stdout stays text for people under this reporter, so progress and notes (replay lines, comparisons) may go there. */
export function stdoutIsText(reporter: ReporterName): boolean {
  return reporter === "default" || reporter === "github";
}
