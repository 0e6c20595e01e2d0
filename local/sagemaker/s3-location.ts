/**
 * `s3://bucket/key` URIs as SageMaker requests carry them.
 */
import { validationError } from './errors';

/** A bucket and a key (or key prefix) within it. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** Parses `s3://bucket/key`; throws a `ValidationException` naming `member` for anything else. */
export function parseS3Uri(uri: string, member: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  const bucket = match?.[1];
  if (match === null || bucket === undefined) {
    throw validationError(`${member} must be an S3 URI of the form s3://bucket/key, got '${uri}'`);
  }
  return { bucket, key: match[2] ?? '' };
}

/** `s3://bucket/a/` + `b/c` -> `s3://bucket/a/b/c`, with exactly one `/` at the seam. */
export function joinS3Uri(base: string, ...parts: readonly string[]): string {
  return [base.replace(/\/+$/, ''), ...parts.map((part) => part.replace(/^\/+|\/+$/g, ''))].join('/');
}
