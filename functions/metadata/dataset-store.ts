import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionFailed, writeIfCondition } from './conditional-write';
import { claimSendCommand, sendLease, settleSendCommand } from './event-send-lease';
import { entityIdKey, entitySortKey, METADATA_TABLE_KEYS, objectMarkerKey, pipelinePartition } from './table-keys';

/** A dataset version as recorded in the metadata table (docs/metadata.md). */
export interface DatasetRecord {
  readonly pipeline: string;
  readonly datasetId: string;
  readonly status: 'accepted' | 'rejected' | 'unavailable';
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly etag?: string;
  readonly size: number;
  readonly rows: number;
  readonly contractId?: string;
  readonly contractVersion?: string;
  readonly reportKey?: string;
  readonly profileKey?: string;
  readonly quarantineKey?: string;
  readonly failedCheckCount?: number;
  /** Why the object could not be checked (`unavailable`), or the first reasons of a rejection. */
  readonly reason?: string;
  readonly receivedAt: string;
  readonly checkedAt: string;
}

/** The lifecycle event recorded with a dataset, so a retry can emit it if the first attempt could not. */
export interface PendingEvent {
  readonly detailType: string;
  /** JSON of the event's detail. */
  readonly detail: string;
}

export type RecordResult =
  | { readonly kind: 'recorded' }
  /** This object version was recorded before; `pendingEvent` is set when its event was never confirmed sent. */
  | { readonly kind: 'duplicate'; readonly datasetId: string; readonly pendingEvent?: PendingEvent };

/**
 * Dataset versions in the metadata table. One object version is recorded exactly once: the dataset item and the
 * object marker are written in one transaction, conditional on the marker not existing (S3 delivers at least once).
 */
export class DatasetStore {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Records the dataset and its event, once per object identity. */
  public async recordOnce(
    identity: string,
    record: DatasetRecord,
    event: PendingEvent | undefined,
    now: Date = new Date(),
  ): Promise<RecordResult> {
    const marker = objectMarkerKey(identity);
    const { partitionKey: pk, sortKey: sk, byIdIndex } = METADATA_TABLE_KEYS;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  [pk]: marker.pk,
                  [sk]: marker.sk,
                  datasetId: record.datasetId,
                  pipeline: record.pipeline,
                  // The recorder sends the event: it holds the lease (event-send-lease.ts).
                  ...(event
                    ? {
                        eventDetailType: event.detailType,
                        eventDetail: event.detail,
                        eventSent: false,
                        ...sendLease(now),
                      }
                    : {}),
                },
                ConditionExpression: 'attribute_not_exists(#pk)',
                ExpressionAttributeNames: { '#pk': pk },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  [pk]: pipelinePartition(record.pipeline),
                  [sk]: entitySortKey('DATASET', record.receivedAt, record.datasetId),
                  [byIdIndex.partitionKey]: entityIdKey('DATASET', record.datasetId),
                  [byIdIndex.sortKey]: 'DATASET',
                  kind: 'dataset',
                  ...record,
                },
              },
            },
          ],
        }),
      );
      return { kind: 'recorded' };
    } catch (error) {
      if (!conditionFailed(error, 0)) throw error;
      const existing = await this.marker(identity);
      return {
        kind: 'duplicate',
        datasetId: existing?.datasetId ?? record.datasetId,
        ...(existing?.pendingEvent ? { pendingEvent: existing.pendingEvent } : {}),
      };
    }
  }

  /**
   * What is known of an object version: `undefined` when it was never recorded; `done` when its dataset and event
   * are settled, so a redelivery can stop before reading the object again.
   */
  public async lookup(identity: string): Promise<{ readonly datasetId: string; readonly done: boolean } | undefined> {
    const existing = await this.marker(identity);
    return existing === undefined ? undefined : { datasetId: existing.datasetId, done: existing.done };
  }

  /** The recorded event of an object version while it is unsent (a delivery taking it over sends this). */
  public async pendingEvent(identity: string): Promise<PendingEvent | undefined> {
    return (await this.marker(identity))?.pendingEvent;
  }

  /** The object marker (strongly consistent read). */
  private async marker(
    identity: string,
  ): Promise<{ datasetId: string; done: boolean; pendingEvent: PendingEvent | undefined } | undefined> {
    const { Item: item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: markerItemKey(identity), ConsistentRead: true }),
    );
    if (item === undefined || typeof item.datasetId !== 'string') return undefined;
    const pendingEvent =
      item.eventSent === false && typeof item.eventDetailType === 'string' && typeof item.eventDetail === 'string'
        ? { detailType: item.eventDetailType, detail: item.eventDetail }
        : undefined;
    // A marker without a pending event (unavailable objects) or with eventSent = true is settled.
    return { datasetId: item.datasetId, done: item.eventSent !== false, pendingEvent };
  }

  /**
   * Takes over sending the unsent event of a duplicate delivery: false while the recorder's lease holds (it may be
   * sending right now) or when the event was sent meanwhile.
   */
  public async claimEventSend(identity: string, now: Date = new Date()): Promise<boolean> {
    return writeIfCondition(
      this.client.send(claimSendCommand(this.tableName, markerItemKey(identity), 'eventSent', now)),
    );
  }

  /**
   * After sending: `true` confirms the event was put on the bus, so a redelivery does not emit it again; `false`
   * gives the lease back after a failed send, so that the retry sends it.
   */
  public async settleEventSend(identity: string, sent: boolean): Promise<void> {
    await this.client.send(settleSendCommand(this.tableName, markerItemKey(identity), 'eventSent', sent));
  }
}

/** The object marker's primary key as a table key. */
function markerItemKey(identity: string): Record<string, string> {
  const marker = objectMarkerKey(identity);
  return { [METADATA_TABLE_KEYS.partitionKey]: marker.pk, [METADATA_TABLE_KEYS.sortKey]: marker.sk };
}
