/**
 * The two metrics the churn trainer logs for the quality gate, defined as XGBoost's `auc` and `logloss` eval metrics
 * are: ROC AUC with tied scores counted half, and the mean negative log-likelihood with probabilities clipped away
 * from 0 and 1.
 */

/** Clip like XGBoost's logloss (1e-16 there; 1e-15 here keeps `Math.log` well away from underflow). */
const EPSILON = 1e-15;

/**
 * Area under the ROC curve by the rank-sum (Mann-Whitney) formula: O(n log n), ties share their average rank.
 * `NaN` when one class is absent, as the AUC is undefined then.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`rocAuc: ${n} scores but ${labels.length} labels`);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const sorted = Array.from(order).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let positiveRankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    const score = scores[sorted[i]!]!;
    while (j < n && scores[sorted[j]!] === score) j++;
    const averageRank = (i + 1 + j) / 2; // ranks i+1 .. j, 1-based
    for (let k = i; k < j; k++) {
      if (labels[sorted[k]!] === 1) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    i = j;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean binary log loss. */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = probabilities.length;
  if (labels.length !== n) throw new RangeError(`logLoss: ${n} probabilities but ${labels.length} labels`);
  if (n === 0) return Number.NaN;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(Math.max(probabilities[i]!, EPSILON), 1 - EPSILON);
    total -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return total / n;
}
