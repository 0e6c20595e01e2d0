import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { METADATA_TABLE_KEYS } from '../../../functions/metadata/table-keys';

/** Creates the metadata table with the key schema of `lib/data-plane.ts` (and its `byId` index) for store tests. */
export async function createMetadataTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  const { partitionKey, sortKey, byIdIndex } = METADATA_TABLE_KEYS;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [partitionKey, sortKey, byIdIndex.partitionKey, byIdIndex.sortKey].map((name) => ({
        AttributeName: name,
        AttributeType: 'S',
      })),
      GlobalSecondaryIndexes: [
        {
          IndexName: byIdIndex.name,
          KeySchema: [
            { AttributeName: byIdIndex.partitionKey, KeyType: 'HASH' },
            { AttributeName: byIdIndex.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
}
