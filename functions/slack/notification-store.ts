import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { METADATA_TABLE_KEYS } from '../metadata/table-keys';
import { NotificationStoreError } from './errors';
import type { ClaimResult, NotificationClaim, NotificationStore } from './notification-delivery';

/** How long a notification marker is kept: longer than any redelivery (EventBridge 24 h, SQS 4 days) can come. */
export const NOTIFICATION_MARKER_TTL_SECONDS = 7 * 24 * 60 * 60;

/** Key of the marker of one event (docs/metadata.md, access pattern 15). */
export const notificationMarkerKey = (eventId: string): { pk: string; sk: string } => ({
  [METADATA_TABLE_KEYS.partitionKey]: `NOTIFICATION#${eventId}`,
  [METADATA_TABLE_KEYS.sortKey]: 'NOTIFICATION',
});

const { partitionKey: PK, timeToLive: TTL } = METADATA_TABLE_KEYS;

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/**
 * {@link NotificationStore} on the metadata table. The marker is
 * `{pk: NOTIFICATION#<eventId>, sk: NOTIFICATION, status: sending|sent, claimToken, leaseUntil, expiresAt, ...}`.
 * A claim is a conditional put that succeeds when no marker exists or the existing claim's lease ran out.
 */
export class DynamoDbNotificationStore implements NotificationStore {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  public async claim(eventId: string, claim: NotificationClaim): Promise<ClaimResult> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...notificationMarkerKey(eventId),
            status: 'sending',
            eventId,
            pipeline: claim.pipeline,
            detailType: claim.detailType,
            claimToken: claim.token,
            claimedAt: new Date(claim.nowMs).toISOString(),
            leaseUntil: claim.leaseUntilMs,
            [TTL]: Math.floor(claim.nowMs / 1000) + NOTIFICATION_MARKER_TTL_SECONDS,
          },
          ConditionExpression: `attribute_not_exists(#pk) OR (#status = :sending AND #leaseUntil < :now)`,
          ExpressionAttributeNames: { '#pk': PK, '#status': 'status', '#leaseUntil': 'leaseUntil' },
          ExpressionAttributeValues: { ':sending': 'sending', ':now': claim.nowMs },
        }),
      );
      return { kind: 'claimed' };
    } catch (error) {
      if (!isConditionFailure(error)) throw new NotificationStoreError('claim', eventId, { cause: error });
    }
    return this.existingClaim(eventId, claim.nowMs);
  }

  private async existingClaim(eventId: string, nowMs: number): Promise<ClaimResult> {
    let item: Record<string, unknown> | undefined;
    try {
      const response = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: notificationMarkerKey(eventId), ConsistentRead: true }),
      );
      item = response.Item;
    } catch (error) {
      throw new NotificationStoreError('claim', eventId, { cause: error });
    }
    if (item?.status === 'sent') return { kind: 'sent' };
    // Released or expired between the put and the read: try again after a short delay.
    const leaseUntil = typeof item?.leaseUntil === 'number' ? item.leaseUntil : nowMs;
    return { kind: 'in-flight', leaseUntilMs: leaseUntil };
  }

  public async markSent(eventId: string, claimToken: string, nowMs: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: notificationMarkerKey(eventId),
          UpdateExpression: 'SET #status = :sent, sentAt = :sentAt REMOVE leaseUntil',
          ConditionExpression: 'claimToken = :token',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':sent': 'sent',
            ':sentAt': new Date(nowMs).toISOString(),
            ':token': claimToken,
          },
        }),
      );
    } catch (error) {
      throw new NotificationStoreError('markSent', eventId, { cause: error });
    }
  }

  public async release(eventId: string, claimToken: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: notificationMarkerKey(eventId),
          ConditionExpression: '#status = :sending AND claimToken = :token',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sending': 'sending', ':token': claimToken },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return; // not ours any more: nothing to release
      throw new NotificationStoreError('release', eventId, { cause: error });
    }
  }
}
