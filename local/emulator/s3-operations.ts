/** Bucket and key of a path-style S3 request (`/<bucket>/<key>`), both percent-decoded. */
export interface S3Target {
  readonly bucket?: string;
  readonly key?: string;
}

/**
 * Splits a path-style S3 path. Locally every client is path-style (127.0.0.1 endpoint, `forcePathStyle`),
 * so virtual-hosted requests are not handled.
 */
export function s3Target(rawPath: string): S3Target {
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  if (path === '') return {};
  const slash = path.indexOf('/');
  if (slash < 0) return { bucket: safeDecode(path) };
  const key = path.slice(slash + 1);
  return { bucket: safeDecode(path.slice(0, slash)), ...(key === '' ? {} : { key: safeDecode(key) }) };
}

// Sub-resource query keys of bucket-level operations; the operation is `<Verb><suffix>`.
const BUCKET_SUBRESOURCES: readonly (readonly [string, string])[] = [
  ['notification', 'BucketNotificationConfiguration'],
  ['versioning', 'BucketVersioning'],
  ['encryption', 'BucketEncryption'],
  ['tagging', 'BucketTagging'],
  ['policyStatus', 'BucketPolicyStatus'],
  ['policy', 'BucketPolicy'],
  ['lifecycle', 'BucketLifecycleConfiguration'],
  ['cors', 'BucketCors'],
  ['publicAccessBlock', 'PublicAccessBlock'],
  ['ownershipControls', 'BucketOwnershipControls'],
  ['acl', 'BucketAcl'],
  ['logging', 'BucketLogging'],
  ['website', 'BucketWebsite'],
  ['object-lock', 'ObjectLockConfiguration'],
  ['replication', 'BucketReplication'],
  ['accelerate', 'BucketAccelerateConfiguration'],
  ['requestPayment', 'BucketRequestPayment'],
  ['location', 'BucketLocation'],
  ['inventory', 'BucketInventoryConfiguration'],
  ['metrics', 'BucketMetricsConfiguration'],
  ['analytics', 'BucketAnalyticsConfiguration'],
  ['intelligent-tiering', 'BucketIntelligentTieringConfiguration'],
];

// Operations whose DELETE name differs from `Delete<suffix>`.
const BUCKET_DELETE_NAMES: Readonly<Record<string, string>> = {
  lifecycle: 'DeleteBucketLifecycle',
  cors: 'DeleteBucketCors',
};

/**
 * Names the S3 REST operation of a request from its method, path, query and headers, as the S3 API
 * reference names it (PutObject, CopyObject, CompleteMultipartUpload, PutBucketNotificationConfiguration, ...).
 * Returns `Unknown` for anything it cannot tell.
 */
export function s3Operation(
  method: string,
  rawPath: string,
  query: URLSearchParams,
  headers: Readonly<Record<string, string>>,
): string {
  const { bucket, key } = s3Target(rawPath);
  const verb = method.toUpperCase();
  if (bucket === undefined) return verb === 'GET' ? 'ListBuckets' : 'Unknown';
  if (key === undefined) return bucketOperation(verb, query);
  return objectOperation(verb, query, headers);
}

function bucketOperation(verb: string, query: URLSearchParams): string {
  const sub = BUCKET_SUBRESOURCES.find(([name]) => query.has(name));
  if (sub !== undefined) {
    const [name, suffix] = sub;
    if (verb === 'PUT') return `Put${suffix}`;
    if (verb === 'GET') return `Get${suffix}`;
    if (verb === 'DELETE') return BUCKET_DELETE_NAMES[name] ?? `Delete${suffix}`;
    return 'Unknown';
  }
  switch (verb) {
    case 'PUT':
      return 'CreateBucket';
    case 'HEAD':
      return 'HeadBucket';
    case 'DELETE':
      return 'DeleteBucket';
    case 'POST':
      return query.has('delete') ? 'DeleteObjects' : 'PostObject';
    case 'GET':
      if (query.get('list-type') === '2') return 'ListObjectsV2';
      if (query.has('versions')) return 'ListObjectVersions';
      if (query.has('uploads')) return 'ListMultipartUploads';
      return 'ListObjects';
    default:
      return 'Unknown';
  }
}

function objectOperation(verb: string, query: URLSearchParams, headers: Readonly<Record<string, string>>): string {
  const copySource = headers['x-amz-copy-source'] !== undefined;
  switch (verb) {
    case 'PUT':
      if (query.has('uploadId') && query.has('partNumber')) return copySource ? 'UploadPartCopy' : 'UploadPart';
      if (query.has('tagging')) return 'PutObjectTagging';
      if (query.has('acl')) return 'PutObjectAcl';
      if (query.has('retention')) return 'PutObjectRetention';
      if (query.has('legal-hold')) return 'PutObjectLegalHold';
      return copySource ? 'CopyObject' : 'PutObject';
    case 'GET':
      if (query.has('tagging')) return 'GetObjectTagging';
      if (query.has('acl')) return 'GetObjectAcl';
      if (query.has('uploadId')) return 'ListParts';
      if (query.has('attributes')) return 'GetObjectAttributes';
      if (query.has('retention')) return 'GetObjectRetention';
      if (query.has('legal-hold')) return 'GetObjectLegalHold';
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'DELETE':
      if (query.has('uploadId')) return 'AbortMultipartUpload';
      if (query.has('tagging')) return 'DeleteObjectTagging';
      return 'DeleteObject';
    case 'POST':
      if (query.has('uploads')) return 'CreateMultipartUpload';
      if (query.has('uploadId')) return 'CompleteMultipartUpload';
      if (query.has('restore')) return 'RestoreObject';
      if (query.has('select')) return 'SelectObjectContent';
      return 'Unknown';
    default:
      return 'Unknown';
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
