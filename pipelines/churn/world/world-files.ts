/**
 * Thin writers that put the world's pure values on disk: a batch file under its name, ground-truth files under their
 * S3 keys, requests as JSON Lines. The demo uploads the same values to S3 instead; nothing here decides content.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import type { BatchFile } from './batch-files';
import type { GroundTruthFile } from './ground-truth';
import type { InferenceRequest } from './inference-traffic';

/** Writes `file` into `folder`; returns its path. */
export function writeBatchFile(folder: string, file: BatchFile): string {
  mkdirSync(folder, { recursive: true });
  const path = join(folder, file.name);
  writeFileSync(path, file.bytes);
  return path;
}

/** Writes each file at `<folder>/<key>`, the S3 layout mirrored on disk; returns the paths. */
export function writeGroundTruthFiles(folder: string, files: readonly GroundTruthFile[]): string[] {
  return files.map((file) => {
    const path = join(folder, ...file.key.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.body);
    return path;
  });
}

/** Writes requests as JSON Lines, the hidden truth included (for replaying traffic and labelling it later). */
export function writeRequests(path: string, requests: readonly InferenceRequest[]): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, requests.map((request) => JSON.stringify(request)).join('\n') + '\n');
  return path;
}
