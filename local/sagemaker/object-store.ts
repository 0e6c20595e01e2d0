/**
 * The few S3 operations the executor needs, behind an interface so the channel and archive logic can be tested
 * without an emulator; `S3ObjectStore` is the implementation over the SDK client.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** Options of a write; SageMaker passes the configured KMS key for outputs and data capture. */
export interface PutOptions {
  readonly contentType?: string;
  /** When set, the object is written with SSE-KMS under this key (id, ARN or alias). */
  readonly kmsKeyId?: string;
}

/** Object storage as the executor uses it. */
export interface ObjectStore {
  /** Every key under `prefix`, in S3's (lexicographic) order. */
  listKeys(bucket: string, prefix: string): Promise<string[]>;
  getBytes(bucket: string, key: string): Promise<Uint8Array>;
  /** Streams the object to `toFile`, creating parent folders. */
  download(bucket: string, key: string, toFile: string): Promise<void>;
  put(bucket: string, key: string, body: Uint8Array, options?: PutOptions): Promise<void>;
}

/** `ObjectStore` over an `S3Client` (locally: path-style, pointed at the emulator). */
export class S3ObjectStore implements ObjectStore {
  constructor(private readonly s3: S3Client) {}

  async listKeys(bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys;
  }

  async getBytes(bucket: string, key: string): Promise<Uint8Array> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (object.Body === undefined) return new Uint8Array();
    return object.Body.transformToByteArray();
  }

  async download(bucket: string, key: string, toFile: string): Promise<void> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    await mkdir(dirname(toFile), { recursive: true });
    const body = object.Body;
    // On Node the SDK returns an IncomingMessage (a Readable); stream it rather than buffer large channel files.
    const source = body instanceof Readable ? body : Readable.from([await (body?.transformToByteArray() ?? [])]);
    await pipeline(source, createWriteStream(toFile));
  }

  async put(bucket: string, key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: options.contentType,
        ...(options.kmsKeyId === undefined ? {} : { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: options.kmsKeyId }),
      }),
    );
  }
}
