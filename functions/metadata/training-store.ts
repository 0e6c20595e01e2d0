import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { GateComparison } from '../training/quality-gate';
import type { WindowDataset } from '../training/training-window';
import { conditionFailed, writeIfCondition } from './conditional-write';
import {
  entityIdKey,
  entitySortKey,
  entitySortKeyPrefix,
  METADATA_TABLE_KEYS,
  modelVersionOrderKey,
  pipelineStateKey,
  pipelinePartition,
} from './table-keys';

const { partitionKey: PK, sortKey: SK, byIdIndex, timeToLive } = METADATA_TABLE_KEYS;

/** Where a run is. `starting`: slot claimed, job not confirmed created; `judging`: the gate is running. */
export type RunStatus = 'starting' | 'training' | 'judging' | 'registered' | 'rejected' | 'failed';

/** A training run as recorded (docs/metadata.md). */
export interface RunRecord {
  readonly pipeline: string;
  readonly runId: string;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly trainingJobName: string;
  /** What started the run: a dataset id, `evaluation:<id>` for a retrain request, or `follow-up`. */
  readonly trigger: string;
  readonly datasetIds?: readonly string[];
  /** Sort keys of the dataset items, for `BatchGetItem` in lineage queries. */
  readonly datasetSortKeys?: readonly string[];
  readonly manifestKey?: string;
  readonly validationManifestKey?: string;
  readonly validationPrefix?: string;
  readonly note?: string;
  readonly endedAt?: string;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly reasons?: readonly string[];
  readonly failureReason?: string;
  /** The gate's comparison, with where the champion's value came from (`championReference`). */
  readonly comparison?: GateComparison;
  /** The gate's remarks that are not failures, e.g. which champion value it compared with. */
  readonly gateNotes?: readonly string[];
  readonly modelDataUrl?: string;
  readonly modelPackageArn?: string;
  readonly modelVersion?: number;
  readonly metricsReportKey?: string;
  /** When the gate started on this run (a stalled judgement is resumed after a grace period). */
  readonly judgingSince?: string;
}

/** A registered model version (docs/metadata.md). */
export interface ModelRecord {
  readonly pipeline: string;
  readonly modelPackageArn: string;
  readonly modelVersion: number;
  readonly modelPackageGroupName: string;
  readonly runId: string;
  readonly trainingJobName: string;
  readonly modelDataUrl: string;
  readonly image: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly approvalStatus: 'Approved' | 'PendingManualApproval';
  readonly registeredAt: string;
  readonly datasetIds: readonly string[];
  readonly manifestKey: string;
  readonly metricsReportKey: string;
}

/** The training fields of the pipeline's state item. */
export interface TrainingState {
  readonly trainingRunId?: string;
  readonly trainingRunStatus?: 'starting' | 'training';
  readonly trainingRunStartedAt?: string;
  /** Epoch seconds after which a held slot counts as abandoned. */
  readonly trainingLockExpiresAt?: number;
  readonly retrainPending?: boolean;
  /** Epoch seconds before which no run starts (debounce window). */
  readonly debounceUntil?: number;
  readonly championModelPackageArn?: string;
  readonly championVersion?: number;
}

/** How long a trigger marker is kept: redeliveries come within minutes; a week is generous. */
const TRIGGER_MARKER_TTL_SECONDS = 7 * 86_400;

const epochSeconds = (now: Date): number => Math.floor(now.getTime() / 1000);

/**
 * Training runs, model versions and the pipeline's training slot in the metadata table. Every invariant is one
 * conditional write on the pipeline's state item (access patterns 3-9 of docs/metadata.md): one run in flight,
 * one follow-up however many triggers arrive meanwhile, each trigger counted once.
 */
export class TrainingStore {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The pipeline's state item (training and champion fields), strongly consistent. */
  public async state(pipeline: string): Promise<TrainingState> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: pipelineStateKey(pipeline), ConsistentRead: true }),
    );
    return (result.Item ?? {}) as TrainingState;
  }

  /**
   * Records a trigger (an accepted dataset, a retrain request) once: its marker and `retrainPending = true` in one
   * transaction. `duplicate` means this trigger was recorded before (a redelivered event).
   */
  public async recordTrigger(pipeline: string, triggerId: string, now: Date): Promise<'recorded' | 'duplicate'> {
    const won = await writeIfCondition(
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  [PK]: pipelinePartition(pipeline),
                  [SK]: `TRIGGER#${triggerId}`,
                  kind: 'trigger',
                  recordedAt: now.toISOString(),
                  [timeToLive]: epochSeconds(now) + TRIGGER_MARKER_TTL_SECONDS,
                },
                ConditionExpression: 'attribute_not_exists(#pk)',
                ExpressionAttributeNames: { '#pk': PK },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: pipelineStateKey(pipeline),
                UpdateExpression: 'SET retrainPending = :true, lastTriggerAt = :now',
                ExpressionAttributeValues: { ':true': true, ':now': now.toISOString() },
              },
            },
          ],
        }),
      ),
      0,
    );
    return won ? 'recorded' : 'duplicate';
  }

  /** Opens a debounce window unless one is open; true when this call opened it (and must schedule its end). */
  public async openDebounce(pipeline: string, now: Date, seconds: number): Promise<boolean> {
    return writeIfCondition(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: pipelineStateKey(pipeline),
          UpdateExpression: 'SET debounceUntil = :until',
          ConditionExpression: 'attribute_not_exists(debounceUntil) OR debounceUntil <= :now',
          ExpressionAttributeValues: { ':until': epochSeconds(now) + seconds, ':now': epochSeconds(now) },
        }),
      ),
    );
  }

  /** Closes the debounce window once it has passed (a delayed message may arrive a little early or late). */
  public async closeDebounce(pipeline: string, now: Date): Promise<void> {
    await writeIfCondition(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: pipelineStateKey(pipeline),
          UpdateExpression: 'REMOVE debounceUntil',
          ConditionExpression: 'debounceUntil <= :soon',
          ExpressionAttributeValues: { ':soon': epochSeconds(now) + 1 },
        }),
      ),
    );
  }

  /**
   * Claims the training slot for a new run when one is pending, no run holds the slot (or its lock expired) and no
   * debounce window is open; the run item is written in the same transaction. `busy` when any condition fails.
   */
  public async claimSlot(
    run: Pick<RunRecord, 'pipeline' | 'runId' | 'trainingJobName' | 'trigger' | 'startedAt'>,
    now: Date,
    lockSeconds: number,
  ): Promise<'claimed' | 'busy'> {
    const nowSeconds = epochSeconds(now);
    const won = await writeIfCondition(
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: pipelineStateKey(run.pipeline),
                UpdateExpression:
                  'SET trainingRunId = :run, trainingRunStatus = :starting, trainingRunStartedAt = :startedAt, trainingLockExpiresAt = :expires, retrainPending = :false',
                ConditionExpression:
                  'retrainPending = :true AND (attribute_not_exists(trainingRunId) OR trainingLockExpiresAt < :now) AND (attribute_not_exists(debounceUntil) OR debounceUntil <= :now)',
                ExpressionAttributeValues: {
                  ':run': run.runId,
                  ':starting': 'starting',
                  ':startedAt': run.startedAt,
                  ':expires': nowSeconds + lockSeconds,
                  ':now': nowSeconds,
                  ':true': true,
                  ':false': false,
                },
              },
            },
            { Put: { TableName: this.tableName, Item: this.runItem({ ...run, status: 'starting' }) } },
          ],
        }),
      ),
      0,
    );
    return won ? 'claimed' : 'busy';
  }

  /** Marks the slot's run as having a job (so a resumed start is not attempted again). */
  public async markSlotTraining(pipeline: string, runId: string): Promise<void> {
    await writeIfCondition(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: pipelineStateKey(pipeline),
          UpdateExpression: 'SET trainingRunStatus = :training',
          ConditionExpression: 'trainingRunId = :run',
          ExpressionAttributeValues: { ':training': 'training', ':run': runId },
        }),
      ),
    );
  }

  /**
   * Releases the slot held by `runId`. Returns whether a follow-up is pending; `released` is false when the slot
   * was already released (a duplicate end event) or taken over after its lock expired.
   */
  public async releaseSlot(pipeline: string, runId: string): Promise<{ released: boolean; retrainPending: boolean }> {
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: pipelineStateKey(pipeline),
          UpdateExpression: 'REMOVE trainingRunId, trainingRunStatus, trainingRunStartedAt, trainingLockExpiresAt',
          ConditionExpression: 'trainingRunId = :run',
          ExpressionAttributeValues: { ':run': runId },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { released: true, retrainPending: result.Attributes?.retrainPending === true };
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      return { released: false, retrainPending: (await this.state(pipeline)).retrainPending === true };
    }
  }

  /** Accepted datasets of a pipeline, newest first, up to `limit` or back to `since` (access pattern 3). */
  public async acceptedDatasets(
    pipeline: string,
    bounds: { readonly limit?: number; readonly since?: string },
  ): Promise<(WindowDataset & { readonly sortKey: string })[]> {
    const found: (WindowDataset & { sortKey: string })[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: bounds.since
            ? '#pk = :pk AND #sk BETWEEN :from AND :to'
            : '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK, '#status': 'status' },
          ExpressionAttributeValues: {
            ':pk': pipelinePartition(pipeline),
            ':accepted': 'accepted',
            ...(bounds.since
              ? {
                  ':from': `${entitySortKeyPrefix('DATASET')}${bounds.since}`,
                  ':to': `${entitySortKeyPrefix('DATASET')}\uffff`,
                }
              : { ':prefix': entitySortKeyPrefix('DATASET') }),
          },
          FilterExpression: '#status = :accepted',
          ScanIndexForward: false,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        found.push({
          datasetId: String(item.datasetId),
          bucket: String(item.bucket),
          key: String(item.key),
          ...(typeof item.versionId === 'string' ? { versionId: item.versionId } : {}),
          receivedAt: String(item.receivedAt),
          rows: Number(item.rows ?? 0),
          ...(typeof item.reportKey === 'string' ? { reportKey: item.reportKey } : {}),
          sortKey: String(item[SK]),
        });
        if (bounds.limit !== undefined && found.length >= bounds.limit) return found;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return found;
  }

  private runItem(run: Partial<RunRecord> & Pick<RunRecord, 'pipeline' | 'runId' | 'startedAt' | 'status'>) {
    return {
      [PK]: pipelinePartition(run.pipeline),
      [SK]: entitySortKey('RUN', run.startedAt, run.runId),
      [byIdIndex.partitionKey]: entityIdKey('RUN', run.runId),
      [byIdIndex.sortKey]: 'RUN',
      kind: 'run',
      ...run,
    };
  }

  /**
   * Moves a run to `status` with `fields`, only from one of `from`: the one writer that wins a transition does the
   * work that goes with it (emit an event, register a model), so duplicate deliveries do nothing twice.
   */
  public async transitionRun(
    run: Pick<RunRecord, 'pipeline' | 'runId' | 'startedAt'>,
    from: readonly RunStatus[],
    status: RunStatus,
    fields: Partial<Omit<RunRecord, 'pipeline' | 'runId' | 'startedAt' | 'status'>> = {},
  ): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':status': status };
    const sets = ['#status = :status'];
    Object.entries(fields).forEach(([name, value], i) => {
      if (value === undefined) return;
      names[`#f${i}`] = name;
      values[`:f${i}`] = value;
      sets.push(`#f${i} = :f${i}`);
    });
    const allowed = from.map((s, i) => {
      values[`:from${i}`] = s;
      return `:from${i}`;
    });
    return writeIfCondition(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PK]: pipelinePartition(run.pipeline), [SK]: entitySortKey('RUN', run.startedAt, run.runId) },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `#status IN (${allowed.join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  /** A run by its id (access pattern 8). */
  public async run(runId: string): Promise<RunRecord | undefined> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: byIdIndex.name,
        KeyConditionExpression: '#id = :id',
        ExpressionAttributeNames: { '#id': byIdIndex.partitionKey },
        ExpressionAttributeValues: { ':id': entityIdKey('RUN', runId) },
      }),
    );
    const item = result.Items?.[0];
    if (item === undefined) return undefined;
    // The index is eventually consistent; read the item itself for the current status.
    const fresh = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [PK]: item[PK] as string, [SK]: item[SK] as string },
        ConsistentRead: true,
      }),
    );
    return (fresh.Item ?? item) as unknown as RunRecord;
  }

  /** Runs of a pipeline, newest first (access pattern 7). */
  public async runs(pipeline: string, limit: number): Promise<RunRecord[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
        ExpressionAttributeValues: { ':pk': pipelinePartition(pipeline), ':prefix': entitySortKeyPrefix('RUN') },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (result.Items ?? []) as unknown as RunRecord[];
  }

  /** Records a registered model version (idempotent: the same package ARN writes the same item). */
  public async putModel(model: ModelRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [PK]: pipelinePartition(model.pipeline),
          [SK]: entitySortKey('MODEL', modelVersionOrderKey(model.modelVersion), model.modelPackageArn),
          [byIdIndex.partitionKey]: entityIdKey('MODEL', model.modelPackageArn),
          [byIdIndex.sortKey]: 'MODEL',
          kind: 'model',
          ...model,
        },
      }),
    );
  }

  /** A model version by its package ARN (access pattern 8). */
  public async model(modelPackageArn: string): Promise<ModelRecord | undefined> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: byIdIndex.name,
        KeyConditionExpression: '#id = :id',
        ExpressionAttributeNames: { '#id': byIdIndex.partitionKey },
        ExpressionAttributeValues: { ':id': entityIdKey('MODEL', modelPackageArn) },
      }),
    );
    return result.Items?.[0] as ModelRecord | undefined;
  }

  /** A model version by its number within the pipeline. */
  public async modelByVersion(pipeline: string, version: number): Promise<ModelRecord | undefined> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
        ExpressionAttributeValues: {
          ':pk': pipelinePartition(pipeline),
          ':prefix': `${entitySortKeyPrefix('MODEL')}${modelVersionOrderKey(version)}#`,
        },
      }),
    );
    return result.Items?.[0] as ModelRecord | undefined;
  }

  /** Dataset items by sort key (lineage, access pattern 9), in the order asked. */
  public async datasets(pipeline: string, sortKeys: readonly string[]): Promise<Record<string, unknown>[]> {
    const found = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < sortKeys.length; i += 100) {
      let keys: Record<string, unknown>[] = sortKeys
        .slice(i, i + 100)
        .map((sk) => ({ [PK]: pipelinePartition(pipeline), [SK]: sk }));
      for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
        const result = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) found.set(String(item[SK]), item);
        keys = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return sortKeys.flatMap((sk) => {
      const item = found.get(sk);
      return item ? [item] : [];
    });
  }
}
