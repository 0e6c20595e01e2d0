import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import type { AwsCall, AwsReply } from './aws-call';
import { GatewayCallError } from './errors';
import type { Gateway } from './gateway';
import { addEventBridgeConfiguration, stripEventBridgeConfiguration } from './s3-notification-xml';
import { s3Target } from './s3-operations';
import { postObjectKey } from './s3-post-form';
import { unescapeXml } from './xml-text';

/** `detail.reason` of an `Object Created` event (REFERENCE.md 1.2). */
export type ObjectCreatedReason = 'PutObject' | 'POST Object' | 'CopyObject' | 'CompleteMultipartUpload';

/** What the gateway records per bucket that has EventBridge notifications on. */
export interface EventBridgeBucket {
  readonly accountId: string;
  readonly bucket: string;
  /** Region of the PutBucketNotificationConfiguration call: the bucket's region, whose default bus gets events. */
  readonly region: string;
}

/** The S3 -> EventBridge emulation installed on a gateway. */
export interface S3EventBridge {
  /** True when `bucket` of `accountId` has EventBridge notifications on. */
  isEnabled(accountId: string, bucket: string): boolean;
}

const PutEventsReply = z.object({
  FailedEntryCount: z.number().optional(),
  Entries: z.array(z.object({ ErrorCode: z.string().optional(), ErrorMessage: z.string().optional() })).optional(),
});

let lastSequencer = 0n;

/**
 * Sequencers only have to grow per key (REFERENCE.md 1.2); one process-wide counter seeded from the clock
 * grows for every key at once. AWS prints 18 upper-case hex digits.
 */
function nextSequencer(): string {
  const fromClock = BigInt(Date.now()) << 16n;
  lastSequencer = fromClock > lastSequencer ? fromClock : lastSequencer + 1n;
  return lastSequencer.toString(16).toUpperCase().padStart(18, '0');
}

function requestId(reply: AwsReply): string {
  const fromMoto = reply.headers['x-amz-request-id'];
  if (fromMoto !== undefined && /^[A-Z0-9]{16}$/.test(fromMoto)) return fromMoto;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from(randomBytes(16), (byte) => alphabet[byte % alphabet.length]).join('');
}

/** `time` of an event: ISO-8601 UTC with second precision (`2021-11-12T00:00:00Z`). */
function eventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function objectPath(bucket: string, key: string, versionId?: string): string {
  const encodedKey = key.split('/').map(encodeURIComponent).join('/');
  const query = versionId === undefined ? '' : `?versionId=${encodeURIComponent(versionId)}`;
  return `/${encodeURIComponent(bucket)}/${encodedKey}${query}`;
}

/** A 200 reply can still carry an S3 error document (CopyObject, CompleteMultipartUpload). */
function succeeded(reply: AwsReply): boolean {
  if (reply.status < 200 || reply.status > 299) return false;
  return !/<Error>/.test(reply.body.subarray(0, 512).toString('utf8'));
}

/**
 * Makes S3 -> EventBridge behave like AWS (REFERENCE.md 1.1, 1.2) instead of moto (MOTO.md 1):
 * - `PutBucketNotificationConfiguration` never passes `EventBridgeConfiguration` to moto; the gateway records
 *   the flag per account and bucket, and `GetBucketNotificationConfiguration` reports it back.
 * - After a successful PutObject, CopyObject, CompleteMultipartUpload or POST Object on such a bucket it reads
 *   the object (HeadObject) and puts exactly one `Object Created` event on the account's default bus, with a
 *   fresh id, `etag` (not `eTag`), `version-id` only when versioned, a growing `sequencer`, the raw key and
 *   AWS's `reason`. DeleteObject and DeleteObjects give `Object Deleted` with `deletion-type`.
 * - Tagging operations give no event (moto's spurious `Object Tags Added` is gone with its emitter).
 *
 * Events are put before the S3 reply is returned, so they are in SQS when the S3 call returns, as with moto.
 */
export function enableS3EventBridge(gateway: Gateway): S3EventBridge {
  const buckets = new Map<string, EventBridgeBucket>();
  const keyOf = (accountId: string, bucket: string): string => `${accountId}/${bucket}`;
  const enabledBucket = (call: AwsCall): EventBridgeBucket | undefined => {
    const { bucket } = s3Target(call.path);
    return bucket === undefined ? undefined : buckets.get(keyOf(call.accountId, bucket));
  };

  gateway.intercept('s3', 'PutBucketNotificationConfiguration', async (call, forward) => {
    const { bucket } = s3Target(call.path);
    const { xml, enabled } = stripEventBridgeConfiguration(call.body.toString('utf8'));
    const reply = enabled ? await forward({ body: Buffer.from(xml, 'utf8') }) : await forward();
    if (bucket !== undefined && succeeded(reply)) {
      // The call replaces the whole configuration, so a body without the element turns events off.
      if (enabled)
        buckets.set(keyOf(call.accountId, bucket), { accountId: call.accountId, bucket, region: call.region });
      else buckets.delete(keyOf(call.accountId, bucket));
    }
    return reply;
  });

  gateway.intercept('s3', 'GetBucketNotificationConfiguration', async (call, forward) => {
    const reply = await forward();
    if (enabledBucket(call) === undefined || reply.status !== 200) return reply;
    return { ...reply, body: Buffer.from(addEventBridgeConfiguration(reply.body.toString('utf8')), 'utf8') };
  });

  gateway.intercept('s3', 'DeleteBucket', async (call, forward) => {
    const reply = await forward();
    const { bucket } = s3Target(call.path);
    if (bucket !== undefined && succeeded(reply)) buckets.delete(keyOf(call.accountId, bucket));
    return reply;
  });

  const created =
    (reason: ObjectCreatedReason) =>
    async (call: AwsCall, forward: () => Promise<AwsReply>): Promise<AwsReply> => {
      const reply = await forward();
      const target = enabledBucket(call);
      if (target === undefined || !succeeded(reply)) return reply;
      const key =
        reason === 'POST Object'
          ? postObjectKey(call.headers['content-type'] ?? '', call.body)
          : s3Target(call.path).key;
      if (key === undefined) return reply;
      await report(() => emitObjectCreated(target, key, reason, reply));
      return reply;
    };
  gateway.intercept('s3', 'PutObject', created('PutObject'));
  gateway.intercept('s3', 'CopyObject', created('CopyObject'));
  gateway.intercept('s3', 'CompleteMultipartUpload', created('CompleteMultipartUpload'));
  gateway.intercept('s3', 'PostObject', created('POST Object'));

  gateway.intercept('s3', 'DeleteObject', async (call, forward) => {
    const reply = await forward();
    const target = enabledBucket(call);
    const { key } = s3Target(call.path);
    if (target === undefined || key === undefined || !succeeded(reply)) return reply;
    const deletedVersion = call.query.get('versionId') ?? undefined;
    const markerCreated = deletedVersion === undefined && reply.headers['x-amz-delete-marker'] === 'true';
    const versionId = deletedVersion ?? reply.headers['x-amz-version-id'];
    await report(() => emitObjectDeleted(target, key, versionId, markerCreated, requestId(reply)));
    return reply;
  });

  gateway.intercept('s3', 'DeleteObjects', async (call, forward) => {
    const reply = await forward();
    const target = enabledBucket(call);
    if (target === undefined || !succeeded(reply)) return reply;
    const xml = reply.body.toString('utf8');
    for (const [, inner = ''] of xml.matchAll(/<Deleted>([\s\S]*?)<\/Deleted>/g)) {
      const field = (name: string): string | undefined => {
        const value = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(inner)?.[1];
        return value === undefined ? undefined : unescapeXml(value);
      };
      const key = field('Key');
      if (key === undefined) continue;
      const markerCreated = field('DeleteMarker') === 'true' && field('VersionId') === undefined;
      const versionId = field('DeleteMarkerVersionId') ?? field('VersionId');
      await report(() => emitObjectDeleted(target, key, versionId, markerCreated, requestId(reply)));
    }
    return reply;
  });

  async function report(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      // The S3 call itself succeeded; failing it now would make the client retry and write the object twice.
      gateway.reportError(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async function emitObjectCreated(
    target: EventBridgeBucket,
    key: string,
    reason: ObjectCreatedReason,
    reply: AwsReply,
  ): Promise<void> {
    // Unversioned buckets may answer `null`, which is no version id to ask HeadObject for.
    const replyVersion = presentVersion(reply.headers['x-amz-version-id']);
    const head = await gateway.send({
      service: 's3',
      region: target.region,
      accountId: target.accountId,
      method: 'HEAD',
      path: objectPath(target.bucket, key, replyVersion),
    });
    if (head.status !== 200) {
      throw new GatewayCallError(
        `HeadObject s3://${target.bucket}/${key} after ${reason} failed with HTTP ${head.status}`,
        head.status,
        '',
      );
    }
    const versionId = replyVersion ?? presentVersion(head.headers['x-amz-version-id']);
    const object = {
      key,
      size: Number(head.headers['content-length'] ?? '0'),
      etag: (head.headers['etag'] ?? '').replaceAll('"', ''),
      ...(versionId === undefined ? {} : { 'version-id': versionId }),
      sequencer: nextSequencer(),
    };
    await putEvent(target, 'Object Created', { object, requestId: requestId(reply), reason });
  }

  async function emitObjectDeleted(
    target: EventBridgeBucket,
    key: string,
    versionId: string | undefined,
    markerCreated: boolean,
    reqId: string,
  ): Promise<void> {
    const version = presentVersion(versionId);
    const object = { key, ...(version === undefined ? {} : { 'version-id': version }), sequencer: nextSequencer() };
    await putEvent(target, 'Object Deleted', {
      object,
      requestId: reqId,
      reason: 'DeleteObject',
      deletionType: markerCreated ? 'Delete Marker Created' : 'Permanently Deleted',
    });
  }

  async function putEvent(
    target: EventBridgeBucket,
    detailType: 'Object Created' | 'Object Deleted',
    fields: { object: Record<string, unknown>; requestId: string; reason: string; deletionType?: string },
  ): Promise<void> {
    const now = new Date();
    const detail = {
      version: '0',
      bucket: { name: target.bucket },
      object: fields.object,
      'request-id': fields.requestId,
      requester: target.accountId,
      'source-ip-address': '127.0.0.1',
      reason: fields.reason,
      ...(fields.deletionType === undefined ? {} : { 'deletion-type': fields.deletionType }),
    };
    const entry = {
      Source: 'aws.s3',
      DetailType: detailType,
      Resources: [`arn:${partitionOf(target.region)}:s3:::${target.bucket}`],
      Detail: JSON.stringify(detail),
      // moto turns this epoch into the envelope's `time`, already at second precision like AWS.
      Time: Math.floor(now.getTime() / 1000),
    };
    const reply = await gateway.send({
      service: 'events',
      region: target.region,
      accountId: target.accountId,
      method: 'POST',
      path: '/',
      headers: { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ Entries: [entry] }),
    });
    const text = reply.body.toString('utf8');
    const parsed = reply.status === 200 ? PutEventsReply.safeParse(safeJson(text)) : undefined;
    if (parsed === undefined || !parsed.success || (parsed.data.FailedEntryCount ?? 0) > 0) {
      throw new GatewayCallError(
        `PutEvents of "${detailType}" for s3://${target.bucket}/${String(fields.object['key'])} at ${eventTime(now)} failed ` +
          `(HTTP ${reply.status}; a rule with a Lambda target makes moto answer 500): ${text.slice(0, 500)}`,
        reply.status,
        text,
      );
    }
  }

  return { isEnabled: (accountId, bucket) => buckets.has(keyOf(accountId, bucket)) };
}

function presentVersion(versionId: string | undefined): string | undefined {
  return versionId === undefined || versionId === 'null' || versionId === '' ? undefined : versionId;
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
