/** Exit codes every `mlops` command follows (README, "CLI"). */
export const EXIT = {
  /** The command did what was asked and the verdict, if any, is positive. */
  ok: 0,
  /** A negative verdict: rejected data, a failed evaluation gate. */
  negative: 1,
  /** Usage or configuration errors: nothing was judged. */
  usage: 2,
} as const;

/** A usage or configuration problem reported to the user with exit code 2, without a stack trace. */
export class UsageError extends Error {
  public override readonly name = 'UsageError';
}
