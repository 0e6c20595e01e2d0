import { describe, expect, it } from 'vitest';
import { CategoryCounter, ColumnProfileBuilder } from '../../../functions/contracts/column-profile';

const numeric = (values: readonly number[], edges: Float64Array | null = null) => {
  const p = new ColumnProfileBuilder(true, false, 100, edges, 0);
  for (const v of values) p.addNumber(v);
  return p;
};

describe('ColumnProfileBuilder', () => {
  const values = Array.from({ length: 10_001 }, (_, i) => ((i * 7919) % 10_001) - 2000.5);

  it('computes exact count, min, max, mean and standard deviation', () => {
    const profile = numeric(values).toProfile('x', 'number', null);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
    expect(profile).toMatchObject({ count: 10_001, min: -2000.5, max: 7999.5 });
    expect(profile.mean).toBeCloseTo(mean, 9);
    expect(profile.stddev).toBeCloseTo(sd, 9);
  });

  it('estimates quantiles within 1 % of the value (negative, zero and positive)', () => {
    const sorted = [...values].sort((a, b) => a - b);
    const quantiles = numeric(values).toProfile('x', 'number', null).quantiles!;
    for (const [name, q] of [
      ['p1', 0.01],
      ['p10', 0.1],
      ['p50', 0.5],
      ['p90', 0.9],
      ['p99', 0.99],
    ] as const) {
      const exact = sorted[Math.round(q * (sorted.length - 1))]!;
      expect(Math.abs(quantiles[name]! - exact)).toBeLessThanOrEqual(Math.abs(exact) * 0.01 + 1);
    }
  });

  it('cuts the histogram near the deciles with exact counts, and counts exactly on given edges', () => {
    const histogram = numeric(values).toProfile('x', 'number', null).histogram!;
    expect(histogram.counts.reduce((s, n) => s + n, 0)).toBe(10_001);
    for (let i = 0; i < histogram.edges.length; i++) {
      const expected = values.filter(
        (v) => v >= (histogram.edges[i - 1] ?? -Infinity) && v < histogram.edges[i]!,
      ).length;
      expect(histogram.counts[i]).toBe(expected);
    }
    const fixed = numeric([-1, 0, 0.5, 1, 2, 3], Float64Array.from([0, 1, 2])).toProfile(
      'x',
      'number',
      [0, 1, 2],
    ).histogram;
    expect(fixed).toEqual({ edges: [0, 1, 2], counts: [1, 2, 1, 2] });
  });

  it('merging two halves equals one pass (sketch, histogram and extremes exactly)', () => {
    const one = numeric(values);
    const first = numeric(values.slice(0, 4000));
    const second = numeric(values.slice(4000));
    const rebuilt = new ColumnProfileBuilder(true, false, 100, null, 0);
    rebuilt.load(second.toState(), 100);
    first.merge(rebuilt);
    const a = one.toProfile('x', 'number', null);
    const b = first.toProfile('x', 'number', null);
    expect({ ...b, mean: 0, stddev: 0 }).toEqual({ ...a, mean: 0, stddev: 0 });
    expect(b.mean).toBeCloseTo(a.mean!, 9);
  });
});

describe('CategoryCounter', () => {
  it('counts exactly up to its bound, then gives up (not categorical)', () => {
    const counter = new CategoryCounter(3);
    for (const [h, label] of [
      [1, 'a'],
      [2, 'b'],
      [1, 'a'],
      [3, 'c'],
    ] as const) {
      const slot = counter.add(h, h);
      if (slot >= 0) counter.setLabel(slot, label);
    }
    expect(counter.entries()).toEqual([
      { value: 'a', count: 2 },
      { value: 'b', count: 1 },
      { value: 'c', count: 1 },
    ]);
    counter.add(4, 4);
    expect(counter.overflowed).toBe(true);
  });
});
