/**
 * Simulated time for the executor: SageMaker durations (max runtime, bake periods, stop grace) are given in seconds
 * and run `timeFactor` times as long in real time, so a test can bake "600 s" in 60 ms.
 */

/** Thrown into a sleep whose `AbortSignal` fired. */
export class SleepAbortedError extends Error {
  override readonly name = 'SleepAbortedError';
}

/** Converts simulated seconds to real milliseconds and sleeps for them. */
export class ScaledClock {
  /**
   * @param timeFactor real seconds per simulated second (1 = real time, 0.001 = 1000x faster).
   * @param now wall clock for timestamps in API shapes and events; never scaled.
   */
  constructor(
    readonly timeFactor: number,
    readonly now: () => number = Date.now,
  ) {
    if (!(timeFactor > 0)) throw new RangeError(`timeFactor must be > 0, got ${timeFactor}`);
  }

  /** Real milliseconds for `seconds` of simulated time. */
  realMs(seconds: number): number {
    return Math.max(0, Math.round(seconds * 1000 * this.timeFactor));
  }

  /** Sleeps `seconds` of simulated time; rejects with `SleepAbortedError` when `signal` fires first. */
  sleep(seconds: number, signal?: AbortSignal): Promise<void> {
    return sleepMs(this.realMs(seconds), signal);
  }
}

/** Sleeps `ms` real milliseconds; rejects with `SleepAbortedError` when `signal` fires first. */
export function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new SleepAbortedError('aborted'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new SleepAbortedError('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
