import { describe, expect, it } from 'vitest';
import { RegressionAccumulator, regressionMetrics } from '../../../functions/evaluation/regression-metrics';
import { seededRandom } from './seeded-random';

describe('regressionMetrics', () => {
  it('matches hand-computed values', () => {
    // errors 1, -2, 0, 1; labels 2, 4, 6, 8 (mean 5, SST 20)
    const m = regressionMetrics(Float64Array.from([1, 6, 6, 7]), Float64Array.from([2, 4, 6, 8]));
    expect(m.mae.value).toBe(1);
    expect(m.rmse.value).toBeCloseTo(Math.sqrt(6 / 4), 15);
    expect(m.mape.value).toBeCloseTo((1 / 2 + 2 / 4 + 0 + 1 / 8) / 4, 15);
    expect(m.r2.value).toBeCloseTo(1 - 6 / 20, 15);
  });

  it('leaves zero labels out of MAPE and says so', () => {
    const m = regressionMetrics(Float64Array.from([1, 2]), Float64Array.from([0, 4]));
    expect(m.mape).toMatchObject({ value: 0.5, n: 1, reason: '1 label(s) equal to 0 left out' });
    expect(regressionMetrics(Float64Array.from([1]), Float64Array.from([0])).mape.value).toBeNull();
  });

  it('has no R2 when every label is the same', () => {
    expect(regressionMetrics(Float64Array.from([1, 2]), Float64Array.from([3, 3])).r2).toMatchObject({
      value: null,
      reason: 'every label has the same value',
    });
  });

  it("gives R2 a delta-method interval as wide as a seeded bootstrap's", () => {
    const random = seededRandom(5);
    const n = 2000;
    const labels = Float64Array.from({ length: n }, () => 10 + 5 * random());
    const predictions = labels.map((y) => y + (random() - 0.5) * 4);
    const m = regressionMetrics(predictions, labels);
    const se = (m.r2.interval!.high - m.r2.interval!.low) / 2 / 1.959963984540054;
    const r = seededRandom(6);
    const reps: number[] = [];
    for (let b = 0; b < 400; b++) {
      const idx = Array.from({ length: n }, () => Math.floor(r() * n));
      reps.push(
        regressionMetrics(
          Float64Array.from(idx, (i) => predictions[i]!),
          Float64Array.from(idx, (i) => labels[i]!),
        ).r2.value!,
      );
    }
    const mean = reps.reduce((a, b) => a + b, 0) / reps.length;
    const sd = Math.sqrt(reps.reduce((a, b) => a + (b - mean) ** 2, 0) / (reps.length - 1));
    expect(se / sd).toBeGreaterThan(0.85);
    expect(se / sd).toBeLessThan(1.15);
  });
});

describe('RegressionAccumulator', () => {
  it('merges parts into the metrics of one pass (up to summation order)', () => {
    const random = seededRandom(9);
    const whole = new RegressionAccumulator();
    const parts = [new RegressionAccumulator(), new RegressionAccumulator()];
    for (let i = 0; i < 300; i++) {
      const y = random() * 100;
      const p = y + random() * 10 - 5;
      whole.add(p, y);
      parts[i % 2]!.add(p, y);
    }
    const merged = RegressionAccumulator.fromState(JSON.parse(JSON.stringify(parts[0]!.toState())));
    merged.merge(RegressionAccumulator.fromState(JSON.parse(JSON.stringify(parts[1]!.toState()))));
    const a = merged.estimate();
    const b = whole.estimate();
    for (const k of ['mae', 'rmse', 'mape', 'r2'] as const) expect(a[k].value).toBeCloseTo(b[k].value!, 12);
    expect(merged.count).toBe(300);
  });
});
