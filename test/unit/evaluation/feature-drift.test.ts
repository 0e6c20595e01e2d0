import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../../functions/contracts/byte-source';
import type { ColumnProfile } from '../../../functions/contracts/contract-report';
import { populationStabilityIndex } from '../../../functions/contracts/population-stability-index';
import { evaluateSources } from '../../../functions/evaluation/evaluate-sources';
import {
  DriftCounts,
  driftResults,
  DriftStager,
  featureDriftSpec,
  NO_FEATURE_ORDER,
  planDrift,
  PREDICTION_FEATURE,
} from '../../../functions/evaluation/feature-drift';
import { churnCsv } from '../../fixtures/churn/small-batch';
import { captureLine } from './capture-lines';
import { CHURN_FEATURES, churnBaseline, churnTraffic } from './churn-traffic';
import { seededRandom } from './seeded-random';

async function liveDrift(shift: number, seed = 2) {
  const baseline = await churnBaseline(3000, 1);
  const { captures } = churnTraffic(3000, seed, shift);
  const evaluation = await evaluateSources([{ source: bufferSource(`${captures.join('\n')}\n`, 'c.jsonl') }], [], {
    problemType: 'binary',
    baseline,
    features: CHURN_FEATURES,
    target: 'churned',
  });
  return { baseline, result: evaluation.accumulator.endpointResult() };
}

/** The exact two-sample KS statistic of raw values. */
function exactKs(a: number[], b: number[]): number {
  const xs = [...new Set([...a, ...b])].sort((x, y) => x - y);
  const below = (v: number[], x: number) => v.filter((y) => y <= x).length / v.length;
  return Math.max(...xs.map((x) => Math.abs(below(a, x) - below(b, x))));
}

describe('feature drift against the contract profile', () => {
  it('finds no drift between two batches of the same distribution, and the shift of a shifted one', async () => {
    const same = await liveDrift(1);
    expect(same.result.drift.map((d) => d.feature)).toEqual(CHURN_FEATURES);
    for (const d of same.result.drift) {
      expect(d.psi).toBeLessThan(0.05);
      if (d.kind === 'numeric') expect(d.ksPValue).toBeGreaterThan(0.001);
    }
    const shifted = await liveDrift(1.5);
    const monthly = shifted.result.drift.find((d) => d.feature === 'monthly_charges')!;
    expect(monthly.psi).toBeGreaterThan(0.25);
    expect(monthly.ks).toBeGreaterThan(0.2);
    expect(monthly.ksPValue).toBeLessThan(1e-10);
    expect(shifted.result.drift.find((d) => d.feature === 'plan')!.psi).toBeLessThan(0.05);
  });

  it('uses the baseline bins: its PSI is populationStabilityIndex of the same counts', async () => {
    const { baseline, result } = await liveDrift(1.2, 5);
    for (const d of result.drift) {
      const column = baseline.columns.find((c) => c.name === d.feature)!;
      const expected =
        d.kind === 'numeric'
          ? column.histogram!.counts
          : [...column.topValues!.map((t) => t.count), column.otherCount!];
      expect(d.bins!.expected).toEqual(expected);
      expect(d.psi).toBe(populationStabilityIndex(expected, d.bins!.actual));
      expect(d.n + d.missing + d.invalid).toBe(3000);
    }
    expect(result.drift.find((d) => d.feature === 'total_charges')!.missing).toBeGreaterThan(0);
    expect(result.predictionDrift?.feature).toBe(PREDICTION_FEATURE);
  });

  it('keeps KS at or under the exact two-sample statistic (conservative) and close to it for a shift', async () => {
    const baseline = await churnBaseline(4000, 3);
    const train = churnCsv(4000, 3)
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[3]));
    for (const shift of [1, 1.05, 1.3]) {
      const random = seededRandom(shift * 100);
      const live = Array.from({ length: 2500 }, () => Math.round((20 + random() * 80) * shift * 100) / 100);
      const plan = planDrift(baseline, ['monthly_charges']);
      const stager = new DriftStager(plan);
      const counts = new DriftCounts(plan);
      for (const v of live) {
        stager.row();
        const bytes = Buffer.from(String(v));
        stager.bytes(0, bytes, 0, bytes.length);
      }
      stager.commit(counts);
      const [d] = driftResults(counts);
      const exact = exactKs(train, live);
      expect(d!.ks!).toBeLessThanOrEqual(exact + 1 / train.length + 1e-12);
      if (shift > 1.2) expect(d!.ks!).toBeGreaterThan(0.7 * exact);
    }
  });

  it('places only named values when the features are not listed (CSV order is unknown)', async () => {
    const baseline = await churnBaseline(500, 1);
    const captures = [
      captureLine({ eventId: 'a', input: '12,59.9,718.8,one-year,credit card,0,basic', output: '0.5' }),
      captureLine({
        eventId: 'b',
        input: { data: '{"instances":[{"plan":"basic","tenure_months":3}]}', encoding: 'JSON' },
        output: '0.5',
      }),
    ];
    const evaluation = await evaluateSources([{ source: bufferSource(captures.join('\n'), 'c.jsonl') }], [], {
      problemType: 'binary',
      baseline,
      target: 'churned',
    });
    const drift = evaluation.accumulator.endpointResult().drift;
    expect(drift.find((d) => d.feature === 'plan')).toMatchObject({ n: 1 });
    expect(drift.find((d) => d.feature === 'tenure_months')).toMatchObject({ n: 1 });
    expect(drift.find((d) => d.feature === 'monthly_charges')).toMatchObject({ n: 0, reason: NO_FEATURE_ORDER });
    expect(evaluation.accumulator.capture.widthMismatches).toBe(0);
  });

  it('says why a feature cannot be compared', () => {
    const spec = featureDriftSpec('id', {
      name: 'id',
      logicalType: 'string',
      count: 10,
      nulls: 0,
      invalid: 0,
    } satisfies ColumnProfile);
    expect(spec).toMatchObject({ kind: 'none', reason: expect.stringMatching(/neither a histogram nor top values/) });
    expect(featureDriftSpec('gone', undefined)).toMatchObject({
      kind: 'none',
      reason: 'the baseline profile has no such column',
    });
  });

  it('counts values that are not numbers apart from missing ones, and categories outside the baseline as other', () => {
    const column: ColumnProfile = {
      name: 'x',
      logicalType: 'number',
      count: 4,
      nulls: 0,
      invalid: 0,
      histogram: { edges: [10], counts: [2, 2] },
      quantiles: { p50: 10 },
    };
    const category: ColumnProfile = {
      name: 'c',
      logicalType: 'string',
      count: 4,
      nulls: 0,
      invalid: 0,
      topValues: [{ value: 'a', count: 4 }],
      otherCount: 0,
    };
    const plan = { features: [featureDriftSpec('x', column), featureDriftSpec('c', category)], prediction: null };
    const stager = new DriftStager(plan);
    const counts = new DriftCounts(plan);
    const add = (x: string, c: string) => {
      stager.row();
      stager.bytes(0, Buffer.from(x), 0, x.length);
      stager.bytes(1, Buffer.from(c), 0, c.length);
    };
    add('5', 'a');
    add('abc', 'zzz');
    add('', 'a');
    add('12', '');
    expect(stager.commit(counts)).toBe(0);
    const [x, c] = driftResults(counts);
    expect(x).toMatchObject({ n: 2, missing: 1, invalid: 1, bins: { actual: [1, 1] } });
    expect(c).toMatchObject({ n: 3, missing: 1, bins: { labels: ['a', '(other)'], actual: [2, 1] } });
  });
});
