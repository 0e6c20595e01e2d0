import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { CreateTrainingJobRequest } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PutEventsEntry } from '../../../local/sagemaker/event-sink';
import { extractArchive } from '../../../local/sagemaker/model-archive';
import { S3ObjectStore } from '../../../local/sagemaker/object-store';
import { LocalTrainingJobs } from '../../../local/sagemaker/training-executor';
import { REPO_ROOT, startMoto, type MotoServer } from './moto-server';

const BUCKET = 'ml-data';
const FIXTURE_IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const TRAIN_CSV = '1,5\n0,1\n1,4\n0,2\n';
const TRAIN_CSV_2 = '1,1\n0,3\n1,6\n0,0\n';
const VALIDATION_CSV = '1,3\n0,2\n1,1\n0,4\n1,5\n0,0\n';

let moto: MotoServer;
let jobs: LocalTrainingJobs;
let workDir: string;
const events: PutEventsEntry[] = [];

function request(name: string, overrides: Partial<CreateTrainingJobRequest> = {}) {
  return {
    TrainingJobName: name,
    RoleArn: 'arn:aws:iam::123456789012:role/sagemaker-execution',
    AlgorithmSpecification: {
      TrainingImage: FIXTURE_IMAGE,
      TrainingInputMode: 'File',
      MetricDefinitions: [
        { Name: 'validation:auc', Regex: 'validation-auc:([0-9.]+)' },
        { Name: 'validation:logloss', Regex: 'validation-logloss:([0-9.]+)' },
      ],
    },
    HyperParameters: { epochs: '3' },
    InputDataConfig: [
      {
        ChannelName: 'train',
        ContentType: 'text/csv',
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/datasets/train/` } },
      },
      {
        ChannelName: 'validation',
        ContentType: 'text/csv',
        DataSource: { S3DataSource: { S3DataType: 'ManifestFile', S3Uri: `s3://${BUCKET}/manifests/validation.json` } },
      },
    ],
    OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/models/`, KmsKeyId: 'alias/mlops-output' },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    Tags: [{ Key: 'pipeline', Value: 'churn' }],
    ...overrides,
  } satisfies CreateTrainingJobRequest;
}

function eventsFor(name: string): Record<string, unknown>[] {
  return events
    .filter((e) => e.DetailType === 'SageMaker Training Job State Change')
    .map((e): unknown => JSON.parse(e.Detail))
    .filter(
      (d): d is Record<string, unknown> =>
        typeof d === 'object' && d !== null && 'TrainingJobName' in d && d.TrainingJobName === name,
    );
}

async function put(key: string, body: string): Promise<void> {
  await moto.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'sm-train-it-'));
  moto = await startMoto();
  await moto.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await put('datasets/train/part-0001.csv', TRAIN_CSV);
  await put('datasets/train/more/part-0002.csv', TRAIN_CSV_2);
  await put('holdout/2025-01-15/v-1.csv', VALIDATION_CSV.split('\n').slice(0, 3).join('\n') + '\n');
  await put('holdout/2025-01-15/v-2.csv', VALIDATION_CSV.split('\n').slice(3).join('\n'));
  await put(
    'manifests/validation.json',
    JSON.stringify([{ prefix: `s3://${BUCKET}/holdout/2025-01-15/` }, 'v-1.csv', 'v-2.csv']),
  );
  jobs = new LocalTrainingJobs({
    objectStore: new S3ObjectStore(moto.s3),
    emit: (entry) => {
      events.push(entry);
    },
    resolveCommand: (req) =>
      req.AlgorithmSpecification.TrainingImage === FIXTURE_IMAGE
        ? { command: [process.execPath, '--import', 'tsx', 'test/fixtures/sagemaker/train.ts'], cwd: REPO_ROOT }
        : undefined,
    timeFactor: 0.01,
    workDir,
  });
});

afterAll(async () => {
  await jobs?.close();
  await moto?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('LocalTrainingJobs against moto S3', () => {
  it('runs the trainer, uploads model.tar.gz and reports the parsed metrics', async () => {
    const { TrainingJobArn } = await jobs.create(request('churn-train-1'));
    expect(TrainingJobArn).toBe('arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-train-1');
    expect(jobs.describe('churn-train-1').TrainingJobStatus).toBe('InProgress');

    const done = await jobs.waitFor('churn-train-1');

    expect(done.TrainingJobStatus).toBe('Completed');
    expect(done.SecondaryStatusTransitions.map((t) => t.Status)).toEqual([
      'Starting',
      'Downloading',
      'Training',
      'Uploading',
      'Completed',
    ]);
    expect(done.ModelArtifacts?.S3ModelArtifacts).toBe(`s3://${BUCKET}/models/churn-train-1/output/model.tar.gz`);
    // Last value wins: the trainer logs three epochs; the final line is the full-data figure.
    const log = jobs.log('churn-train-1');
    const lastAuc = [...log.matchAll(/validation-auc:([0-9.]+)/g)].map((m) => Number(m[1])).at(-1);
    expect(lastAuc).toBeDefined();
    expect(done.FinalMetricDataList.map((m) => [m.MetricName, m.Value])).toEqual([
      ['validation:auc', lastAuc],
      ['validation:logloss', expect.any(Number)],
    ]);
    expect(typeof done.CreationTime).toBe('number');
    expect(done).not.toHaveProperty('Tags');

    const head = await moto.s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'models/churn-train-1/output/model.tar.gz' }),
    );
    expect(head.ServerSideEncryption).toBe('aws:kms');
    const archive = await moto.s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'models/churn-train-1/output/model.tar.gz' }),
    );
    const archiveFile = join(workDir, 'downloaded-model.tar.gz');
    await writeFile(archiveFile, (await archive.Body?.transformToByteArray()) ?? new Uint8Array());
    await extractArchive(archiveFile, join(workDir, 'model-1'));
    const model: unknown = JSON.parse(await readFile(join(workDir, 'model-1', 'model.json'), 'utf8'));
    // Both train files (one in a sub-folder of the prefix) were materialised: 8 rows, 4 positive.
    expect(model).toMatchObject({ positiveRate: 0.5, rows: 8 });
    const output = await moto.s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'models/churn-train-1/output/output.tar.gz' }),
    );
    expect(output.ContentLength).toBeGreaterThan(0);
  });

  it('emits state-change events in order, in the AWS shape', () => {
    const details = eventsFor('churn-train-1');
    expect(details.map((d) => [d.TrainingJobStatus, d.SecondaryStatus])).toEqual([
      ['InProgress', 'Starting'],
      ['InProgress', 'Downloading'],
      ['InProgress', 'Training'],
      ['InProgress', 'Uploading'],
      ['Completed', 'Completed'],
    ]);
    const completed = details.at(-1);
    expect(completed).toMatchObject({
      TrainingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-train-1',
      ModelArtifacts: { S3ModelArtifacts: `s3://${BUCKET}/models/churn-train-1/output/model.tar.gz` },
      HyperParameters: { epochs: '3' },
      RoleArn: 'arn:aws:iam::123456789012:role/sagemaker-execution',
      Tags: { pipeline: 'churn' },
    });
    expect(completed).not.toHaveProperty('FinalMetricDataList');
    // Epoch milliseconds as numbers (the schema registry's type), not seconds and not strings.
    expect(typeof completed?.CreationTime).toBe('number');
    expect(typeof completed?.TrainingEndTime).toBe('number');
    expect(Number(completed?.CreationTime)).toBeGreaterThan(1e12);
    const entry = events.find((e) => e.Detail.includes('"churn-train-1"'));
    expect(entry).toMatchObject({
      Source: 'aws.sagemaker',
      Resources: ['arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-train-1'],
    });
  });

  it('rejects a duplicate name with ResourceInUse, leaving the first job as it was', async () => {
    await expect(jobs.create(request('churn-train-1'))).rejects.toMatchObject({
      name: 'SageMakerApiError',
      code: 'ResourceInUse',
    });
    expect(jobs.describe('churn-train-1').TrainingJobStatus).toBe('Completed');
  });

  it('fails the job with the failure file as FailureReason when the trainer exits non-zero', async () => {
    await jobs.create(request('churn-train-fails', { HyperParameters: { failure_reason: 'AlgorithmError: bad eta' } }));
    const done = await jobs.waitFor('churn-train-fails');
    expect(done.TrainingJobStatus).toBe('Failed');
    expect(done.FailureReason).toBe('AlgorithmError: bad eta');
    expect(done.ModelArtifacts).toBeUndefined();
    expect(eventsFor('churn-train-fails').at(-1)).toMatchObject({
      TrainingJobStatus: 'Failed',
      FailureReason: 'AlgorithmError: bad eta',
    });
  });

  it('fails with a clear reason when no local command stands in for the image', async () => {
    await jobs.create(
      request('churn-train-unknown-image', {
        AlgorithmSpecification: { TrainingImage: 'example.com/unknown:1', TrainingInputMode: 'File' },
      }),
    );
    const done = await jobs.waitFor('churn-train-unknown-image');
    expect(done.TrainingJobStatus).toBe('Failed');
    expect(done.FailureReason).toMatch(/no local training command is configured for image 'example\.com\/unknown:1'/);
  });

  it('fails with ClientError when a channel prefix holds no objects', async () => {
    await jobs.create(
      request('churn-train-empty', {
        InputDataConfig: [
          {
            ChannelName: 'train',
            DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/nothing-here/` } },
          },
        ],
      }),
    );
    const done = await jobs.waitFor('churn-train-empty');
    expect(done.FailureReason).toMatch(/^ClientError: No S3 objects found under S3 URL/);
  });

  it('stops a running job on request, still uploading what it saved', async () => {
    await jobs.create(request('churn-train-stop', { HyperParameters: { sleep_seconds: '30' } }));
    // The trainer says when its SIGTERM handler is in place; a fixed sleep is too short on a loaded machine.
    await waitUntil(() => jobs.log('churn-train-stop').includes('SIGTERM saves a partial model'));
    jobs.stop('churn-train-stop');
    expect(jobs.describe('churn-train-stop').TrainingJobStatus).toBe('Stopping');
    const done = await jobs.waitFor('churn-train-stop');
    expect(done.TrainingJobStatus).toBe('Stopped');
    expect(done.SecondaryStatus).toBe('Stopped');
    expect(done.ModelArtifacts?.S3ModelArtifacts).toMatch(/churn-train-stop\/output\/model\.tar\.gz$/);
    expect(() => jobs.stop('churn-train-stop')).toThrow(expect.objectContaining({ code: 'ValidationException' }));
  });

  it('stops a job that exceeds MaxRuntimeInSeconds (scaled by the time factor)', async () => {
    // 100 simulated seconds at timeFactor 0.01 = 1 s real; the trainer wants to sleep 30 s.
    await jobs.create(
      request('churn-train-timeout', {
        HyperParameters: { sleep_seconds: '30' },
        StoppingCondition: { MaxRuntimeInSeconds: 100 },
      }),
    );
    const done = await jobs.waitFor('churn-train-timeout');
    expect(done.TrainingJobStatus).toBe('Stopped');
    expect(done.SecondaryStatus).toBe('MaxRuntimeExceeded');
  });

  it('restores checkpoints before training and uploads them afterwards', async () => {
    await put('checkpoints/churn-ckpt/epoch.txt', '2');
    await jobs.create(
      request('churn-train-ckpt', { CheckpointConfig: { S3Uri: `s3://${BUCKET}/checkpoints/churn-ckpt` } }),
    );
    const done = await jobs.waitFor('churn-train-ckpt');
    expect(done.TrainingJobStatus).toBe('Completed');
    expect(jobs.log('churn-train-ckpt')).toContain('resumed from epoch 2');
    const saved = await moto.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'checkpoints/churn-ckpt/epoch.txt' }));
    expect(await saved.Body?.transformToString()).toBe('3');
  });

  it('answers unknown names with ResourceNotFound and lists jobs by status', () => {
    expect(() => jobs.describe('no-such-job')).toThrow(expect.objectContaining({ code: 'ResourceNotFound' }));
    const failed = jobs.list({ StatusEquals: 'Failed' }).TrainingJobSummaries.map((s) => s.TrainingJobName);
    expect(failed).toEqual(['churn-train-fails', 'churn-train-unknown-image', 'churn-train-empty']);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
