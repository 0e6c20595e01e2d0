import { describe, expect, it } from 'vitest';

import { pickVariant, routesToGreen } from '../../../../local/sagemaker/invocation-routing';

const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
};

describe('routesToGreen', () => {
  it('sends the configured share to the green fleet', () => {
    const random = sequence(0.05, 0.15, 0.5, 0.95);
    expect([1, 2, 3, 4].map(() => routesToGreen(10, random))).toEqual([true, false, false, false]);
  });

  it('never routes to green at 0% and always at 100%', () => {
    expect(routesToGreen(0, () => 0)).toBe(false);
    expect(routesToGreen(100, () => 0.999)).toBe(true);
  });
});

describe('pickVariant', () => {
  const variants = [
    { variantName: 'A', weight: 3 },
    { variantName: 'B', weight: 1 },
  ];

  it('splits by weight', () => {
    const random = sequence(0, 0.5, 0.74, 0.75, 0.99);
    expect([1, 2, 3, 4, 5].map(() => pickVariant(variants, random)?.variantName)).toEqual(['A', 'A', 'A', 'B', 'B']);
  });

  it('honours TargetVariant, and answers undefined for an unknown one', () => {
    expect(pickVariant(variants, () => 0, 'B')?.variantName).toBe('B');
    expect(pickVariant(variants, () => 0, 'C')).toBeUndefined();
  });

  it('splits evenly when every weight is zero', () => {
    const zero = variants.map((v) => ({ ...v, weight: 0 }));
    expect(pickVariant(zero, () => 0.6)?.variantName).toBe('B');
  });
});
