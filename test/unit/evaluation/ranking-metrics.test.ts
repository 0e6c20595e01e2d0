import { describe, expect, it } from 'vitest';
import { averagePrecision, rocAuc } from '../../../functions/evaluation/ranking-metrics';
import { binarySample } from './seeded-random';

const sorted = (values: number[]) => Float64Array.from(values).sort();

function split(scores: Float64Array, labels: Uint8Array) {
  const pos: number[] = [];
  const neg: number[] = [];
  scores.forEach((s, i) => (labels[i] === 1 ? pos : neg).push(s));
  return { pos, neg };
}

/** ROC AUC by counting every (positive, negative) pair: 1 if the positive scores higher, 1/2 on a tie. */
function bruteAuc(pos: number[], neg: number[]): number {
  let wins = 0;
  for (const p of pos) for (const q of neg) wins += p > q ? 1 : p === q ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

/** DeLong's variance from placement values computed pair by pair. */
function bruteDeLongVariance(pos: number[], neg: number[]): number {
  const v10 = pos.map((p) => neg.reduce((s, q) => s + (p > q ? 1 : p === q ? 0.5 : 0), 0) / neg.length);
  const v01 = neg.map((q) => pos.reduce((s, p) => s + (p > q ? 1 : p === q ? 0.5 : 0), 0) / pos.length);
  const variance = (v: number[]) => {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1);
  };
  return variance(v10) / pos.length + variance(v01) / neg.length;
}

/** Average precision by an explicit sweep: every distinct score as a threshold, from the highest down. */
function bruteAveragePrecision(pos: number[], neg: number[]): number {
  const thresholds = [...new Set([...pos, ...neg])].sort((a, b) => b - a);
  let ap = 0;
  let previousRecall = 0;
  for (const t of thresholds) {
    const tp = pos.filter((p) => p >= t).length;
    const fp = neg.filter((q) => q >= t).length;
    const recall = tp / pos.length;
    ap += (recall - previousRecall) * (tp / (tp + fp));
    previousRecall = recall;
  }
  return ap;
}

describe('rocAuc', () => {
  it('matches hand-computed values, ties counting one half', () => {
    // Pairs: (0.8 > 0.1), (0.8 > 0.4), (0.35 > 0.1), (0.35 < 0.4): 3 of 4.
    expect(rocAuc(sorted([0.8, 0.35]), sorted([0.1, 0.4])).value).toBe(0.75);
    // A tie between a positive and a negative is half a win: (0.5 = 0.5) 0.5, (0.5 > 0.2) 1 -> 1.5 / 2.
    expect(rocAuc(sorted([0.5]), sorted([0.5, 0.2])).value).toBe(0.75);
    expect(rocAuc(sorted([0.9, 0.8]), sorted([0.1, 0.2])).value).toBe(1);
    expect(rocAuc(sorted([0.3, 0.3]), sorted([0.3, 0.3])).value).toBe(0.5);
  });

  it('equals the pair count and DeLong variance on seeded data with many ties', () => {
    for (const seed of [1, 2, 3]) {
      const { scores, labels } = binarySample(700, seed, 12);
      const { pos, neg } = split(scores, labels);
      const result = rocAuc(sorted(pos), sorted(neg));
      expect(result.value).toBeCloseTo(bruteAuc(pos, neg), 12);
      const half = (result.interval!.high - result.interval!.low) / 2;
      expect(half / 1.959963984540054).toBeCloseTo(Math.sqrt(bruteDeLongVariance(pos, neg)), 10);
    }
  });

  it('is null with a reason for a single-class window, never NaN', () => {
    const onlyNegatives = rocAuc(sorted([]), sorted([0.2, 0.4]));
    expect(onlyNegatives.value).toBeNull();
    expect(onlyNegatives.reason).toMatch(/single-class window: no positive/);
    expect(rocAuc(sorted([0.2]), sorted([])).reason).toMatch(/no negative/);
  });
});

describe('averagePrecision', () => {
  it("matches scikit-learn's documented example", () => {
    // average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.83 (scikit-learn user guide); roc_auc 0.75.
    expect(averagePrecision(sorted([0.35, 0.8]), sorted([0.1, 0.4])).value).toBeCloseTo(0.8333333333, 9);
    expect(rocAuc(sorted([0.35, 0.8]), sorted([0.1, 0.4])).value).toBe(0.75);
  });

  it('matches a hand-computed value', () => {
    // Ranked: 0.9 (+), 0.8 (-), 0.7 (+): P@1 = 1 at recall 1/2, P@3 = 2/3 at recall 1: AP = 0.5 + 0.5 * 2/3.
    expect(averagePrecision(sorted([0.9, 0.7]), sorted([0.8])).value).toBeCloseTo(0.5 + (0.5 * 2) / 3, 15);
    // A tie enters as one threshold: {0.5: +, -} gives precision 1/2 at recall 1.
    expect(averagePrecision(sorted([0.5]), sorted([0.5])).value).toBe(0.5);
  });

  it('equals an explicit threshold sweep on seeded data with ties', () => {
    for (const seed of [4, 5, 6]) {
      const { scores, labels } = binarySample(900, seed, 15);
      const { pos, neg } = split(scores, labels);
      expect(averagePrecision(sorted(pos), sorted(neg)).value).toBeCloseTo(bruteAveragePrecision(pos, neg), 12);
    }
  });

  it('is null for a single-class window', () => {
    expect(averagePrecision(sorted([]), sorted([0.1])).value).toBeNull();
    expect(averagePrecision(sorted([0.1]), sorted([])).value).toBeNull();
  });

  it('has a logit interval around the value, inside (0, 1)', () => {
    const { scores, labels } = binarySample(2000, 9);
    const { pos, neg } = split(scores, labels);
    const ap = averagePrecision(sorted(pos), sorted(neg));
    expect(ap.method).toBe('logit');
    expect(ap.interval!.low).toBeLessThan(ap.value!);
    expect(ap.interval!.high).toBeGreaterThan(ap.value!);
    expect(ap.interval!.low).toBeGreaterThan(0);
    expect(ap.interval!.high).toBeLessThan(1);
  });
});
