/**
 * Materialises a training job's input channels into `<root>/input/data/<channel>/` the way File mode does:
 * `S3Prefix` copies every object under the prefix, `ManifestFile` the objects a manifest lists (REFERENCE 3.2).
 */
import { isAbsolute, join, relative, resolve } from 'node:path';

import { LocalExecutionError, messageOf } from './errors';
import type { ObjectStore } from './object-store';
import { parseS3Uri, type S3Location } from './s3-location';
import type { TrainingChannel } from './training-job-request';

/** One object to copy into a channel folder. */
export interface ChannelObject {
  readonly source: S3Location;
  /** Path inside the channel folder, `/`-separated. */
  readonly relativePath: string;
}

/**
 * The objects of an `S3Prefix` channel. The prefix is a key prefix, not a folder: `s3://b/data/tr` matches
 * `data/train.csv` and `data/tr/x.csv`. Each object lands at its key minus the prefix's folder part
 * (`data/train.csv` -> `train.csv`), which is how SageMaker lays out File-mode channels.
 */
export function objectsForPrefix(prefix: S3Location, keys: readonly string[]): ChannelObject[] {
  const folder = prefix.key.slice(0, prefix.key.lastIndexOf('/') + 1);
  return keys
    .filter((key) => key.startsWith(prefix.key) && !key.endsWith('/'))
    .map((key) => ({ source: { bucket: prefix.bucket, key }, relativePath: key.slice(folder.length) }));
}

/**
 * Parses a manifest: a JSON array whose first element is `{"prefix": "s3://bucket/prefix/"}` and whose other
 * elements are keys relative to that prefix. Throws a `LocalExecutionError` with a `ClientError:` reason when the
 * manifest is malformed.
 */
export function parseManifest(text: string, manifestUri: string): ChannelObject[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LocalExecutionError(`ClientError: manifest ${manifestUri} is not valid JSON: ${messageOf(error)}`, {
      cause: error,
    });
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new LocalExecutionError(`ClientError: manifest ${manifestUri} must be a non-empty JSON array`);
  }
  const items: readonly unknown[] = parsed;
  const [head, ...entries] = items;
  const prefixUri = isPrefixEntry(head) ? head.prefix : undefined;
  if (prefixUri === undefined) {
    throw new LocalExecutionError(
      `ClientError: the first element of manifest ${manifestUri} must be {"prefix": "s3://bucket/prefix/"}`,
    );
  }
  const prefix = parseManifestPrefix(prefixUri, manifestUri);
  return entries.map((entry, index) => {
    if (typeof entry !== 'string' || entry.length === 0) {
      throw new LocalExecutionError(
        `ClientError: element ${index + 1} of manifest ${manifestUri} must be a non-empty key relative to the prefix`,
      );
    }
    return { source: { bucket: prefix.bucket, key: prefix.key + entry }, relativePath: entry };
  });
}

function isPrefixEntry(value: unknown): value is { prefix: string } {
  return typeof value === 'object' && value !== null && 'prefix' in value && typeof value.prefix === 'string';
}

function parseManifestPrefix(uri: string, manifestUri: string): S3Location {
  try {
    return parseS3Uri(uri, 'manifest prefix');
  } catch (error) {
    throw new LocalExecutionError(`ClientError: manifest ${manifestUri} has an invalid prefix '${uri}'`, {
      cause: error,
    });
  }
}

/**
 * Resolves `relativePath` inside `folder`, refusing paths that would escape it (`../x`, absolute paths): an object
 * key is attacker-controlled data as far as the local file system is concerned.
 */
export function pathInside(folder: string, relativePath: string): string {
  const target = resolve(folder, relativePath);
  const rel = relative(folder, target);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new LocalExecutionError(`ClientError: object path '${relativePath}' resolves outside its channel folder`);
  }
  return target;
}

/** Lists what a channel contains, reading the manifest for `ManifestFile` channels. */
export async function planChannel(store: ObjectStore, channel: TrainingChannel): Promise<ChannelObject[]> {
  const source = channel.DataSource.S3DataSource;
  if (source === undefined) {
    throw new LocalExecutionError(
      `ClientError: channel '${channel.ChannelName}' has no S3DataSource; only S3 data sources are emulated locally`,
    );
  }
  const location = parseS3Uri(source.S3Uri, 'S3Uri');
  switch (source.S3DataType) {
    case 'S3Prefix': {
      const objects = objectsForPrefix(location, await store.listKeys(location.bucket, location.key));
      if (objects.length === 0) {
        throw new LocalExecutionError(
          `ClientError: No S3 objects found under S3 URL "${source.S3Uri}" given in input data source ` +
            `(channel '${channel.ChannelName}').`,
        );
      }
      return objects;
    }
    case 'ManifestFile': {
      const text = new TextDecoder().decode(await store.getBytes(location.bucket, location.key));
      return parseManifest(text, source.S3Uri);
    }
    default:
      throw new LocalExecutionError(
        `ClientError: S3DataType ${source.S3DataType} (channel '${channel.ChannelName}') is not emulated locally`,
      );
  }
}

/** Copies a channel's objects into `folder`; returns how many objects were copied. */
export async function materialiseChannel(
  store: ObjectStore,
  channel: TrainingChannel,
  folder: string,
): Promise<number> {
  const objects = await planChannel(store, channel);
  for (const object of objects) {
    const target = pathInside(folder, object.relativePath);
    try {
      await store.download(object.source.bucket, object.source.key, target);
    } catch (error) {
      throw new LocalExecutionError(
        `ClientError: Data download failed: s3://${object.source.bucket}/${object.source.key}: ${messageOf(error)}`,
        { cause: error },
      );
    }
  }
  return objects.length;
}

/** `<root>/input/data/<channel>`. */
export function channelFolder(mlRoot: string, channelName: string): string {
  return join(mlRoot, 'input', 'data', channelName);
}
