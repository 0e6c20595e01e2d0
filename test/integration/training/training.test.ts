import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  ListTrainingJobsCommand,
} from '@aws-sdk/client-sagemaker';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseEnvironmentContext } from '../../../functions/config/environment-context';
import { loadPipelines } from '../../../functions/config/load-pipelines';
import type { PipelineConfig } from '../../../functions/config/pipeline-config';
import { toEventBridgePattern } from '../../../functions/events/event-pattern';
import {
  DatasetAccepted,
  LIFECYCLE_EVENTS,
  lifecyclePattern,
  toPutEventsEntry,
} from '../../../functions/events/lifecycle';
import { DatasetStore } from '../../../functions/metadata/dataset-store';
import { TrainingStore } from '../../../functions/metadata/training-store';
import { MlopsStack } from '../../../lib/mlops-stack';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime';
import { startControlServer } from '../../../local/control-server';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { churnCsv } from '../../fixtures/churn/small-batch';
import { cdkJsonContext } from '../../infra/cdk-context';
import { MOTO_ENDPOINT_KEY } from '../setup/provided-context';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const STACK = 'TrainingTest';
let runtime: LocalRuntime;
let cdkOut: string;
let eventsQueueUrl: string;
const seen: { 'detail-type': string; detail: Record<string, unknown> }[] = [];

/** The churn pipeline under another name, prefix and training command, with chosen hyperparameters. */
function variant(base: PipelineConfig, name: string, hyperparameters: Record<string, string>): PipelineConfig {
  return {
    ...base,
    name,
    data: { ...base.data, landingPrefix: `${name}/incoming/`, contract: '../churn/contract.yaml' },
    training: {
      ...base.training,
      hyperparameters,
      debounceSeconds: 0,
      window: { lastDatasets: 50 },
      local: { command: ['node', '--import', 'tsx', 'test/fixtures/sagemaker/train-table.ts'] },
    },
    registry: { approval: 'manual', modelPackageGroupName: name },
    deployment: { ...base.deployment, endpointName: name },
  };
}

async function drainEvents(): Promise<void> {
  for (;;) {
    const batch = await runtime.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: eventsQueueUrl, MaxNumberOfMessages: 10 }),
    );
    if (!batch.Messages?.length) return;
    seen.push(...batch.Messages.map((m) => JSON.parse(m.Body ?? '{}')));
  }
}

const eventsOf = (pipeline: string, detailType?: string) =>
  seen.filter((e) => e.detail.pipeline === pipeline && (detailType === undefined || e['detail-type'] === detailType));

const jobsOf = async (pipeline: string) =>
  (
    await runtime.clients.sagemaker.send(
      new ListTrainingJobsCommand({ NameContains: `${pipeline}-dev-`, MaxResults: 100 }),
    )
  ).TrainingJobSummaries ?? [];

/** Delivers events and waits for training jobs until `done` holds (jobs run as local processes). */
async function settleUntil(done: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await runtime.settle();
    await drainEvents();
    if (await done()) return;
    if (Date.now() > deadline) {
      const history = runtime.dispatcher.history.map(
        (d) => `${d.functionLogicalId} ${d.source}: ${JSON.stringify(d.outcome).slice(0, 400)}`,
      );
      throw new Error(`timed out waiting for the training flow; deliveries:\n${history.slice(-12).join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

const allJobsEnded = (pipeline: string) => async () =>
  (await jobsOf(pipeline)).every((j) => j.TrainingJobStatus !== 'InProgress' && j.TrainingJobStatus !== 'Stopping');

function stores() {
  const client = DynamoDBDocumentClient.from(runtime.clients.dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const table = runtime.physicalId('DataPlaneMetadataTable');
  return { training: new TrainingStore(client, table), datasets: new DatasetStore(client, table) };
}

/** Records an accepted dataset as the contract check would, with its object in the landing bucket. */
async function seedDataset(pipeline: string, index: number): Promise<string> {
  const bucket = runtime.physicalId('DataPlaneLandingBucket');
  const key = `seed/${pipeline}/batch-${index}.csv`; // outside every landing prefix: no contract check runs
  await runtime.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: churnCsv(120, index + 1) }));
  const receivedAt = new Date(Date.UTC(2026, 10, 1, 0, index)).toISOString();
  const datasetId = `ds-${pipeline}-${String(index).padStart(3, '0')}`;
  await stores().datasets.recordOnce(
    `s3://${bucket}/${key}#${index}`,
    {
      pipeline,
      datasetId,
      status: 'accepted',
      bucket,
      key,
      size: 1000,
      rows: 120,
      contractId: 'c',
      contractVersion: '1',
      reportKey: `reports/${pipeline}/${datasetId}/report.json`,
      receivedAt,
      checkedAt: receivedAt,
    },
    undefined,
  );
  return datasetId;
}

async function announce(pipeline: string, datasetIds: readonly string[]): Promise<void> {
  const bus = runtime.physicalId('DataPlaneBus');
  const entries = datasetIds.map((datasetId) =>
    toPutEventsEntry(
      DatasetAccepted,
      {
        pipeline,
        datasetId,
        bucket: runtime.physicalId('DataPlaneLandingBucket'),
        key: `seed/${pipeline}/${datasetId}.csv`,
        rows: 120,
        contractId: 'c',
        contractVersion: '1',
        reportKey: `reports/${pipeline}/${datasetId}/report.json`,
      },
      bus,
    ),
  );
  for (let i = 0; i < entries.length; i += 10) {
    const result = await runtime.clients.eventbridge.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
    expect(result.FailedEntryCount ?? 0).toBe(0);
  }
}

beforeAll(async () => {
  cdkOut = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-training-test-'));
  const app = new App({
    outdir: cdkOut,
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  const churn = loadPipelines(ROOT).find((p) => p.name === 'churn')!;
  const pipelines = [
    variant(churn, 'tra', { report_auc: '0.91', report_logloss: '0.3' }),
    variant(churn, 'trb', { report_auc: '0.9', report_logloss: '0.3', sleep_ms: '1500' }),
    variant(churn, 'trd', { report_auc: '0.9', report_logloss: '0.3' }),
    variant(churn, 'trf', { fail_with: 'ClientError: the label column is missing' }),
    variant(churn, 'trl', { report_auc: '0.61', report_logloss: '0.3' }),
  ];
  new MlopsStack(app, STACK, { pipelines, environment: parseEnvironmentContext((key) => app.node.tryGetContext(key)) });
  app.synth();
  runtime = await startLocalRuntime({
    projectRoot: ROOT,
    cdkOutDir: cdkOut,
    stackName: STACK,
    pipelines,
    motoEndpoint: inject(MOTO_ENDPOINT_KEY),
    retryDelaysMs: [10, 10],
  });
  const bus = runtime.physicalId('DataPlaneBus');
  eventsQueueUrl =
    (await runtime.clients.sqs.send(new CreateQueueCommand({ QueueName: 'test-training-events' }))).QueueUrl ?? '';
  const queueArn = (
    await runtime.clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: eventsQueueUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes?.QueueArn;
  await runtime.clients.eventbridge.send(
    new PutRuleCommand({
      Name: 'test-lifecycle',
      EventBusName: bus,
      EventPattern: JSON.stringify(
        toEventBridgePattern(
          lifecyclePattern(
            LIFECYCLE_EVENTS,
            pipelines.map((p) => p.name),
          ),
        ),
      ),
    }),
  );
  await runtime.clients.eventbridge.send(
    new PutTargetsCommand({ Rule: 'test-lifecycle', EventBusName: bus, Targets: [{ Id: 'q', Arn: queueArn }] }),
  );
}, 120_000);

afterAll(async () => {
  await runtime?.close();
  if (cdkOut) fs.rmSync(cdkOut, { recursive: true, force: true });
});

describe('training on accepted data', () => {
  it('turns a landed file into a contract check, a training job, a local run and a registered model with lineage', async () => {
    const landing = runtime.physicalId('DataPlaneLandingBucket');
    await runtime.clients.s3.send(
      new PutObjectCommand({ Bucket: landing, Key: 'tra/incoming/2026-11-23.csv', Body: churnCsv(150, 7) }),
    );
    await settleUntil(() => Promise.resolve(eventsOf('tra', 'Model Registered').length === 1));

    const names = seen.filter((e) => e.detail.pipeline === 'tra').map((e) => e['detail-type']);
    expect(names).toEqual(['Dataset Accepted', 'Training Started', 'Training Succeeded', 'Model Registered']);
    const registered = eventsOf('tra', 'Model Registered')[0]!.detail;
    expect(registered).toMatchObject({ approvalStatus: 'PendingManualApproval', metrics: { 'validation:auc': 0.91 } });

    const { training } = stores();
    const [run] = await training.runs('tra', 10);
    expect(run).toMatchObject({ status: 'registered', modelVersion: 1, trigger: expect.stringMatching(/^ds-/) });
    expect(run!.datasetIds).toHaveLength(1);

    // The manifest lists exactly the accepted object.
    const artifacts = runtime.physicalId('DataPlaneArtifactsBucket');
    const manifest = JSON.parse(
      (await (
        await runtime.clients.s3.send(new GetObjectCommand({ Bucket: artifacts, Key: run!.manifestKey! }))
      ).Body?.transformToString()) ?? '',
    );
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
      fs.mkdirSync(path.join(project, '.local'));
      fs.writeFileSync(
        path.join(project, '.local', 'runtime.json'),
        JSON.stringify({
          controlUrl: control.url,
          endpoint: runtime.gateway.endpoint,
          accountId: runtime.accountId,
          region: runtime.region,
          pid: process.pid,
        }),
      );
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
    for (let i = 0; i < 20; i++) ids.push(await seedDataset('trb', i));
    await announce('trb', ids);
    await settleUntil(async () => (await jobsOf('trb')).length >= 1 && (await allJobsEnded('trb')()), 90_000);
    // The follow-up may start at the end of the first job; wait for it to end too.
    await settleUntil(allJobsEnded('trb'), 90_000);
    const jobs = await jobsOf('trb');
    expect(jobs).toHaveLength(2);
    expect(eventsOf('trb', 'Training Started')).toHaveLength(2);
    expect((await stores().training.state('trb')).retrainPending).toBe(false);
    const [followUp, first] = await stores().training.runs('trb', 10);
    expect(first!.trigger).toMatch(/^ds-trb-/);
    expect(followUp!.trigger).toBe('follow-up');
  }, 180_000);

  it('starts one job for the same event delivered three times', async () => {
    // Redeliveries come after the first delivery: one while the job runs, one after it ended.
    const id = await seedDataset('trd', 0);
    await announce('trd', [id]);
    await settleUntil(async () => (await jobsOf('trd')).length >= 1);
    await announce('trd', [id]);
    await settleUntil(async () => (await jobsOf('trd')).length >= 1 && (await allJobsEnded('trd')()));
    await announce('trd', [id]);
    await settleUntil(allJobsEnded('trd'));
    expect(await jobsOf('trd')).toHaveLength(1);
    expect(eventsOf('trd', 'Model Registered')).toHaveLength(1);
  }, 90_000);

  it('announces a failed run with SageMaker’s reason and releases the slot', async () => {
    await announce('trf', [await seedDataset('trf', 0)]);
    await settleUntil(() => Promise.resolve(eventsOf('trf', 'Training Failed').length === 1));
    expect(eventsOf('trf', 'Training Failed')[0]!.detail).toMatchObject({
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
    expect((await stores().training.runs('trf', 1))[0]).toMatchObject({ status: 'failed' });
  }, 90_000);

  it('rejects a model below the gate with the reason and registers nothing', async () => {
    await announce('trl', [await seedDataset('trl', 0)]);
    await settleUntil(() => Promise.resolve(eventsOf('trl', 'Model Rejected').length === 1));
    expect(eventsOf('trl', 'Model Rejected')[0]!.detail.reasons).toEqual([
      'validation:auc 0.61 is below the minimum 0.7',
    ]);
    const packages = await runtime.clients.sagemaker.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: 'trl' }),
    );
    expect(packages.ModelPackageSummaryList ?? []).toHaveLength(0);
  }, 90_000);
});
