/**
 * Regression on live traffic: matched (prediction, label) pairs in typed arrays (16 bytes a pair), merged by
 * concatenation, and the metrics computed at the end in two passes (means first, then centred sums, so R2 does not
 * suffer the cancellation of raw moments).
 *
 * - `mae` = mean |y - p|; `rmse` = sqrt(mean (y - p)^2);
 * - `mape` = mean |y - p| / |y| over the labels that are not 0 (as a fraction, like scikit-learn's
 *   `mean_absolute_percentage_error`; labels equal to 0 are left out and counted);
 * - `r2` = 1 - SSE / SST, null when every label is the same (SST = 0).
 */
import { type MetricEstimate, normalInterval, unavailable } from './confidence-intervals';
import { decodeFloat64, encodeFloat64, Float64List } from './typed-array-codec';

/** The regression metrics, by their published names. */
export const REGRESSION_METRICS = ['mae', 'rmse', 'mape', 'r2'] as const;
export type RegressionMetric = (typeof REGRESSION_METRICS)[number];

/** The serializable state of a {@link RegressionAccumulator}. */
export interface RegressionState {
  readonly kind: 'regression';
  readonly count: number;
  readonly predictions: string;
  readonly labels: string;
}

/** The matched pairs of a regression problem. */
export class RegressionAccumulator {
  private readonly predictions = new Float64List();
  private readonly labels = new Float64List();

  get count(): number {
    return this.predictions.length;
  }

  add(prediction: number, label: number): void {
    this.predictions.push(prediction);
    this.labels.push(label);
  }

  merge(other: RegressionAccumulator): void {
    this.predictions.append(other.predictions.view());
    this.labels.append(other.labels.view());
  }

  toState(): RegressionState {
    return {
      kind: 'regression',
      count: this.count,
      predictions: encodeFloat64(this.predictions.values, this.count),
      labels: encodeFloat64(this.labels.values, this.count),
    };
  }

  static fromState(state: RegressionState): RegressionAccumulator {
    const acc = new RegressionAccumulator();
    const p = decodeFloat64(state.predictions);
    const l = decodeFloat64(state.labels);
    if (p.length !== state.count || l.length !== state.count) {
      throw new RangeError('regression state: count does not match the arrays');
    }
    acc.predictions.append(p);
    acc.labels.append(l);
    return acc;
  }

  estimate(): Record<RegressionMetric, MetricEstimate> {
    return regressionMetrics(this.predictions.view(), this.labels.view());
  }
}

/** Mean and standard error of the mean of `f(i)` over `n` values, in two passes. */
function meanAndError(n: number, f: (i: number) => number): { mean: number; se: number } {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += f(i);
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = f(i) - mean;
    ss += d * d;
  }
  return { mean, se: n > 1 ? Math.sqrt(ss / (n - 1) / n) : NaN };
}

/** The regression metrics of `predictions` against `labels`. */
export function regressionMetrics(
  predictions: Float64Array,
  labels: Float64Array,
): Record<RegressionMetric, MetricEstimate> {
  const n = predictions.length;
  if (n === 0) {
    const none = (method: 'normal' | 'delta') => unavailable(0, method, 'no matched samples');
    return { mae: none('normal'), rmse: none('normal'), mape: none('normal'), r2: none('delta') };
  }
  const abs = meanAndError(n, (i) => Math.abs(labels[i]! - predictions[i]!));
  const sq = meanAndError(n, (i) => (labels[i]! - predictions[i]!) ** 2);
  const rmseInterval = normalInterval(sq.mean, sq.se, 0);

  const nonzero: number[] = [];
  for (let i = 0; i < n; i++) if (labels[i] !== 0) nonzero.push(i);
  let mape: MetricEstimate;
  if (nonzero.length === 0) mape = unavailable(0, 'normal', 'every label is 0');
  else {
    const m = meanAndError(nonzero.length, (k) => {
      const i = nonzero[k]!;
      return Math.abs(labels[i]! - predictions[i]!) / Math.abs(labels[i]!);
    });
    mape = {
      value: m.mean,
      n: nonzero.length,
      interval: normalInterval(m.mean, m.se, 0),
      method: 'normal',
      ...(nonzero.length < n ? { reason: `${n - nonzero.length} label(s) equal to 0 left out` } : {}),
    };
  }

  // R2 = 1 - A / B with A = mean e^2, B = mean (y - ybar)^2; delta method on the pair of means:
  // Var(R2) ~ (Var(a)/B^2 + A^2 Var(b)/B^4 - 2 A Cov(a, b)/B^3) / n.
  let ySum = 0;
  for (let i = 0; i < n; i++) ySum += labels[i]!;
  const yBar = ySum / n;
  let bSum = 0;
  for (let i = 0; i < n; i++) bSum += (labels[i]! - yBar) ** 2;
  const A = sq.mean;
  const B = bSum / n;
  let r2: MetricEstimate;
  if (B === 0) r2 = unavailable(n, 'delta', 'every label has the same value');
  else {
    let vaa = 0;
    let vbb = 0;
    let vab = 0;
    for (let i = 0; i < n; i++) {
      const a = (labels[i]! - predictions[i]!) ** 2 - A;
      const b = (labels[i]! - yBar) ** 2 - B;
      vaa += a * a;
      vbb += b * b;
      vab += a * b;
    }
    const value = 1 - A / B;
    const d = n > 1 ? n - 1 : NaN;
    const variance = (vaa / d / (B * B) + (A * A * (vbb / d)) / B ** 4 - (2 * A * (vab / d)) / B ** 3) / n;
    r2 = { value, n, interval: normalInterval(value, Math.sqrt(Math.max(0, variance)), -Infinity, 1), method: 'delta' };
  }
  return {
    mae: { value: abs.mean, n, interval: normalInterval(abs.mean, abs.se, 0), method: 'normal' },
    rmse: {
      value: Math.sqrt(sq.mean),
      n,
      interval: rmseInterval === null ? null : { low: Math.sqrt(rmseInterval.low), high: Math.sqrt(rmseInterval.high) },
      method: 'normal',
    },
    mape,
    r2,
  };
}
