/**
 * `model.tar.gz`: how SageMaker hands `/opt/ml/model` from training to hosting (REFERENCE 4.1, 4.2).
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';

import { create, extract } from 'tar';

/**
 * Packs the contents of `folder` (not the folder itself) into a gzipped tarball at `archiveFile`: entries are
 * `model.json`, `sub/x.bin`, ..., as in the archives SageMaker writes, so extracting into the serving model dir
 * gives back the training container's layout.
 */
export async function packFolder(folder: string, archiveFile: string): Promise<void> {
  const entries = (await readdir(folder)).sort();
  // `portable` drops uid/gid/mtime noise that would make equal models differ byte for byte.
  await create({ gzip: true, file: archiveFile, cwd: folder, portable: true }, entries);
}

/** Packs `folder` and returns the tarball's bytes (the temporary file lives beside the folder). */
export async function packFolderToBytes(folder: string, scratchFile: string): Promise<Uint8Array> {
  await packFolder(folder, scratchFile);
  try {
    return await readFile(scratchFile);
  } finally {
    await rm(scratchFile, { force: true });
  }
}

/** Extracts a (gzipped) tarball into `folder`, creating it. */
export async function extractArchive(archiveFile: string, folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  // tar refuses absolute paths and `..` entries by default, so a hostile archive cannot write outside `folder`.
  await extract({ file: archiveFile, cwd: folder });
}
