import { createHash } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { startGateway } from '../../../local/emulator/gateway';
import { randomAccountId, useLocalAws } from '../setup/local-env';

const aws = await useLocalAws();
const { s3, sqs, eventbridge } = aws.clients;

/** REFERENCE.md 1.1 and 1.2: the event AWS sends, not moto's variant (MOTO.md 1). */
const ObjectCreatedEvent = z.strictObject({
  version: z.literal('0'),
  id: z.uuid(),
  'detail-type': z.literal('Object Created'),
  source: z.literal('aws.s3'),
  account: z.string().regex(/^\d{12}$/),
  time: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.strictObject({
    version: z.literal('0'),
    bucket: z.strictObject({ name: z.string() }),
    object: z.strictObject({
      key: z.string(),
      size: z.number().int(),
      etag: z.string().regex(/^[0-9a-f]{32}(-\d+)?$/),
      'version-id': z.string().optional(),
      sequencer: z.string().regex(/^[0-9A-F]+$/),
    }),
    'request-id': z.string().min(1),
    requester: z.string(),
    'source-ip-address': z.literal('127.0.0.1'),
    reason: z.enum(['PutObject', 'POST Object', 'CopyObject', 'CompleteMultipartUpload']),
  }),
});

const ObjectDeletedEvent = z.looseObject({
  'detail-type': z.literal('Object Deleted'),
  account: z.string(),
  detail: z.looseObject({
    object: z.strictObject({ key: z.string(), 'version-id': z.string().optional(), sequencer: z.string() }),
    reason: z.literal('DeleteObject'),
    'deletion-type': z.enum(['Permanently Deleted', 'Delete Marker Created']),
  }),
});

const bucket = `landing-${aws.accountId}`;
const versionedBucket = `versioned-${aws.accountId}`;
let landingQueueUrl = '';
let allQueueUrl = '';

async function queueWithRule(name: string, pattern: Record<string, unknown>): Promise<string> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl ?? '';
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  await eventbridge.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern) }));
  await eventbridge.send(
    new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'queue', Arn: attributes.Attributes?.['QueueArn'] ?? '' }] }),
  );
  return url;
}

/** Everything in the queue now (S3 events are delivered before the S3 call returns). */
async function drain(queueUrl: string, client: SQSClient = sqs): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return bodies;
    for (const message of Messages) bodies.push(JSON.parse(message.Body ?? 'null'));
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle ?? '' })),
      }),
    );
  }
}

beforeAll(async () => {
  for (const name of [bucket, versionedBucket]) {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: name,
        NotificationConfiguration: { EventBridgeConfiguration: {} },
      }),
    );
  }
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: versionedBucket, VersioningConfiguration: { Status: 'Enabled' } }),
  );
  landingQueueUrl = await queueWithRule('landing-created', {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: { bucket: { name: [bucket] }, object: { key: [{ prefix: 'landing/' }] } },
  });
  allQueueUrl = await queueWithRule('all-s3', { source: ['aws.s3'] });
});

beforeEach(async () => {
  await drain(landingQueueUrl);
  await drain(allQueueUrl);
});

describe('S3 -> EventBridge', () => {
  it('delivers exactly one Object Created event with AWS shape for a PutObject', async () => {
    const started = Math.floor(Date.now() / 1000) * 1000;
    const body = 'a,b\n1,2\n';
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'landing/2025-01-15.csv', Body: body }));

    const events = await drain(landingQueueUrl);

    expect(events).toHaveLength(1);
    const event = ObjectCreatedEvent.parse(events[0]);
    expect(event.account).toBe(aws.accountId);
    expect(event.region).toBe('us-east-1');
    expect(event.resources).toEqual([`arn:aws:s3:::${bucket}`]);
    expect(Date.parse(event.time)).toBeGreaterThanOrEqual(started);
    expect(event.detail).toMatchObject({
      bucket: { name: bucket },
      object: { key: 'landing/2025-01-15.csv', size: 8, etag: createHash('md5').update(body).digest('hex') },
      requester: aws.accountId,
      reason: 'PutObject',
    });
    expect(event.detail.object).not.toHaveProperty('version-id');
    expect(Object.keys(event)).toEqual([
      'version',
      'id',
      'detail-type',
      'source',
      'account',
      'time',
      'region',
      'resources',
      'detail',
    ]);
  });

  it('sends nothing for a key outside the rule prefix', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'elsewhere/file.csv', Body: 'x' }));

    expect(await drain(landingQueueUrl)).toEqual([]);
    expect(await drain(allQueueUrl)).toHaveLength(1);
  });

  it('passes keys with spaces, unicode and + raw, not URL-encoded', async () => {
    const key = 'landing/a b/ü file+x%20.csv';
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'hello' }));

    const [event] = (await drain(landingQueueUrl)).map((body) => ObjectCreatedEvent.parse(body));

    expect(event?.detail.object.key).toBe(key);
    expect(event?.detail.object.etag).toBe('5d41402abc4b2a76b9719d911017c592');
  });

  it('gives each event a fresh id and growing sequencers for one key', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'landing/same.csv', Body: 'one' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'landing/same.csv', Body: 'two' }));

    const [first, second] = (await drain(landingQueueUrl)).map((body) => ObjectCreatedEvent.parse(body));

    expect(first?.id).not.toBe(second?.id);
    expect(BigInt(`0x${second?.detail.object.sequencer ?? '0'}`)).toBeGreaterThan(
      BigInt(`0x${first?.detail.object.sequencer ?? '0'}`),
    );
  });

  it('reports the version id on a versioned bucket', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: versionedBucket, Key: 'model.json', Body: '{}' }));

    const [event] = (await drain(allQueueUrl)).map((body) => ObjectCreatedEvent.parse(body));

    expect(put.VersionId).toBeDefined();
    expect(event?.detail.object['version-id']).toBe(put.VersionId);
  });

  it('emits one event per CopyObject and CompleteMultipartUpload with AWS reasons, and none for tagging', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'source.csv', Body: 'data' }));
    await drain(allQueueUrl);

    await s3.send(
      new CopyObjectCommand({ Bucket: bucket, Key: 'landing/copy.csv', CopySource: `${bucket}/source.csv` }),
    );
    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'landing/multi.csv' }));
    const part = await s3.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: 'landing/multi.csv',
        UploadId: upload.UploadId,
        PartNumber: 1,
        Body: 'part-one',
      }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'landing/multi.csv',
        UploadId: upload.UploadId,
        MultipartUpload: { Parts: [{ ETag: part.ETag, PartNumber: 1 }] },
      }),
    );
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: 'landing/copy.csv',
        Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] },
      }),
    );

    const events = (await drain(allQueueUrl)).map((body) => ObjectCreatedEvent.parse(body));

    expect(events.map((event) => [event.detail.object.key, event.detail.reason])).toEqual([
      ['landing/copy.csv', 'CopyObject'],
      ['landing/multi.csv', 'CompleteMultipartUpload'],
    ]);
    expect(events[1]?.detail.object.etag).toMatch(/-1$/);
    expect(events[1]?.detail.object.size).toBe(8);
  });

  it('emits Object Deleted with the deletion type', async () => {
    await s3.send(new PutObjectCommand({ Bucket: versionedBucket, Key: 'gone.csv', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'gone.csv', Body: 'x' }));
    await drain(allQueueUrl);

    await s3.send(new DeleteObjectCommand({ Bucket: versionedBucket, Key: 'gone.csv' }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'gone.csv' }));

    const events = (await drain(allQueueUrl)).map((body) => ObjectDeletedEvent.parse(body));
    expect(events.map((event) => event.detail['deletion-type'])).toEqual([
      'Delete Marker Created',
      'Permanently Deleted',
    ]);
    expect(events[0]?.detail.object['version-id']).toBeDefined();
    expect(events[1]?.detail.object).not.toHaveProperty('version-id');
  });

  it('emits one Object Deleted per key of a DeleteObjects', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'batch/one.csv', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'batch/two & more.csv', Body: 'x' }));
    await drain(allQueueUrl);

    await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: 'batch/one.csv' }, { Key: 'batch/two & more.csv' }] },
      }),
    );

    const events = (await drain(allQueueUrl)).map((body) => ObjectDeletedEvent.parse(body));
    expect(events.map((event) => [event.detail.object.key, event.detail['deletion-type']])).toEqual([
      ['batch/one.csv', 'Permanently Deleted'],
      ['batch/two & more.csv', 'Permanently Deleted'],
    ]);
  });

  it('reports the EventBridge configuration back and stops events when it is removed', async () => {
    const other = `quiet-${aws.accountId}`;
    await s3.send(new CreateBucketCommand({ Bucket: other }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: other,
        NotificationConfiguration: { EventBridgeConfiguration: {} },
      }),
    );
    const on = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: other }));

    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: other, NotificationConfiguration: {} }));
    const off = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: other }));
    await s3.send(new PutObjectCommand({ Bucket: other, Key: 'landing/x.csv', Body: 'x' }));

    expect(on.EventBridgeConfiguration).toEqual({});
    expect(off.EventBridgeConfiguration).toBeUndefined();
    expect(await drain(allQueueUrl)).toEqual([]);
  });

  it('adds the account to events that PutEvents delivers to SQS', async () => {
    const url = await queueWithRule('custom-events', { source: ['mlops.test'] });

    await eventbridge.send(
      new PutEventsCommand({ Entries: [{ Source: 'mlops.test', DetailType: 'Dataset Accepted', Detail: '{"n":1}' }] }),
    );
    const [event] = await drain(url);

    expect(event).toMatchObject({ account: aws.accountId, source: 'mlops.test', detail: { n: 1 } });
  });

  it('keeps accounts apart: rules of another account get nothing', async () => {
    const other = await startGateway({ motoEndpoint: aws.motoEndpoint, accountId: randomAccountId() });
    const config = {
      endpoint: other.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const otherSqs = new SQSClient(config);
    const otherEvents = new EventBridgeClient(config);
    try {
      const url = (await otherSqs.send(new CreateQueueCommand({ QueueName: 'theirs' }))).QueueUrl ?? '';
      await otherEvents.send(
        new PutRuleCommand({ Name: 'theirs', EventPattern: JSON.stringify({ source: ['aws.s3'] }) }),
      );
      await otherEvents.send(
        new PutTargetsCommand({
          Rule: 'theirs',
          Targets: [{ Id: 'q', Arn: `arn:aws:sqs:us-east-1:${other.accountId}:theirs` }],
        }),
      );

      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'landing/mine.csv', Body: 'x' }));

      expect(await drain(url, otherSqs)).toEqual([]);
      expect(await drain(landingQueueUrl)).toHaveLength(1);
    } finally {
      otherSqs.destroy();
      otherEvents.destroy();
      await other.stop();
    }
  });
});

describe('S3 POST Object (browser upload)', () => {
  it('emits Object Created with reason "POST Object" and the form key, ${filename} replaced', async () => {
    const form = new FormData();
    form.append('key', 'landing/uploads/${filename}');
    form.append('file', new Blob(['col\n1\n']), 'from browser.csv');

    const response = await fetch(`${aws.endpoint}/${bucket}`, { method: 'POST', body: form });
    await response.arrayBuffer();
    const [event] = (await drain(landingQueueUrl)).map((body) => ObjectCreatedEvent.parse(body));

    expect(response.status).toBeLessThan(300);
    expect(event?.detail.reason).toBe('POST Object');
    expect(event?.detail.object).toMatchObject({ key: 'landing/uploads/from browser.csv', size: 6 });
  });
});

describe('gateway health', () => {
  it('had no fault of its own while emitting the events above', () => {
    expect(aws.gatewayErrors).toEqual([]);
  });
});
