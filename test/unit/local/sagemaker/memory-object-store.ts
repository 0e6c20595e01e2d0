import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import type { ObjectStore, PutOptions } from '../../../../local/sagemaker/object-store';

/** An in-memory `ObjectStore` for unit tests; records every put with its options. */
export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, Uint8Array>();
  readonly puts: { bucket: string; key: string; body: string; options: PutOptions }[] = [];

  set(bucket: string, key: string, body: string): void {
    this.objects.set(`${bucket}/${key}`, new TextEncoder().encode(body));
  }

  listKeys(bucket: string, prefix: string): Promise<string[]> {
    const keys = [...this.objects.keys()]
      .filter((path) => path.startsWith(`${bucket}/${prefix}`))
      .map((path) => path.slice(bucket.length + 1))
      .sort();
    return Promise.resolve(keys);
  }

  getBytes(bucket: string, key: string): Promise<Uint8Array> {
    const body = this.objects.get(`${bucket}/${key}`);
    return body === undefined ? Promise.reject(new Error(`NoSuchKey: ${bucket}/${key}`)) : Promise.resolve(body);
  }

  async download(bucket: string, key: string, toFile: string): Promise<void> {
    const body = await this.getBytes(bucket, key);
    await mkdir(dirname(toFile), { recursive: true });
    await writeFile(toFile, body);
  }

  put(bucket: string, key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    this.objects.set(`${bucket}/${key}`, body);
    this.puts.push({ bucket, key, body: new TextDecoder().decode(body), options });
    return Promise.resolve();
  }
}
