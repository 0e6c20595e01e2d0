/**
 * Threshold-free binary metrics over the scores of the positives and of the negatives, each sorted once (a native
 * typed-array sort, O(n log n); 1M scores sort in about 0.1 s here), then walked together in O(n):
 *
 * - ROC AUC = P(score of a positive > score of a negative) + P(equal) / 2: the Mann-Whitney statistic with average
 *   ranks for ties, computed from placement values, which also give DeLong's variance (DeLong et al. 1988; the
 *   sort-based form of Sun and Xu 2014);
 * - PR AUC as average precision, `sum over thresholds of (recall_k - recall_{k-1}) * precision_k`, one threshold per
 *   distinct score (tied scores enter together), as scikit-learn's `average_precision_score`: no interpolation.
 */
import { type MetricEstimate, logitInterval, normalInterval, unavailable } from './confidence-intervals';

/**
 * ROC AUC and DeLong's interval. `positives` and `negatives` must be sorted ascending. Null when either class is
 * absent (a single-class window has no ROC curve).
 */
export function rocAuc(positives: Float64Array, negatives: Float64Array): MetricEstimate {
  const n1 = positives.length;
  const n0 = negatives.length;
  if (n1 === 0 || n0 === 0) {
    return unavailable(n1 + n0, 'delong', `single-class window: ${n1 === 0 ? 'no positive' : 'no negative'} labels`);
  }
  // Placement of each positive among the negatives: (negatives below + half the tied ones) / n0.
  let sum10 = 0;
  let sumSq10 = 0;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n1; i++) {
    const x = positives[i]!;
    while (lo < n0 && negatives[lo]! < x) lo++;
    if (hi < lo) hi = lo;
    while (hi < n0 && negatives[hi]! <= x) hi++;
    const v = (lo + (hi - lo) / 2) / n0;
    sum10 += v;
    sumSq10 += v * v;
  }
  // Placement of each negative among the positives: (positives above + half the tied ones) / n1.
  let sum01 = 0;
  let sumSq01 = 0;
  lo = 0;
  hi = 0;
  for (let j = 0; j < n0; j++) {
    const y = negatives[j]!;
    while (lo < n1 && positives[lo]! < y) lo++;
    if (hi < lo) hi = lo;
    while (hi < n1 && positives[hi]! <= y) hi++;
    const v = (n1 - hi + (hi - lo) / 2) / n1;
    sum01 += v;
    sumSq01 += v * v;
  }
  const auc = sum10 / n1;
  if (n1 < 2 || n0 < 2) {
    return { value: auc, n: n1 + n0, interval: null, method: 'delong', reason: 'DeLong needs two samples per class' };
  }
  const s10 = Math.max(0, (sumSq10 - (sum10 * sum10) / n1) / (n1 - 1));
  const s01 = Math.max(0, (sumSq01 - (sum01 * sum01) / n0) / (n0 - 1));
  return {
    value: auc,
    n: n1 + n0,
    interval: normalInterval(auc, Math.sqrt(s10 / n1 + s01 / n0), 0, 1),
    method: 'delong',
  };
}

/**
 * Average precision (PR AUC) and its logit interval with the positives as effective samples (Boyd et al. 2013).
 * `positives` and `negatives` sorted ascending. Null when either class is absent: with no positive, recall is
 * undefined; with no negative, every threshold has precision 1, which says nothing about the model.
 */
export function averagePrecision(positives: Float64Array, negatives: Float64Array): MetricEstimate {
  const n1 = positives.length;
  const n0 = negatives.length;
  if (n1 === 0 || n0 === 0) {
    return unavailable(n1 + n0, 'logit', `single-class window: ${n1 === 0 ? 'no positive' : 'no negative'} labels`);
  }
  let i = n1 - 1;
  let j = n0 - 1;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  while (i >= 0) {
    const p = positives[i]!;
    const q = j >= 0 ? negatives[j]! : -Infinity;
    const t = p > q ? p : q;
    const before = tp;
    while (i >= 0 && positives[i] === t) {
      tp++;
      i--;
    }
    while (j >= 0 && negatives[j] === t) {
      fp++;
      j--;
    }
    if (tp > before) ap += ((tp - before) / n1) * (tp / (tp + fp));
  }
  const interval = logitInterval(ap, n1);
  return {
    value: ap,
    n: n1 + n0,
    interval,
    method: 'logit',
    ...(interval === null ? { reason: 'no logit interval at 0 or 1' } : {}),
  };
}
