import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeModelPackageCommand, ListModelPackagesCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHandle } from '../../../cli/local-runtime-handle';
import { startControlServer } from '../../../local/control-server';
import type { LocalRuntime } from '../../../local/runtime';
import { churnCsv } from '../../fixtures/churn/small-batch';
import { churnVariant, ROOT, startTrainingHarness, type TrainingHarness } from './training-harness';

let harness: TrainingHarness;
let runtime: LocalRuntime;

beforeAll(async () => {
  harness = await startTrainingHarness('TrainingTest', [
    churnVariant('tra', { report_auc: '0.91', report_logloss: '0.3' }),
    churnVariant('trb', { report_auc: '0.9', report_logloss: '0.3', sleep_ms: '1500' }),
    churnVariant('trd', { report_auc: '0.9', report_logloss: '0.3' }),
    churnVariant('trf', { fail_with: 'ClientError: the label column is missing' }),
    churnVariant('trl', { report_auc: '0.61', report_logloss: '0.3' }),
  ]);
  runtime = harness.runtime;
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe('training on accepted data', () => {
  it('turns a landed file into a contract check, a training job, a local run and a registered model with lineage', async () => {
    const landing = runtime.physicalId('DataPlaneLandingBucket');
    await runtime.clients.s3.send(
      new PutObjectCommand({ Bucket: landing, Key: 'tra/incoming/2026-11-23.csv', Body: churnCsv(150, 7) }),
    );
    await harness.settleUntil(() => Promise.resolve(harness.eventsOf('tra', 'Model Registered').length === 1));

    const names = harness.seen.filter((e) => e.detail.pipeline === 'tra').map((e) => e['detail-type']);
    expect(names).toEqual(['Dataset Accepted', 'Training Started', 'Training Succeeded', 'Model Registered']);
    const registered = harness.eventsOf('tra', 'Model Registered')[0]!.detail;
    expect(registered).toMatchObject({ approvalStatus: 'PendingManualApproval', metrics: { 'validation:auc': 0.91 } });

    const { training } = harness.stores();
    const [run] = await training.runs('tra', 10);
    expect(run).toMatchObject({ status: 'registered', modelVersion: 1, trigger: expect.stringMatching(/^ds-/) });
    expect(run!.datasetIds).toHaveLength(1);

    // The manifest lists exactly the accepted object.
    const artifacts = runtime.physicalId('DataPlaneArtifactsBucket');
    const manifest = await harness.artifactJson(run!.manifestKey!);
    expect(manifest).toEqual([{ prefix: `s3://${landing}/tra/incoming/` }, '2026-11-23.csv']);

    // The registry entry carries the metrics report and the lineage.
    const packages = await runtime.clients.sagemaker.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: 'tra' }),
    );
    expect(packages.ModelPackageSummaryList).toHaveLength(1);
    const described = await runtime.clients.sagemaker.send(
      new DescribeModelPackageCommand({ ModelPackageName: packages.ModelPackageSummaryList![0]!.ModelPackageArn }),
    );
    expect(described.ModelApprovalStatus).toBe('PendingManualApproval');
    expect(described.CustomerMetadataProperties?.['mlops:run']).toBe(run!.runId);
    expect(described.ModelMetrics?.ModelQuality?.Statistics?.S3Uri).toBe(
      `s3://${artifacts}/reports/tra/runs/${run!.runId}/metrics.json`,
    );
    expect(described.InferenceSpecification?.Containers?.[0]?.ModelDataUrl).toMatch(/model\.tar\.gz$/);
    const model = await training.model(described.ModelPackageArn!);
    expect(model).toMatchObject({ modelVersion: 1, runId: run!.runId, datasetIds: run!.datasetIds });

    // The slot is free again.
    expect((await training.state('tra')).trainingRunId).toBeUndefined();

    // Operators read the same through the CLI on the local runtime.
    const control = await startControlServer(runtime);
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-cli-'));
    try {
      writeHandle(project, runtime, control.url);
      const cli = (...args: string[]) =>
        promisify(execFile)('node', [path.join(ROOT, 'cli/bin.mjs'), '-C', project, ...args], { cwd: ROOT });
      const runs = JSON.parse((await cli('runs', 'tra', '--local', '--json')).stdout);
      expect(runs).toEqual([expect.objectContaining({ runId: run!.runId, status: 'registered' })]);
      const lineage = JSON.parse((await cli('lineage', 'tra', '1', '--local', '--json')).stdout);
      expect(lineage.datasets).toEqual([
        expect.objectContaining({
          file: `s3://${landing}/tra/incoming/2026-11-23.csv`,
          report: expect.stringMatching(/report\.json$/),
        }),
      ]);
      await expect(cli('lineage', 'tra', '9', '--local')).rejects.toMatchObject({ code: 2 });
    } finally {
      await control.close();
      fs.rmSync(project, { recursive: true, force: true });
    }
  }, 90_000);

  it('runs one job and exactly one follow-up for twenty datasets accepted at once', async () => {
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push(await harness.seedDataset('trb', i));
    await harness.announce('trb', ids);
    await harness.settleUntil(
      async () => (await harness.jobsOf('trb')).length >= 1 && (await harness.allJobsEnded('trb')()),
      90_000,
    );
    // The follow-up may start at the end of the first job; wait for it to end too.
    await harness.settleUntil(harness.allJobsEnded('trb'), 90_000);
    const jobs = await harness.jobsOf('trb');
    expect(jobs).toHaveLength(2);
    expect(harness.eventsOf('trb', 'Training Started')).toHaveLength(2);
    expect((await harness.stores().training.state('trb')).retrainPending).toBe(false);
    const [followUp, first] = await harness.stores().training.runs('trb', 10);
    expect(first!.trigger).toMatch(/^ds-trb-/);
    expect(followUp!.trigger).toBe('follow-up');
  }, 180_000);

  it('starts one job for the same event delivered three times', async () => {
    // Redeliveries come after the first delivery: one while the job runs, one after it ended.
    const id = await harness.seedDataset('trd', 0);
    await harness.announce('trd', [id]);
    await harness.settleUntil(async () => (await harness.jobsOf('trd')).length >= 1);
    await harness.announce('trd', [id]);
    await harness.settleUntil(
      async () => (await harness.jobsOf('trd')).length >= 1 && (await harness.allJobsEnded('trd')()),
    );
    await harness.announce('trd', [id]);
    await harness.settleUntil(harness.allJobsEnded('trd'));
    expect(await harness.jobsOf('trd')).toHaveLength(1);
    expect(harness.eventsOf('trd', 'Model Registered')).toHaveLength(1);
  }, 90_000);

  it('announces a failed run with SageMaker’s reason and releases the slot', async () => {
    await harness.announce('trf', [await harness.seedDataset('trf', 0)]);
    await harness.settleUntil(() => Promise.resolve(harness.eventsOf('trf', 'Training Failed').length === 1));
    expect(harness.eventsOf('trf', 'Training Failed')[0]!.detail).toMatchObject({
      reason: 'ClientError: the label column is missing',
      trainingJobStatus: 'Failed',
    });
    const state = await runtime.clients.dynamodb.send(
      new GetItemCommand({
        TableName: runtime.physicalId('DataPlaneMetadataTable'),
        Key: { pk: { S: 'PIPELINE#trf' }, sk: { S: 'STATE' } },
        ConsistentRead: true,
      }),
    );
    expect(state.Item?.trainingRunId).toBeUndefined();
    expect((await harness.stores().training.runs('trf', 1))[0]).toMatchObject({ status: 'failed' });
  }, 90_000);

  it('rejects a model below the gate with the reason and registers nothing', async () => {
    await harness.announce('trl', [await harness.seedDataset('trl', 0)]);
    await harness.settleUntil(() => Promise.resolve(harness.eventsOf('trl', 'Model Rejected').length === 1));
    expect(harness.eventsOf('trl', 'Model Rejected')[0]!.detail.reasons).toEqual([
      'validation:auc 0.61 is below the minimum 0.7',
    ]);
    const packages = await runtime.clients.sagemaker.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: 'trl' }),
    );
    expect(packages.ModelPackageSummaryList ?? []).toHaveLength(0);
  }, 90_000);
});
