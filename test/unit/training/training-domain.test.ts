import { describe, expect, it } from 'vitest';
import type { GateConfig } from '../../../functions/config/pipeline-config';
import { builtInImageUri, UnknownImageRegionError } from '../../../functions/training/built-in-images';
import { buildModelPackageRequest, modelVersionOfArn } from '../../../functions/training/model-registration';
import {
  evaluateGate,
  finalMetrics,
  latestLiveMeasurement,
  type RecordedEvaluation,
} from '../../../functions/training/quality-gate';
import {
  jobNameProblem,
  newRunId,
  runIdOfJob,
  SAGEMAKER_NAME_PATTERN,
  trainingJobName,
} from '../../../functions/training/run-naming';
import { datasetsTag } from '../../../functions/training/training-job-request';
import { buildManifest, commonFolder } from '../../../functions/training/training-manifest';
import { selectWindow, splitChannels, type WindowDataset } from '../../../functions/training/training-window';

const gate = (overrides: Partial<GateConfig> = {}): GateConfig => ({
  metric: 'validation:auc',
  direction: 'maximize',
  minimum: 0.7,
  minImprovement: 0.01,
  guards: [],
  ...overrides,
});

describe('quality gate', () => {
  it('passes the first model on its bounds alone, and says there was no champion', () => {
    const verdict = evaluateGate(gate(), { 'validation:auc': 0.8 }, undefined);
    expect(verdict).toMatchObject({
      passed: true,
      reasons: [],
      notes: ['no champion yet: compared with the bounds only'],
    });
    expect(verdict.comparison).toEqual({
      metric: 'validation:auc',
      direction: 'maximize',
      value: 0.8,
      minimum: 0.7,
      minImprovement: 0.01,
    });
  });

  it('rejects a metric below the minimum and one the job never reported', () => {
    expect(evaluateGate(gate(), { 'validation:auc': 0.69 }, undefined).reasons).toEqual([
      'validation:auc 0.69 is below the minimum 0.7',
    ]);
    expect(evaluateGate(gate(), { 'train:loss': 0.1 }, undefined).reasons).toEqual([
      'validation:auc was not reported by the training job (reported: train:loss); check training.metricDefinitions',
    ]);
  });

  it('needs the margin over the champion, inclusive at exactly the margin (maximize)', () => {
    const champion = { modelVersion: 3, metrics: { 'validation:auc': 0.8 } };
    expect(evaluateGate(gate(), { 'validation:auc': 0.81 }, champion).passed).toBe(true);
    const short = evaluateGate(gate(), { 'validation:auc': 0.805 }, champion);
    expect(short.reasons).toEqual([
      'validation:auc 0.805 does not beat champion version 3 (0.8) by 0.01: needs at least 0.81',
    ]);
    expect(short.comparison).toMatchObject({ championValue: 0.8, championModelVersion: 3 });
  });

  it('lets a tie through when no margin is required, and never a worse model', () => {
    const champion = { modelVersion: 1, metrics: { 'validation:auc': 0.8 } };
    expect(evaluateGate(gate({ minImprovement: 0 }), { 'validation:auc': 0.8 }, champion).passed).toBe(true);
    expect(evaluateGate(gate({ minImprovement: 0 }), { 'validation:auc': 0.7999 }, champion).passed).toBe(false);
  });

  it('minimizes: lower is better, the maximum is a ceiling', () => {
    const g = gate({ metric: 'rmse', direction: 'minimize', minimum: undefined, maximum: 5, minImprovement: 0.5 });
    const champion = { modelVersion: 2, metrics: { rmse: 3 } };
    expect(evaluateGate(g, { rmse: 2.5 }, champion).passed).toBe(true);
    expect(evaluateGate(g, { rmse: 2.6 }, champion).reasons[0]).toContain('needs at most 2.5');
    expect(evaluateGate(g, { rmse: 6 }, undefined).reasons).toEqual(['rmse 6 is above the maximum 5']);
  });

  it('checks guard metrics, missing ones included', () => {
    const g = gate({
      guards: [
        { metric: 'validation:logloss', maximum: 0.6 },
        { metric: 'latency', maximum: 10 },
      ],
    });
    expect(evaluateGate(g, { 'validation:auc': 0.9, 'validation:logloss': 0.7 }, undefined).reasons).toEqual([
      'guard validation:logloss 0.7 is above the maximum 0.6',
      'guard metric latency was not reported by the training job',
    ]);
  });

  it('compares with the bounds only when the champion lacks the metric', () => {
    const verdict = evaluateGate(gate(), { 'validation:auc': 0.75 }, { modelVersion: 4, metrics: {} });
    expect(verdict.passed).toBe(true);
    expect(verdict.notes).toEqual(['champion version 4 has no validation:auc; compared with the bounds only']);
  });

  describe('against the champion’s live value (gate.liveMetric)', () => {
    const liveGate = (overrides: Partial<GateConfig> = {}) =>
      gate({ minImprovement: 0.005, liveMetric: 'roc_auc', ...overrides });
    const live = (value: number, metric = 'roc_auc') => ({
      metric,
      value,
      evaluationId: 'ev-42',
      windowEnd: '2026-11-23T10:00:00.000Z',
    });
    const champion = (value?: number) => ({
      modelVersion: 3,
      metrics: { 'validation:auc': 0.81 },
      live: value === undefined ? undefined : live(value),
    });

    it('compares with the live value when it is worse than the registered one, and says so', () => {
      const verdict = evaluateGate(liveGate(), { 'validation:auc': 0.8 }, champion(0.561));
      expect(verdict.passed).toBe(true);
      expect(verdict.comparison).toMatchObject({
        championValue: 0.561,
        championModelVersion: 3,
        championValueSource:
          'live roc_auc 0.561 of evaluation ev-42 (window ending 2026-11-23T10:00:00.000Z); registered 0.81',
        championReference: {
          source: 'live',
          registeredValue: 0.81,
          live: live(0.561),
          description:
            'live roc_auc 0.561 of evaluation ev-42 (window ending 2026-11-23T10:00:00.000Z); registered 0.81',
        },
      });
      expect(verdict.notes).toEqual([
        'champion version 3 compared as: live roc_auc 0.561 of evaluation ev-42 (window ending 2026-11-23T10:00:00.000Z); registered 0.81',
      ]);
      // The same candidate against the registered value alone is rejected.
      expect(evaluateGate(gate({ minImprovement: 0.005 }), { 'validation:auc': 0.8 }, champion(0.561)).passed).toBe(
        false,
      );
    });

    it('names the live value in the reason when the candidate does not beat it either', () => {
      expect(
        evaluateGate(liveGate({ minimum: undefined }), { 'validation:auc': 0.562 }, champion(0.561)).reasons,
      ).toEqual([
        'validation:auc 0.562 does not beat champion version 3 (live roc_auc 0.561 of evaluation ev-42 (window ending 2026-11-23T10:00:00.000Z); registered 0.81) by 0.005: needs at least 0.566',
      ]);
    });

    it('keeps the registered value when the live one is better, so live traffic never raises the bar', () => {
      const verdict = evaluateGate(liveGate(), { 'validation:auc': 0.812 }, champion(0.93));
      expect(verdict.reasons).toEqual([
        'validation:auc 0.812 does not beat champion version 3 (registered 0.81; live roc_auc 0.93 of evaluation ev-42 (window ending 2026-11-23T10:00:00.000Z) is no worse) by 0.005: needs at least 0.815',
      ]);
      expect(verdict.comparison).toMatchObject({
        championValue: 0.81,
        championReference: { source: 'registered', registeredValue: 0.81, live: live(0.93) },
      });
      // A tie keeps the registered value too.
      expect(
        evaluateGate(liveGate(), { 'validation:auc': 0.9 }, champion(0.81)).comparison?.championReference?.source,
      ).toBe('registered');
    });

    it('uses the registered value when there is no live value, or one of another metric, and says so', () => {
      const absent = evaluateGate(liveGate(), { 'validation:auc': 0.8 }, champion());
      expect(absent.passed).toBe(false);
      expect(absent.comparison).toMatchObject({ championValue: 0.81, championReference: { source: 'registered' } });
      expect(absent.notes).toEqual([
        'champion version 3 compared as: registered 0.81; no live roc_auc of this version',
      ]);
      const otherMetric = { ...champion(), live: live(0.5, 'accuracy') };
      expect(evaluateGate(liveGate(), { 'validation:auc': 0.8 }, otherMetric).comparison?.championValue).toBe(0.81);
      // Without gate.liveMetric a live value is ignored and the reason keeps its plain form.
      expect(evaluateGate(gate({ minImprovement: 0.005 }), { 'validation:auc': 0.8 }, champion(0.561)).reasons).toEqual(
        ['validation:auc 0.8 does not beat champion version 3 (0.81) by 0.005: needs at least 0.815'],
      );
    });

    it('compares with the live value alone when the champion has no registered value', () => {
      const verdict = evaluateGate(
        liveGate(),
        { 'validation:auc': 0.75 },
        { modelVersion: 3, metrics: {}, live: live(0.77) },
      );
      expect(verdict.reasons[0]).toContain('needs at least 0.775');
      expect(verdict.comparison?.championReference).toMatchObject({ source: 'live' });
      expect(verdict.comparison?.championReference?.registeredValue).toBeUndefined();
    });

    it('minimizes: the worse live value is the higher one', () => {
      const g = gate({
        metric: 'rmse',
        direction: 'minimize',
        minimum: undefined,
        minImprovement: 0.1,
        liveMetric: 'rmse',
      });
      const rmseChampion = (value: number) => ({ modelVersion: 2, metrics: { rmse: 3 }, live: live(value, 'rmse') });
      const degraded = evaluateGate(g, { rmse: 3.5 }, rmseChampion(4.2));
      expect(degraded.passed).toBe(true);
      expect(degraded.comparison).toMatchObject({ championValue: 4.2, championReference: { source: 'live' } });
      const better = evaluateGate(g, { rmse: 3.5 }, rmseChampion(2.5));
      expect(better.comparison).toMatchObject({ championValue: 3, championReference: { source: 'registered' } });
      expect(better.reasons[0]).toContain('needs at most 2.9');
    });
  });

  it('finds the champion’s newest usable live measurement among the newest evaluations', () => {
    const evaluation = (
      id: string,
      modelVersion: number | undefined,
      verdict: string,
      metrics: Record<string, number>,
    ) =>
      ({
        evaluationId: id,
        windowEnd: `2026-11-23T${id}:00:00.000Z`,
        modelVersion,
        verdict,
        metrics,
      }) as RecordedEvaluation;
    const newestFirst = [
      evaluation('12', 4, 'ok', { roc_auc: 0.9 }), // another version
      evaluation('11', 3, 'insufficient-data', { roc_auc: 0.2 }), // too few labels
      evaluation('10', 3, 'degraded', { accuracy: 0.7 }), // without the metric
      evaluation('09', 3, 'degraded', { roc_auc: 0.561 }),
      evaluation('08', 3, 'ok', { roc_auc: 0.8 }),
    ];
    expect(latestLiveMeasurement(newestFirst, 3, 'roc_auc')).toEqual({
      metric: 'roc_auc',
      value: 0.561,
      evaluationId: '09',
      windowEnd: '2026-11-23T09:00:00.000Z',
    });
    expect(latestLiveMeasurement(newestFirst, 5, 'roc_auc')).toBeUndefined();
    expect(latestLiveMeasurement([], 3, 'roc_auc')).toBeUndefined();
  });

  it('reads final metrics, last value of a name winning, non-finite values dropped', () => {
    expect(
      finalMetrics([
        { MetricName: 'a', Value: 1 },
        { MetricName: 'a', Value: 2 },
        { MetricName: 'b', Value: Number.NaN },
        { Value: 3 },
      ]),
    ).toEqual({ a: 2 });
  });
});

describe('run and job names', () => {
  it('makes sortable run ids and valid, deterministic job names', () => {
    const runId = newRunId(new Date('2026-11-23T01:15:30.123Z'), () => 0.5);
    expect(runId).toBe('20261123t011530-8000');
    const name = trainingJobName('churn', 'prod', runId);
    expect(name).toBe('churn-prod-20261123t011530-8000');
    expect(name).toMatch(SAGEMAKER_NAME_PATTERN);
    expect(runIdOfJob(name, 'churn', 'prod')).toBe(runId);
    expect(runIdOfJob(name, 'churn', 'dev')).toBeUndefined();
    expect(runIdOfJob('churn-prod-manual-job', 'churn', 'prod')).toBeUndefined();
  });

  it('refuses pipeline and stage names that make names longer than 63 characters', () => {
    const pipeline = 'p'.repeat(32);
    expect(jobNameProblem(pipeline, 'dev')).toBeUndefined();
    expect(jobNameProblem(pipeline, 's'.repeat(16))).toMatch(/70 characters; SageMaker allows 63/);
    expect(() => trainingJobName(pipeline, 's'.repeat(16), newRunId(new Date()))).toThrow(RangeError);
  });
});

describe('training window and channels', () => {
  const ds = (i: number, day: number): WindowDataset => ({
    datasetId: `ds-${i}`,
    bucket: 'landing',
    key: `churn/incoming/${i}.csv`,
    receivedAt: new Date(Date.UTC(2026, 10, day)).toISOString(),
    rows: 100,
  });
  const newestFirst = [ds(5, 20), ds(4, 18), ds(3, 10), ds(2, 5), ds(1, 1)];
  const now = new Date(Date.UTC(2026, 10, 21));

  it('takes the last N datasets, the last N days, or all', () => {
    expect(selectWindow(newestFirst, { lastDatasets: 2 }, now).map((d) => d.datasetId)).toEqual(['ds-5', 'ds-4']);
    expect(selectWindow(newestFirst, { lastDays: 7 }, now).map((d) => d.datasetId)).toEqual(['ds-5', 'ds-4']);
    expect(selectWindow(newestFirst, { all: true }, now)).toHaveLength(5);
    expect(selectWindow([], { lastDatasets: 3 }, now)).toEqual([]);
  });

  it('holds out the newest datasets for validation, keeping at least one for training', () => {
    const split = splitChannels(newestFirst, { split: 0.2 });
    expect(split.validation.map((d) => d.datasetId)).toEqual(['ds-5']);
    expect(split.train).toHaveLength(4);
    expect(splitChannels(newestFirst.slice(0, 2), { split: 0.5 }).train).toHaveLength(1);
    const single = splitChannels(newestFirst.slice(0, 1), { split: 0.2 });
    expect(single).toMatchObject({ validation: [], note: expect.stringContaining('one dataset') });
    expect(splitChannels(newestFirst, { prefix: 'validation/' }).validation).toEqual([]);
  });
});

describe('manifest', () => {
  it('lists exactly the objects, relative to their common folder', () => {
    const manifest = JSON.parse(
      buildManifest([
        { bucket: 'b', key: 'churn/incoming/2026/a.csv' },
        { bucket: 'b', key: 'churn/incoming/b.csv' },
      ]),
    );
    expect(manifest).toEqual([{ prefix: 's3://b/churn/incoming/' }, '2026/a.csv', 'b.csv']);
  });

  it('keeps a file name in every entry and refuses empty or mixed-bucket lists', () => {
    expect(commonFolder(['data/a.csv'])).toBe('data/');
    expect(commonFolder(['data/ab.csv', 'data/ac.csv'])).toBe('data/');
    expect(commonFolder(['a.csv', 'b.csv'])).toBe('');
    expect(() => buildManifest([])).toThrow(RangeError);
    expect(() =>
      buildManifest([
        { bucket: 'a', key: 'x.csv' },
        { bucket: 'b', key: 'y.csv' },
      ]),
    ).toThrow(/one bucket/);
  });
});

describe('images, tags and registration', () => {
  it('resolves built-in images per Region and refuses unknown Regions with the fix', () => {
    expect(builtInImageUri('xgboost', '1.7-1', 'eu-west-1')).toBe(
      '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1',
    );
    expect(builtInImageUri('linear-learner', '1', 'us-east-1')).toBe(
      '382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1',
    );
    expect(() => builtInImageUri('xgboost', '1.7-1', 'mars-north-1')).toThrow(UnknownImageRegionError);
  });

  it('keeps the datasets tag within 256 characters, counting what it leaves out', () => {
    const ids = Array.from({ length: 20 }, (_, i) => `ds-20261123-0000${String(i).padStart(2, '0')}-abcdef123456`);
    const tag = datasetsTag(ids);
    expect(tag.length).toBeLessThanOrEqual(256);
    expect(tag).toMatch(/ \+\d+$/);
    expect(datasetsTag(['a', 'b'])).toBe('a b');
  });

  it('registers with the run as client token, approval by config and metadata SageMaker accepts', () => {
    const request = buildModelPackageRequest({
      pipeline: 'churn',
      runId: 'r1',
      trainingJobName: 'churn-dev-r1',
      modelPackageGroupName: 'churn',
      image: 'img',
      modelDataUrl: 's3://a/model.tar.gz',
      approval: 'auto',
      metrics: { 'validation:auc': 0.9 },
      metricsReportUri: 's3://a/reports/churn/runs/r1/metrics.json',
      manifestUri: 's3://a/manifests/churn/r1/train.manifest',
      datasetIds: ['ds-1', 'ds-2'],
      contractReportKeys: [],
    });
    expect(request).toMatchObject({ ClientToken: 'r1', ModelApprovalStatus: 'Approved' });
    for (const value of Object.values(request.CustomerMetadataProperties ?? {})) {
      expect(value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u);
    }
    expect(modelVersionOfArn('arn:aws:sagemaker:eu-west-1:1:model-package/churn/12')).toBe(12);
  });
});
