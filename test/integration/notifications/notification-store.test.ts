import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DynamoDbNotificationStore,
  NOTIFICATION_MARKER_TTL_SECONDS,
  notificationMarkerKey,
} from '../../../functions/slack/notification-store';
import { NotificationStoreError } from '../../../functions/slack/errors';
import { useLocalAws } from '../setup/local-env';
import { NotifierHarness } from './notifier-harness';

const aws = await useLocalAws();
const harness = new NotifierHarness(aws);
const documents = DynamoDBDocumentClient.from(aws.clients.dynamodb);
const store = new DynamoDbNotificationStore(documents, harness.tableName);

beforeAll(() => harness.createTable());

const NOW = Date.parse('2026-05-01T12:00:00Z');
const claim = (token: string, nowMs = NOW, leaseUntilMs = nowMs + 120_000) => ({
  pipeline: 'churn',
  detailType: 'Dataset Rejected',
  token,
  nowMs,
  leaseUntilMs,
});

async function marker(eventId: string) {
  const response = await documents.send(
    new GetCommand({ TableName: harness.tableName, Key: notificationMarkerKey(eventId), ConsistentRead: true }),
  );
  return response.Item;
}

describe('DynamoDbNotificationStore (conditional writes in the emulator)', () => {
  it('claims an event once; a second claim sees it in flight, and after it was sent, sent', async () => {
    expect(await store.claim('e1', claim('a'))).toEqual({ kind: 'claimed' });
    expect(await store.claim('e1', claim('b'))).toEqual({ kind: 'in-flight', leaseUntilMs: NOW + 120_000 });
    await store.markSent('e1', 'a', NOW + 1000);
    expect(await store.claim('e1', claim('b', NOW + 10 * 60_000))).toEqual({ kind: 'sent' });
    expect(await marker('e1')).toMatchObject({
      pk: 'NOTIFICATION#e1',
      sk: 'NOTIFICATION',
      status: 'sent',
      sentAt: '2026-05-01T12:00:01.000Z',
      expiresAt: Math.floor(NOW / 1000) + NOTIFICATION_MARKER_TTL_SECONDS,
    });
  });

  it('lets a redelivery take over the claim of a crashed invocation once its lease ran out', async () => {
    await store.claim('e2', claim('crashed', NOW, NOW + 1000));
    expect(await store.claim('e2', claim('next', NOW + 2000))).toEqual({ kind: 'claimed' });
    expect(await marker('e2')).toMatchObject({ status: 'sending', claimToken: 'next' });
  });

  it('releases only its own claim, never a sent marker', async () => {
    await store.claim('e3', claim('mine'));
    await store.release('e3', 'someone-else');
    expect(await marker('e3')).toMatchObject({ claimToken: 'mine' });
    await store.release('e3', 'mine');
    expect(await marker('e3')).toBeUndefined();

    await store.claim('e4', claim('mine'));
    await store.markSent('e4', 'mine', NOW);
    await store.release('e4', 'mine');
    expect(await marker('e4')).toMatchObject({ status: 'sent' });
  });

  it('wraps a DynamoDB fault in a NotificationStoreError naming the operation', async () => {
    const broken = new DynamoDbNotificationStore(documents, 'no-such-table');
    const error = await broken.claim('e5', claim('a')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotificationStoreError);
    expect(error).toMatchObject({
      operation: 'claim',
      eventId: 'e5',
      cause: expect.objectContaining({ name: 'ResourceNotFoundException' }),
    });
  });
});
