// Checks a data file that landed in S3 against its pipeline's data contract: writes the report and profile,
// quarantines a rejected file, records the dataset version once, and emits Dataset Accepted or Dataset Rejected.
import { availableParallelism } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DatasetProfile } from '../contracts/contract-report';
import { datasetId, datasetKeys, datasetOutcome, type DatasetObject } from '../contracts/dataset-outcome';
import { parseDatasetProfile } from '../contracts/contract-report';
import { validateStream } from '../contracts/validate-stream';
import { isDataObjectKey, objectIdentity, parseS3ObjectCreated } from '../events/aws-s3';
import { DatasetAccepted, DatasetRejected, toPutEventsEntry, type PutEventsEntry } from '../events/lifecycle';
import { DatasetStore, type DatasetRecord, type PendingEvent } from '../metadata/dataset-store';
import { EventsInFlightError } from '../metadata/event-send-lease';
import { MalformedEventError } from '../runtime/errors';
import { lambdaHandler, sqsMalformedEventSink } from '../runtime/lambda-handler';
import { logger, metrics } from '../runtime/powertools';
import { readEnv } from '../runtime/read-env';
import { PipelineContracts, pipelineForKey, PipelinesSettingSchema } from './pipeline-contracts';
import { isObjectUnavailable, s3ObjectSource } from './s3-object-source';

const env = readEnv(
  'METADATA_TABLE',
  'ARTIFACTS_BUCKET',
  'QUARANTINE_BUCKET',
  'EVENT_BUS_NAME',
  'PIPELINES',
  'DEAD_LETTER_QUEUE_URL',
);
const pipelines = PipelinesSettingSchema.parse(JSON.parse(env.PIPELINES));
const s3 = new S3Client({});
const events = new EventBridgeClient({});
const store = new DatasetStore(
  DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
  env.METADATA_TABLE,
);
const contracts = new PipelineContracts();

export const handler = lambdaHandler(
  sqsMalformedEventSink(new SQSClient({}), env.DEAD_LETTER_QUEUE_URL),
  async (event: unknown) => {
    const parsed = parseS3ObjectCreated(event);
    if (!parsed.ok) throw new MalformedEventError(parsed.error);
    const created = parsed.value;
    if (!isDataObjectKey(created.key)) return { ignored: 'not a data object (folder marker or hidden file)' };
    const pipeline = pipelineForKey(pipelines, created.key);
    if (!pipeline) return { ignored: 'no pipeline has this landing prefix' };

    const object: DatasetObject = {
      bucket: created.bucket,
      key: created.key,
      ...(created.versionId ? { versionId: created.versionId } : {}),
      ...(created.etag ? { etag: created.etag } : {}),
      size: created.size,
      identity: objectIdentity(created),
      receivedAt: created.time,
    };
    const id = datasetId(object);
    const keys = datasetKeys(pipeline.name, id, object);
    logger.appendKeys({ pipeline: pipeline.name, datasetId: id, key: object.key, versionId: object.versionId });

    const known = await store.lookup(object.identity);
    if (known?.done) {
      logger.info('object version already recorded; nothing to do', { recordedAs: known.datasetId });
      return { datasetId: known.datasetId, duplicate: true };
    }
    // Recorded, with its report, profile and quarantine, but its event is unconfirmed: no need to check it again.
    if (known !== undefined) return takeOverEvent(object, pipeline.name, known.datasetId, undefined);

    const plan = contracts.plan(pipeline);
    const baseline = await readBaseline(keys.baselineKey);
    const limits = { ...plan.limits, maxBytes: Math.min(plan.limits.maxBytes, pipeline.maxObjectSizeBytes) };
    let report;
    try {
      report = await validateStream({ ...plan, limits }, s3ObjectSource(s3, created), {
        ...(baseline ? { baseline } : {}),
        workers: Math.min(availableParallelism(), 4),
      });
    } catch (error) {
      if (!isObjectUnavailable(error)) throw error;
      // Deleted or overwritten before it was read: record it, and let the new version's own event be checked.
      const reason = `object version unavailable when read (${error.name}): deleted or overwritten meanwhile`;
      await store.recordOnce(
        object.identity,
        record(pipeline.name, id, object, { status: 'unavailable', rows: 0, reason }),
        undefined,
      );
      logger.warn(reason);
      return { datasetId: id, status: 'unavailable' };
    }

    const outcome = datasetOutcome(pipeline.name, object, report);
    await putJson(keys.reportKey, report);
    await putJson(keys.profileKey, report.profile);
    if (outcome.status === 'accepted' && !baseline) await putJson(keys.baselineKey, report.profile); // first accepted data
    if (outcome.status === 'rejected') await quarantine(object, keys.quarantineKey, outcome.quarantineTags);

    const definition = outcome.status === 'accepted' ? DatasetAccepted : DatasetRejected;
    const entry = toPutEventsEntry(definition, outcome.detail, env.EVENT_BUS_NAME, [objectArn(object)]);
    const recorded = await store.recordOnce(
      object.identity,
      record(pipeline.name, id, object, {
        status: outcome.status,
        rows: report.rows,
        contractId: report.contractId,
        contractVersion: report.contractVersion,
        reportKey: keys.reportKey,
        profileKey: keys.profileKey,
        ...(outcome.status === 'rejected'
          ? {
              quarantineKey: keys.quarantineKey,
              failedCheckCount: outcome.detail.failedCheckCount,
              reason: outcome.quarantineTags['mlops:reason'],
            }
          : {}),
      }),
      { detailType: entry.DetailType, detail: entry.Detail },
    );
    if (recorded.kind === 'duplicate') {
      if (!recorded.pendingEvent) {
        logger.info('object version already recorded; nothing to do', { datasetId: recorded.datasetId });
        return { datasetId: recorded.datasetId, duplicate: true };
      }
      return takeOverEvent(object, pipeline.name, recorded.datasetId, recorded.pendingEvent);
    }
    await sendEvent(object.identity, entry, pipeline.name);
    logger.info(`dataset ${outcome.status}`, {
      rows: report.rows,
      durationMs: report.durationMs,
      reportKey: keys.reportKey,
    });
    return { datasetId: id, status: outcome.status, rows: report.rows };
  },
);

/**
 * Another delivery recorded this object version but has not confirmed its event: it may be sending it right now
 * (then this one fails, to be retried), or it died after recording (then its lease has lapsed and this one sends the
 * event recorded with the dataset).
 */
async function takeOverEvent(object: DatasetObject, pipeline: string, id: string, recorded: PendingEvent | undefined) {
  if (!(await store.claimEventSend(object.identity))) {
    throw new EventsInFlightError(
      `the event of dataset ${id} is being sent by another delivery of this object version; retry later`,
    );
  }
  const event = recorded ?? (await store.pendingEvent(object.identity));
  if (event === undefined) throw new Error(`dataset ${id} has no recorded event to send`);
  // The detail was validated when it was recorded (toPutEventsEntry); both dataset events share their source.
  const entry: PutEventsEntry = {
    Source: DatasetAccepted.source,
    DetailType: event.detailType,
    Detail: event.detail,
    EventBusName: env.EVENT_BUS_NAME,
    Resources: [objectArn(object)],
  };
  await sendEvent(object.identity, entry, pipeline);
  logger.info('sent the event recorded by another delivery', { datasetId: id, detailType: event.detailType });
  return { datasetId: id, duplicate: true, sentRecordedEvent: true };
}

function objectArn(object: Pick<DatasetObject, 'bucket' | 'key'>): string {
  return `arn:aws:s3:::${object.bucket}/${object.key}`;
}

/** Puts the dataset's event on the bus under this delivery's lease; a failed send gives the lease back. */
async function sendEvent(identity: string, entry: PutEventsEntry, pipeline: string): Promise<void> {
  try {
    const sent = await events.send(new PutEventsCommand({ Entries: [entry] }));
    if (sent.FailedEntryCount)
      throw new Error(
        `PutEvents failed: ${sent.Entries?.[0]?.ErrorCode ?? 'unknown'} ${sent.Entries?.[0]?.ErrorMessage ?? ''}`,
      );
  } catch (error) {
    await store.settleEventSend(identity, false);
    throw error;
  }
  await store.settleEventSend(identity, true);
  metrics.addDimension('pipeline', pipeline);
  metrics.addMetric(
    entry.DetailType === DatasetAccepted.detailType ? 'DatasetsAccepted' : 'DatasetsRejected',
    'Count',
    1,
  );
}

function record(
  pipeline: string,
  id: string,
  object: DatasetObject,
  facts: Partial<DatasetRecord> & Pick<DatasetRecord, 'status' | 'rows'>,
): DatasetRecord {
  return {
    pipeline,
    datasetId: id,
    bucket: object.bucket,
    key: object.key,
    ...(object.versionId ? { versionId: object.versionId } : {}),
    ...(object.etag ? { etag: object.etag } : {}),
    size: object.size,
    receivedAt: object.receivedAt,
    checkedAt: new Date().toISOString(),
    ...facts,
  };
}

async function putJson(key: string, value: unknown): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: env.ARTIFACTS_BUCKET,
      Key: key,
      Body: JSON.stringify(value),
      ContentType: 'application/json',
    }),
  );
}

async function readBaseline(key: string): Promise<DatasetProfile | undefined> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: env.ARTIFACTS_BUCKET, Key: key }));
    return parseDatasetProfile(JSON.parse((await response.Body?.transformToString()) ?? 'null'));
  } catch (error) {
    if (error instanceof Error && error.name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/** Moves the exact object version to quarantine: copy with tags saying why, then delete that version from landing. */
async function quarantine(
  object: DatasetObject,
  quarantineKey: string,
  tags: Readonly<Record<string, string>>,
): Promise<void> {
  const source = `${object.bucket}/${encodeURIComponent(object.key).replace(/%2F/g, '/')}${object.versionId ? `?versionId=${object.versionId}` : ''}`;
  await s3.send(
    new CopyObjectCommand({
      Bucket: env.QUARANTINE_BUCKET,
      Key: quarantineKey,
      CopySource: source,
      TaggingDirective: 'REPLACE',
      Tagging: new URLSearchParams(tags).toString(),
    }),
  );
  // Deleting the version (not the key) never hides a newer version uploaded meanwhile.
  if (object.versionId)
    await s3.send(new DeleteObjectCommand({ Bucket: object.bucket, Key: object.key, VersionId: object.versionId }));
}
