import { describe, expect, it } from 'vitest';
import { newestProfileKey } from '../../../functions/evaluate/champion-lookup';
import { evaluationRequestsOf } from '../../../functions/evaluate/evaluation-requests';
import {
  decodeEvaluationSettings,
  encodeEvaluationSettings,
  type EvaluationPipelineSettings,
} from '../../../functions/evaluate/evaluation-settings';

describe('evaluationRequestsOf', () => {
  it("reads the schedule's input: the pipeline and the scheduled event's time", () => {
    expect(evaluationRequestsOf({ pipeline: 'churn', time: '2026-11-23T14:00:00Z' })).toEqual({
      ok: true,
      value: [{ kind: 'evaluate', pipeline: 'churn', time: new Date('2026-11-23T14:00:00Z') }],
    });
  });

  it('reads a request from the CLI, without a time', () => {
    expect(evaluationRequestsOf({ pipeline: 'churn', requestId: 'cli-1a2b' })).toEqual({
      ok: true,
      value: [{ kind: 'evaluate', pipeline: 'churn', time: undefined, requestId: 'cli-1a2b' }],
    });
  });

  it('reads the parts of a split evaluation from SQS', () => {
    const event = {
      Records: [0, 1].map((part) => ({
        eventSource: 'aws:sqs',
        body: JSON.stringify({ pipeline: 'churn', evaluationId: '20261123t140000-0a1b2c3d', part }),
      })),
    };
    const parsed = evaluationRequestsOf(event);
    expect(parsed.ok && parsed.value.map((r) => r.kind === 'part' && r.part)).toEqual([0, 1]);
  });

  it.each([
    [{}, 'pipeline'],
    [{ pipeline: 'churn', time: 'yesterday' }, 'time'],
    [{ pipeline: 'churn', requestId: 'has spaces' }, 'requestId'],
    [{ pipeline: 'churn', extra: 1 }, 'extra'],
    [{ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }, 'pipeline'],
    [{ Records: [{ eventSource: 'aws:sqs', body: 'not json' }] }, 'not JSON'],
    [{ Records: [{ eventSource: 'aws:sqs', body: '{"pipeline":"churn","part":-1,"evaluationId":"x"}' }] }, 'part'],
  ])('refuses %j with a reason naming %s', (event, what) => {
    const parsed = evaluationRequestsOf(event);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(what);
  });
});

describe('evaluation settings', () => {
  const settings: EvaluationPipelineSettings[] = [
    {
      name: 'churn',
      problemType: 'binary',
      target: 'churned',
      features: ['a', 'b'],
      endpointName: 'churn',
      evaluation: {
        schedule: 'rate(1 hour)',
        windowHours: 24,
        labelLagHours: 1,
        minSamples: 200,
        threshold: 0.5,
        degradation: { metric: 'roc_auc', minimum: 0.7, consecutiveWindows: 3 },
        drift: { psiThreshold: 0.2, consecutiveWindows: 2 },
        onDegradation: 'retrain',
        onDrift: 'notify',
      },
    },
  ];

  it('round-trips through the compact environment form', () => {
    const encoded = encodeEvaluationSettings(settings);
    expect(encoded).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(decodeEvaluationSettings(encoded)).toEqual(settings);
  });

  it('refuses settings it did not write', () => {
    expect(() => decodeEvaluationSettings(Buffer.from('[]').toString('base64'))).toThrow();
  });
});

describe('newestProfileKey', () => {
  it("takes the profile of the most recently checked dataset of the champion's training data", () => {
    expect(
      newestProfileKey([
        { profileKey: 'profiles/churn/a.json', checkedAt: '2026-11-20T00:00:00Z' },
        { profileKey: 'profiles/churn/c.json', checkedAt: '2026-11-22T00:00:00Z' },
        { checkedAt: '2026-11-23T00:00:00Z' },
        { profileKey: 'profiles/churn/b.json', checkedAt: '2026-11-21T00:00:00Z' },
      ]),
    ).toBe('profiles/churn/c.json');
    expect(newestProfileKey([])).toBeUndefined();
  });
});
