import { describe, expect, it } from 'vitest';
import { qualityMetricDocuments } from '../../../functions/evaluation/metric-documents';
import { emfMetricData } from '../../../local/lambda/embedded-metrics';

describe('emfMetricData', () => {
  it("turns the evaluation's EMF documents into metric data with their dimensions and timestamp", () => {
    const timestamp = new Date('2026-11-23T10:00:00Z');
    const [endpoint, variant] = qualityMetricDocuments({
      pipeline: 'churn',
      endpointName: 'churn',
      timestamp,
      endpoint: { metrics: { roc_auc: 0.81, accuracy: null }, matched: 1800 },
      variants: [{ name: 'AllTraffic', metrics: { roc_auc: 0.8 }, matched: 1700 }],
    });
    expect(emfMetricData(JSON.stringify(endpoint))).toEqual([
      {
        namespace: 'MLOps/ModelQuality',
        data: [
          {
            MetricName: 'roc_auc',
            Dimensions: [
              { Name: 'Pipeline', Value: 'churn' },
              { Name: 'EndpointName', Value: 'churn' },
            ],
            Timestamp: timestamp,
            Value: 0.81,
            Unit: 'None',
          },
          {
            MetricName: 'matched_samples',
            Dimensions: [
              { Name: 'Pipeline', Value: 'churn' },
              { Name: 'EndpointName', Value: 'churn' },
            ],
            Timestamp: timestamp,
            Value: 1800,
            Unit: 'Count',
          },
        ],
      },
    ]);
    const [perVariant] = emfMetricData(JSON.stringify(variant))!;
    expect(perVariant!.data[0]!.Dimensions).toContainEqual({ Name: 'VariantName', Value: 'AllTraffic' });
  });

  it('reads value arrays, several dimension sets, and a directive without dimensions', () => {
    const line = JSON.stringify({
      _aws: {
        Timestamp: 0,
        CloudWatchMetrics: [
          {
            Namespace: 'A',
            Dimensions: [['service'], ['service', 'fn']],
            Metrics: [{ Name: 'Latency', Unit: 'Milliseconds' }],
          },
          { Namespace: 'B', Metrics: [{ Name: 'ColdStart' }] },
        ],
      },
      service: 'svc',
      fn: 'f',
      Latency: [1, 2, 3],
      ColdStart: 1,
    });
    const out = emfMetricData(line)!;
    expect(out.map((o) => [o.namespace, o.data.length])).toEqual([
      ['A', 2],
      ['B', 1],
    ]);
    expect(out[0]!.data[1]).toMatchObject({ Values: [1, 2, 3], Dimensions: [{ Name: 'service' }, { Name: 'fn' }] });
    expect(out[1]!.data[0]).toMatchObject({ MetricName: 'ColdStart', Value: 1, Dimensions: [] });
  });

  it.each([
    ['a log line', '{"level":"INFO","message":"evaluation step done"}'],
    ['not JSON', 'START RequestId: 1 "_aws"'],
    ['no timestamp', '{"_aws":{"CloudWatchMetrics":[]}}'],
    [
      'a metric without a numeric value',
      '{"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Namespace":"A","Metrics":[{"Name":"x"}]}]},"x":"1"}',
    ],
  ])('ignores %s', (_what, line) => {
    const out = emfMetricData(line);
    expect(out === null || out.length === 0).toBe(true);
  });

  it('drops a dimension set whose value is missing, as CloudWatch does', () => {
    const line = JSON.stringify({
      _aws: {
        Timestamp: 0,
        CloudWatchMetrics: [{ Namespace: 'A', Dimensions: [['missing']], Metrics: [{ Name: 'x' }] }],
      },
      x: 1,
    });
    expect(emfMetricData(line)).toEqual([]);
  });
});
