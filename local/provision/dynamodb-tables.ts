import {
  BillingMode,
  CreateTableCommand,
  DescribeTableCommand,
  KeyType,
  ProjectionType,
  ScalarAttributeType,
  SSEType,
  StreamViewType,
  TableClass,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { CfnBoolean, CfnNumber, CfnTags } from './cfn-schemas';
import {
  isAwsError,
  parseProperties,
  provisionFailure,
  type ResourceContext,
  type ResourceHandler,
} from './resource-context';

const KeySchema = z.array(z.object({ AttributeName: z.string(), KeyType: z.enum(KeyType) }));
const Throughput = z.object({ ReadCapacityUnits: CfnNumber, WriteCapacityUnits: CfnNumber });
const Projection = z.object({
  ProjectionType: z.enum(ProjectionType).optional(),
  NonKeyAttributes: z.array(z.string()).optional(),
});
const Index = z.looseObject({
  IndexName: z.string(),
  KeySchema,
  Projection,
  ProvisionedThroughput: Throughput.optional(),
});
const PointInTime = z.looseObject({ PointInTimeRecoveryEnabled: CfnBoolean.optional() });
const TimeToLive = z.object({ AttributeName: z.string().optional(), Enabled: CfnBoolean });

const CommonProperties = {
  TableName: z.string().optional(),
  KeySchema,
  AttributeDefinitions: z.array(z.object({ AttributeName: z.string(), AttributeType: z.enum(ScalarAttributeType) })),
  BillingMode: z.enum(BillingMode).optional(),
  GlobalSecondaryIndexes: z.array(Index).optional(),
  LocalSecondaryIndexes: z.array(Index).optional(),
  StreamSpecification: z.looseObject({ StreamViewType: z.enum(StreamViewType).optional() }).optional(),
  TimeToLiveSpecification: TimeToLive.optional(),
};

const TableProperties = z.looseObject({
  ...CommonProperties,
  ProvisionedThroughput: Throughput.optional(),
  SSESpecification: z
    .object({ SSEEnabled: CfnBoolean, SSEType: z.enum(SSEType).optional(), KMSMasterKeyId: z.string().optional() })
    .optional(),
  PointInTimeRecoverySpecification: PointInTime.optional(),
  TableClass: z.enum(TableClass).optional(),
  DeletionProtectionEnabled: CfnBoolean.optional(),
  Tags: CfnTags,
});

const GlobalTableProperties = z.looseObject({
  ...CommonProperties,
  SSESpecification: z.object({ SSEEnabled: CfnBoolean, SSEType: z.enum(SSEType).optional() }).optional(),
  Replicas: z.array(
    z.looseObject({
      Region: z.string(),
      PointInTimeRecoverySpecification: PointInTime.optional(),
      SSESpecification: z.object({ KMSMasterKeyId: z.string() }).optional(),
      TableClass: z.enum(TableClass).optional(),
      DeletionProtectionEnabled: CfnBoolean.optional(),
      Tags: CfnTags,
    }),
  ),
});

// moto needs capacity for PROVISIONED tables; CloudFormation global tables set it through auto scaling.
const DEFAULT_THROUGHPUT = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };

/**
 * `AWS::DynamoDB::Table` -> CreateTable (keys, GSIs, LSIs, billing, stream, SSE, class, tags), then
 * UpdateTimeToLive and UpdateContinuousBackups (PITR). Ref is the table name; attributes `Arn`, `StreamArn`.
 */
export const provisionDynamoDbTable: ResourceHandler = async (ctx) => {
  const props = parseProperties(ctx, TableProperties);
  const provisioned = props.BillingMode !== 'PAY_PER_REQUEST';
  const input: CreateTableCommandInput = {
    ...baseInput(ctx, props, provisioned),
    ...(provisioned ? { ProvisionedThroughput: props.ProvisionedThroughput ?? DEFAULT_THROUGHPUT } : {}),
    ...(props.SSESpecification === undefined
      ? {}
      : {
          SSESpecification: {
            Enabled: props.SSESpecification.SSEEnabled,
            SSEType: props.SSESpecification.SSEType,
            KMSMasterKeyId: props.SSESpecification.KMSMasterKeyId,
          },
        }),
    TableClass: props.TableClass,
    DeletionProtectionEnabled: props.DeletionProtectionEnabled,
    Tags: props.Tags,
  };
  return createTable(ctx, input, props.TimeToLiveSpecification, props.PointInTimeRecoverySpecification);
};

/**
 * `AWS::DynamoDB::GlobalTable` (CDK `TableV2`) -> the replica of the provisioning region, created like a table.
 * Other replicas are not created (one local region). Ref is the table name; attributes `Arn`, `StreamArn`.
 */
export const provisionDynamoDbGlobalTable: ResourceHandler = async (ctx) => {
  const props = parseProperties(ctx, GlobalTableProperties);
  const replica = props.Replicas.find((candidate) => candidate.Region === ctx.region);
  if (replica === undefined) {
    throw provisionFailure(
      ctx,
      'CreateTable',
      new Error(`no replica in ${ctx.region} (replicas: ${props.Replicas.map((r) => r.Region).join(', ')})`),
    );
  }
  const others = props.Replicas.filter((candidate) => candidate !== replica).map((r) => r.Region);
  if (others.length > 0) ctx.warn(`replicas in ${others.join(', ')} are not created (one local region)`);
  const provisioned = props.BillingMode === 'PROVISIONED';
  const kmsKey = replica.SSESpecification?.KMSMasterKeyId;
  const input: CreateTableCommandInput = {
    ...baseInput(ctx, props, provisioned),
    ...(provisioned ? { ProvisionedThroughput: DEFAULT_THROUGHPUT } : {}),
    ...(props.SSESpecification === undefined
      ? {}
      : {
          SSESpecification: {
            Enabled: props.SSESpecification.SSEEnabled,
            SSEType: props.SSESpecification.SSEType,
            ...(kmsKey === undefined ? {} : { KMSMasterKeyId: kmsKey }),
          },
        }),
    TableClass: replica.TableClass,
    DeletionProtectionEnabled: replica.DeletionProtectionEnabled,
    Tags: replica.Tags,
  };
  return createTable(ctx, input, props.TimeToLiveSpecification, replica.PointInTimeRecoverySpecification);
};

function baseInput(
  ctx: ResourceContext,
  props: z.infer<typeof TableProperties> | z.infer<typeof GlobalTableProperties>,
  provisioned: boolean,
): CreateTableCommandInput {
  const index = (definition: z.infer<typeof Index>) => ({
    IndexName: definition.IndexName,
    KeySchema: definition.KeySchema,
    Projection: definition.Projection,
    ...(provisioned ? { ProvisionedThroughput: definition.ProvisionedThroughput ?? DEFAULT_THROUGHPUT } : {}),
  });
  const localIndex = (definition: z.infer<typeof Index>) => ({
    IndexName: definition.IndexName,
    KeySchema: definition.KeySchema,
    Projection: definition.Projection,
  });
  const streamViewType = props.StreamSpecification?.StreamViewType;
  return {
    TableName: props.TableName ?? ctx.generatedName({ maxLength: 255 }),
    KeySchema: props.KeySchema,
    AttributeDefinitions: props.AttributeDefinitions,
    BillingMode: provisioned ? 'PROVISIONED' : 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: props.GlobalSecondaryIndexes?.map(index),
    LocalSecondaryIndexes: props.LocalSecondaryIndexes?.map(localIndex),
    ...(streamViewType === undefined
      ? {}
      : { StreamSpecification: { StreamEnabled: true, StreamViewType: streamViewType } }),
  };
}

async function createTable(
  ctx: ResourceContext,
  input: CreateTableCommandInput,
  timeToLive: z.infer<typeof TimeToLive> | undefined,
  pointInTime: z.infer<typeof PointInTime> | undefined,
): Promise<{ physicalId: string; attributes: Record<string, string> }> {
  const dynamodb = ctx.clients.dynamodb;
  const tableName = input.TableName ?? ctx.logicalId;
  let table: TableDescription | undefined;
  try {
    table = (await dynamodb.send(new CreateTableCommand(input))).TableDescription;
  } catch (error) {
    if (!isAwsError(error, 'ResourceInUseException')) throw provisionFailure(ctx, `CreateTable ${tableName}`, error);
    table = (await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  }
  try {
    if (timeToLive?.Enabled === true && timeToLive.AttributeName !== undefined) {
      await dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: timeToLive.AttributeName, Enabled: true },
        }),
      );
    }
  } catch (error) {
    // A second provisioning finds TTL already on, which DynamoDB (and moto) reject as a change.
    if (!isAwsError(error, 'ValidationException')) throw provisionFailure(ctx, 'UpdateTimeToLive', error);
  }
  try {
    if (pointInTime?.PointInTimeRecoveryEnabled === true) {
      await dynamodb.send(
        new UpdateContinuousBackupsCommand({
          TableName: tableName,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      );
    }
  } catch (error) {
    throw provisionFailure(ctx, 'UpdateContinuousBackups', error);
  }
  const arn = table?.TableArn ?? `arn:${ctx.partition}:dynamodb:${ctx.region}:${ctx.accountId}:table/${tableName}`;
  return {
    physicalId: tableName,
    attributes: { Arn: arn, ...(table?.LatestStreamArn === undefined ? {} : { StreamArn: table.LatestStreamArn }) },
  };
}
