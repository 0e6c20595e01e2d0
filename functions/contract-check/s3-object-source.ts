import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3ObjectCreated } from '../events/aws-s3';

/**
 * The object version an event names, readable by byte range (so worker threads can each read their range with a
 * ranged GET). Reads pin the version (versioned buckets) or the etag (`If-Match`, unversioned buckets), so an
 * object overwritten meanwhile is never mixed with its successor: the read fails instead.
 */
export function s3ObjectSource(s3: S3Client, object: S3ObjectCreated, contentType?: string) {
  return {
    name: `s3://${object.bucket}/${object.key}`,
    size: object.size,
    ...(contentType ? { contentType } : {}),
    async *read(start?: number, end?: number): AsyncIterable<Uint8Array> {
      if (object.size === 0) return;
      const range =
        start === undefined && end === undefined
          ? undefined
          : `bytes=${start ?? 0}-${end === undefined ? '' : end - 1}`;
      const response = await s3.send(
        new GetObjectCommand({
          Bucket: object.bucket,
          Key: object.key,
          ...(object.versionId ? { VersionId: object.versionId } : object.etag ? { IfMatch: `"${object.etag}"` } : {}),
          ...(range ? { Range: range } : {}),
        }),
      );
      const body = response.Body;
      if (!body || !(Symbol.asyncIterator in body)) throw new Error(`empty body reading ${object.key}`);
      for await (const chunk of body as AsyncIterable<Uint8Array>) yield chunk;
    },
  };
}

/** S3 errors that mean the object version is gone or was replaced: record it, do not retry. */
export function isObjectUnavailable(error: unknown): error is Error {
  return (
    error instanceof Error &&
    ['NoSuchKey', 'NoSuchVersion', 'PreconditionFailed', 'InvalidObjectState'].includes(error.name)
  );
}
