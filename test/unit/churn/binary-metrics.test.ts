import { describe, expect, it } from 'vitest';

import { logLoss, rocAuc } from '../../../pipelines/churn/local/binary-metrics';

describe('rocAuc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 when every score ties', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
  });

  it('counts a tied positive-negative pair as half a win', () => {
    // Positives 0.35, 0.8, 0.4 against negatives 0.1, 0.4, 0.4: wins 1 + 3 + (1 + 0.5 + 0.5) = 6 of 9 pairs.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8, 0.4, 0.4], [0, 0, 1, 1, 0, 1])).toBeCloseTo(6 / 9, 12);
  });

  it('is NaN with one class only, and refuses mismatched lengths', () => {
    expect(rocAuc([0.2, 0.3], [1, 1])).toBeNaN();
    expect(() => rocAuc([0.2], [1, 0])).toThrow(RangeError);
  });
});

describe('logLoss', () => {
  it('is the mean negative log-likelihood, clipped at certainty', () => {
    expect(logLoss([0.8, 0.3], [1, 0])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 12);
    expect(logLoss([0, 1], [1, 0])).toBeCloseTo(-Math.log(1e-15), 2);
    expect(logLoss([], [])).toBeNaN();
  });
});
