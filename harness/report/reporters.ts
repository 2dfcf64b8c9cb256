// The names `--reporter` takes: a module of its own so that the CLI can offer them without loading any reporter.
export const REPORTERS = ["default", "tap", "json", "junit", "github"] as const;
export type ReporterName = (typeof REPORTERS)[number];
