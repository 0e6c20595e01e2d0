import { describe, expect, it } from 'vitest';
import { qualityMetricDocuments } from '../../../functions/evaluation/metric-documents';
import { MODEL_QUALITY_NAMESPACE } from '../../../functions/evaluation/quality-metrics';

describe('qualityMetricDocuments', () => {
  const docs = qualityMetricDocuments({
    pipeline: 'churn',
    endpointName: 'churn-prod',
    timestamp: new Date('2026-11-21T10:00:00Z'),
    endpoint: { metrics: { roc_auc: 0.81, pr_auc: null, accuracy: 0.9 }, matched: 1200 },
    variants: [
      { name: 'Primary', metrics: { roc_auc: 0.82, pr_auc: 0.5, accuracy: 0.91 }, matched: 1000 },
      { name: 'Canary', metrics: { roc_auc: 0.75, pr_auc: null, accuracy: 0.85 }, matched: 200 },
      { name: '', metrics: { roc_auc: 0.1 }, matched: 1 },
    ],
  });

  it('writes one endpoint series (Pipeline, EndpointName) and one per named variant (with VariantName)', () => {
    expect(docs).toHaveLength(3);
    expect(docs[0]).toEqual({
      _aws: {
        Timestamp: Date.parse('2026-11-21T10:00:00Z'),
        CloudWatchMetrics: [
          {
            Namespace: MODEL_QUALITY_NAMESPACE,
            Dimensions: [['Pipeline', 'EndpointName']],
            Metrics: [
              { Name: 'roc_auc', Unit: 'None' },
              { Name: 'accuracy', Unit: 'None' },
              { Name: 'matched_samples', Unit: 'Count' },
            ],
          },
        ],
      },
      Pipeline: 'churn',
      EndpointName: 'churn-prod',
      roc_auc: 0.81,
      accuracy: 0.9,
      matched_samples: 1200,
    });
    expect(docs[1]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['Pipeline', 'EndpointName', 'VariantName']]);
    expect(docs[2]).toMatchObject({ VariantName: 'Canary', roc_auc: 0.75 });
  });

  it('leaves null metrics out, so alarms see missing data rather than a value', () => {
    expect(docs[0]).not.toHaveProperty('pr_auc');
    expect(docs[1]).toHaveProperty('pr_auc', 0.5);
    expect(JSON.parse(JSON.stringify(docs))).toEqual(docs);
  });
});
