import { describe, expect, it } from 'vitest';
import {
  kolmogorovPValue,
  logitInterval,
  normalInterval,
  proportion,
  wilsonInterval,
} from '../../../functions/evaluation/confidence-intervals';

describe('wilsonInterval', () => {
  it('gives the textbook intervals', () => {
    const half = wilsonInterval(5, 10)!;
    expect(half.low).toBeCloseTo(0.2366, 4);
    expect(half.high).toBeCloseTo(0.7634, 4);
    // Unlike the normal interval, it does not collapse at 0 successes.
    const none = wilsonInterval(0, 10)!;
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it('makes a proportion estimate, or says why there is none', () => {
    expect(proportion(3, 4, 'x')).toMatchObject({ value: 0.75, n: 4, method: 'wilson' });
    expect(proportion(0, 0, 'no positive label')).toMatchObject({ value: null, reason: 'no positive label' });
  });
});

describe('kolmogorovPValue', () => {
  it('gives the Kolmogorov distribution at its known quantiles (large n)', () => {
    const n = 1e8;
    expect(kolmogorovPValue(1.3581 / Math.sqrt(n), n)).toBeCloseTo(0.05, 3);
    expect(kolmogorovPValue(1.6276 / Math.sqrt(n), n)).toBeCloseTo(0.01, 3);
    expect(kolmogorovPValue(1 / Math.sqrt(n), n)).toBeCloseTo(0.27, 2);
  });

  it('is 1 for no difference and falls with the statistic', () => {
    expect(kolmogorovPValue(0, 1000)).toBe(1);
    expect(kolmogorovPValue(0.05, 1000)).toBeGreaterThan(kolmogorovPValue(0.08, 1000));
    expect(kolmogorovPValue(0.5, 1000)).toBeLessThan(1e-50);
  });
});

describe('other intervals', () => {
  it('clips the normal interval to the metric range', () => {
    expect(normalInterval(0.99, 0.02, 0, 1)).toEqual({ low: 0.99 - 1.959963984540054 * 0.02, high: 1 });
    expect(normalInterval(1, NaN)).toBeNull();
  });

  it('keeps the logit interval inside (0, 1) and has none at the bounds', () => {
    const i = logitInterval(0.95, 50)!;
    expect(i.low).toBeGreaterThan(0.8);
    expect(i.high).toBeLessThan(1);
    expect(logitInterval(1, 50)).toBeNull();
  });
});
