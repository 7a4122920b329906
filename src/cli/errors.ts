/** A user's mistake: printed as one line, exit code 1, never a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
