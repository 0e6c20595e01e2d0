import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore, type DatasetRecord } from '../../../functions/metadata/dataset-store';
import { SEND_LEASE_MS } from '../../../functions/metadata/event-send-lease';
import { createMetadataTable } from '../setup/metadata-table';
import { useLocalAws } from '../setup/local-env';

const aws = await useLocalAws();
const TABLE = 'metadata';
const store = new DatasetStore(
  DynamoDBDocumentClient.from(aws.clients.dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
  TABLE,
);

const record = (datasetId: string): DatasetRecord => ({
  pipeline: 'churn',
  datasetId,
  status: 'accepted',
  bucket: 'landing',
  key: 'churn/incoming/a.csv',
  versionId: 'v1',
  size: 10,
  rows: 2,
  receivedAt: '2026-11-22T10:00:00Z',
  checkedAt: '2026-11-22T10:00:01Z',
});
const event = { detailType: 'Dataset Accepted', detail: '{"pipeline":"churn"}' };

beforeAll(async () => {
  await createMetadataTable(aws.clients.dynamodb, TABLE);
});

describe('DatasetStore', () => {
  it('records an object version once; a concurrent second attempt sees the first, with its unsent event', async () => {
    const identity = 's3://landing/churn/incoming/a.csv#v1';
    const results = await Promise.all([
      store.recordOnce(identity, record('ds-1'), event),
      store.recordOnce(identity, record('ds-1'), event),
    ]);

    expect(results.map((r) => r.kind).sort()).toEqual(['duplicate', 'recorded']);
    expect(results.find((r) => r.kind === 'duplicate')).toEqual({
      kind: 'duplicate',
      datasetId: 'ds-1',
      pendingEvent: event,
    });
    expect(await store.lookup(identity)).toEqual({ datasetId: 'ds-1', done: false });
  });

  it('is settled once the event is confirmed sent: a redelivery has nothing left to emit', async () => {
    const identity = 's3://landing/churn/incoming/a.csv#v1';
    await store.settleEventSend(identity, true);

    expect(await store.recordOnce(identity, record('ds-1'), event)).toEqual({ kind: 'duplicate', datasetId: 'ds-1' });
    expect(await store.lookup(identity)).toEqual({ datasetId: 'ds-1', done: true });
  });

  it("lets a duplicate take over an unsent event only once the recorder's lease has lapsed", async () => {
    const identity = 's3://landing/churn/incoming/b.csv#v1';
    const recordedAt = new Date('2026-11-22T10:00:00Z');
    const at = (ms: number) => new Date(recordedAt.getTime() + ms);
    expect(await store.recordOnce(identity, record('ds-2'), event, recordedAt)).toEqual({ kind: 'recorded' });

    // The recorder may be sending right now: nobody else may, until its lease lapses.
    expect(await store.claimEventSend(identity, at(1_000))).toBe(false);
    expect(await store.claimEventSend(identity, at(SEND_LEASE_MS))).toBe(false);
    expect(await store.claimEventSend(identity, at(SEND_LEASE_MS + 1))).toBe(true);
    // The taker holds a fresh lease: a third delivery waits again.
    expect(await store.claimEventSend(identity, at(SEND_LEASE_MS + 2))).toBe(false);

    // A failed send gives the lease back at once; a confirmed one settles the object version for good.
    await store.settleEventSend(identity, false);
    expect(await store.lookup(identity)).toEqual({ datasetId: 'ds-2', done: false });
    expect(await store.claimEventSend(identity, at(SEND_LEASE_MS + 3))).toBe(true);
    await store.settleEventSend(identity, true);
    expect(await store.claimEventSend(identity, at(10 * SEND_LEASE_MS))).toBe(false);
    expect(await store.lookup(identity)).toEqual({ datasetId: 'ds-2', done: true });
  });

  it('records an unavailable object version with no event to send, so nothing can claim one', async () => {
    const identity = 's3://landing/churn/incoming/gone.csv#v1';
    expect(await store.recordOnce(identity, { ...record('ds-3'), status: 'unavailable' }, undefined)).toEqual({
      kind: 'recorded',
    });
    expect(await store.claimEventSend(identity, new Date('2030-01-01T00:00:00Z'))).toBe(false);
    expect(await store.lookup(identity)).toEqual({ datasetId: 'ds-3', done: true });
  });

  it('knows nothing of an object version it never recorded', async () => {
    expect(await store.lookup('s3://landing/other.csv#v9')).toBeUndefined();
  });
});
