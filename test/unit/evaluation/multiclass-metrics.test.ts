import { describe, expect, it } from 'vitest';
import { f1Scores, MulticlassAccumulator } from '../../../functions/evaluation/multiclass-metrics';
import { seededRandom } from './seeded-random';

/** Per-class F1 from the pairs themselves, as scikit-learn defines it (labels: union of true and predicted). */
function bruteF1(truth: string[], predicted: string[]) {
  const classes = [...new Set([...truth, ...predicted])];
  const f1 = classes.map((c) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    truth.forEach((t, i) => {
      const p = predicted[i];
      if (t === c && p === c) tp++;
      else if (p === c) fp++;
      else if (t === c) fn++;
    });
    return { c, f1: (2 * tp) / (2 * tp + fp + fn), support: truth.filter((t) => t === c).length };
  });
  return {
    macro: f1.reduce((s, x) => s + x.f1, 0) / f1.length,
    weighted: f1.reduce((s, x) => s + x.f1 * x.support, 0) / truth.length,
  };
}

function sample(n: number, seed: number, classes = ['a', 'b', 'c', 'd']) {
  const random = seededRandom(seed);
  const truth: string[] = [];
  const predicted: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = Math.floor(random() * random() * classes.length);
    truth.push(classes[t]!);
    predicted.push(random() < 0.7 ? classes[t]! : classes[Math.floor(random() * classes.length)]!);
  }
  return { truth, predicted };
}

function accumulate(truth: string[], predicted: string[], probability = () => NaN) {
  const acc = new MulticlassAccumulator();
  truth.forEach((t, i) => acc.add(acc.classId(t), acc.classId(predicted[i]!), probability()));
  return acc;
}

describe('MulticlassAccumulator', () => {
  it('matches hand-computed accuracy, macro and weighted F1', () => {
    // a: tp 1, fn 1, fp 0 -> 2/3; b: tp 1, fn 1, fp 1 -> 1/2; c: fp 1, never true -> 0.
    const acc = accumulate(['a', 'a', 'b', 'b'], ['a', 'b', 'b', 'c']);
    const { metrics, confusion } = acc.estimate();
    expect(confusion).toEqual({
      labels: ['a', 'b', 'c'],
      counts: [
        [1, 1, 0],
        [0, 1, 1],
        [0, 0, 0],
      ],
    });
    expect(metrics.accuracy.value).toBe(0.5);
    expect(metrics.macro_f1.value).toBeCloseTo((2 / 3 + 1 / 2 + 0) / 3, 15);
    expect(metrics.weighted_f1.value).toBeCloseTo((2 / 3) * 0.5 + (1 / 2) * 0.5, 15);
    expect(metrics.log_loss).toMatchObject({ value: null, reason: /no class probabilities/ });
  });

  it('equals the pair-by-pair F1 on seeded data', () => {
    for (const seed of [1, 2, 3]) {
      const { truth, predicted } = sample(3000, seed);
      const { metrics } = accumulate(truth, predicted).estimate();
      const brute = bruteF1(truth, predicted);
      expect(metrics.macro_f1.value).toBeCloseTo(brute.macro, 12);
      expect(metrics.weighted_f1.value).toBeCloseTo(brute.weighted, 12);
    }
  });

  it('orders numeric class labels as numbers', () => {
    expect(accumulate(['10', '2', '1'], ['1', '2', '10']).confusion().labels).toEqual(['1', '2', '10']);
  });

  it('computes log loss from the probability of the true class', () => {
    const acc = new MulticlassAccumulator();
    acc.add(acc.classId('0'), acc.classId('0'), 0.8);
    acc.add(acc.classId('1'), acc.classId('0'), 0.25);
    expect(acc.estimate().metrics.log_loss).toMatchObject({ value: -(Math.log(0.8) + Math.log(0.25)) / 2, n: 2 });
  });

  it('merges parts and round-trips its JSON state', () => {
    const { truth, predicted } = sample(500, 7);
    const random = seededRandom(8);
    const probabilities = Array.from({ length: truth.length }, () => 0.2 + 0.7 * random());
    const whole = new MulticlassAccumulator();
    const parts = [new MulticlassAccumulator(), new MulticlassAccumulator()];
    truth.forEach((t, i) => {
      for (const acc of [whole, parts[i % 2]!]) acc.add(acc.classId(t), acc.classId(predicted[i]!), probabilities[i]!);
    });
    const merged = MulticlassAccumulator.fromState(JSON.parse(JSON.stringify(parts[1]!.toState())));
    merged.merge(MulticlassAccumulator.fromState(JSON.parse(JSON.stringify(parts[0]!.toState()))));
    const a = merged.estimate();
    const b = whole.estimate();
    expect(a.confusion).toEqual(b.confusion);
    expect(a.metrics.macro_f1).toEqual(b.metrics.macro_f1);
    expect(a.metrics.log_loss.value).toBeCloseTo(b.metrics.log_loss.value!, 12);
  });
});

describe('f1Scores intervals', () => {
  it("are as wide as a seeded bootstrap's (delta method)", () => {
    const { truth, predicted } = sample(2000, 11);
    const acc = accumulate(truth, predicted);
    const { macro, weighted } = f1Scores(acc.confusion());
    const se = (e: typeof macro) => (e.interval!.high - e.interval!.low) / 2 / 1.959963984540054;
    const random = seededRandom(12);
    const macros: number[] = [];
    const weighteds: number[] = [];
    for (let b = 0; b < 400; b++) {
      const t: string[] = [];
      const p: string[] = [];
      for (let k = 0; k < truth.length; k++) {
        const i = Math.floor(random() * truth.length);
        t.push(truth[i]!);
        p.push(predicted[i]!);
      }
      const brute = bruteF1(t, p);
      macros.push(brute.macro);
      weighteds.push(brute.weighted);
    }
    const sd = (v: number[]) => {
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
    };
    expect(se(macro) / sd(macros)).toBeGreaterThan(0.85);
    expect(se(macro) / sd(macros)).toBeLessThan(1.15);
    expect(se(weighted) / sd(weighteds)).toBeGreaterThan(0.85);
    expect(se(weighted) / sd(weighteds)).toBeLessThan(1.15);
  });
});
