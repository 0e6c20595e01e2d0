/**
 * The data to validate as a source of byte ranges: S3 objects (ranged GETs, so that workers and the Parquet footer
 * read only what they need), local files for the CLI and benchmarks, and buffers for tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * An object readable by byte range. `read()` streams the whole object; `read(start, end)` the bytes
 * `[start, end)` (end exclusive; an S3 `Range: bytes=start-(end-1)`), `end` omitted meaning to the end.
 */
export interface ByteSource {
  read(start?: number, end?: number): AsyncIterable<Uint8Array> | NodeJS.ReadableStream;
  /** Bytes in the object, when known (needed for byte ranges and Parquet). */
  readonly size?: number;
  /** The object's key or file name (its extension helps to tell the format). */
  readonly name: string;
  readonly contentType?: string;
  /**
   * The path of a local file holding the object: worker threads then open it and read their own byte ranges, rather
   * than receive them from the main thread (a copy and a message per chunk, on a core the workers need).
   */
  readonly file?: string;
}

/** The chunks of a stream as byte arrays (a stream with an encoding yields strings). */
export async function* byteChunks(stream: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) {
    if (chunk instanceof Uint8Array) yield chunk;
    else if (typeof chunk === 'string') yield Buffer.from(chunk, 'utf8');
    else throw new TypeError(`a byte source yielded ${typeof chunk}, not bytes`);
  }
}

/** Reads a stream into one buffer (at most `expected` bytes are kept). */
export async function collectBytes(
  stream: AsyncIterable<unknown> | NodeJS.ReadableStream,
  expected: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(expected);
  let n = 0;
  for await (const chunk of byteChunks(stream)) {
    const take = Math.min(chunk.length, expected - n);
    out.set(chunk.subarray(0, take), n);
    n += take;
    if (n >= expected) break;
  }
  return n === expected ? out : out.subarray(0, n);
}

/** A local file (1 MiB reads: fewer, larger chunks cost less per byte). */
export function fileSource(file: string, contentType?: string): ByteSource {
  const size = fs.statSync(file).size;
  return {
    name: path.basename(file),
    size,
    file,
    ...(contentType === undefined ? {} : { contentType }),
    read: (start = 0, end = size) =>
      end <= start ? emptyStream() : fs.createReadStream(file, { start, end: end - 1, highWaterMark: 1 << 20 }),
  };
}

/** Bytes in memory (tests). */
export function bufferSource(bytes: Uint8Array | string, name: string, chunkSize = 64 * 1024): ByteSource {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return {
    name,
    size: data.length,
    read: (start = 0, end = data.length) => slices(data.subarray(start, Math.min(end, data.length)), chunkSize),
  };
}

async function* slices(data: Uint8Array, chunkSize: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += chunkSize) {
    // One turn of the event loop per chunk, as real I/O takes.
    await Promise.resolve();
    yield data.subarray(i, i + chunkSize);
  }
}

async function* emptyStream(): AsyncGenerator<Uint8Array> {}

/**
 * Bytes read straight into the caller's buffer (a local file: no chunk to copy). `readInto` puts at most `length`
 * bytes at `offset` and returns how many, 0 at the end; `close` is called once reading stops.
 */
export interface DirectReader {
  readInto(buf: Uint8Array, offset: number, length: number): number;
  close(): void;
}

/**
 * A local file from `start` to its end, read with plain synchronous reads (a worker thread does nothing else
 * meanwhile; in one pass a read of 1 MiB from the page cache takes well under a millisecond). `head` holds bytes
 * already read from `start` (to detect the format): they come first.
 */
export function fileReader(file: string, start: number, head: readonly Uint8Array[] = []): DirectReader {
  const fd = fs.openSync(file, 'r');
  let position = start;
  let open = true;
  let chunk = 0;
  let used = 0;
  return {
    readInto(buf, offset, length) {
      for (; chunk < head.length; chunk++, used = 0) {
        const rest = head[chunk]!.subarray(used, used + length);
        if (rest.length === 0) continue;
        buf.set(rest, offset);
        used += rest.length;
        position += rest.length;
        return rest.length;
      }
      const n = fs.readSync(fd, buf, offset, length, position);
      position += n;
      return n;
    },
    close() {
      if (open) fs.closeSync(fd);
      open = false;
    },
  };
}
