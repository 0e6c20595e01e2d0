import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { writeIfCondition } from './conditional-write';
import { claimSendCommand, sendLease, settleSendCommand } from './event-send-lease';
import { entityIdKey, entitySortKey, entitySortKeyPrefix, METADATA_TABLE_KEYS, pipelinePartition } from './table-keys';

const { partitionKey: PK, sortKey: SK, byIdIndex, timeToLive } = METADATA_TABLE_KEYS;

/** A lifecycle event recorded with an evaluation, so a retry can send what the first attempt could not. */
export interface RecordedEvent {
  readonly detailType: string;
  /** JSON of the event's detail. */
  readonly detail: string;
}

/** One scheduled (or requested) evaluation of a pipeline's live model, as recorded (docs/metadata.md). */
export interface EvaluationItem {
  readonly pipeline: string;
  readonly evaluationId: string;
  readonly trigger: 'schedule' | 'request';
  readonly endpointName: string;
  /** The champion serving during the window, when there is one. */
  readonly modelVersion?: number;
  readonly modelPackageArn?: string;
  /** ISO-8601: the window `[windowStart, windowEnd)` of inference times. */
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly evaluatedAt: string;
  readonly verdict: 'ok' | 'degraded' | 'drift' | 'insufficient-data';
  readonly samples: number;
  readonly matched: number;
  /** The endpoint's metric values (null ones left out). */
  readonly metrics: Readonly<Record<string, number>>;
  readonly degraded: boolean;
  readonly drifted: boolean;
  /** Windows in a row breached (drifted), this one included, for the same model version. */
  readonly degradedStreak: number;
  readonly driftStreak: number;
  readonly driftedFeatures: readonly { readonly feature: string; readonly psi: number; readonly ks?: number }[];
  /** Key of the JSON report in the artifacts bucket. */
  readonly reportKey: string;
  /** Where the drift baseline came from (the profile's key), when there was one. */
  readonly baselineKey?: string;
  /** Capture parts the window was split into (1 when read in one invocation). */
  readonly parts: number;
  readonly events: readonly RecordedEvent[];
  readonly eventsSent: boolean;
}

const EventSchema = z.object({ detailType: z.string(), detail: z.string() });
const ItemSchema = z.object({
  pipeline: z.string(),
  evaluationId: z.string(),
  trigger: z.enum(['schedule', 'request']),
  endpointName: z.string(),
  modelVersion: z.number().optional(),
  modelPackageArn: z.string().optional(),
  windowStart: z.string(),
  windowEnd: z.string(),
  evaluatedAt: z.string(),
  verdict: z.enum(['ok', 'degraded', 'drift', 'insufficient-data']),
  samples: z.number(),
  matched: z.number(),
  metrics: z.record(z.string(), z.number()),
  degraded: z.boolean(),
  drifted: z.boolean(),
  degradedStreak: z.number(),
  driftStreak: z.number(),
  driftedFeatures: z.array(z.object({ feature: z.string(), psi: z.number(), ks: z.number().optional() })),
  reportKey: z.string(),
  baselineKey: z.string().optional(),
  parts: z.number(),
  events: z.array(EventSchema),
  eventsSent: z.boolean(),
});

function parseItem(item: Record<string, unknown>): EvaluationItem {
  const parsed = ItemSchema.parse(item);
  const { modelVersion, modelPackageArn, baselineKey, ...rest } = parsed;
  return {
    ...rest,
    ...(modelVersion === undefined ? {} : { modelVersion }),
    ...(modelPackageArn === undefined ? {} : { modelPackageArn }),
    ...(baselineKey === undefined ? {} : { baselineKey }),
  };
}

/** The bookkeeping of an evaluation split into parts (pattern 18 in docs/metadata.md). */
export interface PartsProgress {
  readonly total: number;
  readonly done: number;
}

const PARTS_TTL_SECONDS = 7 * 24 * 3600;
const partsKey = (pipeline: string, evaluationId: string) => ({
  [PK]: pipelinePartition(pipeline),
  [SK]: `EVALPARTS#${evaluationId}`,
});

const itemKey = (item: Pick<EvaluationItem, 'pipeline' | 'windowEnd' | 'evaluationId'>) => ({
  [PK]: pipelinePartition(item.pipeline),
  [SK]: entitySortKey('EVALUATION', item.windowEnd, item.evaluationId),
});

/** Evaluation records (`EVALUATION#<windowEnd>#<id>`) and the progress of split evaluations. */
export class EvaluationStore {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Writes the evaluation once: false when an evaluation with this id and window end is already recorded (a
   * redelivered schedule, or the last two parts racing to finish).
   */
  public async recordOnce(item: EvaluationItem, now: Date = new Date()): Promise<boolean> {
    return writeIfCondition(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [PK]: pipelinePartition(item.pipeline),
            [SK]: entitySortKey('EVALUATION', item.windowEnd, item.evaluationId),
            [byIdIndex.partitionKey]: entityIdKey('EVALUATION', item.evaluationId),
            [byIdIndex.sortKey]: 'EVALUATION',
            kind: 'EVALUATION',
            ...item,
            // The recorder sends the events: it holds the lease (event-send-lease.ts).
            ...sendLease(now),
          },
          ConditionExpression: `attribute_not_exists(${PK})`,
        }),
      ),
    );
  }

  /** The recorded evaluation of this id and window end, if any (strongly consistent). */
  public async get(pipeline: string, windowEnd: string, evaluationId: string): Promise<EvaluationItem | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: {
          [PK]: pipelinePartition(pipeline),
          [SK]: entitySortKey('EVALUATION', windowEnd, evaluationId),
        },
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : parseItem(Item);
  }

  /**
   * Takes over sending the unsent events of an evaluation another delivery recorded: false while the recorder's
   * lease holds (it may be sending right now) or when they were sent meanwhile.
   */
  public async claimEventsSend(item: EvaluationItem, now: Date = new Date()): Promise<boolean> {
    return writeIfCondition(this.client.send(claimSendCommand(this.tableName, itemKey(item), 'eventsSent', now)));
  }

  /**
   * After sending: `true` marks the recorded events sent; `false` gives the lease back after a failed send, so that
   * the retry sends them.
   */
  public async settleEventsSend(item: EvaluationItem, sent: boolean): Promise<void> {
    await this.client.send(settleSendCommand(this.tableName, itemKey(item), 'eventsSent', sent));
  }

  /** The pipeline's newest evaluations (by window end), newest first (pattern 13/14). */
  public async recent(pipeline: string, limit: number): Promise<EvaluationItem[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: `${PK} = :pk AND begins_with(${SK}, :prefix)`,
        ExpressionAttributeValues: {
          ':pk': pipelinePartition(pipeline),
          ':prefix': entitySortKeyPrefix('EVALUATION'),
        },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return Items.map(parseItem);
  }

  /** An evaluation by its id alone (the `byId` index). */
  public async byId(evaluationId: string): Promise<EvaluationItem | undefined> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: byIdIndex.name,
        KeyConditionExpression: `${byIdIndex.partitionKey} = :id`,
        ExpressionAttributeValues: { ':id': entityIdKey('EVALUATION', evaluationId) },
        Limit: 1,
      }),
    );
    const item = Items[0];
    return item === undefined ? undefined : parseItem(item);
  }

  /** Opens the bookkeeping of an evaluation split into `total` parts; idempotent. */
  public async openParts(pipeline: string, evaluationId: string, total: number, now: Date): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: partsKey(pipeline, evaluationId),
        UpdateExpression: 'SET #total = if_not_exists(#total, :total), #ttl = if_not_exists(#ttl, :ttl)',
        ExpressionAttributeNames: { '#total': 'total', '#ttl': timeToLive },
        ExpressionAttributeValues: {
          ':total': total,
          ':ttl': Math.floor(now.getTime() / 1000) + PARTS_TTL_SECONDS,
        },
      }),
    );
  }

  /**
   * Records part `part` as done (a string set: a redelivered part counts once) and returns the progress after it.
   * The caller whose update makes `done` reach `total` finishes the evaluation; a redelivery of the last part
   * sees the same and finishes it again, which `recordOnce` makes harmless.
   */
  public async completePart(pipeline: string, evaluationId: string, part: number): Promise<PartsProgress> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: partsKey(pipeline, evaluationId),
        UpdateExpression: 'ADD #done :part',
        ConditionExpression: 'attribute_exists(#total)',
        ExpressionAttributeNames: { '#done': 'done', '#total': 'total' },
        ExpressionAttributeValues: { ':part': new Set([String(part)]) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const done: unknown = Attributes?.done;
    return { total: Number(Attributes?.total ?? 0), done: done instanceof Set ? done.size : 0 };
  }
}
