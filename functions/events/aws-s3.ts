import * as z from 'zod';
import { MissingObjectIdentityError } from './errors';
import { type EventPattern, nonEmpty, prefixMatchers } from './event-pattern';
import { type ParseResult, literal, parseWith } from './parse-result';

/**
 * S3 `Object Created` events delivered through EventBridge (REFERENCE 1), in the shapes both AWS and the local
 * emulator produce (MOTO.md section 1).
 */

/** `source` of every S3 event. */
export const S3_SOURCE = 'aws.s3';
/** `detail-type` of an S3 object creation (PutObject, POST Object, CopyObject, CompleteMultipartUpload). */
export const OBJECT_CREATED = 'Object Created';

/** The `detail` of an `Object Created` event, as sent. Unknown fields are ignored (stripped). */
export const S3ObjectCreatedDetailSchema = z.object({
  version: z.string().optional(),
  bucket: z.object({ name: z.string().min(1) }),
  object: z.object({
    // Raw, never URL-decoded: unlike classic S3 notifications, EventBridge carries the key as is (REFERENCE 1.3).
    key: z.string().min(1),
    size: z.number().int().nonnegative(),
    etag: z.string().min(1).optional(),
    /** moto spells it `eTag` (MOTO.md section 1). */
    eTag: z.string().min(1).optional(),
    /** Absent on unversioned buckets; moto sends the string `"null"` instead. */
    'version-id': z.string().optional(),
    sequencer: z.string().optional(),
  }),
  'request-id': z.string().optional(),
  requester: z.string().optional(),
  'source-ip-address': z.string().optional(),
  /** `PutObject`, `CopyObject`, ... on AWS; `ObjectCreated` on moto. Never branch on it. */
  reason: z.string().optional(),
});

/** The whole EventBridge event. `account` is optional: moto's PutEvents envelope leaves it out. */
export const S3ObjectCreatedEventSchema = z.object({
  version: z.string().optional(),
  id: z.string().min(1),
  'detail-type': literal(OBJECT_CREATED),
  source: literal(S3_SOURCE),
  account: z.string().min(1).optional(),
  time: z.string().refine((t) => Number.isFinite(Date.parse(t)), 'expected an ISO-8601 time'),
  region: z.string().min(1),
  resources: z.array(z.string()).optional(),
  /** Present on events replayed from an archive (REFERENCE 8.1). */
  'replay-name': z.string().optional(),
  detail: S3ObjectCreatedDetailSchema,
});

/** An `Object Created` event as sent by AWS or moto. */
export type S3ObjectCreatedEvent = z.infer<typeof S3ObjectCreatedEventSchema>;

/** One created object version, with AWS's and moto's spellings reconciled. */
export interface S3ObjectCreated {
  readonly bucket: string;
  /** The key exactly as S3 stores it (never URL-decoded). */
  readonly key: string;
  readonly size: number;
  /** Hex ETag without quotes; `<hex>-<parts>` for multipart uploads, which is not an MD5 of the object. */
  readonly etag?: string;
  /** Absent on unversioned buckets. */
  readonly versionId?: string;
  /** For the same key, a larger sequencer is a later event; not comparable across keys. */
  readonly sequencer?: string;
  /** Event time, ISO-8601. */
  readonly time: string;
  readonly region: string;
  readonly account?: string;
}

/** Parses and normalises an `Object Created` event; the zod pipe `parseS3ObjectCreated` uses. */
export const S3ObjectCreatedSchema = S3ObjectCreatedEventSchema.transform((event): S3ObjectCreated => {
  const o = event.detail.object;
  const etag = unquote(o.etag ?? o.eTag);
  const versionId = o['version-id'] === 'null' || o['version-id'] === '' ? undefined : o['version-id'];
  return {
    bucket: event.detail.bucket.name,
    key: o.key,
    size: o.size,
    ...(etag === undefined ? {} : { etag }),
    ...(versionId === undefined ? {} : { versionId }),
    ...(o.sequencer === undefined ? {} : { sequencer: o.sequencer }),
    time: event.time,
    region: event.region,
    ...(event.account === undefined ? {} : { account: event.account }),
  };
}).refine((o) => o.etag !== undefined || o.versionId !== undefined, {
  message: 'object has neither an etag nor a version-id, so this version of it cannot be identified',
  path: ['detail', 'object'],
});

/**
 * Parses an EventBridge `Object Created` event from AWS or moto into an {@link S3ObjectCreated}. Any other
 * detail-type (Object Deleted, Object Restore Completed, moto's spurious Object Tags Added, ...) is rejected.
 */
export function parseS3ObjectCreated(event: unknown): ParseResult<S3ObjectCreated> {
  return parseWith(S3ObjectCreatedSchema, event, 'S3 "Object Created" event');
}

/**
 * The deduplication key of an object version: `s3://bucket/key#versionId`, or `s3://bucket/key#etag` on an
 * unversioned bucket. Never use the event `id`: moto sends the same constant id for every S3 event, and AWS
 * itself may deliver one change as several events (a multipart upload gives two on moto).
 *
 * Keys may contain `#`, but version ids and ETags never do, so the text after the last `#` is unambiguous.
 * @throws MissingObjectIdentityError for a hand-built value with neither; parsed events always have one.
 */
export function objectIdentity(o: Pick<S3ObjectCreated, 'bucket' | 'key' | 'etag' | 'versionId'>): string {
  const version = o.versionId ?? o.etag;
  if (version === undefined) throw new MissingObjectIdentityError(o.bucket, o.key);
  return `s3://${o.bucket}/${o.key}#${version}`;
}

/**
 * Rule pattern for objects created in `bucketName` under any of `keyPrefixes` (prefix match on the raw key,
 * REFERENCE 1.4).
 * @throws PatternArgumentError if the bucket name or a prefix is empty, or no prefix is given.
 */
export function s3ObjectCreatedPattern(bucketName: string, keyPrefixes: readonly string[]): EventPattern {
  return {
    source: [S3_SOURCE],
    detailType: [OBJECT_CREATED],
    detail: {
      bucket: { name: nonEmpty([bucketName], 'bucket name') },
      object: { key: prefixMatchers(keyPrefixes, 'key prefixes') },
    },
  };
}

/**
 * Whether a key names a data file, as opposed to a folder marker (`.../`, `..._$folder$`) or a marker or hidden
 * file (`_SUCCESS`, `.keep`). Follows the Hadoop/Spark/Athena convention: a path segment starting with `.` or `_`
 * is hidden, so `_temporary/` and `.spark-staging/` trees are skipped too. Landing prefixes must not use such
 * segments.
 */
export function isDataObjectKey(key: string): boolean {
  if (key.length === 0 || key.endsWith('/') || key.endsWith('$folder$')) return false;
  // Empty segments (`a//b.csv`) are legal S3 keys, not hidden ones.
  return key.split('/').every((segment) => !segment.startsWith('.') && !segment.startsWith('_'));
}

function unquote(etag: string | undefined): string | undefined {
  // S3 APIs return ETags in double quotes; events do not. Strip them so both compare equal.
  return etag === undefined ? undefined : etag.replace(/^"(.*)"$/, '$1');
}
