/**
 * Faults moto cannot produce, through the evaluation function's handler: its AWS clients are mocked
 * (aws-sdk-client-mock), S3 and the metadata table answer from memory, and each test makes one call fail.
 */
import { Readable } from 'node:stream';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadPipelines } from '../../../functions/config/load-pipelines';
import { encodeEvaluationSettings } from '../../../functions/evaluate/evaluation-settings';
import { evaluationSettings } from '../../../functions/evaluate/pipeline-evaluation-settings';
import { groundTruthFiles } from '../../../pipelines/churn/world/ground-truth';
import { inferenceRequests } from '../../../pipelines/churn/world/inference-traffic';
import { applyLeaseUpdate, type LeaseUpdateInput } from '../../fixtures/event-send-lease';
import { PROJECT_ROOT } from '../../infra/cdk-context';
import { lambdaContext } from '../../fixtures/lambda-context';

const s3 = mockClient(S3Client);
const events = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
const dynamodb = mockClient(DynamoDBDocumentClient);

const churn = loadPipelines(PROJECT_ROOT).find((p) => p.name === 'churn')!;
const settings = evaluationSettings([churn], (p) => {
  const file = path.join(PROJECT_ROOT, 'pipelines', p.name, p.data.contract);
  return { text: fs.readFileSync(file, 'utf8'), file };
});
const PIPELINE = churn.name;
const ENDPOINT = settings[0]!.endpointName;
vi.stubEnv('METADATA_TABLE', 'metadata');
vi.stubEnv('ARTIFACTS_BUCKET', 'artifacts');
vi.stubEnv('CAPTURE_BUCKET', 'capture');
vi.stubEnv('GROUND_TRUTH_BUCKET', 'ground-truth');
vi.stubEnv('EVENT_BUS_NAME', 'mlops');
vi.stubEnv('PIPELINES', encodeEvaluationSettings(settings));
vi.stubEnv('PARTS_QUEUE_URL', 'https://sqs.us-east-1.amazonaws.com/123456789012/parts');
vi.stubEnv('DEAD_LETTER_QUEUE_URL', 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq');
const { handler } = await import('../../../functions/evaluate/handler');

const context = lambdaContext('evaluator', { memoryMb: 2048, timeoutMs: 900_000 });
/** The schedule's event: the window is [2026-01-14T23:00, 2026-01-15T23:00). */
const schedule = { pipeline: PIPELINE, time: '2026-01-16T00:00:00Z' };

// 300 requests from 09:00, one every 20 s: two hour folders of capture, labels up to an hour late.
const requests = inferenceRequests(3, 300, { meanIntervalMs: 20_000 });
const captureKey = (hour: string) => `${PIPELINE}/${ENDPOINT}/AllTraffic/2026/01/15/${hour}/00-00-000-a.jsonl`;
const captures = new Map<string, string[]>();
for (const r of requests) {
  const key = captureKey(r.inferenceTime.slice(11, 13));
  const line = JSON.stringify({
    captureData: {
      endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: r.body, encoding: 'CSV' },
      endpointOutput: {
        observedContentType: 'text/csv',
        mode: 'OUTPUT',
        data: r.probability.toFixed(4),
        encoding: 'CSV',
      },
    },
    eventMetadata: { eventId: `e-${r.inferenceId}`, inferenceId: r.inferenceId, inferenceTime: r.inferenceTime },
    eventVersion: '0',
  });
  captures.set(key, [...(captures.get(key) ?? []), line]);
}
const [firstHour, secondHour] = [...captures.keys()].sort() as [string, string];

/** S3 and the metadata table, in memory, behind the mocked clients. */
let objects: Map<string, string>;
let items: Map<string, Record<string, unknown>>;

function body(text: string) {
  return Object.assign(Readable.from([Buffer.from(text)]), { transformToString: () => Promise.resolve(text) });
}

function getObject(input: { Bucket: string; Key: string }) {
  const text = objects.get(`${input.Bucket}/${input.Key}`);
  if (text === undefined) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
  return { Body: body(text) };
}

const SENT = { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] };

/** The EMF documents the function wrote to stdout (where CloudWatch would extract them). */
const metricDocuments: string[] = [];
const write = process.stdout.write.bind(process.stdout);
vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
  if (typeof chunk === 'string' && chunk.startsWith('{"_aws"')) return metricDocuments.push(chunk) > 0;
  return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
});

const s3Fault = (name: string, status: number) =>
  new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} happened`,
  });

beforeEach(() => {
  s3.reset();
  events.reset();
  sqs.reset();
  dynamodb.reset();
  objects = new Map();
  for (const [key, lines] of captures) objects.set(`capture/${key}`, `${lines.join('\n')}\n`);
  for (const file of groundTruthFiles(requests, { prefix: PIPELINE, seed: 1, missingShare: 0.1 })) {
    objects.set(`ground-truth/${file.key}`, file.body);
  }
  s3.on(ListObjectsV2Command).callsFake((input: { Bucket: string; Prefix: string; Delimiter?: string }) => {
    const keys = [...objects.keys()]
      .filter((k) => k.startsWith(`${input.Bucket}/${input.Prefix}`))
      .map((k) => k.slice(input.Bucket.length + 1));
    if (input.Delimiter === undefined) {
      return { Contents: keys.map((Key) => ({ Key, Size: objects.get(`${input.Bucket}/${Key}`)!.length })) };
    }
    const folders = new Set(keys.map((k) => k.slice(0, k.indexOf('/', input.Prefix.length) + 1)));
    return { CommonPrefixes: [...folders].map((Prefix) => ({ Prefix })) };
  });
  s3.on(GetObjectCommand).callsFake(getObject);
  s3.on(PutObjectCommand).callsFake((input: { Bucket: string; Key: string; Body: string }) => {
    objects.set(`${input.Bucket}/${input.Key}`, input.Body);
    return {};
  });

  items = new Map([
    [
      `PIPELINE#${PIPELINE}|STATE`,
      {
        pk: `PIPELINE#${PIPELINE}`,
        sk: 'STATE',
        championModelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/2',
        championVersion: 2,
        championEndpointConfigName: 'churn-v2',
      },
    ],
  ]);
  const keyOf = (key: Record<string, unknown>) => `${String(key.pk)}|${String(key.sk)}`;
  dynamodb
    .on(GetCommand)
    .callsFake((input: { Key: Record<string, unknown> }) => ({ Item: items.get(keyOf(input.Key)) }));
  dynamodb.on(PutCommand).callsFake((input: { Item: Record<string, unknown>; ConditionExpression?: string }) => {
    if (input.ConditionExpression?.startsWith('attribute_not_exists') === true && items.has(keyOf(input.Item))) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    items.set(keyOf(input.Item), structuredClone(input.Item));
    return {};
  });
  // The event-send lease (functions/metadata/event-send-lease.ts): claim, then settle.
  dynamodb.on(UpdateCommand).callsFake((input: LeaseUpdateInput) => {
    applyLeaseUpdate(items.get(keyOf(input.Key)), input);
    return {};
  });
  dynamodb
    .on(QueryCommand)
    .callsFake(
      (input: { ExpressionAttributeValues: Record<string, string>; ScanIndexForward?: boolean; Limit?: number }) => {
        const { ':pk': pk, ':prefix': prefix = '' } = input.ExpressionAttributeValues;
        const found = [...items.values()]
          .filter((i) => i.pk === pk && String(i.sk).startsWith(prefix))
          .sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1));
        if (input.ScanIndexForward === false) found.reverse();
        return { Items: found.slice(0, input.Limit ?? found.length) };
      },
    );
  events.on(PutEventsCommand).resolves(SENT);
  metricDocuments.length = 0;
});

const evaluationItems = () => [...items.values()].filter((i) => String(i.sk).startsWith('EVALUATION#'));
const sentEvents = () =>
  events.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.[0]?.DetailType);
const recordWrites = () =>
  dynamodb.commandCalls(PutCommand).filter((call) => String(call.args[0].input.Item?.sk).startsWith('EVALUATION#'));

describe('the evaluation function on faults', () => {
  it('records and publishes a window when nothing fails', async () => {
    const outcome = await handler(schedule, context);

    expect(outcome).toMatchObject({ kind: 'evaluated', duplicate: false, samples: requests.length });
    expect(sentEvents()).toEqual(['Evaluation Completed']);
    expect(evaluationItems()).toEqual([expect.objectContaining({ eventsSent: true, parts: 1, modelVersion: 2 })]);
    expect(metricDocuments).toHaveLength(2);
  });

  it.each([
    [
      'PutEvents throws (throttled)',
      () => events.on(PutEventsCommand).rejectsOnce(new Error('ThrottlingException')).resolves(SENT),
    ],
    [
      'PutEvents refuses the entry (FailedEntryCount 1)',
      () =>
        events
          .on(PutEventsCommand)
          .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'retry' }] })
          .resolves(SENT),
    ],
  ])(
    '%s: the invocation fails, the record keeps eventsSent false, the retry sends the events once',
    async (_, fail) => {
      fail();

      await expect(handler(schedule, context)).rejects.toThrow(
        /ThrottlingException|PutEvents refused Evaluation Completed/,
      );
      expect(evaluationItems()).toEqual([expect.objectContaining({ eventsSent: false })]);

      const retry = await handler(schedule, context);
      expect(retry).toMatchObject({ kind: 'evaluated', duplicate: true, samples: requests.length });
      expect(sentEvents()).toEqual(['Evaluation Completed', 'Evaluation Completed']);
      const [failed, resent] = events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.[0]?.Detail);
      expect(resent).toBe(failed);
      expect(recordWrites()).toHaveLength(1);
      expect(evaluationItems()).toEqual([expect.objectContaining({ eventsSent: true })]);

      // A third delivery has nothing left to send.
      await handler(schedule, context);
      expect(sentEvents()).toHaveLength(2);
    },
  );

  it.each([
    ['SlowDown', 503],
    ['InternalError', 500],
  ])('rethrows %s (%d) on reading a capture object, so Lambda retries; nothing is recorded', async (name, status) => {
    s3.on(GetObjectCommand, { Bucket: 'capture', Key: secondHour })
      .rejectsOnce(s3Fault(name, status))
      .callsFake(getObject);

    await expect(handler(schedule, context)).rejects.toThrow(`${name} happened`);
    expect(recordWrites()).toHaveLength(0);
    expect(sentEvents()).toEqual([]);
    expect([...objects.keys()].filter((k) => k.startsWith('artifacts/evaluations/'))).toEqual([]);
    expect(metricDocuments).toEqual([]);

    // Lambda's retry reads it.
    expect(await handler(schedule, context)).toMatchObject({
      kind: 'evaluated',
      duplicate: false,
      samples: requests.length,
    });
    expect(sentEvents()).toEqual(['Evaluation Completed']);
  });

  it('skips a capture object deleted between the listing and the read, and records the rest', async () => {
    s3.on(ListObjectsV2Command, { Bucket: 'capture' }).callsFake((input: { Prefix: string; Delimiter?: string }) => {
      const listed = [...captures.keys()].filter((k) => k.startsWith(input.Prefix));
      // The listing still has the first hour's object; a lifecycle rule deletes it before it is read.
      objects.delete(`capture/${firstHour}`);
      return input.Delimiter === undefined
        ? { Contents: listed.map((Key) => ({ Key, Size: 1000 })) }
        : { CommonPrefixes: [{ Prefix: `${PIPELINE}/${ENDPOINT}/AllTraffic/` }] };
    });

    const outcome = await handler(schedule, context);

    expect(outcome).toMatchObject({ kind: 'evaluated', duplicate: false, samples: captures.get(secondHour)!.length });
    expect(s3.commandCalls(GetObjectCommand, { Bucket: 'capture', Key: firstHour })).toHaveLength(1);
    expect(evaluationItems()).toEqual([
      expect.objectContaining({ samples: captures.get(secondHour)!.length, eventsSent: true }),
    ]);
    expect(sentEvents()).toEqual(['Evaluation Completed']);
  });
});
