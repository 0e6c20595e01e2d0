/**
 * Faults moto cannot produce, through the contract-check function's handler: its AWS clients are mocked
 * (aws-sdk-client-mock), S3 and the metadata table answer from memory. PutEvents fails once: the retry must send
 * the recorded event once, without checking the object again.
 */
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadPipelines } from '../../../functions/config/load-pipelines';
import { SEND_LEASE_MS } from '../../../functions/metadata/event-send-lease';
import { churnCsv } from '../../fixtures/churn/small-batch';
import { applyLeaseUpdate, type LeaseUpdateInput } from '../../fixtures/event-send-lease';
import { sample } from '../../fixtures/samples';
import { PROJECT_ROOT } from '../../infra/cdk-context';
import { lambdaContext } from '../../fixtures/lambda-context';

const s3 = mockClient(S3Client);
const events = mockClient(EventBridgeClient);
const dynamodb = mockClient(DynamoDBDocumentClient);

const churn = loadPipelines(PROJECT_ROOT).find((p) => p.name === 'churn')!;
vi.stubEnv('METADATA_TABLE', 'metadata');
vi.stubEnv('ARTIFACTS_BUCKET', 'artifacts');
vi.stubEnv('QUARANTINE_BUCKET', 'quarantine');
vi.stubEnv('EVENT_BUS_NAME', 'mlops');
vi.stubEnv('DEAD_LETTER_QUEUE_URL', 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq');
vi.stubEnv(
  'PIPELINES',
  JSON.stringify([
    {
      name: churn.name,
      landingPrefix: churn.data.landingPrefix,
      contract: `${churn.name}/${churn.data.contract}`,
      maxObjectSizeBytes: churn.data.maxObjectSizeBytes,
    },
  ]),
);
const { handler } = await import('../../../functions/contract-check/handler');

const context = lambdaContext('contract-check', { memoryMb: 3008, timeoutMs: 900_000 });

// Powertools' sample of an S3 "Object Created" event through EventBridge, for a batch in churn's landing prefix.
const DATA = churnCsv(150);
const KEY = `${churn.data.landingPrefix}batch 1.csv`;
const created = JSON.parse(
  fs.readFileSync(sample('events/powertools-lambda-typescript/s3/eventbridge-object-created.json'), 'utf8'),
) as { detail: { bucket: { name: string }; object: Record<string, unknown> } };
created.detail.bucket.name = 'landing';
created.detail.object = { ...created.detail.object, key: KEY, size: Buffer.byteLength(DATA), 'version-id': 'v1' };

const SENT = { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] };
let items: Map<string, Record<string, unknown>>;
const keyOf = (key: Record<string, unknown>) => `${String(key.pk)}|${String(key.sk)}`;
const marker = () => [...items.values()].find((i) => String(i.pk).startsWith('OBJECT#'));
const dataReads = () =>
  s3.commandCalls(GetObjectCommand).filter((call) => call.args[0].input.Bucket === 'landing').length;
const sentDetails = () => events.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.[0]);

beforeEach(() => {
  s3.reset();
  events.reset();
  dynamodb.reset();
  items = new Map();
  s3.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
    if (input.Bucket !== 'landing' || input.Key !== KEY) {
      throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
    }
    return { Body: Readable.from([Buffer.from(DATA)]), ContentLength: Buffer.byteLength(DATA) };
  });
  s3.on(PutObjectCommand).resolves({});
  dynamodb
    .on(GetCommand)
    .callsFake((input: { Key: Record<string, unknown> }) => ({ Item: items.get(keyOf(input.Key)) }));
  dynamodb
    .on(TransactWriteCommand)
    .callsFake((input: { TransactItems: { Put: { Item: Record<string, unknown> } }[] }) => {
      const puts = input.TransactItems.map((t) => t.Put.Item);
      if (items.has(keyOf(puts[0]!))) {
        throw new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
        });
      }
      for (const item of puts) items.set(keyOf(item), structuredClone(item));
      return {};
    });
  // The event-send lease (functions/metadata/event-send-lease.ts): claim, then settle.
  dynamodb.on(UpdateCommand).callsFake((input: LeaseUpdateInput) => {
    applyLeaseUpdate(items.get(keyOf(input.Key)), input);
    return {};
  });
  events.on(PutEventsCommand).resolves(SENT);
});

describe('the contract-check function on faults', () => {
  it('accepts a good batch, records it and sends Dataset Accepted once when nothing fails', async () => {
    expect(await handler(created, context)).toMatchObject({ status: 'accepted', rows: 150 });

    expect(sentDetails().map((e) => e?.DetailType)).toEqual(['Dataset Accepted']);
    expect(marker()).toMatchObject({ eventSent: true });
    expect(marker()).not.toHaveProperty('sendingSince');
  });

  it('PutEvents throttled: the lease is given back, and the retry sends the recorded event without reading the object again', async () => {
    events.on(PutEventsCommand).rejectsOnce(new Error('ThrottlingException')).resolves(SENT);

    await expect(handler(created, context)).rejects.toThrow(/ThrottlingException/);
    expect(marker()).toMatchObject({ eventSent: false });
    expect(marker()).not.toHaveProperty('sendingSince');
    expect(dataReads()).toBe(1);

    expect(await handler(created, context)).toMatchObject({ duplicate: true, sentRecordedEvent: true });
    const [first, second] = sentDetails();
    expect(second).toEqual(first);
    expect(second?.Resources).toEqual([`arn:aws:s3:::landing/${KEY}`]);
    expect(marker()).toMatchObject({ eventSent: true });
    expect(dataReads()).toBe(1);

    expect(await handler(created, context)).toMatchObject({ duplicate: true });
    expect(sentDetails()).toHaveLength(2);
  });

  it('a delivery while another one holds the lease fails with EventsInFlightError, reads nothing and sends nothing', async () => {
    const now = Date.now();
    // Recorded a moment ago by a delivery that is still sending.
    await handlerRecordsThenStalls();
    expect(dataReads()).toBe(1);
    const marked = marker()!;
    expect(Number(marked.sendingSince)).toBeGreaterThanOrEqual(now);

    await expect(handler(created, context)).rejects.toThrow(/EventsInFlightError|being sent by another delivery/);
    expect(dataReads()).toBe(1);
    expect(sentDetails()).toHaveLength(1);

    // Its lease lapses (the holder died): the next delivery sends the recorded event.
    marked.sendingSince = now - SEND_LEASE_MS - 1;
    expect(await handler(created, context)).toMatchObject({ duplicate: true, sentRecordedEvent: true });
    expect(sentDetails()).toHaveLength(2);
    expect(marker()).toMatchObject({ eventSent: true });
  });
});

/** The first delivery records the batch, then hangs in PutEvents (it never returns in this test). */
async function handlerRecordsThenStalls(): Promise<void> {
  let entered = () => {};
  const inPutEvents = new Promise<void>((resolve) => {
    entered = resolve;
  });
  events
    .on(PutEventsCommand)
    .callsFakeOnce(() => {
      entered();
      return new Promise(() => {});
    })
    .resolves(SENT);
  void handler(created, context);
  await inPutEvents;
}
