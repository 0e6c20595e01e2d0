import { describe, expect, it } from 'vitest';

import { SeededRandom } from '../../../pipelines/churn/world/seeded-random';

const draws = (random: SeededRandom, n: number) => Array.from({ length: n }, () => random.next());

describe('SeededRandom', () => {
  it('repeats its stream for a seed and gives unrelated streams for neighbouring seeds', () => {
    const a = draws(new SeededRandom(1), 1000);

    expect(draws(new SeededRandom(1), 1000)).toEqual(a);
    const b = draws(new SeededRandom(2), 1000);
    expect(a.filter((value, i) => value === b[i])).toEqual([]);
  });

  it('forks independent streams: drawing from one leaves the other unchanged', () => {
    const root = new SeededRandom(3);
    const untouched = draws(root.fork('labels'), 10);
    const other = root.fork('customers');
    draws(other, 500);

    expect(draws(new SeededRandom(3).fork('labels'), 10)).toEqual(untouched);
    expect(draws(root.fork('customers'), 10)).not.toEqual(untouched);
  });

  it('draws uniform, normal and Poisson values with the right moments', () => {
    const random = new SeededRandom(4);
    const n = 50_000;
    const uniform = draws(random, n);
    const normal = Array.from({ length: n }, () => random.normal(10, 2));
    const poisson = Array.from({ length: n }, () => random.poisson(1.5));
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const sd = (v: number[]) => {
      const m = mean(v);
      return Math.sqrt(mean(v.map((x) => (x - m) ** 2)));
    };

    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniform)).toBeLessThan(1);
    expect(mean(uniform)).toBeCloseTo(0.5, 2);
    expect(mean(normal)).toBeCloseTo(10, 1);
    expect(sd(normal)).toBeCloseTo(2, 1);
    expect(mean(poisson)).toBeCloseTo(1.5, 1);
    expect(poisson.every((k) => Number.isInteger(k) && k >= 0)).toBe(true);
  });

  it('makes version-4 UUIDs that the contract accepts as ids', () => {
    const random = new SeededRandom(5);
    const ids = Array.from({ length: 2000 }, () => random.uuid());

    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('picks by weight', () => {
    const random = new SeededRandom(6);
    const picks = Array.from({ length: 20_000 }, () => random.weighted(['a', 'b', 'c'], [1, 0, 3]));

    expect(picks.filter((p) => p === 'b')).toEqual([]);
    expect(picks.filter((p) => p === 'c').length / picks.length).toBeCloseTo(0.75, 1);
  });
});
