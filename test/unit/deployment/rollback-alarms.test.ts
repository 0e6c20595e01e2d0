import { describe, expect, it } from 'vitest';
import {
  qualityAlarmPeriodSeconds,
  rollbackAlarmSpecs,
  selectRollbackAlarms,
} from '../../../functions/deployment/rollback-alarms';
import { pipeline } from './fixtures';

describe('rollbackAlarmSpecs', () => {
  it('gives every endpoint a 5XX share, a p99 latency in microseconds and its model-quality bound', () => {
    const specs = rollbackAlarmSpecs(pipeline(), 'prod');
    expect(specs.map((s) => [s.alarmName, s.comparison, s.threshold])).toEqual([
      ['mlops-prod-churn-invocation-5xx', 'GreaterThanThreshold', 2],
      ['mlops-prod-churn-model-latency-p99', 'GreaterThanThreshold', 250_000],
      ['mlops-prod-churn-model-quality-roc_auc-below', 'LessThanThreshold', 0.65],
    ]);
    expect(specs[2]?.metric).toEqual({
      kind: 'metric',
      namespace: 'MLOps/ModelQuality',
      metricName: 'roc_auc',
      dimensions: { Pipeline: 'churn', EndpointName: 'churn' },
      statistic: 'Minimum',
      periodSeconds: 6 * 3600,
    });
  });

  it('alarms above a maximum bound, and has no quality alarm without degradation', () => {
    const withMaximum = pipeline().evaluation;
    const p = pipeline();
    const maxSpecs = rollbackAlarmSpecs(
      {
        ...p,
        evaluation: withMaximum && {
          ...withMaximum,
          degradation: { metric: 'log_loss', maximum: 0.5, consecutiveWindows: 3 },
        },
      },
      'dev',
    );
    expect(maxSpecs.at(-1)).toMatchObject({
      alarmName: 'mlops-dev-churn-model-quality-log_loss-above',
      comparison: 'GreaterThanThreshold',
      threshold: 0.5,
      metric: { statistic: 'Maximum' },
    });
    expect(rollbackAlarmSpecs({ ...p, evaluation: undefined }, 'dev').map((s) => s.kind)).toEqual([
      'invocation5xx',
      'modelLatency',
    ]);
  });

  it('uses the evaluation interval as the quality alarm period, within CloudWatch limits', () => {
    expect(qualityAlarmPeriodSeconds('rate(1 hour)')).toBe(3600);
    expect(qualityAlarmPeriodSeconds('rate(30 minutes)')).toBe(1800);
    expect(qualityAlarmPeriodSeconds('rate(7 days)')).toBe(86_400);
    expect(qualityAlarmPeriodSeconds('cron(0 6 * * ? *)')).toBe(86_400);
  });
});

describe('selectRollbackAlarms', () => {
  const alarms = [
    { name: '5xx', kind: 'invocation5xx' },
    { name: 'latency', kind: 'modelLatency' },
    { name: 'quality', kind: 'modelQuality' },
  ] as const;

  it('names every alarm when none is in ALARM', () => {
    expect(selectRollbackAlarms(alarms, new Map([['quality', 'INSUFFICIENT_DATA']]))).toEqual({
      alarmNames: ['5xx', 'latency', 'quality'],
      leftOut: [],
    });
  });

  it('leaves out a model-quality alarm already in ALARM (it judges the model being replaced), never the others', () => {
    const selection = selectRollbackAlarms(
      alarms,
      new Map([
        ['quality', 'ALARM'],
        ['5xx', 'ALARM'],
      ]),
    );
    expect(selection.alarmNames).toEqual(['5xx', 'latency']);
    expect(selection.leftOut).toEqual([
      { alarmName: 'quality', reason: expect.stringMatching(/before the deployment/) },
    ]);
  });
});
