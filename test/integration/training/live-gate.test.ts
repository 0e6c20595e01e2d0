import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationItem } from '../../../functions/metadata/evaluation-store';
import { pipelineStateKey } from '../../../functions/metadata/table-keys';
import type { LocalRuntime } from '../../../local/runtime';
import { churnVariant, startTrainingHarness, type TrainingHarness } from './training-harness';

let harness: TrainingHarness;
let runtime: LocalRuntime;

beforeAll(async () => {
  // Both candidates report validation:auc 0.8; both champions were registered with 0.81.
  harness = await startTrainingHarness('TrainingLiveGateTest', [
    churnVariant('trv', { report_auc: '0.8', report_logloss: '0.3' }, { gate: { liveMetric: 'roc_auc' } }),
    churnVariant('trw', { report_auc: '0.8', report_logloss: '0.3' }, { gate: { liveMetric: 'roc_auc' } }),
  ]);
  runtime = harness.runtime;
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe('the gate against the champion’s live quality', () => {
  it('judges against the champion’s live value when it fell below the registered one (gate.liveMetric)', async () => {
    const { training, evaluations, client } = harness.stores();
    /** A champion, version 7, registered with validation:auc 0.81, as a finished deployment leaves it. */
    const crown = async (pipeline: string) => {
      const modelPackageArn = `arn:aws:sagemaker:${runtime.region}:${runtime.accountId}:model-package/${pipeline}/7`;
      await training.putModel({
        pipeline,
        modelPackageArn,
        modelVersion: 7,
        modelPackageGroupName: pipeline,
        runId: '20261001t000000-0007',
        trainingJobName: `${pipeline}-dev-20261001t000000-0007`,
        modelDataUrl: `s3://artifacts/${pipeline}/model.tar.gz`,
        image: 'image',
        metrics: { 'validation:auc': 0.81, 'validation:logloss': 0.3 },
        approvalStatus: 'Approved',
        registeredAt: '2026-10-01T00:00:00.000Z',
        datasetIds: ['ds-old'],
        manifestKey: `manifests/${pipeline}/old/train.manifest`,
        metricsReportKey: `reports/${pipeline}/runs/old/metrics.json`,
      });
      await client.send(
        new UpdateCommand({
          TableName: runtime.physicalId('DataPlaneMetadataTable'),
          Key: pipelineStateKey(pipeline),
          UpdateExpression: 'SET championModelPackageArn = :arn, championVersion = :version',
          ExpressionAttributeValues: { ':arn': modelPackageArn, ':version': 7 },
        }),
      );
    };
    const evaluation = (
      pipeline: string,
      evaluationId: string,
      hour: number,
      modelVersion: number,
      verdict: EvaluationItem['verdict'],
      rocAuc: number,
    ): EvaluationItem => ({
      pipeline,
      evaluationId,
      trigger: 'schedule',
      endpointName: pipeline,
      modelVersion,
      windowStart: new Date(Date.UTC(2026, 10, 22, hour - 1)).toISOString(),
      windowEnd: new Date(Date.UTC(2026, 10, 22, hour)).toISOString(),
      evaluatedAt: new Date(Date.UTC(2026, 10, 22, hour, 5)).toISOString(),
      verdict,
      samples: verdict === 'insufficient-data' ? 12 : 5000,
      matched: verdict === 'insufficient-data' ? 12 : 4800,
      metrics: { roc_auc: rocAuc, accuracy: 0.7 },
      degraded: verdict === 'degraded',
      drifted: false,
      degradedStreak: verdict === 'degraded' ? 1 : 0,
      driftStreak: 0,
      driftedFeatures: [],
      reportKey: `reports/${pipeline}/evaluations/${evaluationId}.json`,
      parts: 1,
      events: [],
      eventsSent: true,
    });
    for (const pipeline of ['trv', 'trw']) {
      await crown(pipeline);
      // Newer than the champion's usable evaluation: one with too few labels, and one of another version.
      await evaluations.recordOnce(evaluation(pipeline, `ev-${pipeline}-2`, 11, 7, 'insufficient-data', 0.2));
      await evaluations.recordOnce(evaluation(pipeline, `ev-${pipeline}-3`, 12, 8, 'ok', 0.95));
    }
    // Only trv's champion has a live measurement: roc_auc 0.561 on live traffic, against its registered 0.81.
    await evaluations.recordOnce(evaluation('trv', 'ev-trv-1', 10, 7, 'degraded', 0.561));

    await harness.announce('trv', [await harness.seedDataset('trv', 0)]);
    await harness.announce('trw', [await harness.seedDataset('trw', 0)]);
    await harness.settleUntil(() =>
      Promise.resolve(
        harness.eventsOf('trv', 'Model Registered').length + harness.eventsOf('trw', 'Model Rejected').length === 2,
      ),
    );

    // trv: 0.8 does not beat the registered 0.81, but beats the live 0.561 by the margin.
    expect(harness.eventsOf('trv', 'Model Rejected')).toHaveLength(0);
    expect(harness.eventsOf('trv', 'Model Registered')[0]!.detail.comparison).toEqual({
      metric: 'validation:auc',
      direction: 'maximize',
      value: 0.8,
      championValue: 0.561,
      championModelVersion: 7,
      championValueSource:
        'live roc_auc 0.561 of evaluation ev-trv-1 (window ending 2026-11-22T10:00:00.000Z); registered 0.81',
      minimum: 0.7,
      minImprovement: 0.005,
    });
    const [registered] = await training.runs('trv', 1);
    const liveReference =
      'live roc_auc 0.561 of evaluation ev-trv-1 (window ending 2026-11-22T10:00:00.000Z); registered 0.81';
    expect(registered).toMatchObject({
      status: 'registered',
      comparison: {
        championValue: 0.561,
        championReference: {
          source: 'live',
          registeredValue: 0.81,
          live: { metric: 'roc_auc', value: 0.561, evaluationId: 'ev-trv-1' },
          description: liveReference,
        },
      },
      gateNotes: [`champion version 7 compared as: ${liveReference}`],
    });
    const report = (await harness.artifactJson(registered!.metricsReportKey!)) as { gate: unknown };
    expect(report.gate).toMatchObject({ championReference: { source: 'live', description: liveReference } });

    // trw: no usable live measurement of its champion, so the registered 0.81 decides.
    expect(harness.eventsOf('trw', 'Model Registered')).toHaveLength(0);
    expect(harness.eventsOf('trw', 'Model Rejected')[0]!.detail.reasons).toEqual([
      'validation:auc 0.8 does not beat champion version 7 (registered 0.81; no live roc_auc of this version) by 0.005: needs at least 0.815',
    ]);
    const [rejected] = await training.runs('trw', 1);
    expect(rejected).toMatchObject({ status: 'rejected', comparison: { championReference: { source: 'registered' } } });
  }, 90_000);
});
