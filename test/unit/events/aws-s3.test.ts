import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isDataObjectKey,
  objectIdentity,
  parseS3ObjectCreated,
  s3ObjectCreatedPattern,
} from '../../../functions/events/aws-s3';
import { MissingObjectIdentityError, PatternArgumentError } from '../../../functions/events/errors';
import { toEventBridgePattern } from '../../../functions/events/event-pattern';
import { matchesPattern } from '../../../functions/events/pattern-match';
import { SAMPLES_DIR } from '../../fixtures/samples';

const SAMPLES = SAMPLES_DIR;
const sample = (path: string): unknown => JSON.parse(readFileSync(join(SAMPLES, 'events', path), 'utf8'));

const OBJECT_CREATED_SAMPLES = [
  'powertools-lambda-typescript/s3/eventbridge-object-created.json',
  'powertools-lambda-python/s3EventBridgeNotificationObjectCreatedEvent.json',
];
const OTHER_S3_SAMPLES = [
  'powertools-lambda-typescript/s3/eventbridge-object-deleted.json',
  'powertools-lambda-typescript/s3/eventbridge-object-expired.json',
  'powertools-lambda-typescript/s3/eventbridge-object-restored.json',
  'powertools-lambda-python/s3EventBridgeNotificationObjectDeletedEvent.json',
  'powertools-lambda-python/s3EventBridgeNotificationObjectExpiredEvent.json',
  'powertools-lambda-python/s3EventBridgeNotificationObjectRestoreCompletedEvent.json',
];

/** The exact body moto 5.2.5 delivered for a PutObject of `landing/a b/ü file+x.csv` (MOTO.md section 1). */
const MOTO_EVENT_BODY = `{"version":"0","id":"17793124-05d4-b198-2fde-7ededc63b103","detail-type":"Object Created","source":"aws.s3",
 "account":"123456789012","time":"2026-11-22T22:07:23Z","region":"us-east-1","resources":["arn:aws:s3:::landing-bkt"],
 "detail":{"version":"0","bucket":{"name":"landing-bkt"},
   "object":{"key":"landing/a b/ü file+x.csv","size":5,"eTag":"5d41402abc4b2a76b9719d911017c592","version-id":"null","sequencer":"617f08299329d189"},
   "request-id":"N4N7GDK58NMKJ12R","requester":"123456789012","source-ip-address":"1.2.3.4","reason":"ObjectCreated"}}`;
const motoEvent = (): Record<string, unknown> => {
  const parsed: unknown = JSON.parse(MOTO_EVENT_BODY);
  if (typeof parsed !== 'object' || parsed === null) throw new Error('moto body is not an object');
  return { ...parsed };
};

/** A versioned-bucket event in the documented AWS shape (REFERENCE 1.2). */
const awsVersionedEvent = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'Object Created',
  source: 'aws.s3',
  account: '123456789012',
  time: '2025-01-15T10:00:00Z',
  region: 'eu-west-1',
  resources: ['arn:aws:s3:::example-bucket'],
  detail: {
    version: '0',
    bucket: { name: 'example-bucket' },
    object: {
      key: 'incoming/orders/2025-01-15.csv',
      size: 52341,
      etag: 'b1946ac92492d2347c6235b4d2611184',
      'version-id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
      sequencer: '00617F08299329D189',
    },
    'request-id': 'N4N7GDK58NMKJ12R',
    requester: '123456789012',
    'source-ip-address': '203.0.113.10',
    reason: 'PutObject',
  },
};

/** Replaces `detail.object` fields of an event, keeping the rest. */
function withObject(event: typeof awsVersionedEvent, object: Record<string, unknown>): Record<string, unknown> {
  return { ...event, detail: { ...event.detail, object } };
}

describe('parseS3ObjectCreated', () => {
  it.each(OBJECT_CREATED_SAMPLES)('parses the Powertools sample %s', (path) => {
    const result = parseS3ObjectCreated(sample(path));

    expect(result).toEqual({
      ok: true,
      value: {
        bucket: 'example-bucket',
        key: 'IMG_m7fzo3.jpg',
        size: 184662,
        etag: '4e68adba0abe2dc8653dc3354e14c01d',
        sequencer: '006408CAD69598B05E',
        time: '2023-03-08T17:50:14Z',
        region: 'eu-west-1',
        account: '123456789012',
      },
    });
  });

  it('parses a versioned AWS event and keeps its version id', () => {
    const result = parseS3ObjectCreated(awsVersionedEvent);

    expect(result.ok && result.value.versionId).toBe('IYV3p45BT0ac8hjHg1houSdS1a.Mro8e');
    expect(result.ok && result.value.etag).toBe('b1946ac92492d2347c6235b4d2611184');
  });

  it('parses moto\'s event: eTag is the etag, version-id "null" is absent, the key stays raw', () => {
    const result = parseS3ObjectCreated(motoEvent());

    expect(result).toEqual({
      ok: true,
      value: {
        bucket: 'landing-bkt',
        key: 'landing/a b/ü file+x.csv',
        size: 5,
        etag: '5d41402abc4b2a76b9719d911017c592',
        sequencer: '617f08299329d189',
        time: '2026-11-22T22:07:23Z',
        region: 'us-east-1',
        account: '123456789012',
      },
    });
    expect(result.ok && 'versionId' in result.value).toBe(false);
  });

  it('never URL-decodes the key', () => {
    const event = withObject(awsVersionedEvent, { ...awsVersionedEvent.detail.object, key: 'in/a%20b+c%2B.csv' });

    const result = parseS3ObjectCreated(event);

    expect(result.ok && result.value.key).toBe('in/a%20b+c%2B.csv');
  });

  it('accepts an envelope without account, as moto delivers through PutEvents', () => {
    const { account: _account, ...withoutAccount } = awsVersionedEvent;

    const result = parseS3ObjectCreated(withoutAccount);

    expect(result.ok).toBe(true);
    expect(result.ok && 'account' in result.value).toBe(false);
  });

  it('accepts an event replayed from an archive', () => {
    const result = parseS3ObjectCreated({ ...awsVersionedEvent, 'replay-name': 'replay-2025-01-15' });

    expect(result.ok).toBe(true);
  });

  it('strips the quotes of an ETag given in the API form', () => {
    const event = withObject(awsVersionedEvent, { key: 'k.csv', size: 1, etag: '"abc123"' });

    const result = parseS3ObjectCreated(event);

    expect(result.ok && result.value.etag).toBe('abc123');
  });

  it.each(OTHER_S3_SAMPLES)('rejects %s because its detail-type is not Object Created', (path) => {
    const result = parseS3ObjectCreated(sample(path));

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(
      /^not a valid S3 "Object Created" event: .*detail-type: .*"Object Created"/,
    );
  });

  it('rejects an event with neither etag nor version-id, which could not be deduplicated', () => {
    const event = withObject(awsVersionedEvent, { key: 'k.csv', size: 1, 'version-id': 'null' });

    const result = parseS3ObjectCreated(event);

    expect(!result.ok && result.error).toMatch(/detail\.object: object has neither an etag nor a version-id/);
  });

  it.each([
    ['a missing size', withObject(awsVersionedEvent, { key: 'k', etag: 'e' }), /detail\.object\.size/],
    ['an empty key', withObject(awsVersionedEvent, { key: '', size: 1, etag: 'e' }), /detail\.object\.key/],
    ['a negative size', withObject(awsVersionedEvent, { key: 'k', size: -1, etag: 'e' }), /detail\.object\.size/],
    ['another source', { ...awsVersionedEvent, source: 'mlops.contracts' }, /source/],
    ['a time that is not a time', { ...awsVersionedEvent, time: 'yesterday' }, /time: expected an ISO-8601 time/],
    ['a missing bucket', { ...awsVersionedEvent, detail: { object: awsVersionedEvent.detail.object } }, /bucket/],
  ])('rejects an event with %s, naming the field', (_what, event, message) => {
    const result = parseS3ObjectCreated(event);

    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(message);
  });

  it.each([null, undefined, 'Object Created', 42, []])('rejects %j without throwing', (input) => {
    expect(parseS3ObjectCreated(input).ok).toBe(false);
  });
});

describe('objectIdentity', () => {
  it('names a versioned object by its version id', () => {
    const result = parseS3ObjectCreated(awsVersionedEvent);
    if (!result.ok) throw new Error(result.error);

    expect(objectIdentity(result.value)).toBe(
      's3://example-bucket/incoming/orders/2025-01-15.csv#IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
    );
  });

  it('names an unversioned object by its etag', () => {
    const result = parseS3ObjectCreated(motoEvent());
    if (!result.ok) throw new Error(result.error);

    expect(objectIdentity(result.value)).toBe(
      's3://landing-bkt/landing/a b/ü file+x.csv#5d41402abc4b2a76b9719d911017c592',
    );
  });

  it('tells apart two objects whose events moto sent with the same constant id', () => {
    const first = motoEvent();
    const second: Record<string, unknown> = {
      ...motoEvent(),
      detail: { bucket: { name: 'landing-bkt' }, object: { key: 'landing/b.csv', size: 9, eTag: 'ffff' } },
    };
    expect(first.id).toBe(second.id);

    const a = parseS3ObjectCreated(first);
    const b = parseS3ObjectCreated(second);
    if (!a.ok || !b.ok) throw new Error('samples must parse');

    expect(objectIdentity(a.value)).not.toBe(objectIdentity(b.value));
  });

  it('gives a redelivered event the same identity', () => {
    const a = parseS3ObjectCreated(awsVersionedEvent);
    const b = parseS3ObjectCreated({ ...awsVersionedEvent, id: 'another-delivery', time: '2025-01-15T10:00:05Z' });
    if (!a.ok || !b.ok) throw new Error('samples must parse');

    expect(objectIdentity(a.value)).toBe(objectIdentity(b.value));
  });

  it('throws a typed error for a hand-built object with neither version id nor etag', () => {
    expect(() => objectIdentity({ bucket: 'b', key: 'k' })).toThrow(MissingObjectIdentityError);
  });
});

describe('s3ObjectCreatedPattern', () => {
  it('builds a CDK-shaped pattern with one prefix matcher per prefix', () => {
    expect(s3ObjectCreatedPattern('landing-bkt', ['churn/incoming/', 'fraud/incoming/'])).toEqual({
      source: ['aws.s3'],
      detailType: ['Object Created'],
      detail: {
        bucket: { name: ['landing-bkt'] },
        object: { key: [{ prefix: 'churn/incoming/' }, { prefix: 'fraud/incoming/' }] },
      },
    });
  });

  it('renders the JSON form of REFERENCE 1.4', () => {
    expect(toEventBridgePattern(s3ObjectCreatedPattern('example-bucket', ['incoming/']))).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: ['example-bucket'] }, object: { key: [{ prefix: 'incoming/' }] } },
    });
  });

  it.each(OBJECT_CREATED_SAMPLES)('matches %s when bucket and prefix fit, and only then', (path) => {
    const event = sample(path);

    expect(matchesPattern(toEventBridgePattern(s3ObjectCreatedPattern('example-bucket', ['IMG_'])), event)).toBe(true);
    expect(matchesPattern(toEventBridgePattern(s3ObjectCreatedPattern('example-bucket', ['incoming/'])), event)).toBe(
      false,
    );
    expect(matchesPattern(toEventBridgePattern(s3ObjectCreatedPattern('other-bucket', ['IMG_'])), event)).toBe(false);
  });

  it.each(OTHER_S3_SAMPLES)('does not match %s', (path) => {
    expect(matchesPattern(toEventBridgePattern(s3ObjectCreatedPattern('example-bucket', ['IMG_'])), sample(path))).toBe(
      false,
    );
  });

  it("matches moto's event on the raw key prefix", () => {
    const pattern = toEventBridgePattern(s3ObjectCreatedPattern('landing-bkt', ['landing/']));

    expect(matchesPattern(pattern, motoEvent())).toBe(true);
    expect(matchesPattern(pattern, { ...motoEvent(), 'detail-type': 'Object Tags Added' })).toBe(false);
  });

  it('fails on an empty bucket name or an empty list of prefixes', () => {
    expect(() => s3ObjectCreatedPattern('', ['a/'])).toThrow(PatternArgumentError);
    expect(() => s3ObjectCreatedPattern('b', [])).toThrow(/key prefixes: needs at least one value/);
    expect(() => s3ObjectCreatedPattern('b', [''])).toThrow(PatternArgumentError);
  });
});

describe('isDataObjectKey', () => {
  it.each([
    'churn/incoming/2025-01-15.csv',
    'churn/incoming/2025/01/15/part-0000.csv.gz',
    'churn/incoming/orders.parquet',
    'IMG_m7fzo3.jpg',
    'churn/incoming//double-slash.csv',
    'churn/incoming/a b+c.csv',
  ])('accepts the data file %s', (key) => {
    expect(isDataObjectKey(key)).toBe(true);
  });

  it.each([
    ['a folder marker', 'churn/incoming/'],
    ['a nested folder marker', 'churn/incoming/2025/'],
    ['a Spark success marker', 'churn/incoming/run-1/_SUCCESS'],
    ['a placeholder', 'churn/incoming/.keep'],
    ['a hidden file', 'churn/incoming/.orders.csv.crc'],
    ['an underscore file', 'churn/incoming/_metadata'],
    ['a Hadoop folder marker', 'churn/incoming_$folder$'],
    ['a file in a temporary tree', 'churn/incoming/_temporary/0/part-0000.csv'],
    ['a file in a hidden tree', 'churn/incoming/.spark-staging/part-0000.csv'],
    ['the empty key', ''],
  ])('rejects %s (%s)', (_what, key) => {
    expect(isDataObjectKey(key)).toBe(false);
  });
});
