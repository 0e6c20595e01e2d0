/**
 * Reads the records of a CSV or JSON Lines byte stream (a whole file or one byte range of it) into a validator, in
 * a bounded work buffer: chunks are copied in (memcpy is cheap next to parsing), the unfinished last record is moved
 * to the front, and the buffer never grows past `maxLineBytes` plus one slice, whatever the file size.
 *
 * On the way: the UTF-8 byte-order mark, UTF-8 validity (native `isUtf8`, several GB/s, on each new region that
 * ends on a character boundary), the CSV header, the decompressed-size limit, and the end of a byte range.
 */
import { isUtf8 } from 'node:buffer';
import type { DirectReader } from './byte-source';
import { CsvTokenizer, type CsvRecordSink, FIELD_ESCAPED, unescapeQuotes } from './csv-tokenizer';
import type { DatasetValidator } from './dataset-validator';
import { JsonLinesReader } from './jsonl-reader';
import { type EngineLimits, readFailure } from './validation-limits';

/** Bytes copied into the work buffer at a time: a huge chunk from a caller is cut, so memory stays bounded. */
const SLICE = 4 * 1024 * 1024;
const LF = 10;
/** Bytes read at a time straight into the work buffer: parsed while they are still in the core's L2 cache. */
const DIRECT_READ = 1 << 20;
/** Spare bytes past the data at all times: the tokenizer's sentinel, and 3 more for its 4-byte reads. */
const SPARE = 4;

/** Where and how to read. */
export interface RecordStreamOptions {
  readonly format: 'csv' | 'jsonl';
  /** CSV delimiter byte (`,` or tab). */
  readonly delimiter: number;
  readonly limits: EngineLimits;
  /** Absolute offset of the stream's first byte in the file. */
  readonly startOffset: number;
  /** Stop before a record that starts at or after this absolute offset (the end of a byte range). */
  readonly stopAt: number;
  /** The stream starts at the beginning of the file: a byte-order mark, then (CSV) the header. */
  readonly atFileStart: boolean;
  /** The header of a CSV byte range that does not start at the beginning of the file. */
  readonly header?: readonly string[];
  /** Physical line of the stream's first byte. */
  readonly firstLine: number;
}

/** Where the stream ended. */
export interface RecordStreamResult {
  /** Absolute offset after the last record processed (a record boundary). */
  readonly stop: number;
  /** The header (CSV at the file start). */
  readonly header?: readonly string[];
  /** Absolute offset after the header, and the physical lines it took. */
  readonly headerEnd?: number;
  readonly headerLines?: number;
}

class HeaderSink implements CsvRecordSink {
  names: string[] | null = null;
  constructor(private readonly tokenizer: CsvTokenizer) {}
  record(buf: Buffer, fieldCount: number): void {
    const t = this.tokenizer;
    const names: string[] = [];
    const scratch = Buffer.allocUnsafe(1024);
    for (let i = 0; i < fieldCount; i++) {
      const s = t.starts[i]!;
      const e = t.ends[i]!;
      if (t.kinds[i] === FIELD_ESCAPED) {
        const out = e - s > scratch.length ? Buffer.allocUnsafe(e - s) : scratch;
        names.push(out.toString('utf8', 0, unescapeQuotes(buf, s, e, out)));
      } else names.push(buf.toString('utf8', s, e));
    }
    this.names = names;
  }
}

/** The offset of the first byte of `buf[from, to)` that is not valid UTF-8 (the region is known to be invalid). */
export function firstInvalidUtf8(buf: Uint8Array, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) {
      n = 1;
      min = 0x80;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      min = 0x800;
      cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      min = 0x10000;
      cp = b & 0x07;
    } else return i;
    if (i + n >= to) return i;
    for (let k = 1; k <= n; k++) {
      const c = buf[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return to;
}

/** The end of the last complete UTF-8 character in `buf[from, to)`: a split sequence at the end waits for more. */
function characterBoundary(buf: Uint8Array, from: number, to: number): number {
  for (let back = 1; back <= 4 && to - back >= from; back++) {
    const b = buf[to - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    if (b < 0x80) return to;
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    return back < length ? to - back : to;
  }
  return to;
}

function countNewlines(buf: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (buf[i] === LF) n++;
  return n;
}

/** Reads records from `input` into `validator` until the end, the range's end or a failure. */
export async function readRecords(
  validator: DatasetValidator,
  input: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | DirectReader,
  options: RecordStreamOptions,
): Promise<RecordStreamResult> {
  const { limits } = options;
  const csv = options.format === 'csv';
  const tokenizer = csv
    ? new CsvTokenizer(options.delimiter, limits.maxColumns, limits.maxLineBytes, options.firstLine)
    : null;
  const lines = csv ? null : new JsonLinesReader(limits.maxLineBytes, options.firstLine);
  let work = Buffer.allocUnsafe(Math.min(SLICE * 2, limits.maxLineBytes + SLICE) + SPARE);
  let len = 0;
  let pos = 0;
  let validated = 0;
  let base = options.startOffset; // absolute offset of work[0]
  let total = 0;
  let bomChecked = !options.atFileStart;
  let header: readonly string[] | null = options.header ?? null;
  let headerEnd: number | undefined;
  let headerLines: number | undefined;
  let done = false;
  const delimiter = String.fromCharCode(options.delimiter);
  if (csv && header !== null) {
    const failure = validator.beginCsv(header, tokenizer!, delimiter);
    if (failure !== null) {
      validator.fail(failure);
      return { stop: options.startOffset };
    }
  }

  const lineNow = () => (tokenizer ?? lines!).line;

  /** Processes what the buffer holds; returns false when reading must stop. */
  const step = (final: boolean): boolean => {
    if (!bomChecked) {
      if (len - pos < 3 && !final) return true;
      if (work[pos] === 0xef && work[pos + 1] === 0xbb && work[pos + 2] === 0xbf) pos += 3;
      bomChecked = true;
    }
    let to = final ? len : characterBoundary(work, validated, len);
    // Invalid UTF-8: the records before the offending byte are checked, exactly as far as one pass gets whatever the
    // split into byte ranges, then reading stops there.
    let bad = -1;
    if (to > validated) {
      if (isUtf8(work.subarray(validated, to))) validated = to;
      else {
        bad = firstInvalidUtf8(work, validated, to);
        to = bad;
      }
    }
    const complete = final && bad < 0;
    const invalidUtf8 = (): false => {
      const line = lineNow() + countNewlines(work, pos, bad);
      const byte = work[bad]!.toString(16).padStart(2, '0');
      validator.fail(readFailure('invalid-utf8', `invalid UTF-8 (byte 0x${byte})`, line));
      return false;
    };
    if (csv && header === null) {
      const sink = new HeaderSink(tokenizer!);
      const next = tokenizer!.parse(work, pos, to, complete, sink, pos + 1);
      if (tokenizer!.failure !== null) {
        validator.fail(tokenizer!.failure);
        return false;
      }
      if (sink.names === null) return bad < 0 ? true : invalidUtf8(); // the header is not complete yet
      if (sink.names.length > limits.maxColumns) {
        validator.fail(readFailure('too-many-columns', `more than ${limits.maxColumns} columns`, 1));
        return false;
      }
      header = sink.names;
      pos = next;
      headerEnd = base + pos;
      headerLines = tokenizer!.line - options.firstLine;
      const failure = validator.beginCsv(header, tokenizer!, delimiter);
      if (failure !== null) {
        validator.fail(failure);
        return false;
      }
    }
    pos = parse(to, complete);
    validator.flush(work);
    const reader = tokenizer ?? lines!;
    if (reader.failure !== null) {
      validator.fail(reader.failure);
      return false;
    }
    if (reader.stopped) return false; // the end of the byte range (an invalid byte past it is the next range's)
    return bad < 0 ? true : invalidUtf8();
  };

  const parse = (to: number, final: boolean): number => {
    const stopAt = options.stopAt - base;
    return tokenizer !== null
      ? tokenizer.parse(work, pos, to, final, validator, stopAt)
      : lines!.parse(work, pos, to, final, validator, stopAt);
  };

  /** Makes room for `n` more bytes after `len`. */
  const makeRoom = (n: number): void => {
    if (len + n + SPARE <= work.length) return;
    // Move the unfinished record to the front, then grow if one record plus the slice still does not fit.
    work.copy(work, 0, pos, len);
    base += pos;
    validated -= pos;
    len -= pos;
    pos = 0;
    if (len + n + SPARE > work.length) {
      const grown = Buffer.allocUnsafe(Math.max(work.length * 2, len + n + SPARE));
      work.copy(grown, 0, 0, len);
      work = grown;
    }
  };

  const counted = (n: number): boolean => {
    total += n;
    if (total <= limits.maxBytes) return true;
    validator.fail(readFailure('too-large', `more than ${limits.maxBytes} bytes (decompressed)`));
    return false;
  };

  const append = (chunk: Uint8Array): boolean => {
    if (!counted(chunk.length)) return false;
    makeRoom(chunk.length);
    work.set(chunk, len);
    len += chunk.length;
    return true;
  };

  if ('readInto' in input) {
    try {
      for (;;) {
        makeRoom(DIRECT_READ);
        const n = input.readInto(work, len, DIRECT_READ);
        if (n === 0) break;
        len += n;
        if (!counted(n) || !step(false)) {
          done = true;
          break;
        }
      }
    } finally {
      input.close();
    }
    return finish();
  }

  try {
    outer: for await (const chunk of input) {
      for (let offset = 0; offset < chunk.length; offset += SLICE) {
        const slice = offset === 0 && chunk.length <= SLICE ? chunk : chunk.subarray(offset, offset + SLICE);
        if (!append(slice) || !step(false)) {
          done = true;
          break outer;
        }
      }
    }
  } catch (error) {
    // Corrupt or truncated compressed data is the data's fault; any other read error (S3, network) is a fault that
    // the caller retries, so it propagates.
    if (!isCompressionError(error)) throw error;
    validator.fail(readFailure('corrupt-compression', describeCompressionError(error)));
    done = true;
  }
  return finish();

  function finish(): RecordStreamResult {
    if (!done) step(true);
    validator.decompressedBytes += total;
    validator.lines += lineNow() - options.firstLine;
    if (csv && header === null && validator.failure === null) {
      validator.fail(
        total === 0
          ? readFailure('empty-file', 'the file is empty (0 bytes)')
          : readFailure('malformed-csv', 'the file has no header row'),
      );
    }
    if (!csv && total === 0 && validator.failure === null && options.atFileStart) {
      validator.fail(readFailure('empty-file', 'the file is empty (0 bytes)'));
    }
    return {
      stop: base + pos,
      ...(header === null || options.header !== undefined ? {} : { header }),
      ...(headerEnd === undefined ? {} : { headerEnd, headerLines }),
    };
  }
}

/** zlib's errors on corrupt or truncated input are data problems, not faults. */
function isCompressionError(error: unknown): error is Error {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('Z_');
}

function describeCompressionError(error: Error): string {
  return error.message === 'unexpected end of file'
    ? 'truncated gzip stream (unexpected end of file)'
    : `corrupt gzip stream: ${error.message}`;
}
