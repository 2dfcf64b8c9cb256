// How commands name the reference node on the command line: `--sut reference` or `--sut reference:MUTANT`.

/** "reference" or "reference:MUTANT"; undefined for anything else. */
export function parseReferenceSut(spec: string): { mutant?: string } | undefined {
  const match = /^reference(?::([a-z-]+))?$/.exec(spec);
  if (!match) return undefined;
  return match[1] ? { mutant: match[1] } : {};
}
