/**
 * The demo's read of the metadata table: every record of one kind of a pipeline (docs/metadata.md, the
 * `begins_with(sk, "<KIND>#")` query), with the few attributes the demo checks and prints parsed. The stores of
 * `functions/metadata/` answer the system's own questions; the demo asks "what is there", so it reads the layout.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  entitySortKeyPrefix,
  METADATA_TABLE_KEYS,
  pipelinePartition,
  type EntityKind,
} from '../functions/metadata/table-keys';
import { notificationMarkerKey } from '../functions/slack/notification-store';

const optionalString = z.string().optional();

/** The attributes the demo reads; each kind has a subset of them. */
const RecordSchema = z.looseObject({
  status: optionalString,
  approvalStatus: optionalString,
  verdict: optionalString,
  datasetId: optionalString,
  key: optionalString,
  reportKey: optionalString,
  quarantineKey: optionalString,
  metricsReportKey: optionalString,
  runId: optionalString,
  modelVersion: z.number().optional(),
  deploymentId: optionalString,
});
export type MetadataRecord = z.infer<typeof RecordSchema>;

/** Every record of `kind` of `pipeline`, oldest first. */
export async function pipelineRecords(
  client: DynamoDBDocumentClient,
  tableName: string,
  pipeline: string,
  kind: EntityKind,
): Promise<MetadataRecord[]> {
  const { partitionKey, sortKey } = METADATA_TABLE_KEYS;
  const records: MetadataRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': partitionKey, '#sk': sortKey },
        ExpressionAttributeValues: { ':pk': pipelinePartition(pipeline), ':prefix': entitySortKeyPrefix(kind) },
        ExclusiveStartKey: startKey,
      }),
    );
    records.push(...(page.Items ?? []).map((item) => RecordSchema.parse(item)));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return records;
}

const NotificationMarkerSchema = z.looseObject({ status: z.string() });

/** The notifier's marker of an event (`sending`, `sent`), or `undefined` when it never claimed it. */
export async function notificationStatus(
  client: DynamoDBDocumentClient,
  tableName: string,
  eventId: string,
): Promise<string | undefined> {
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: notificationMarkerKey(eventId) }));
  return Item === undefined ? undefined : NotificationMarkerSchema.parse(Item).status;
}
