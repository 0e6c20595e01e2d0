import { describe, expect, it } from 'vitest';
import {
  DriftDetected,
  EvaluationCompleted,
  MAX_DRIFTED_FEATURES,
  ModelDegraded,
} from '../../../functions/events/lifecycle';
import type { MetricEstimate } from '../../../functions/evaluation/confidence-intervals';
import {
  decideOutcome,
  type EvaluationRecord,
  type JudgedResult,
  judgeWindow,
  type OutcomeConfig,
} from '../../../functions/evaluation/evaluation-outcome';
import type { FeatureDrift } from '../../../functions/evaluation/feature-drift';

const config: OutcomeConfig = {
  minSamples: 100,
  degradation: { metric: 'roc_auc', minimum: 0.7, consecutiveWindows: 3 },
  drift: { psiThreshold: 0.2, consecutiveWindows: 2 },
  onDegradation: 'retrain',
  onDrift: 'notify',
};
const context = {
  pipeline: 'churn',
  evaluationId: 'churn-2026-11-21T10',
  endpointName: 'churn-prod',
  modelVersion: 4,
  reportKey: 'evaluations/churn/2026-11-21T10.json',
  windowStart: '2026-11-20T10:00:00Z',
  windowEnd: '2026-11-21T10:00:00Z',
};

const estimate = (value: number | null, n = 1000): MetricEstimate => ({
  value,
  n,
  interval: value === null ? null : { low: value - 0.01, high: value + 0.01 },
  method: 'delong',
  ...(value === null ? { reason: 'single-class window: no positive labels' } : {}),
});
const feature = (
  name: string,
  psi: number,
  ks: number | null = null,
  ksPValue: number | null = null,
): FeatureDrift => ({
  feature: name,
  kind: ks === null ? 'categorical' : 'numeric',
  n: 1000,
  missing: 0,
  invalid: 0,
  psi,
  ks,
  ksPValue,
});
const result = (auc: number | null, drift: FeatureDrift[] = [], matched = 1000, samples = 1000): JudgedResult => ({
  samples,
  matched,
  estimates: { roc_auc: estimate(auc, matched), accuracy: estimate(0.8, matched) },
  drift,
});
const record = (
  degraded: boolean,
  drifted = false,
  verdict: EvaluationRecord['verdict'] = degraded ? 'degraded' : 'ok',
): EvaluationRecord => ({
  verdict,
  degraded,
  drifted,
});

function outcome(r: JudgedResult, previous: EvaluationRecord[], c: OutcomeConfig = config) {
  return decideOutcome(r, judgeWindow(r, c), previous, c, context);
}

describe('judgeWindow', () => {
  it('gives the verdicts by precedence: degraded, drift, insufficient-data, ok', () => {
    expect(judgeWindow(result(0.6, [feature('plan', 0.5)]), config).verdict).toBe('degraded');
    expect(judgeWindow(result(0.8, [feature('plan', 0.5)]), config).verdict).toBe('drift');
    expect(judgeWindow(result(0.8, [feature('plan', 0.1)], 50), config).verdict).toBe('insufficient-data');
    expect(judgeWindow(result(0.8, [feature('plan', 0.1)]), config).verdict).toBe('ok');
  });

  it('does not judge degradation below minSamples or on an undefined metric, and says why', () => {
    expect(judgeWindow(result(0.5, [], 99), config).degradation).toMatchObject({
      status: 'not-judged',
      reason: '99 matched sample(s), fewer than minSamples 100',
    });
    expect(judgeWindow(result(null), config).degradation).toMatchObject({
      status: 'not-judged',
      reason: 'single-class window: no positive labels',
    });
  });

  it('judges drift on captured samples (labels may lag) and by KS when configured', () => {
    const drift = [feature('a', 0.05, 0.1, 1e-9), feature('b', 0.3)];
    expect(judgeWindow(result(0.8, drift, 10, 5000), config)).toMatchObject({
      verdict: 'drift',
      drift: { status: 'drifted', features: [{ feature: 'b', psi: 0.3 }] },
    });
    const withKs = { ...config, drift: { ...config.drift, ksPValue: 0.01 } };
    expect(judgeWindow(result(0.8, drift), withKs).drift.features.map((f) => f.feature)).toEqual(['b', 'a']);
    expect(judgeWindow(result(0.8, drift, 10, 50), config).drift.status).toBe('not-judged');
  });
});

describe('decideOutcome', () => {
  it('emits Model Degraded only on the K-th breached window in a row, then every K windows', () => {
    const low = result(0.6);
    expect(outcome(low, []).modelDegraded).toBeNull();
    expect(outcome(low, [record(true)]).modelDegraded).toBeNull();
    const third = outcome(low, [record(true), record(true)]);
    expect(third.modelDegraded).toMatchObject({
      metric: 'roc_auc',
      bound: 'minimum',
      threshold: 0.7,
      value: 0.6,
      consecutiveWindows: 3,
      action: 'retrain',
    });
    expect(third.actions).toEqual(['retrain']);
    expect(third.record).toMatchObject({ degraded: true, degradedStreak: 3 });
    // Stored streaks: the 4th and 5th windows are quiet, the 6th announces again.
    expect(outcome(low, [{ ...record(true), degradedStreak: 3 }]).modelDegraded).toBeNull();
    expect(outcome(low, [{ ...record(true), degradedStreak: 4 }]).modelDegraded).toBeNull();
    expect(outcome(low, [{ ...record(true), degradedStreak: 5 }]).modelDegraded).toMatchObject({
      consecutiveWindows: 6,
    });
  });

  it('lets a window that could not be judged break the streak', () => {
    const low = result(0.6);
    expect(
      outcome(low, [record(true), record(false, false, 'insufficient-data'), record(true)]).modelDegraded,
    ).toBeNull();
    expect(outcome(result(0.6, [], 20), [record(true), record(true)]).record).toMatchObject({
      degraded: false,
      degradedStreak: 0,
    });
  });

  it('emits Drift Detected after consecutiveWindows drifted windows, worst feature first, at most 50', () => {
    const many = Array.from({ length: 60 }, (_, i) => feature(`f${i}`, 0.21 + i / 100));
    const first = outcome(result(0.8, many), []);
    expect(first.driftDetected).toBeNull();
    const second = outcome(result(0.8, many), [record(false, true)]);
    expect(second.driftDetected?.features).toHaveLength(MAX_DRIFTED_FEATURES);
    expect(second.driftDetected?.features[0]).toEqual({ feature: 'f59', psi: 0.21 + 59 / 100 });
    expect(second.driftDetected).toMatchObject({ threshold: 0.2, consecutiveWindows: 2, action: 'notify' });
    expect(DriftDetected.detail.parse(second.driftDetected)).toEqual(second.driftDetected);
  });

  it('builds event details that pass the event schemas', () => {
    const o = outcome(result(0.6, [feature('monthly_charges', 0.4, 0.2, 1e-30)]), [
      record(true, true),
      record(true, false),
    ]);
    expect(EvaluationCompleted.detail.parse(o.evaluationCompleted)).toEqual(o.evaluationCompleted);
    expect(o.evaluationCompleted).toMatchObject({
      verdict: 'degraded',
      samples: 1000,
      matched: 1000,
      metrics: { roc_auc: 0.6, accuracy: 0.8 },
    });
    expect(ModelDegraded.detail.parse(o.modelDegraded)).toEqual(o.modelDegraded);
    expect(o.driftDetected?.features).toEqual([{ feature: 'monthly_charges', psi: 0.4, ks: 0.2 }]);
    const none = outcome(result(null), []);
    expect(none.evaluationCompleted.metrics).toEqual({ accuracy: 0.8 });
    expect(EvaluationCompleted.detail.parse(none.evaluationCompleted)).toBeDefined();
  });
});
