/**
 * The example pipeline's world end to end on the local SageMaker: batch files in S3 -> a training job running the
 * pipeline's `training.local.command` -> the gate's metrics -> an endpoint running `deployment.local.command` with
 * data capture -> live traffic with inference ids -> ground truth joined on them, before and after concept shift.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LocalEndpoints } from '../../../local/sagemaker/endpoint-executor';
import { S3ObjectStore } from '../../../local/sagemaker/object-store';
import { LocalTrainingJobs } from '../../../local/sagemaker/training-executor';
import { rocAuc } from '../../../pipelines/churn/local/binary-metrics';
import { goodBatch } from '../../../pipelines/churn/world/batch-files';
import { COMPETITOR_ENTERS } from '../../../pipelines/churn/world/churn-concepts';
import { groundTruthFiles } from '../../../pipelines/churn/world/ground-truth';
import { inferenceRequests, type InferenceRequest } from '../../../pipelines/churn/world/inference-traffic';
import { useLocalAws, type LocalAws } from '../setup/local-env';
import { churnPipeline, PROJECT_ROOT } from '../../unit/churn/churn-harness';

const BUCKET = 'churn-world';
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const pipeline = churnPipeline();

let aws: LocalAws;
let workDir: string;
let jobs: LocalTrainingJobs;
let endpoints: LocalEndpoints;
let role: string;

/** A lookup as the gateway does it: moto's "not found" is absent. */
async function orUndefined<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Error && error.name === 'ValidationException') return undefined;
    throw error;
  }
}

async function train(name: string, hyperparameters: Record<string, string> = {}) {
  await jobs.create({
    TrainingJobName: name,
    RoleArn: role,
    AlgorithmSpecification: {
      TrainingImage: IMAGE,
      TrainingInputMode: 'File',
      MetricDefinitions: pipeline.training.metricDefinitions.map((d) => ({ Name: d.name, Regex: d.regex })),
    },
    HyperParameters: { ...pipeline.training.hyperparameters, ...hyperparameters },
    InputDataConfig: [
      {
        ChannelName: 'train',
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/churn/incoming/` } },
      },
    ],
    OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/models` },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
  });
  return jobs.waitFor(name);
}

async function deploy(name: string, modelDataUrl: string | undefined) {
  await aws.clients.sagemaker.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: role,
      PrimaryContainer: { Image: IMAGE, ModelDataUrl: modelDataUrl },
    }),
  );
  await aws.clients.sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
      ],
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: 100,
        DestinationS3Uri: `s3://${BUCKET}/data-capture`,
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
        CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'] },
      },
    }),
  );
  await endpoints.createEndpoint({ EndpointName: name, EndpointConfigName: name });
  return endpoints.waitFor(name);
}

/** Sends the requests with their inference ids; returns the captured records of this endpoint so far. */
async function serveAndCapture(endpointName: string, requests: readonly InferenceRequest[]) {
  for (const request of requests) {
    await endpoints.invoke(endpointName, {
      Body: request.body,
      ContentType: request.contentType,
      InferenceId: request.inferenceId,
    });
  }
  await endpoints.flush();
  const listed = await aws.clients.s3.send(
    new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `data-capture/${endpointName}/` }),
  );
  const records: { input: string; output: string; inferenceId: string }[] = [];
  for (const object of listed.Contents ?? []) {
    const body = await aws.clients.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: object.Key }));
    for (const line of (await body.Body?.transformToString())?.trim().split('\n') ?? []) {
      const record = JSON.parse(line);
      records.push({
        input: record.captureData.endpointInput.data,
        output: record.captureData.endpointOutput.data,
        inferenceId: record.eventMetadata.inferenceId,
      });
    }
  }
  return records;
}

/** The AUC a scheduled evaluation would compute: captured scores joined with ground truth on the inference id. */
function liveAuc(captured: readonly { inferenceId: string; output: string }[], requests: readonly InferenceRequest[]) {
  const labels = new Map<string, string>();
  for (const file of groundTruthFiles(requests, { prefix: 'ground-truth/churn', seed: 1, missingShare: 0.1 })) {
    for (const line of file.body.trim().split('\n')) {
      const record = JSON.parse(line);
      labels.set(record.eventMetadata.eventId, record.groundTruthData.data);
    }
  }
  const joined = captured.filter((record) => labels.has(record.inferenceId));
  return {
    joined: joined.length,
    auc: rocAuc(
      joined.map((record) => Number(record.output)),
      joined.map((record) => Number(labels.get(record.inferenceId))),
    ),
  };
}

beforeAll(async () => {
  aws = await useLocalAws();
  role = `arn:aws:iam::${aws.accountId}:role/sagemaker-execution`;
  workDir = await mkdtemp(join(tmpdir(), 'churn-world-it-'));
  await aws.clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const file of [
    goodBatch(1, { rows: 6000 }),
    goodBatch(2, { rows: 6000, dialect: { gzip: true, lineEnding: '\r\n', byteOrderMark: true } }),
  ]) {
    await aws.clients.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `churn/incoming/${file.name}`, Body: file.bytes }),
    );
  }
  const objectStore = new S3ObjectStore(aws.clients.s3);
  jobs = new LocalTrainingJobs({
    objectStore,
    emit: () => undefined,
    resolveCommand: () => ({ command: pipeline.training.local?.command ?? [], cwd: PROJECT_ROOT }),
    workDir,
    location: { region: aws.region, accountId: aws.accountId },
  });
  endpoints = new LocalEndpoints({
    objectStore,
    emit: () => undefined,
    getEndpointConfig: (name) =>
      orUndefined(() => aws.clients.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name }))),
    getModel: (name) => orUndefined(() => aws.clients.sagemaker.send(new DescribeModelCommand({ ModelName: name }))),
    resolveCommand: () => ({ command: pipeline.deployment.local?.command ?? [], cwd: PROJECT_ROOT }),
    healthCheckTimeoutMs: 30_000,
    captureFlushIntervalMs: 60_000,
    workDir,
    location: { region: aws.region, accountId: aws.accountId },
  });
});

afterAll(async () => {
  await jobs?.close();
  await endpoints?.close();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

describe('the churn world on the local SageMaker', () => {
  let modelDataUrl: string | undefined;

  it("trains on the landed batches with the pipeline's command and clears the quality gate", async () => {
    const job = await train('churn-world-1');

    expect(job.TrainingJobStatus).toBe('Completed');
    const metrics = Object.fromEntries(job.FinalMetricDataList.map((m) => [m.MetricName, m.Value]));
    expect(metrics['validation:auc']).toBeGreaterThan((pipeline.gate.minimum ?? 1) + 0.05);
    expect(metrics['validation:logloss']).toBeLessThan(pipeline.gate.guards[0]?.maximum ?? 0);
    modelDataUrl = job.ModelArtifacts?.S3ModelArtifacts;
    expect(modelDataUrl).toBe(`s3://${BUCKET}/models/churn-world-1/output/model.tar.gz`);
  });

  it('serves the model with data capture; ground truth joined on the inference ids ranks well, until the world changes', async () => {
    expect((await deploy('churn-world', modelDataUrl))?.EndpointStatus).toBe('InService');

    const steady = inferenceRequests(3, 300, { start: '2026-01-16T09:00:00Z' });
    const capturedSteady = await serveAndCapture('churn-world', steady);

    expect(capturedSteady).toHaveLength(300);
    expect(capturedSteady.map((r) => r.input).sort()).toEqual(steady.map((r) => r.body).sort());
    const before = liveAuc(capturedSteady, steady);
    expect(before.joined).toBeGreaterThan(240);
    expect(before.auc).toBeGreaterThan(0.72);

    const shifted = inferenceRequests(4, 500, { start: '2026-02-16T09:00:00Z', concept: COMPETITOR_ENTERS });
    const seen = new Set(capturedSteady.map((r) => r.inferenceId));
    const capturedShifted = (await serveAndCapture('churn-world', shifted)).filter((r) => !seen.has(r.inferenceId));

    const after = liveAuc(capturedShifted, shifted);
    expect(after.joined).toBeGreaterThan(400);
    expect(after.auc).toBeLessThan(0.68);
  });

  it('fails a job on purpose with its reason', async () => {
    const job = await train('churn-world-fail', { fail_with: 'ClientError: forced by the test' });

    expect(job).toMatchObject({ TrainingJobStatus: 'Failed', FailureReason: 'ClientError: forced by the test' });
  });

  it('deploys a nan-weights model that passes the gate, then answers every invocation with a ModelError', async () => {
    const job = await train('churn-world-nan', { corrupt_model: 'nan-weights', num_round: '30' });
    expect(job.FinalMetricDataList.find((m) => m.MetricName === 'validation:auc')?.Value).toBeGreaterThan(0.7);

    expect((await deploy('churn-world-nan', job.ModelArtifacts?.S3ModelArtifacts))?.EndpointStatus).toBe('InService');

    await expect(
      endpoints.invoke('churn-world-nan', { Body: inferenceRequests(5, 1)[0]!.body, ContentType: 'text/csv' }),
    ).rejects.toMatchObject({
      code: 'ModelError',
      details: { OriginalStatusCode: 500 },
      message: expect.stringMatching(
        /Received server error \(500\).*ModelError: the model produced a non-finite score/s,
      ),
    });
  });

  it('never brings a truncated model into service', async () => {
    const job = await train('churn-world-truncated', { corrupt_model: 'truncated', num_round: '30' });

    const endpoint = await deploy('churn-world-truncated', job.ModelArtifacts?.S3ModelArtifacts);

    expect(endpoint?.EndpointStatus).toBe('Failed');
    expect(endpoint?.FailureReason).toMatch(/did not pass the ping health check[\s\S]*cannot load the model/);
  });
});
