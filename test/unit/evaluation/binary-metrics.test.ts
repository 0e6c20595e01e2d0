import { describe, expect, it } from 'vitest';
import { BinaryAccumulator, binaryMetrics } from '../../../functions/evaluation/binary-metrics';
import { binarySample, seededRandom } from './seeded-random';

describe('binaryMetrics', () => {
  it('counts the confusion matrix with score >= threshold as positive', () => {
    const scores = Float64Array.from([0.9, 0.5, 0.49, 0.2, 0.7, 0.1]);
    const labels = Uint8Array.from([1, 1, 1, 0, 0, 0]);
    const { metrics, confusion } = binaryMetrics(scores, labels, 0.5);
    expect(confusion).toEqual({ tp: 2, fp: 1, tn: 2, fn: 1 });
    expect(metrics.accuracy.value).toBeCloseTo(4 / 6, 15);
    expect(metrics.precision).toMatchObject({ value: 2 / 3, n: 3 });
    expect(metrics.recall).toMatchObject({ value: 2 / 3, n: 3 });
    expect(metrics.f1.value).toBeCloseTo(2 / 3, 15);
    expect(binaryMetrics(scores, labels, 0.8).confusion).toEqual({ tp: 1, fp: 0, tn: 3, fn: 2 });
  });

  it('computes log loss as the mean negative log-likelihood, clipped', () => {
    const scores = Float64Array.from([0.8, 0.3, 1, 0]);
    const labels = Uint8Array.from([1, 0, 1, 1]);
    const expected = -(Math.log(0.8) + Math.log(0.7) + Math.log(1 - 1e-15) + Math.log(1e-15)) / 4;
    expect(binaryMetrics(scores, labels, 0.5).metrics.log_loss.value).toBeCloseTo(expected, 12);
  });

  it('has no log loss for scores that are not probabilities', () => {
    const m = binaryMetrics(Float64Array.from([2.5, -1]), Uint8Array.from([1, 0]), 0.5).metrics;
    expect(m.log_loss.value).toBeNull();
    expect(m.log_loss.reason).toMatch(/not probabilities/);
    expect(m.roc_auc.value).toBe(1);
  });

  it('says why precision, recall and AUC are missing in a window of negatives only', () => {
    const m = binaryMetrics(Float64Array.from([0.1, 0.2]), Uint8Array.from([0, 0]), 0.5).metrics;
    expect(m.accuracy.value).toBe(1);
    expect(m.precision).toMatchObject({ value: null, reason: 'no positive prediction' });
    expect(m.recall).toMatchObject({ value: null, reason: 'no positive label' });
    expect(m.f1.value).toBeNull();
    expect(m.roc_auc.value).toBeNull();
    expect(m.pr_auc.value).toBeNull();
    expect(Object.values(m).every((e) => e.value === null || Number.isFinite(e.value))).toBe(true);
  });

  it("gives F1 a delta-method interval as wide as a seeded bootstrap's", () => {
    const { scores, labels } = binarySample(3000, 21);
    const { metrics } = binaryMetrics(scores, labels, 0.5);
    const se = (metrics.f1.interval!.high - metrics.f1.interval!.low) / 2 / 1.959963984540054;
    const random = seededRandom(99);
    const replicates: number[] = [];
    for (let b = 0; b < 600; b++) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (let k = 0; k < scores.length; k++) {
        const i = Math.floor(random() * scores.length);
        const predicted = scores[i]! >= 0.5;
        if (predicted && labels[i] === 1) tp++;
        else if (predicted) fp++;
        else if (labels[i] === 1) fn++;
      }
      replicates.push((2 * tp) / (2 * tp + fp + fn));
    }
    const mean = replicates.reduce((a, b) => a + b, 0) / replicates.length;
    const bootSe = Math.sqrt(replicates.reduce((a, b) => a + (b - mean) ** 2, 0) / (replicates.length - 1));
    expect(se / bootSe).toBeGreaterThan(0.85);
    expect(se / bootSe).toBeLessThan(1.15);
  });
});

describe('BinaryAccumulator', () => {
  it('merges parts into exactly the metrics of one pass, also through its JSON state', () => {
    const { scores, labels } = binarySample(1000, 3);
    const whole = new BinaryAccumulator();
    const a = new BinaryAccumulator();
    const b = new BinaryAccumulator();
    scores.forEach((s, i) => {
      whole.add(s, labels[i]!);
      (i % 3 === 0 ? a : b).add(s, labels[i]!);
    });
    const restored = BinaryAccumulator.fromState(JSON.parse(JSON.stringify(a.toState())));
    restored.merge(BinaryAccumulator.fromState(JSON.parse(JSON.stringify(b.toState()))));
    expect(restored.estimate(0.4)).toEqual(whole.estimate(0.4));
  });
});
