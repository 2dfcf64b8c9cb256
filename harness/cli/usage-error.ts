// Errors a user causes with bad input: the CLI prints the message and exits 2.
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
/** Grapevine itself failed (a bug, or the machine): never to be read as a verdict about the implementation. */
export const EXIT_INTERNAL_ERROR = 3;
