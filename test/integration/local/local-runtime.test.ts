import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DescribeTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeEventBusCommand, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parsePipelineConfig } from '../../../functions/config/load-pipelines';
import { parseS3ObjectCreated } from '../../../functions/events/aws-s3';
import { parseEndpointStateChange, parseTrainingJobStateChange } from '../../../functions/events/aws-sagemaker';
import type { Delivery } from '../../../local/lambda/dispatcher';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime';
import { MOTO_ENDPOINT_KEY } from '../setup/provided-context';
import { STACK_NAME, synthesizeRuntimeStack } from './runtime-stack';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';

/** A pipeline whose local commands are the SageMaker fixtures (a trainer that learns the positive rate, a server). */
const pipeline = parsePipelineConfig(
  `
problemType: binary
target: label
data: { landingPrefix: incoming/ }
training:
  image: xgboost
  instanceType: ml.m5.large
  metricDefinitions: [{ name: 'validation:auc', regex: 'validation-auc:([0-9.]+)' }]
  local: { command: ['node', '--import', 'tsx', 'test/fixtures/sagemaker/train.ts'] }
gate: { metric: 'validation:auc', direction: maximize }
deployment:
  instanceType: ml.m5.large
  local: { command: ['node', '--import', 'tsx', 'test/fixtures/sagemaker/serve.ts'] }
`,
  'pipelines/itest/pipeline.yaml',
  'itest',
);

let runtime: LocalRuntime;
let cdkOut: string;
const deliveriesFrom = (rulePrefix: string, since: readonly Delivery[]) =>
  since.filter((d) => d.source.startsWith(rulePrefix));

beforeAll(async () => {
  cdkOut = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-runtime-test-'));
  synthesizeRuntimeStack(cdkOut);
  runtime = await startLocalRuntime({
    projectRoot: ROOT,
    cdkOutDir: cdkOut,
    stackName: STACK_NAME,
    motoEndpoint: inject(MOTO_ENDPOINT_KEY),
    pipelines: [pipeline],
    timeFactor: 0.01,
    retryDelaysMs: [10, 10],
  });
});

afterAll(async () => {
  await runtime?.close();
  fs.rmSync(cdkOut, { recursive: true, force: true });
});

describe('local runtime provisioning', () => {
  it('creates every bucket, table, bus and rule of the template in the emulator', async () => {
    const template: { Resources: Record<string, { Type: string; Properties?: object }> } = JSON.parse(
      fs.readFileSync(path.join(cdkOut, `${STACK_NAME}.template.json`), 'utf8'),
    );
    const resources = Object.entries(template.Resources);
    const ofType = (type: string) => resources.filter(([, r]) => r.Type === type).map(([id]) => id);
    const { s3, dynamodb, eventbridge } = runtime.clients;

    for (const id of ofType('AWS::S3::Bucket'))
      await s3.send(new HeadBucketCommand({ Bucket: runtime.stack.physicalIds[id] }));
    const tables = (await dynamodb.send(new ListTablesCommand({}))).TableNames ?? [];
    for (const id of ofType('AWS::DynamoDB::Table')) expect(tables).toContain(runtime.stack.physicalIds[id]);
    const table = await dynamodb.send(
      new DescribeTableCommand({ TableName: runtime.physicalId('DataPlaneMetadataTable') }),
    );
    expect(table.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['byId']);
    for (const id of ofType('AWS::Events::EventBus')) {
      await eventbridge.send(new DescribeEventBusCommand({ Name: runtime.stack.physicalIds[id] }));
    }
    const rules = (await eventbridge.send(new ListRulesCommand({}))).Rules ?? [];
    const scheduled = resources.filter(
      ([, r]) => r.Type === 'AWS::Events::Rule' && 'ScheduleExpression' in (r.Properties ?? {}),
    );
    expect(rules).toHaveLength(ofType('AWS::Events::Rule').length - scheduled.length);
    for (const rule of rules) {
      const targets = (await eventbridge.send(new ListTargetsByRuleCommand({ Rule: rule.Name }))).Targets ?? [];
      // Lambda targets are re-pointed to the dispatcher's SQS inboxes (moto cannot invoke them).
      expect(targets.map((t) => t.Arn?.split(':')[2])).toEqual(['sqs']);
    }
  });

  it('reports the template resource types it does not provision, with a reason', () => {
    expect(runtime.report).toMatch(/AWS::IAM::Role/);
    for (const entry of runtime.stack.notProvisioned) expect(entry.reason.length).toBeGreaterThan(10);
  });
});

describe('event delivery', () => {
  it("delivers a file put into the landing bucket to the rule's function with the documented S3 event shape", async () => {
    const bucket = runtime.physicalId('DataPlaneLandingBucket');
    const key = 'incoming/a b/ü file+x.csv';
    const put = await runtime.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'id\n1\n' }));

    const deliveries = deliveriesFrom('OnLandingData', await runtime.settle());

    expect(deliveries).toHaveLength(1);
    const outcome = deliveries[0]?.outcome;
    expect(outcome?.kind).toBe('succeeded');
    const received = outcome?.kind === 'succeeded' ? (outcome.value as { received: unknown }).received : undefined;
    const parsed = parseS3ObjectCreated(received);
    expect(parsed.ok && parsed.value).toMatchObject({
      bucket,
      key,
      size: 5,
      versionId: put.VersionId,
      account: runtime.accountId,
    });
  });

  it('delivers nothing for an object outside the configured prefix', async () => {
    const bucket = runtime.physicalId('DataPlaneLandingBucket');
    await runtime.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'elsewhere/data.csv', Body: 'x' }));
    expect(await runtime.settle()).toEqual([]);
  });

  it("retries a handler that throws as configured, then sends the event to the dead-letter queue with Lambda's record", async () => {
    const bucket = runtime.physicalId('DataPlaneLandingBucket');
    await runtime.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'incoming/fail.csv', Body: 'x' }));

    const [delivery] = deliveriesFrom('OnLandingData', await runtime.settle());

    expect(delivery?.outcome).toMatchObject({
      kind: 'failed',
      attempts: 3,
      condition: 'RetriesExhausted',
      deadLettered: true,
    });
    const dlq = runtime.physicalId('RecorderDeadLetterQueue');
    const messages =
      (await runtime.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10 })))
        .Messages ?? [];
    const records = messages.map((m) => JSON.parse(m.Body ?? '{}'));
    expect(records).toContainEqual(
      expect.objectContaining({
        requestContext: expect.objectContaining({ condition: 'RetriesExhausted', approximateInvokeCount: 3 }),
        responsePayload: expect.objectContaining({ errorMessage: 'failing on request' }),
        requestPayload: expect.objectContaining({ 'detail-type': 'Object Created' }),
      }),
    );
  });
});

describe('schedules', () => {
  it('are kept out of the emulator and fired on demand with a Scheduled Event', async () => {
    const [schedule] = runtime.dispatcher.schedules;
    expect(schedule?.scheduleExpression).toBe('rate(1 hour)');

    const outcome = await runtime.dispatcher.fireSchedule(schedule?.name ?? '', new Date('2026-11-22T10:00:00Z'));

    expect(outcome).toMatchObject({
      kind: 'succeeded',
      value: {
        received: {
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          account: runtime.accountId,
          time: '2026-11-22T10:00:00Z',
          resources: [expect.stringMatching(/:rule\//)],
        },
      },
    });
    // A schedule rule in moto would match every event of the default bus (MOTO.md 2): none was created.
    const rules = (await runtime.clients.eventbridge.send(new ListRulesCommand({}))).Rules ?? [];
    expect(rules.some((r) => r.ScheduleExpression)).toBe(false);
  });

  it('names the known schedules when asked for one that does not exist', async () => {
    await expect(runtime.dispatcher.fireSchedule('nope')).rejects.toThrow(/no schedule named "nope" \(schedules: .+\)/);
  });
});

describe('SageMaker on the local runtime', () => {
  it('runs a training job created through the API as a real local process and delivers its state change', async () => {
    const landing = runtime.physicalId('DataPlaneLandingBucket');
    const artifacts = runtime.physicalId('DataPlaneArtifactsBucket');
    const { s3, sagemaker } = runtime.clients;
    await s3.send(new PutObjectCommand({ Bucket: landing, Key: 'training/itest/a.csv', Body: '1,5\n1,4\n1,3\n0,1\n' }));
    await runtime.settle();

    await sagemaker.send(
      new CreateTrainingJobCommand({
        TrainingJobName: 'itest-job-1',
        RoleArn: `arn:aws:iam::${runtime.accountId}:role/sagemaker`,
        AlgorithmSpecification: {
          TrainingImage: IMAGE,
          TrainingInputMode: 'File',
          MetricDefinitions: [{ Name: 'validation:auc', Regex: 'validation-auc:([0-9.]+)' }],
        },
        InputDataConfig: [
          {
            ChannelName: 'train',
            DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${landing}/training/itest/` } },
          },
        ],
        OutputDataConfig: { S3OutputPath: `s3://${artifacts}/models` },
        ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
        StoppingCondition: { MaxRuntimeInSeconds: 600 },
      }),
    );
    await runtime.training.waitFor('itest-job-1');
    const deliveries = deliveriesFrom('OnTrainingJobEnd', await runtime.settle());

    const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'itest-job-1' }));
    expect(job.TrainingJobStatus).toBe('Completed');
    expect(job.FinalMetricDataList?.map((m) => m.MetricName)).toEqual(['validation:auc']);
    const archive = await s3.send(
      new GetObjectCommand({ Bucket: artifacts, Key: 'models/itest-job-1/output/model.tar.gz' }),
    );
    expect(gunzipSync(Buffer.from(await archive.Body!.transformToByteArray())).length).toBeGreaterThan(512);
    expect(deliveries).toHaveLength(1);
    const received =
      deliveries[0]?.outcome.kind === 'succeeded'
        ? (deliveries[0].outcome.value as { received: unknown }).received
        : undefined;
    const event = parseTrainingJobStateChange(received);
    expect(event.ok && event.value).toMatchObject({
      trainingJobName: 'itest-job-1',
      status: 'Completed',
      account: runtime.accountId,
    });
  });

  it('serves an endpoint created through the API: InvokeEndpoint answers and the capture file appears in S3', async () => {
    const artifacts = runtime.physicalId('DataPlaneArtifactsBucket');
    const capture = runtime.physicalId('DataPlaneDataCaptureBucket');
    const { s3, sagemaker, sagemakerRuntime } = runtime.clients;
    await sagemaker.send(
      new CreateModelCommand({
        ModelName: 'itest-model-1',
        ExecutionRoleArn: `arn:aws:iam::${runtime.accountId}:role/sagemaker`,
        PrimaryContainer: { Image: IMAGE, ModelDataUrl: `s3://${artifacts}/models/itest-job-1/output/model.tar.gz` },
      }),
    );
    await sagemaker.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'itest-config-1',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'itest-model-1',
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 1,
          },
        ],
        DataCaptureConfig: {
          EnableCapture: true,
          InitialSamplingPercentage: 100,
          DestinationS3Uri: `s3://${capture}/capture`,
          CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
          CaptureContentTypeHeader: { CsvContentTypes: ['text/csv'] },
        },
      }),
    );
    await sagemaker.send(
      new CreateEndpointCommand({ EndpointName: 'itest-endpoint', EndpointConfigName: 'itest-config-1' }),
    );
    await runtime.endpoints.waitFor('itest-endpoint');

    const response = await sagemakerRuntime.send(
      new InvokeEndpointCommand({
        EndpointName: 'itest-endpoint',
        Body: new TextEncoder().encode('2,1\n'),
        ContentType: 'text/csv',
        InferenceId: 'req-1',
      }),
    );
    await runtime.endpoints.flush();

    expect(new TextDecoder().decode(response.Body)).toBe('0.75');
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: capture, Prefix: 'capture/itest-endpoint/AllTraffic/' }),
    );
    expect(listed.Contents?.[0]?.Key).toMatch(
      /^capture\/itest-endpoint\/AllTraffic\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/.+\.jsonl$/,
    );
    const file = await s3.send(new GetObjectCommand({ Bucket: capture, Key: listed.Contents?.[0]?.Key }));
    const record = JSON.parse((await file.Body!.transformToString()).trim().split('\n')[0] ?? '{}');
    expect(record).toMatchObject({
      captureData: {
        endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: '2,1\n', encoding: 'CSV' },
        endpointOutput: { mode: 'OUTPUT', data: '0.75' },
      },
      eventMetadata: { inferenceId: 'req-1' },
    });
    const changes = deliveriesFrom('OnEndpointChange', await runtime.settle());
    const statuses = changes.map((d) => {
      const received = d.outcome.kind === 'succeeded' ? (d.outcome.value as { received: unknown }).received : undefined;
      const parsed = parseEndpointStateChange(received);
      return parsed.ok ? parsed.value.status : 'unparsed';
    });
    expect(statuses).toContain('InService');
  });
});
