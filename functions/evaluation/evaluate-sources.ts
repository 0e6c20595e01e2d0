/**
 * Runs a {@link LiveEvaluation} over byte sources (local files for the CLI and the benchmark, S3 objects for the
 * scheduled function): every capture source first, then every ground-truth source, each cut into lines (gzip,
 * `.gz` or by its magic bytes, is inflated on the way). The bytes are never decoded to strings as a whole: lines
 * are cut with the native `indexOf` in 1 MiB chunks, and only a line that straddles two chunks is copied.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { byteChunks, type ByteSource } from '../contracts/byte-source';
import type { EvaluationOptions } from './evaluation-accumulator';
import { LiveEvaluation } from './live-evaluation';

const LF = 10;
const CR = 13;

/** A capture source and the production variant it belongs to (from its S3 key), when known. */
export interface CaptureSource {
  readonly source: ByteSource;
  /** @default '' (unknown) */
  readonly variant?: string;
}

/** Receives each non-blank line: `buf[start, end)`, without its line break, and its 1-based number. */
export type LineHandler = (buf: Uint8Array, start: number, end: number, line: number) => void;

async function* inflated(source: ByteSource): AsyncGenerator<Uint8Array> {
  const chunks = byteChunks(source.read());
  const first = await chunks.next();
  if (first.done === true) return;
  const head = first.value;
  async function* all(): AsyncGenerator<Uint8Array> {
    yield head;
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) yield next.value;
  }
  const gzip = source.name.endsWith('.gz') || (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b);
  if (gzip) yield* byteChunks(Readable.from(all()).pipe(createGunzip({ chunkSize: 1 << 20 })));
  else yield* all();
}

/**
 * Longest line kept, in bytes. A captured request is at most 6 MB (InvokeEndpoint's payload limit), 8 MB as base64;
 * a longer line is no capture record and would only grow memory.
 */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Calls `handle` for each non-blank line of a source, and `tooLong` (with its number) for each line longer than
 * `maxLineBytes`, which is skipped without being kept.
 */
export async function forEachSourceLine(
  source: ByteSource,
  handle: LineHandler,
  tooLong: (line: number) => void = () => {},
  maxLineBytes = MAX_LINE_BYTES,
): Promise<void> {
  let tail: Buffer | null = null;
  let skipping = false;
  let line = 0;
  const emit = (buf: Uint8Array, start: number, end: number) => {
    line++;
    if (end > start && buf[end - 1] === CR) end--;
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c !== 32 && c !== 9) {
        handle(buf, start, end, line);
        return;
      }
    }
  };
  for await (const chunk of inflated(source)) {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let pos = 0;
    if (skipping || tail !== null) {
      const nl = buf.indexOf(LF);
      if (nl < 0) {
        if (!skipping) {
          tail = Buffer.concat([tail!, buf]);
          if (tail.length > maxLineBytes) {
            skipping = true;
            tail = null;
          }
        }
        continue;
      }
      if (skipping || tail!.length + nl > maxLineBytes) {
        line++;
        tooLong(line);
      } else {
        const joined = Buffer.concat([tail!, buf.subarray(0, nl)]);
        emit(joined, 0, joined.length);
      }
      skipping = false;
      tail = null;
      pos = nl + 1;
    }
    for (;;) {
      const nl = buf.indexOf(LF, pos);
      if (nl < 0) break;
      if (nl - pos > maxLineBytes) {
        line++;
        tooLong(line);
      } else emit(buf, pos, nl);
      pos = nl + 1;
    }
    // The unfinished line is copied: the stream may reuse the chunk's memory.
    if (pos < buf.length) {
      if (buf.length - pos > maxLineBytes) skipping = true;
      else tail = Buffer.from(buf.subarray(pos));
    }
  }
  if (skipping) tooLong(line + 1);
  else if (tail !== null) emit(tail, 0, tail.length);
}

/** Reads every capture source, then every ground-truth source, into a new {@link LiveEvaluation}. */
export async function evaluateSources(
  captures: readonly CaptureSource[],
  groundTruth: readonly ByteSource[],
  options: EvaluationOptions,
): Promise<LiveEvaluation> {
  // A capture record takes 300 to 500 bytes: size the join for the bytes to read, up to 4M records (100 MB up front);
  // beyond, and for gzip, the arrays grow as they fill.
  const bytes = captures.reduce((sum, c) => sum + (c.source.size ?? 0), 0);
  const evaluation = new LiveEvaluation(options, Math.min(1 << 22, Math.max(1 << 12, Math.ceil(bytes / 384))));
  for (const { source, variant } of captures) {
    evaluation.captureFile();
    await forEachSourceLine(
      source,
      (buf, start, end, line) => evaluation.captureLine(buf, start, end, source.name, line, variant ?? ''),
      (line) => evaluation.captureTooLong(source.name, line),
    );
  }
  for (const source of groundTruth) {
    evaluation.groundTruthFile();
    await forEachSourceLine(
      source,
      (buf, start, end, line) => evaluation.groundTruthLine(buf, start, end, source.name, line),
      (line) => evaluation.groundTruthTooLong(source.name, line),
    );
  }
  return evaluation;
}
