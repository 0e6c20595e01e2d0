/**
 * Buffers capture records per endpoint, variant and hour, and writes each buffer as one JSON Lines object once it
 * is large or old enough, or on `flush()`. SageMaker, too, writes many records per file, some time after the
 * inference; consumers must list by prefix and not expect a record to be visible at once.
 */
import { randomUUID } from 'node:crypto';

import { captureObjectKey, hourFolder, type CaptureRecord } from './data-capture';
import type { BackgroundErrorHandler } from './event-sink';
import type { ObjectStore } from './object-store';
import { parseS3Uri } from './s3-location';

/** Where one endpoint variant's captures go. */
export interface CaptureTarget {
  readonly destinationS3Uri: string;
  readonly endpointName: string;
  readonly variantName: string;
  /** `DataCaptureConfig.KmsKeyId`; written as SSE-KMS when set. */
  readonly kmsKeyId?: string;
}

/** Tuning of `CaptureWriter`. */
export interface CaptureWriterOptions {
  readonly store: ObjectStore;
  readonly onError: BackgroundErrorHandler;
  /**
   * A buffer is written once it holds this many bytes.
   * @default 262144 (256 KiB)
   */
  readonly maxBufferBytes?: number;
  /**
   * A buffer is written once its first record is this old (real milliseconds).
   * @default 5000
   */
  readonly flushIntervalMs?: number;
  /** @default crypto.randomUUID */
  readonly fileId?: () => string;
}

interface PendingFile {
  readonly target: CaptureTarget;
  readonly firstMs: number;
  readonly lines: string[];
  bytes: number;
}

/** See the module comment. Call `close()` to write what is left and stop the timer. */
export class CaptureWriter {
  private readonly buffers = new Map<string, PendingFile>();
  private readonly writes = new Set<Promise<void>>();
  private readonly maxBufferBytes: number;
  private readonly flushIntervalMs: number;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: CaptureWriterOptions) {
    this.maxBufferBytes = options.maxBufferBytes ?? 256 * 1024;
    this.flushIntervalMs = options.flushIntervalMs ?? 5000;
    this.timer = setInterval(() => this.flushOlderThan(Date.now() - this.flushIntervalMs), this.tick());
    this.timer.unref(); // capture must never keep a process alive on its own
  }

  /** Adds a record captured at `atMs` (its hour decides the folder). */
  append(target: CaptureTarget, record: CaptureRecord, atMs: number): void {
    const key = [target.destinationS3Uri, target.endpointName, target.variantName, hourFolder(atMs)].join('|');
    let buffer = this.buffers.get(key);
    if (buffer === undefined || buffer.target.kmsKeyId !== target.kmsKeyId) {
      if (buffer !== undefined) this.write(key, buffer);
      buffer = { target, firstMs: atMs, lines: [], bytes: 0 };
      this.buffers.set(key, buffer);
    }
    const line = JSON.stringify(record);
    buffer.lines.push(line);
    buffer.bytes += Buffer.byteLength(line) + 1;
    if (buffer.bytes >= this.maxBufferBytes) this.write(key, buffer);
  }

  /** Writes every buffer, and waits for all writes (including earlier background ones) to finish. */
  async flush(): Promise<void> {
    for (const [key, buffer] of [...this.buffers]) this.write(key, buffer);
    await Promise.all([...this.writes]);
  }

  /** Writes what is left and stops the timer. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private tick(): number {
    return Math.max(10, Math.min(1000, Math.floor(this.flushIntervalMs / 2)));
  }

  private flushOlderThan(cutoffMs: number): void {
    for (const [key, buffer] of [...this.buffers]) if (buffer.firstMs <= cutoffMs) this.write(key, buffer);
  }

  private write(key: string, buffer: PendingFile): void {
    if (this.buffers.get(key) === buffer) this.buffers.delete(key);
    if (buffer.lines.length === 0) return;
    const destination = parseS3Uri(buffer.target.destinationS3Uri, 'DataCaptureConfig.DestinationS3Uri');
    const objectKey = captureObjectKey(
      destination,
      buffer.target.endpointName,
      buffer.target.variantName,
      buffer.firstMs,
      (this.options.fileId ?? randomUUID)(),
    );
    // A trailing newline, like the files real endpoints write.
    const body = new TextEncoder().encode(buffer.lines.join('\n') + '\n');
    const pending = this.options.store
      .put(destination.bucket, objectKey, body, { kmsKeyId: buffer.target.kmsKeyId })
      .catch((error: unknown) =>
        this.options.onError(error, `writing capture file s3://${destination.bucket}/${objectKey}`),
      )
      .finally(() => this.writes.delete(pending));
    this.writes.add(pending);
  }
}
