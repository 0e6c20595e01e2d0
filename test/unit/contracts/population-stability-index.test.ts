import { describe, expect, it } from 'vitest';
import { driftBins, populationStabilityIndex } from '../../../functions/contracts/population-stability-index';

describe('populationStabilityIndex', () => {
  it('is 0 for the same shares and grows with the shift', () => {
    expect(populationStabilityIndex([10, 20, 70], [1, 2, 7])).toBe(0);
    const small = populationStabilityIndex([25, 25, 25, 25], [30, 25, 25, 20])!;
    const large = populationStabilityIndex([25, 25, 25, 25], [70, 10, 10, 10])!;
    expect(small).toBeCloseTo(0.05 * Math.log(1.2) + -0.05 * Math.log(0.8), 12);
    expect(small).toBeLessThan(0.1);
    expect(large).toBeGreaterThan(0.25);
  });

  it('smooths empty bins instead of dividing by zero, and is null without data', () => {
    expect(Number.isFinite(populationStabilityIndex([10, 0], [0, 10]))).toBe(true);
    expect(populationStabilityIndex([0, 0], [1, 1])).toBeNull();
    expect(() => populationStabilityIndex([1], [1, 2])).toThrow(RangeError);
  });
});

describe('driftBins', () => {
  it('uses the histogram of a numeric column and the categories of a categorical one', () => {
    const base = { name: 'x', logicalType: 'number' as const, count: 10, nulls: 0, invalid: 0 };
    expect(driftBins({ ...base, histogram: { edges: [1], counts: [4, 6] } })).toEqual({
      kind: 'numeric',
      edges: [1],
      expected: [4, 6],
    });
    expect(driftBins({ ...base, topValues: [{ value: 'a', count: 7 }], otherCount: 3 })).toEqual({
      kind: 'categorical',
      labels: ['a'],
      expected: [7, 3],
    });
    expect(driftBins(undefined).kind).toBe('none');
    expect(driftBins(base).kind).toBe('none');
  });
});
