/**
 * 95 % confidence intervals and the estimate shape every metric shares. Closed forms only (no resampling), so a
 * report is deterministic and its cost does not grow with a bootstrap's replicates:
 *
 * - `wilson`: proportions (accuracy, precision, recall), Wilson's score interval (Wilson 1927), which stays inside
 *   [0, 1] and behaves near 0 and 1 where the plain normal interval does not;
 * - `delong`: ROC AUC, DeLong, DeLong and Clarke-Pearson (1988) variance from placement values;
 * - `logit`: PR AUC (average precision), the logit interval of Boyd, Eng and Page (2013);
 * - `delta`: F1 scores, the delta method over the confusion matrix's multinomial cells (Takahashi et al. 2022);
 * - `normal`: means (log loss, MAE, MAPE; RMSE on the mean squared error, then the square root), the normal
 *   approximation with the sample standard deviation; R2 by the delta method on its two mean squares.
 *
 * Intervals of bounded metrics are clipped to their range.
 */

/** The 97.5th percentile of the standard normal distribution. */
export const Z95 = 1.959963984540054;

/** How an interval was computed. */
export type IntervalMethod = 'wilson' | 'delong' | 'logit' | 'delta' | 'normal';

/** A two-sided 95 % interval. */
export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** A metric's value with the samples it was computed on and its interval, or null with the reason. */
export interface MetricEstimate {
  readonly value: number | null;
  /** Samples the value was computed on (e.g. precision: the predicted positives). */
  readonly n: number;
  readonly interval: Interval | null;
  readonly method: IntervalMethod;
  /** Why the value or its interval is missing. */
  readonly reason?: string;
}

/** An estimate with no value. */
export function unavailable(n: number, method: IntervalMethod, reason: string): MetricEstimate {
  return { value: null, n, interval: null, method, reason };
}

const clip = (v: number, low: number, high: number) => Math.min(high, Math.max(low, v));

/** Wilson's score interval of `successes` out of `n`. */
export function wilsonInterval(successes: number, n: number): Interval | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = Z95 * Z95;
  const denominator = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denominator;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { low: clip(center - half, 0, 1), high: clip(center + half, 0, 1) };
}

/** A proportion with its Wilson interval. */
export function proportion(successes: number, n: number, emptyReason: string): MetricEstimate {
  if (n <= 0) return unavailable(0, 'wilson', emptyReason);
  return { value: successes / n, n, interval: wilsonInterval(successes, n), method: 'wilson' };
}

/** `value` plus or minus 1.96 standard errors, clipped to `[low, high]`. */
export function normalInterval(
  value: number,
  standardError: number,
  low = -Infinity,
  high = Infinity,
): Interval | null {
  if (!Number.isFinite(standardError)) return null;
  return { low: clip(value - Z95 * standardError, low, high), high: clip(value + Z95 * standardError, low, high) };
}

/** The logit interval of a proportion-like value with `n` effective samples (Boyd et al. 2013); null at 0 or 1. */
export function logitInterval(value: number, n: number): Interval | null {
  if (n <= 0 || value <= 0 || value >= 1) return null;
  const eta = Math.log(value / (1 - value));
  const tau = 1 / Math.sqrt(n * value * (1 - value));
  const expit = (x: number) => 1 / (1 + Math.exp(-x));
  return { low: expit(eta - Z95 * tau), high: expit(eta + Z95 * tau) };
}

/**
 * The asymptotic p-value of a Kolmogorov-Smirnov statistic `d` with `n` effective samples: Kolmogorov's series with
 * Stephens' (1970) small-sample correction, as in Numerical Recipes' `probks`.
 */
export function kolmogorovPValue(d: number, n: number): number {
  if (n <= 0) return 1;
  const root = Math.sqrt(n);
  const lambda = (root + 0.12 + 0.11 / root) * d;
  if (lambda < 1e-3) return 1;
  let sum = 0;
  let sign = 1;
  let previous = 0;
  for (let j = 1; j <= 100; j++) {
    const term = sign * Math.exp(-2 * j * j * lambda * lambda);
    sum += term;
    if (Math.abs(term) <= 1e-3 * previous || Math.abs(term) <= 1e-8 * Math.abs(sum)) return clip(2 * sum, 0, 1);
    previous = Math.abs(term);
    sign = -sign;
  }
  return 1; // the series did not converge: lambda is tiny, the distributions cannot be told apart
}
