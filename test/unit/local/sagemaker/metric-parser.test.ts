import { describe, expect, it } from 'vitest';

import { createMetricParser } from '../../../../local/sagemaker/metric-parser';

const definitions = [
  { Name: 'validation:auc', Regex: 'validation-auc:([0-9.]+)' },
  { Name: 'validation:logloss', Regex: 'validation-logloss:([0-9.]+)' },
];

describe('createMetricParser', () => {
  it('keeps the last value of each metric (FinalMetricDataList semantics)', () => {
    const parser = createMetricParser(definitions);
    parser.feed('[1]#011train-logloss:0.6#011validation-auc:0.71#011validation-logloss:0.52', 1000);
    parser.feed('[2]#011train-logloss:0.5#011validation-auc:0.79#011validation-logloss:0.49', 2000);
    parser.feed('[3]#011validation-auc:0.81', 3000);

    expect(parser.finalMetrics()).toEqual([
      { MetricName: 'validation:auc', Value: 0.81, TimestampMs: 3000 },
      { MetricName: 'validation:logloss', Value: 0.49, TimestampMs: 2000 },
    ]);
  });

  it('lists metrics in definition order and leaves out metrics never seen', () => {
    const parser = createMetricParser([...definitions, { Name: 'train:rmse', Regex: 'rmse=(\\S+)' }]);
    parser.feed('validation-logloss:0.3', 1);
    parser.feed('validation-auc:0.9', 2);
    expect(parser.finalMetrics().map((m) => m.MetricName)).toEqual(['validation:auc', 'validation:logloss']);
  });

  it('ignores matches that are not numbers', () => {
    const parser = createMetricParser([{ Name: 'loss', Regex: 'loss=(\\S+)' }]);
    parser.feed('loss=0.5', 1);
    parser.feed('loss=nan', 2);
    parser.feed('loss=inf', 3);
    expect(parser.finalMetrics()).toEqual([{ MetricName: 'loss', Value: 0.5, TimestampMs: 1 }]);
  });

  it('accepts Python named groups and patterns without a group', () => {
    const parser = createMetricParser([
      { Name: 'named', Regex: 'acc=(?P<value>[0-9.]+)' },
      { Name: 'whole', Regex: '[0-9]+\\.[0-9]+(?= epochs/s)' },
    ]);
    parser.feed('acc=0.93 at 1.5 epochs/s', 1);
    expect(parser.finalMetrics().map((m) => [m.MetricName, m.Value])).toEqual([
      ['named', 0.93],
      ['whole', 1.5],
    ]);
  });

  it('parses exponents', () => {
    const parser = createMetricParser([{ Name: 'lr', Regex: 'lr: ([-+0-9.e]+)' }]);
    parser.feed('lr: 1e-3', 1);
    expect(parser.finalMetrics()[0]?.Value).toBe(0.001);
  });

  it('fails with a ValidationException for an invalid regex', () => {
    expect(() => createMetricParser([{ Name: 'broken', Regex: 'auc:([0-9' }])).toThrow(
      expect.objectContaining({ code: 'ValidationException', message: expect.stringMatching(/broken/) }),
    );
  });

  it('fails with a ValidationException for more than 40 definitions', () => {
    const many = Array.from({ length: 41 }, (_, i) => ({ Name: `m${i}`, Regex: `m${i}=([0-9.]+)` }));
    expect(() => createMetricParser(many)).toThrow(expect.objectContaining({ code: 'ValidationException' }));
  });
});
