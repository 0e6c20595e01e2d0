/**
 * Deployment state and records in the metadata table (docs/metadata.md, access patterns 10 to 13, 16 and 17).
 * Every invariant is one conditional write on the pipeline's `STATE` item: one deployment in flight per endpoint,
 * only the newest approval queued, one promotion per deployment, one rollback per request. The store only updates
 * the attributes it owns on `STATE` (training keeps its slot on the same item).
 */
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { DeploymentRecord } from '../deployment/deployment-record';
import type { Succession, FinalOutcome } from '../deployment/deployment-outcome';
import type { ChampionRef, InFlightDeployment, PipelineDeploymentState } from '../deployment/deployment-state';
import {
  entityIdKey,
  entitySortKey,
  entitySortKeyPrefix,
  METADATA_TABLE_KEYS,
  pipelineStateKey,
  pipelinePartition,
} from './table-keys';
import { writeIfCondition } from './conditional-write';

const { partitionKey: PK, sortKey: SK, byIdIndex } = METADATA_TABLE_KEYS;

const ChampionRefSchema = z.object({
  modelPackageArn: z.string(),
  modelVersion: z.number(),
  endpointConfigName: z.string(),
});

const InFlightSchema = z.object({
  deploymentId: z.string(),
  sortKey: z.string(),
  trigger: z.enum(['approval', 'rollback']),
  modelPackageArn: z.string(),
  modelVersion: z.number(),
  endpointConfigName: z.string(),
  previousEndpointConfigName: z.string().optional(),
  previousModelVersion: z.number().optional(),
  claimedAt: z.string(),
  lockExpiresAt: z.number(),
  requested: z.boolean(),
});

/** The attributes of `STATE` this store owns (others, such as the training slot, pass through untouched). */
const StateItemSchema = z.looseObject({
  championModelPackageArn: z.string().optional(),
  championVersion: z.number().optional(),
  championEndpointConfigName: z.string().optional(),
  previousChampions: z.array(ChampionRefSchema).optional(),
  deployment: InFlightSchema.optional(),
  nextModelPackageArn: z.string().optional(),
  nextModelVersion: z.number().optional(),
  approvedVersion: z.number().optional(),
  lastRollbackRequestId: z.string().optional(),
});

const DeploymentItemSchema = z.looseObject({
  [SK]: z.string(),
  pipeline: z.string(),
  deploymentId: z.string(),
  trigger: z.enum(['approval', 'rollback']),
  requestedBy: z.string(),
  endpointName: z.string(),
  modelPackageArn: z.string(),
  modelVersion: z.number(),
  modelName: z.string().optional(),
  endpointConfigName: z.string(),
  strategy: z.enum(['allAtOnce', 'canary', 'linear']),
  previousModelVersion: z.number().optional(),
  previousEndpointConfigName: z.string().optional(),
  retainDeploymentConfig: z.boolean().default(false),
  rollbackAlarms: z.array(z.string()).default([]),
  alarmsLeftOut: z.array(z.string()).default([]),
  status: z.enum(['in-progress', 'succeeded', 'failed', 'rolled-back']),
  reason: z.string().optional(),
  startedAt: z.string(),
  requestedAt: z.string().optional(),
  endedAt: z.string().optional(),
  startedEventSent: z.boolean().default(false),
  outcomeEventSent: z.boolean().default(false),
  resourcesDeleted: z.boolean().default(false),
});

/** A deployment record with the sort key it is stored under. */
export type StoredDeployment = DeploymentRecord & { readonly sortKey: string };

/** The newest evaluation of a pipeline, as `mlops status` shows it (written by the evaluation). */
export interface EvaluationSummary {
  readonly evaluationId: string;
  readonly windowStart?: string;
  readonly windowEnd?: string;
  readonly verdict?: string;
  readonly samples?: number;
  readonly matched?: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly modelVersion?: number;
  readonly endpointName?: string;
  readonly reportKey?: string;
}

const EvaluationItemSchema = z.looseObject({
  evaluationId: z.string(),
  windowStart: z.string().optional(),
  windowEnd: z.string().optional(),
  verdict: z.string().optional(),
  samples: z.number().optional(),
  matched: z.number().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  modelVersion: z.number().optional(),
  endpointName: z.string().optional(),
  reportKey: z.string().optional(),
});

/** How a claim takes the slot: the condition it adds to "the slot is free". */
export type ClaimMode =
  /** A new approval: only if newer than every approval taken; clears an older queued model. */
  | { readonly kind: 'approval' }
  /** The queued approval: only if it is still the one queued. */
  | { readonly kind: 'queued' }
  /** A rollback: only from the expected champion, and once per request. */
  | { readonly kind: 'rollback'; readonly requestId: string; readonly championVersion: number };

const SLOT_FREE = '(attribute_not_exists(#deployment) OR #deployment.lockExpiresAt < :now)';

/** Deployment state (`STATE`) and records (`DEPLOYMENT#...`) of pipelines. */
export class DeploymentStore {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The pipeline's deployment state (strongly consistent: every decision starts from it). */
  public async getState(pipeline: string): Promise<PipelineDeploymentState> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: pipelineStateKey(pipeline), ConsistentRead: true }),
    );
    const item = StateItemSchema.parse(Item ?? {});
    const champion: ChampionRef | undefined =
      item.championModelPackageArn !== undefined &&
      item.championVersion !== undefined &&
      item.championEndpointConfigName !== undefined
        ? {
            modelPackageArn: item.championModelPackageArn,
            modelVersion: item.championVersion,
            endpointConfigName: item.championEndpointConfigName,
          }
        : undefined;
    return {
      ...(champion ? { champion } : {}),
      previousChampions: item.previousChampions ?? [],
      ...(item.deployment ? { inFlight: item.deployment } : {}),
      ...(item.nextModelPackageArn !== undefined && item.nextModelVersion !== undefined
        ? { queued: { modelPackageArn: item.nextModelPackageArn, modelVersion: item.nextModelVersion } }
        : {}),
      approvedVersion: item.approvedVersion ?? 0,
      ...(item.lastRollbackRequestId === undefined ? {} : { lastRollbackRequestId: item.lastRollbackRequestId }),
    };
  }

  /**
   * Takes the endpoint's slot for `inFlight` and records the deployment, in one transaction (pattern 12), when the
   * slot is free (or its lock expired) and `mode`'s condition holds. A deployment whose expired lock is taken over
   * (`abandoned`) is recorded `failed` in the same transaction, if it is still in progress. False when someone else
   * got there first.
   */
  public async claim(
    pipeline: string,
    inFlight: InFlightDeployment,
    record: DeploymentRecord,
    mode: ClaimMode,
    nowSeconds: number,
    abandoned?: { readonly inFlight: InFlightDeployment; readonly reason: string },
  ): Promise<boolean> {
    const names: Record<string, string> = { '#deployment': 'deployment' };
    const values: Record<string, unknown> = { ':deployment': inFlight, ':now': nowSeconds };
    let update = 'SET #deployment = :deployment';
    let condition = SLOT_FREE;
    switch (mode.kind) {
      case 'approval':
        update += ', approvedVersion = :version REMOVE nextModelPackageArn, nextModelVersion';
        condition += ' AND (attribute_not_exists(approvedVersion) OR approvedVersion < :version)';
        values[':version'] = inFlight.modelVersion;
        break;
      case 'queued':
        update += ' REMOVE nextModelPackageArn, nextModelVersion';
        condition += ' AND nextModelPackageArn = :arn AND nextModelVersion = :version';
        values[':arn'] = inFlight.modelPackageArn;
        values[':version'] = inFlight.modelVersion;
        break;
      case 'rollback':
        update += ', lastRollbackRequestId = :request';
        condition +=
          ' AND championVersion = :champion AND (attribute_not_exists(lastRollbackRequestId) OR lastRollbackRequestId <> :request)';
        values[':request'] = mode.requestId;
        values[':champion'] = mode.championVersion;
        break;
    }
    return writeIfCondition(
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: pipelineStateKey(pipeline),
                UpdateExpression: update,
                ConditionExpression: condition,
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: values,
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  [PK]: pipelinePartition(pipeline),
                  [SK]: inFlight.sortKey,
                  [byIdIndex.partitionKey]: entityIdKey('DEPLOYMENT', record.deploymentId),
                  [byIdIndex.sortKey]: 'DEPLOYMENT',
                  kind: 'deployment',
                  ...record,
                },
                ConditionExpression: 'attribute_not_exists(#pk)',
                ExpressionAttributeNames: { '#pk': PK },
              },
            },
            ...(abandoned === undefined
              ? []
              : [
                  {
                    Update: {
                      TableName: this.tableName,
                      Key: { [PK]: pipelinePartition(pipeline), [SK]: abandoned.inFlight.sortKey },
                      UpdateExpression: 'SET #status = :failed, reason = :reason, endedAt = :ended',
                      ConditionExpression: '#status = :inProgress',
                      ExpressionAttributeNames: { '#status': 'status' },
                      ExpressionAttributeValues: {
                        ':failed': 'failed',
                        ':inProgress': 'in-progress',
                        ':reason': abandoned.reason.slice(0, 1024),
                        ':ended': record.startedAt,
                      },
                    },
                  },
                ]),
          ],
        }),
      ),
    );
  }

  /**
   * Queues `model` to be deployed after the deployment in flight, and takes it as the newest approval (pattern 12).
   * False when the slot is free again (claim instead) or a newer approval was taken meanwhile.
   */
  public async enqueue(
    pipeline: string,
    model: { readonly modelPackageArn: string; readonly modelVersion: number },
    nowSeconds: number,
  ): Promise<boolean> {
    return writeIfCondition(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: pipelineStateKey(pipeline),
          UpdateExpression: 'SET nextModelPackageArn = :arn, nextModelVersion = :version, approvedVersion = :version',
          ConditionExpression:
            'attribute_exists(#deployment) AND #deployment.lockExpiresAt >= :now AND (attribute_not_exists(approvedVersion) OR approvedVersion < :version)',
          ExpressionAttributeNames: { '#deployment': 'deployment' },
          ExpressionAttributeValues: {
            ':arn': model.modelPackageArn,
            ':version': model.modelVersion,
            ':now': nowSeconds,
          },
        }),
      ),
    );
  }

  /** Forgets the queued model if it is still `model` (it was no longer approved when its turn came). */
  public async dropQueued(
    pipeline: string,
    model: { readonly modelPackageArn: string; readonly modelVersion: number },
  ): Promise<void> {
    await writeIfCondition(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: pipelineStateKey(pipeline),
          UpdateExpression: 'REMOVE nextModelPackageArn, nextModelVersion',
          ConditionExpression: 'nextModelPackageArn = :arn AND nextModelVersion = :version',
          ExpressionAttributeValues: { ':arn': model.modelPackageArn, ':version': model.modelVersion },
        }),
      ),
    );
  }

  /** Notes that the endpoint accepted the deployment's request. False when the deployment ended meanwhile. */
  public async markRequested(pipeline: string, inFlight: InFlightDeployment, requestedAt: string): Promise<boolean> {
    return writeIfCondition(
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: pipelineStateKey(pipeline),
                UpdateExpression: 'SET #deployment.requested = :true',
                ConditionExpression: '#deployment.deploymentId = :id',
                ExpressionAttributeNames: { '#deployment': 'deployment' },
                ExpressionAttributeValues: { ':true': true, ':id': inFlight.deploymentId },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: { [PK]: pipelinePartition(pipeline), [SK]: inFlight.sortKey },
                UpdateExpression: 'SET requestedAt = :at',
                ExpressionAttributeValues: { ':at': requestedAt },
              },
            },
          ],
        }),
      ),
    );
  }

  /**
   * Ends the deployment (pattern 11): frees the slot and, on success, makes its model champion, in one transaction
   * conditional on the deployment still holding the slot, so of two deliveries of the end only one concludes.
   * False when it was concluded already.
   */
  public async conclude(
    pipeline: string,
    inFlight: InFlightDeployment,
    outcome: FinalOutcome,
    next: Succession,
    endedAt: string,
  ): Promise<boolean> {
    const values: Record<string, unknown> = { ':id': inFlight.deploymentId };
    let update = 'REMOVE #deployment';
    if (outcome.kind === 'succeeded' && next.champion !== undefined) {
      update =
        'SET championModelPackageArn = :arn, championVersion = :version, championEndpointConfigName = :config, ' +
        'championSince = :at, previousChampions = :previous REMOVE #deployment';
      Object.assign(values, {
        ':arn': next.champion.modelPackageArn,
        ':version': next.champion.modelVersion,
        ':config': next.champion.endpointConfigName,
        ':at': endedAt,
        ':previous': next.previousChampions,
      });
    }
    const reason = outcome.kind === 'succeeded' ? {} : { ':reason': outcome.reason.slice(0, 1024) };
    return writeIfCondition(
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: pipelineStateKey(pipeline),
                UpdateExpression: update,
                ConditionExpression: '#deployment.deploymentId = :id',
                ExpressionAttributeNames: { '#deployment': 'deployment' },
                ExpressionAttributeValues: values,
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: { [PK]: pipelinePartition(pipeline), [SK]: inFlight.sortKey },
                UpdateExpression: `SET #status = :status, endedAt = :ended${outcome.kind === 'succeeded' ? '' : ', reason = :reason'}`,
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':status': outcome.kind, ':ended': endedAt, ...reason },
              },
            },
          ],
        }),
      ),
    );
  }

  /**
   * Takes the right to send one of the deployment's events (`started` or `outcome`): true for exactly one caller.
   * If sending then fails, {@link releaseEvent} gives the right back so a retry sends it.
   */
  public async claimEvent(pipeline: string, sortKey: string, which: 'started' | 'outcome'): Promise<boolean> {
    return writeIfCondition(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PK]: pipelinePartition(pipeline), [SK]: sortKey },
          UpdateExpression: 'SET #sent = :true',
          ConditionExpression: 'attribute_exists(#pk) AND #sent = :false',
          ExpressionAttributeNames: { '#sent': `${which}EventSent`, '#pk': PK },
          ExpressionAttributeValues: { ':true': true, ':false': false },
        }),
      ),
    );
  }

  /** Gives back the right taken by {@link claimEvent} after the event could not be sent. */
  public async releaseEvent(pipeline: string, sortKey: string, which: 'started' | 'outcome'): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [PK]: pipelinePartition(pipeline), [SK]: sortKey },
        UpdateExpression: 'SET #sent = :false',
        ExpressionAttributeNames: { '#sent': `${which}EventSent` },
        ExpressionAttributeValues: { ':false': false },
      }),
    );
  }

  /** One deployment record by its sort key. */
  public async getDeployment(pipeline: string, sortKey: string): Promise<StoredDeployment | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [PK]: pipelinePartition(pipeline), [SK]: sortKey },
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : toDeployment(Item);
  }

  /** The newest `limit` deployments, newest first (pattern 13). */
  public async latestDeployments(pipeline: string, limit: number): Promise<StoredDeployment[]> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
        ExpressionAttributeValues: {
          ':pk': pipelinePartition(pipeline),
          ':prefix': entitySortKeyPrefix('DEPLOYMENT'),
        },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (Items ?? []).map(toDeployment);
  }

  /** Deployments whose model and endpoint config were not deleted yet (pattern 17). */
  public async deploymentsWithResources(pipeline: string): Promise<StoredDeployment[]> {
    const found: StoredDeployment[] = [];
    let start: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          FilterExpression: 'resourcesDeleted = :false',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: {
            ':pk': pipelinePartition(pipeline),
            ':prefix': entitySortKeyPrefix('DEPLOYMENT'),
            ':false': false,
          },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      found.push(...(page.Items ?? []).map(toDeployment));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return found;
  }

  /** Records that the model and config of these deployments are deleted. */
  public async markResourcesDeleted(pipeline: string, sortKeys: readonly string[]): Promise<void> {
    for (const sortKey of sortKeys) {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PK]: pipelinePartition(pipeline), [SK]: sortKey },
          UpdateExpression: 'SET resourcesDeleted = :true',
          ExpressionAttributeValues: { ':true': true },
        }),
      );
    }
  }

  /** The newest evaluation of the pipeline (pattern 13), if any. */
  public async latestEvaluation(pipeline: string): Promise<EvaluationSummary | undefined> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
        ExpressionAttributeValues: {
          ':pk': pipelinePartition(pipeline),
          ':prefix': entitySortKeyPrefix('EVALUATION'),
        },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const item = Items?.[0];
    if (item === undefined) return undefined;
    const parsed = EvaluationItemSchema.parse(item);
    return {
      evaluationId: parsed.evaluationId,
      ...pick(parsed, ['windowStart', 'windowEnd', 'verdict', 'samples', 'matched', 'modelVersion', 'endpointName']),
      ...(parsed.reportKey === undefined ? {} : { reportKey: parsed.reportKey }),
      metrics: parsed.metrics ?? {},
    };
  }
}

/** Sort key of a deployment record: `DEPLOYMENT#<startedAt>#<deploymentId>`. */
export function deploymentSortKey(startedAt: string, deploymentId: string): string {
  return entitySortKey('DEPLOYMENT', startedAt, deploymentId);
}

function toDeployment(item: Record<string, unknown>): StoredDeployment {
  const parsed = DeploymentItemSchema.parse(item);
  const { [SK]: sortKey, ...rest } = parsed;
  return {
    sortKey,
    pipeline: rest.pipeline,
    deploymentId: rest.deploymentId,
    trigger: rest.trigger,
    requestedBy: rest.requestedBy,
    endpointName: rest.endpointName,
    modelPackageArn: rest.modelPackageArn,
    modelVersion: rest.modelVersion,
    ...(rest.modelName === undefined ? {} : { modelName: rest.modelName }),
    endpointConfigName: rest.endpointConfigName,
    strategy: rest.strategy,
    ...(rest.previousModelVersion === undefined ? {} : { previousModelVersion: rest.previousModelVersion }),
    ...(rest.previousEndpointConfigName === undefined
      ? {}
      : { previousEndpointConfigName: rest.previousEndpointConfigName }),
    retainDeploymentConfig: rest.retainDeploymentConfig,
    rollbackAlarms: rest.rollbackAlarms,
    alarmsLeftOut: rest.alarmsLeftOut,
    status: rest.status,
    ...(rest.reason === undefined ? {} : { reason: rest.reason }),
    startedAt: rest.startedAt,
    ...(rest.requestedAt === undefined ? {} : { requestedAt: rest.requestedAt }),
    ...(rest.endedAt === undefined ? {} : { endedAt: rest.endedAt }),
    startedEventSent: rest.startedEventSent,
    outcomeEventSent: rest.outcomeEventSent,
    resourcesDeleted: rest.resourcesDeleted,
  };
}

/** The listed keys of `value` that are defined. */
function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}
