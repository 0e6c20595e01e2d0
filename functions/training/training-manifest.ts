/**
 * SageMaker manifest files (`S3DataType: ManifestFile`): a JSON array whose first element is
 * `{"prefix": "s3://bucket/common/prefix/"}` and whose other elements are keys relative to it (REFERENCE 3.2).
 * A manifest names exactly the accepted objects, so a run never reads a file that was rejected or arrived later.
 *
 * Manifests cannot pin S3 object versions: an accepted key overwritten before the job downloads it would be read
 * in its new version. The run record keeps each dataset's version id, so lineage shows what was accepted.
 */

/** The manifest JSON for objects of one bucket. @throws RangeError for no objects or several buckets. */
export function buildManifest(objects: readonly { readonly bucket: string; readonly key: string }[]): string {
  const first = objects[0];
  if (first === undefined) throw new RangeError('a manifest needs at least one object');
  const other = objects.find((o) => o.bucket !== first.bucket);
  if (other !== undefined) {
    throw new RangeError(`a manifest lists objects of one bucket; got ${first.bucket} and ${other.bucket}`);
  }
  const prefix = commonFolder(objects.map((o) => o.key));
  return JSON.stringify([
    { prefix: `s3://${first.bucket}/${prefix}` },
    ...objects.map((o) => o.key.slice(prefix.length)),
  ]);
}

/** The longest common `/`-terminated folder of the keys (empty string when they share none). */
export function commonFolder(keys: readonly string[]): string {
  if (keys.length === 0) return '';
  let prefix = keys[0]!;
  for (const key of keys) {
    while (!key.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  // Each relative key must keep a file name: cut back to the last '/'.
  return prefix.slice(0, prefix.lastIndexOf('/') + 1);
}

/** Artifacts-bucket key of a run's manifest for a channel. */
export function manifestKey(pipeline: string, runId: string, channel: 'train' | 'validation'): string {
  return `manifests/${pipeline}/${runId}/${channel}.manifest`;
}
