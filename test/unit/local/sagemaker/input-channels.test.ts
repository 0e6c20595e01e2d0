import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  materialiseChannel,
  objectsForPrefix,
  parseManifest,
  pathInside,
} from '../../../../local/sagemaker/input-channels';
import type { TrainingChannel } from '../../../../local/sagemaker/training-job-request';
import { MemoryObjectStore } from './memory-object-store';

const MANIFEST_URI = 's3://example-bucket/manifests/train.json';

function channel(S3DataType: 'S3Prefix' | 'ManifestFile', S3Uri: string): TrainingChannel {
  return { ChannelName: 'train', DataSource: { S3DataSource: { S3DataType, S3Uri } } };
}

describe('parseManifest', () => {
  it('reads the documented format: a prefix object, then keys relative to it', () => {
    const manifest = '[{"prefix":"s3://example-bucket/validated/2025-01-15/"},"part-0001.csv","part-0002.csv"]';
    expect(parseManifest(manifest, MANIFEST_URI)).toEqual([
      {
        source: { bucket: 'example-bucket', key: 'validated/2025-01-15/part-0001.csv' },
        relativePath: 'part-0001.csv',
      },
      {
        source: { bucket: 'example-bucket', key: 'validated/2025-01-15/part-0002.csv' },
        relativePath: 'part-0002.csv',
      },
    ]);
  });

  it('keeps sub-folders of relative keys', () => {
    const manifest = JSON.stringify([{ prefix: 's3://b/data/' }, 'day=1/a.csv']);
    expect(parseManifest(manifest, MANIFEST_URI)[0]).toEqual({
      source: { bucket: 'b', key: 'data/day=1/a.csv' },
      relativePath: 'day=1/a.csv',
    });
  });

  it.each([
    ['not JSON', '[{"prefix":', /not valid JSON/],
    ['an object instead of an array', '{"prefix":"s3://b/p/"}', /non-empty JSON array/],
    ['an empty array', '[]', /non-empty JSON array/],
    ['no prefix object first', '["a.csv"]', /first element .* must be \{"prefix"/],
    ['a prefix that is not an S3 URI', '[{"prefix":"https://b/p/"},"a.csv"]', /invalid prefix/],
    ['a non-string entry', '[{"prefix":"s3://b/p/"},42]', /element 1 .* non-empty key/],
  ])('rejects %s with a ClientError failure reason', (_why, text, message) => {
    expect(() => parseManifest(text, MANIFEST_URI)).toThrow(
      expect.objectContaining({ name: 'LocalExecutionError', failureReason: expect.stringMatching(message) }),
    );
  });
});

describe('objectsForPrefix', () => {
  it('treats the URI as a key prefix and keeps paths below its folder part', () => {
    const keys = ['data/train.csv', 'data/tr/x.csv', 'data/test.csv', 'data/tr/', 'database.csv'];
    expect(objectsForPrefix({ bucket: 'b', key: 'data/tr' }, keys).map((o) => o.relativePath)).toEqual([
      'train.csv',
      'tr/x.csv',
    ]);
  });

  it('keeps sub-folders below a folder prefix and skips folder markers', () => {
    const keys = ['in/', 'in/a.csv', 'in/sub/b.csv'];
    expect(objectsForPrefix({ bucket: 'b', key: 'in/' }, keys).map((o) => o.relativePath)).toEqual([
      'a.csv',
      'sub/b.csv',
    ]);
  });
});

describe('pathInside', () => {
  it.each(['../escape.csv', 'a/../../escape.csv', '/etc/passwd'])('refuses %s', (path) => {
    expect(() => pathInside('/tmp/channel', path)).toThrow(expect.objectContaining({ name: 'LocalExecutionError' }));
  });

  it('resolves a nested relative path', () => {
    expect(pathInside('/tmp/channel', 'a/b.csv')).toBe(join('/tmp/channel', 'a', 'b.csv'));
  });
});

describe('materialiseChannel', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'sm-channel-'));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('copies exactly the objects a manifest lists', async () => {
    const store = new MemoryObjectStore();
    store.set('bkt', 'holdout/a.csv', '1,2\n');
    store.set('bkt', 'holdout/b.csv', '0,3\n');
    store.set('bkt', 'holdout/not-listed.csv', 'x');
    store.set('bkt', 'manifests/m.json', JSON.stringify([{ prefix: 's3://bkt/holdout/' }, 'a.csv', 'b.csv']));

    const copied = await materialiseChannel(store, channel('ManifestFile', 's3://bkt/manifests/m.json'), folder);

    expect(copied).toBe(2);
    expect((await readdir(folder)).sort()).toEqual(['a.csv', 'b.csv']);
    expect(await readFile(join(folder, 'b.csv'), 'utf8')).toBe('0,3\n');
  });

  it('fails with a download ClientError when a listed object is missing', async () => {
    const store = new MemoryObjectStore();
    store.set('bkt', 'manifests/m.json', JSON.stringify([{ prefix: 's3://bkt/holdout/' }, 'gone.csv']));
    await expect(
      materialiseChannel(store, channel('ManifestFile', 's3://bkt/manifests/m.json'), folder),
    ).rejects.toMatchObject({
      failureReason: expect.stringMatching(/^ClientError: Data download failed: s3:\/\/bkt\/holdout\/gone\.csv/),
    });
  });

  it('copies every object under an S3Prefix, keeping sub-folders', async () => {
    const store = new MemoryObjectStore();
    store.set('bkt', 'train/p1.csv', '1,1\n');
    store.set('bkt', 'train/2025/p2.csv', '0,1\n');
    expect(await materialiseChannel(store, channel('S3Prefix', 's3://bkt/train/'), folder)).toBe(2);
    expect(await readFile(join(folder, '2025', 'p2.csv'), 'utf8')).toBe('0,1\n');
  });

  it('fails like SageMaker when the prefix matches nothing', async () => {
    await expect(
      materialiseChannel(new MemoryObjectStore(), channel('S3Prefix', 's3://bkt/empty/'), folder),
    ).rejects.toMatchObject({ failureReason: expect.stringMatching(/^ClientError: No S3 objects found under S3 URL/) });
  });
});
