/**
 * Binary classification on live traffic: the matched (score, label) pairs are kept in typed arrays (9 bytes a pair),
 * so partial results merge exactly by concatenation and every metric is computed on the whole window at the end.
 *
 * A score is the model's probability of the positive class (label 1); it is predicted positive when
 * `score >= threshold`. Log loss clips probabilities to [1e-15, 1 - 1e-15] (scikit-learn's historical `eps`) and is
 * null when a score lies outside [0, 1] (the model returns margins, not probabilities).
 */
import { type MetricEstimate, normalInterval, proportion, unavailable } from './confidence-intervals';
import { averagePrecision, rocAuc } from './ranking-metrics';
import { decodeFloat64, decodeUint8, encodeFloat64, encodeUint8, Float64List, Uint8List } from './typed-array-codec';

/** The binary metrics, by their published names. */
export const BINARY_METRICS = ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'pr_auc', 'log_loss'] as const;
export type BinaryMetric = (typeof BINARY_METRICS)[number];

/** Counts of the confusion matrix at the decision threshold. */
export interface ConfusionCounts {
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
}

/** The serializable state of a {@link BinaryAccumulator}. */
export interface BinaryState {
  readonly kind: 'binary';
  readonly count: number;
  /** base64 Float64Array. */
  readonly scores: string;
  /** base64 Uint8Array of 0 and 1. */
  readonly labels: string;
}

const EPS = 1e-15;

/** The matched pairs of a binary problem. */
export class BinaryAccumulator {
  private readonly scores = new Float64List();
  private readonly labels = new Uint8List();

  get count(): number {
    return this.scores.length;
  }

  add(score: number, label: number): void {
    this.scores.push(score);
    this.labels.push(label);
  }

  merge(other: BinaryAccumulator): void {
    this.scores.append(other.scores.view());
    this.labels.append(other.labels.view());
  }

  toState(): BinaryState {
    return {
      kind: 'binary',
      count: this.count,
      scores: encodeFloat64(this.scores.values, this.count),
      labels: encodeUint8(this.labels.values, this.count),
    };
  }

  static fromState(state: BinaryState): BinaryAccumulator {
    const acc = new BinaryAccumulator();
    const scores = decodeFloat64(state.scores);
    const labels = decodeUint8(state.labels);
    if (scores.length !== state.count || labels.length !== state.count) {
      throw new RangeError('binary state: count does not match the arrays');
    }
    acc.scores.append(scores);
    acc.labels.append(labels);
    return acc;
  }

  /** Every binary metric at `threshold`, with the confusion counts. */
  estimate(threshold: number): { metrics: Record<BinaryMetric, MetricEstimate>; confusion: ConfusionCounts } {
    return binaryMetrics(this.scores.view(), this.labels.view(), threshold);
  }
}

/**
 * F1 = 2TP / (2TP + FP + FN) with its delta-method interval: with cell shares a = TP/n, b = FP/n, c = FN/n and
 * D = 2a + b + c, the gradient is (2(b + c), -2a, -2a) / D^2 and, F1 being homogeneous of degree 0 in the shares,
 * Var = (g_a^2 a + g_b^2 b + g_c^2 c) / n (Takahashi et al. 2022, eq. for binary F1).
 */
function f1Estimate(c: ConfusionCounts): MetricEstimate {
  const n = c.tp + c.fp + c.tn + c.fn;
  const denominator = 2 * c.tp + c.fp + c.fn;
  if (denominator === 0) return unavailable(n, 'delta', 'no positive label and no positive prediction');
  const value = (2 * c.tp) / denominator;
  const a = c.tp / n;
  const b = c.fp / n;
  const d = c.fn / n;
  const D = 2 * a + b + d;
  const ga = (2 * (b + d)) / (D * D);
  const gb = (-2 * a) / (D * D);
  const variance = (ga * ga * a + gb * gb * (b + d)) / n;
  return { value, n, interval: normalInterval(value, Math.sqrt(variance), 0, 1), method: 'delta' };
}

/** The binary metrics of `scores` against 0/1 `labels` at `threshold`. */
export function binaryMetrics(
  scores: Float64Array,
  labels: Uint8Array,
  threshold: number,
): { metrics: Record<BinaryMetric, MetricEstimate>; confusion: ConfusionCounts } {
  const n = scores.length;
  let n1 = 0;
  for (let i = 0; i < n; i++) n1 += labels[i]!;
  const positives = new Float64Array(n1);
  const negatives = new Float64Array(n - n1);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    if (labels[i] === 1) positives[p++] = scores[i]!;
    else negatives[q++] = scores[i]!;
  }
  positives.sort();
  negatives.sort();
  // Counted over the sorted scores, so that the sums do not depend on the order the pairs came in: merged parts
  // give the very same figures as one pass.
  let tp = 0;
  let fn = 0;
  let fp = 0;
  let tn = 0;
  let lossSum = 0;
  let lossSq = 0;
  let probabilities = true;
  for (let i = 0; i < n1; i++) {
    const s = positives[i]!;
    if (s >= threshold) tp++;
    else fn++;
    if (s < 0 || s > 1) probabilities = false;
    const loss = -Math.log(Math.min(1 - EPS, Math.max(EPS, s)));
    lossSum += loss;
    lossSq += loss * loss;
  }
  for (let i = 0; i < n - n1; i++) {
    const s = negatives[i]!;
    if (s >= threshold) fp++;
    else tn++;
    if (s < 0 || s > 1) probabilities = false;
    const loss = -Math.log(Math.min(1 - EPS, Math.max(EPS, 1 - s)));
    lossSum += loss;
    lossSq += loss * loss;
  }

  const confusion = { tp, fp, tn, fn };
  let logLoss: MetricEstimate;
  if (n === 0) logLoss = unavailable(0, 'normal', 'no matched samples');
  else if (!probabilities) logLoss = unavailable(n, 'normal', 'scores outside [0, 1] are not probabilities');
  else {
    const mean = lossSum / n;
    const sd = n > 1 ? Math.sqrt(Math.max(0, (lossSq - n * mean * mean) / (n - 1))) : NaN;
    logLoss = { value: mean, n, interval: normalInterval(mean, sd / Math.sqrt(n), 0), method: 'normal' };
  }
  return {
    metrics: {
      accuracy: proportion(tp + tn, n, 'no matched samples'),
      precision: proportion(tp, tp + fp, 'no positive prediction'),
      recall: proportion(tp, tp + fn, 'no positive label'),
      f1: f1Estimate(confusion),
      roc_auc: rocAuc(positives, negatives),
      pr_auc: averagePrecision(positives, negatives),
      log_loss: logLoss,
    },
    confusion,
  };
}
