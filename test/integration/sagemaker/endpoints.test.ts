import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  type CreateEndpointConfigInput,
  type UpdateEndpointInput,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LocalEndpoints, type AlarmState } from '../../../local/sagemaker/endpoint-executor';
import type { PutEventsEntry } from '../../../local/sagemaker/event-sink';
import { packFolder } from '../../../local/sagemaker/model-archive';
import { S3ObjectStore } from '../../../local/sagemaker/object-store';
import { REPO_ROOT, startMoto, type MotoServer } from './moto-server';

const BUCKET = 'ml-models';
const SERVE_IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-execution';
const CAPTURE_KMS_KEY = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';

let moto: MotoServer;
let endpoints: LocalEndpoints;
let workDir: string;
const events: PutEventsEntry[] = [];
const alarms = new Map<string, AlarmState>();

async function uploadModel(key: string, positiveRate: number): Promise<string> {
  const folder = join(workDir, `model-${positiveRate}`);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'model.json'), JSON.stringify({ positiveRate }));
  const archive = join(workDir, `model-${positiveRate}.tar.gz`);
  await packFolder(folder, archive);
  await moto.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: await readFile(archive) }));
  return `s3://${BUCKET}/${key}`;
}

async function createModel(name: string, modelDataUrl: string, environment: Record<string, string> = {}) {
  await moto.sagemaker.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { Image: SERVE_IMAGE, ModelDataUrl: modelDataUrl, Environment: environment },
    }),
  );
}

async function createConfig(name: string, modelName: string) {
  const input: CreateEndpointConfigInput = {
    EndpointConfigName: name,
    ProductionVariants: [
      {
        VariantName: 'AllTraffic',
        ModelName: modelName,
        InstanceType: 'ml.m5.large',
        InitialInstanceCount: 2,
        InitialVariantWeight: 1,
      },
    ],
    DataCaptureConfig: {
      EnableCapture: true,
      InitialSamplingPercentage: 100,
      DestinationS3Uri: `s3://${BUCKET}/data-capture`,
      KmsKeyId: CAPTURE_KMS_KEY,
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'], JsonContentTypes: ['application/json'] },
    },
  };
  await moto.sagemaker.send(new CreateEndpointConfigCommand(input));
}

/** A lookup the way the gateway will do it: ask moto, treat its "not found" as absent. */
async function orUndefined<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Error && error.name === 'ValidationException') return undefined;
    throw error;
  }
}

function eventDetails(detailType: string, endpointName: string): Record<string, unknown>[] {
  return events
    .filter((e) => e.DetailType === detailType)
    .map((e): unknown => JSON.parse(e.Detail))
    .filter(
      (d): d is Record<string, unknown> =>
        typeof d === 'object' && d !== null && 'EndpointName' in d && d.EndpointName === endpointName,
    );
}

function variantStatuses(endpointName: string): string[] {
  return eventDetails('SageMaker Endpoint Deployment State Change', endpointName).map((detail) => {
    const text = JSON.stringify(detail.PendingDeploymentSummary ?? {});
    return /"Status":"(\w+)"/.exec(text)?.[1] ?? '';
  });
}

async function predict(endpointName: string, rows = '3,1\n'): Promise<string> {
  const output = await endpoints.invoke(endpointName, { Body: rows, ContentType: 'text/csv', Accept: 'text/csv' });
  return new TextDecoder().decode(output.Body).split('\n')[0] ?? '';
}

async function waitUntil(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function canary(waitSeconds: number, alarmNames: string[] = []): UpdateEndpointInput['DeploymentConfig'] {
  return {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: {
        Type: 'CANARY',
        CanarySize: { Type: 'CAPACITY_PERCENT', Value: 50 },
        WaitIntervalInSeconds: waitSeconds,
      },
      TerminationWaitInSeconds: 300,
      MaximumExecutionTimeoutInSeconds: 7200,
    },
    ...(alarmNames.length === 0
      ? {}
      : { AutoRollbackConfiguration: { Alarms: alarmNames.map((AlarmName) => ({ AlarmName })) } }),
  };
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'sm-endpoint-it-'));
  moto = await startMoto();
  await moto.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const v1 = await uploadModel('churn/v1/output/model.tar.gz', 0.25);
  const v2 = await uploadModel('churn/v2/output/model.tar.gz', 0.75);
  await createModel('churn-v1', v1);
  await createModel('churn-v2', v2);
  await createModel('churn-no-ping', v2, { FIXTURE_PING_STATUS: '500' });
  await createModel('churn-errors', v2, { FIXTURE_INVOCATION_STATUS: '500' });
  await moto.sagemaker.send(
    new CreateModelCommand({
      ModelName: 'churn-unknown-image',
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { Image: 'example.com/unknown:1', ModelDataUrl: v1 },
    }),
  );
  for (const name of ['churn-v1', 'churn-v2', 'churn-no-ping', 'churn-errors', 'churn-unknown-image']) {
    await createConfig(`${name}-config`, name);
  }
  endpoints = new LocalEndpoints({
    objectStore: new S3ObjectStore(moto.s3),
    getEndpointConfig: (name) =>
      orUndefined(() => moto.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name }))),
    getModel: (name) => orUndefined(() => moto.sagemaker.send(new DescribeModelCommand({ ModelName: name }))),
    resolveCommand: (container) =>
      container.image === SERVE_IMAGE
        ? { command: [process.execPath, '--import', 'tsx', 'test/fixtures/sagemaker/serve.ts'], cwd: REPO_ROOT }
        : undefined,
    emit: (entry) => {
      events.push(entry);
    },
    alarmState: (name) => Promise.resolve(alarms.get(name) ?? 'OK'),
    timeFactor: 0.001,
    alarmPollSeconds: 5,
    healthCheckTimeoutMs: 3000,
    captureFlushIntervalMs: 60_000,
    workDir,
  });
});

afterAll(async () => {
  await endpoints?.close();
  await moto?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('LocalEndpoints against moto', () => {
  it('creates an endpoint whose serving process answers with the model prediction', async () => {
    const { EndpointArn } = await endpoints.createEndpoint({
      EndpointName: 'churn',
      EndpointConfigName: 'churn-v1-config',
      Tags: [{ Key: 'pipeline', Value: 'churn' }],
    });
    expect(EndpointArn).toBe('arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn');
    expect(endpoints.describeEndpoint('churn').EndpointStatus).toBe('Creating');

    const described = await endpoints.waitFor('churn');

    expect(described).toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: 'churn-v1-config',
      ProductionVariants: [{ VariantName: 'AllTraffic', CurrentWeight: 1, DesiredWeight: 1, CurrentInstanceCount: 2 }],
      DataCaptureConfig: { EnableCapture: true, CaptureStatus: 'Started', CurrentSamplingPercentage: 100 },
    });
    const output = await endpoints.invoke('churn', {
      Body: '3,1\n5,0\n',
      ContentType: 'text/csv',
      InferenceId: 'req-000123',
    });
    expect(new TextDecoder().decode(output.Body)).toBe('0.25\n0.25');
    expect(output).toMatchObject({ ContentType: 'text/csv', InvokedProductionVariant: 'AllTraffic' });
    expect(eventDetails('SageMaker Endpoint State Change', 'churn').map((d) => d.EndpointStatus)).toEqual([
      'CREATING',
      'IN_SERVICE',
    ]);
    expect(eventDetails('SageMaker Endpoint State Change', 'churn').at(-1)).toMatchObject({
      EndpointArn,
      EndpointConfigName: 'churn-v1-config',
      Tags: { pipeline: 'churn' },
    });
  });

  it('writes captured requests and responses to S3 in the SageMaker capture format', async () => {
    await endpoints.invoke('churn', {
      Body: JSON.stringify({ instances: [[3, 1]] }),
      ContentType: 'application/json',
    });
    await endpoints.invoke('churn', { Body: new Uint8Array([1, 2, 3]), ContentType: 'application/x-npy' }).catch(
      () => undefined, // the fixture rejects the type with 415 (a ModelError), which is not captured
    );
    await endpoints.flush();

    const listed = await moto.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'data-capture/' }));
    const keys = (listed.Contents ?? []).map((object) => object.Key ?? '');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(
      /^data-capture\/churn\/AllTraffic\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/\d{2}-\d{2}-\d{3}-[0-9a-f-]{36}\.jsonl$/,
    );
    const head = await moto.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: keys[0] }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toBe(CAPTURE_KMS_KEY);

    const object = await moto.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: keys[0] }));
    const text = (await object.Body?.transformToString()) ?? '';
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const [csv, json] = lines.map((line): unknown => JSON.parse(line));
    // The same member order and field layout as the real capture sample (captured-data.jsonl).
    expect(Object.keys(csv ?? {})).toEqual(['captureData', 'eventMetadata', 'eventVersion']);
    expect(csv).toEqual({
      captureData: {
        endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: '3,1\n5,0\n', encoding: 'CSV' },
        endpointOutput: { observedContentType: 'text/csv', mode: 'OUTPUT', data: '0.25\n0.25', encoding: 'CSV' },
      },
      eventMetadata: {
        eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        inferenceId: 'req-000123',
        inferenceTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      },
      eventVersion: '0',
    });
    expect(json).toMatchObject({
      captureData: {
        endpointInput: { observedContentType: 'application/json', data: '{"instances":[[3,1]]}', encoding: 'JSON' },
        endpointOutput: { observedContentType: 'application/json', data: '{"predictions":[0.25]}', encoding: 'JSON' },
      },
    });
  });

  it('shifts traffic with a CANARY update, routing by weight during the bake, then completes', async () => {
    const deploymentConfig = canary(1500);
    await endpoints.updateEndpoint({
      EndpointName: 'churn',
      EndpointConfigName: 'churn-v2-config',
      DeploymentConfig: deploymentConfig,
    });
    expect(endpoints.describeEndpoint('churn')).toMatchObject({
      EndpointStatus: 'Updating',
      EndpointConfigName: 'churn-v1-config',
      PendingDeploymentSummary: { EndpointConfigName: 'churn-v2-config' },
    });

    await waitUntil(
      () =>
        endpoints.describeEndpoint('churn').PendingDeploymentSummary?.ProductionVariants[0]?.VariantStatus?.[0]
          ?.Status === 'Baking',
    );
    const answers = new Set<string>();
    for (let i = 0; i < 40; i++) answers.add(await predict('churn'));
    expect([...answers].sort()).toEqual(['0.25', '0.75']); // blue and green both served during the canary bake

    const done = await endpoints.waitFor('churn');
    expect(done).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'churn-v2-config' });
    expect(done?.PendingDeploymentSummary).toBeUndefined();
    expect(done?.FailureReason).toBeUndefined();
    expect(done?.LastDeploymentConfig).toEqual(deploymentConfig);
    for (let i = 0; i < 10; i++) expect(await predict('churn')).toBe('0.75');

    expect(variantStatuses('churn')).toEqual([
      'Creating',
      'ActivatingTraffic',
      'Baking', // canary: 50% of traffic
      'ActivatingTraffic',
      'Baking', // all traffic
      'Baking', // TerminationWaitInSeconds
    ]);
    expect(eventDetails('SageMaker Endpoint State Change', 'churn').map((d) => d.EndpointStatus)).toEqual([
      'CREATING',
      'IN_SERVICE',
      'UPDATING',
      'IN_SERVICE',
    ]);
  });

  it('rolls back when an alarm goes to ALARM during baking, keeping the old config serving', async () => {
    await endpoints.updateEndpoint({
      EndpointName: 'churn',
      EndpointConfigName: 'churn-v1-config',
      DeploymentConfig: canary(1500, ['churn-latency-p99', 'churn-5xx']),
    });
    await waitUntil(
      () =>
        endpoints.describeEndpoint('churn').PendingDeploymentSummary?.ProductionVariants[0]?.VariantStatus?.[0]
          ?.Status === 'Baking',
    );
    alarms.set('churn-5xx', 'ALARM');

    const done = await endpoints.waitFor('churn');
    alarms.clear();

    expect(done).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'churn-v2-config' });
    expect(done?.FailureReason).toMatch(/churn-5xx was in ALARM state/);
    for (let i = 0; i < 10; i++) expect(await predict('churn')).toBe('0.75');
    const statuses = eventDetails('SageMaker Endpoint State Change', 'churn').map((d) => d.EndpointStatus);
    expect(statuses.slice(-3)).toEqual(['UPDATING', 'ROLLING_BACK', 'IN_SERVICE']);
    expect(eventDetails('SageMaker Endpoint State Change', 'churn').at(-1)).toMatchObject({
      EndpointConfigName: 'churn-v2-config',
      FailureReason: expect.stringMatching(/churn-5xx/),
    });
  });

  it('rolls back when the green fleet never passes its ping health check', async () => {
    await endpoints.updateEndpoint({
      EndpointName: 'churn',
      EndpointConfigName: 'churn-no-ping-config',
      DeploymentConfig: canary(600),
    });
    const done = await endpoints.waitFor('churn');
    expect(done).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'churn-v2-config' });
    expect(done?.FailureReason).toMatch(/did not pass the ping health check/);
    expect(await predict('churn')).toBe('0.75');
  });

  it('rejects updates of unknown endpoints and creates of existing ones', async () => {
    await expect(
      endpoints.updateEndpoint({ EndpointName: 'nope', EndpointConfigName: 'churn-v1-config' }),
    ).rejects.toMatchObject({ code: 'ValidationException', message: expect.stringMatching(/Could not find endpoint/) });
    await expect(
      endpoints.createEndpoint({ EndpointName: 'churn', EndpointConfigName: 'churn-v1-config' }),
    ).rejects.toMatchObject({ code: 'ValidationException', message: expect.stringMatching(/already existing/) });
    await expect(
      endpoints.createEndpoint({ EndpointName: 'other', EndpointConfigName: 'no-such-config' }),
    ).rejects.toMatchObject({ code: 'ValidationException' });
    await expect(
      endpoints.createEndpoint({ EndpointName: 'bad_name', EndpointConfigName: 'churn-v1-config' }),
    ).rejects.toMatchObject({ code: 'ValidationException' });
  });

  it('fails an endpoint whose image has no local command', async () => {
    await endpoints.createEndpoint({ EndpointName: 'churn-unknown', EndpointConfigName: 'churn-unknown-image-config' });
    const done = await endpoints.waitFor('churn-unknown');
    expect(done?.EndpointStatus).toBe('Failed');
    expect(done?.FailureReason).toMatch(/No local serving command is configured for image 'example\.com\/unknown:1'/);
    await expect(endpoints.invoke('churn-unknown', { Body: '1,2' })).rejects.toMatchObject({ code: 'ValidationError' });
    expect(eventDetails('SageMaker Endpoint State Change', 'churn-unknown').map((d) => d.EndpointStatus)).toEqual([
      'CREATING',
      'FAILED',
    ]);
  });

  it('turns a container error into a ModelError', async () => {
    await endpoints.createEndpoint({ EndpointName: 'churn-errors', EndpointConfigName: 'churn-errors-config' });
    await endpoints.waitFor('churn-errors');
    await expect(endpoints.invoke('churn-errors', { Body: '1,2', ContentType: 'text/csv' })).rejects.toMatchObject({
      code: 'ModelError',
      statusCode: 424,
      details: { OriginalStatusCode: 500 },
    });
  });

  it('deletes an endpoint: DELETING, processes stopped, then gone', async () => {
    await endpoints.deleteEndpoint('churn-errors');
    expect(endpoints.describeEndpoint('churn-errors').EndpointStatus).toBe('Deleting');
    expect(await endpoints.waitFor('churn-errors')).toBeUndefined();
    expect(() => endpoints.describeEndpoint('churn-errors')).toThrow(
      expect.objectContaining({ code: 'ValidationException' }),
    );
    await expect(endpoints.invoke('churn-errors', { Body: '1,2' })).rejects.toMatchObject({ code: 'ValidationError' });
    expect(eventDetails('SageMaker Endpoint State Change', 'churn-errors').map((d) => d.EndpointStatus)).toEqual([
      'CREATING',
      'IN_SERVICE',
      'DELETING',
    ]);
  });
});
