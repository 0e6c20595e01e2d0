/**
 * The validator's entry points: checks an object (or several, as one dataset) against a compiled contract in one
 * streaming pass, or in byte ranges on worker threads, and returns the report with the profile.
 *
 * Bad data is never an exception: format and limit failures come back as `status: 'rejected'` with a reason. Only
 * faults are thrown: a failing source (S3, network) propagates so that the caller retries.
 */
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type ByteSource, byteChunks, type DirectReader, fileReader } from './byte-source';
import type { ContractPlan } from './contract-plan';
import type { Compression, DataFormat, DatasetProfile, FileSummary, ValidationReport } from './contract-report';
import { DatasetValidator } from './dataset-validator';
import { detectCompression, detectFormat, withoutCompressionSuffix } from './format-detection';
import { validateInParallel, workerScript } from './parallel-validation';
import { readRecords } from './record-stream';
import { type EngineLimits, readFailure, resolveLimits } from './validation-limits';

export type { ByteSource } from './byte-source';
export type { DatasetProfile, ValidationReport } from './contract-report';

/** How to validate. */
export interface ValidateOptions {
  /** The profile of earlier accepted data: drift checks compare against it, and the histogram reuses its bins. */
  readonly baseline?: DatasetProfile;
  /**
   * Worker threads checking byte ranges of an uncompressed CSV or JSON Lines object of known size (gzip streams and
   * Parquet are read in one pass). 1 or less: one sequential pass.
   * @default 1
   */
  readonly workers?: number;
  /** Examples kept per check. @default 10 */
  readonly maxExamples?: number;
  /** The time freshness is measured against. @default new Date() */
  readonly now?: Date;
  /** Overrides of the contract's and the engine's limits. */
  readonly limits?: Partial<EngineLimits>;
  /**
   * Objects smaller than this are checked in one pass even with workers (a worker costs 50-300 ms to start).
   * @default 32 MiB
   */
  readonly minParallelBytes?: number;
  /**
   * The smallest byte range worth a task of its own: an object is cut into up to `rangesPerWorker` ranges per worker
   * (a worker that is done takes the next one), each at least this long.
   * @default 8 MiB
   */
  readonly minRangeBytes?: number;
  /**
   * Byte ranges per worker. More than one lets a free worker take over work from a slowed one, at a measured cost:
   * a worker checks each range after its first one about 20 % slower than one long range.
   * @default 1
   */
  readonly rangesPerWorker?: number;
  /** URL of the worker module, for bundles that place it elsewhere. @default ./validation-worker next to this module */
  readonly workerUrl?: URL;
}

/** Checks one object against the plan. */
export async function validateStream(
  plan: ContractPlan,
  source: ByteSource,
  options: ValidateOptions = {},
): Promise<ValidationReport> {
  return validateSources(plan, [source], options);
}

/**
 * Checks several objects as one dataset (columns are matched by name in each, as datacontract-cli does with a glob):
 * rows add up, uniqueness spans the files, and a column is present when any file has it.
 */
export async function validateSources(
  plan: ContractPlan,
  sources: readonly ByteSource[],
  options: ValidateOptions = {},
): Promise<ValidationReport> {
  if (sources.length === 0) throw new RangeError('validateSources needs at least one source');
  const started = performance.now();
  const limits = resolveLimits(plan.limits, options.limits);
  const maxExamples = options.maxExamples ?? 10;
  const validator = new DatasetValidator(plan, {
    limits,
    maxExamples,
    ...(options.baseline === undefined ? {} : { baseline: options.baseline }),
  });
  const files: FileSummary[] = [];
  const warnings: string[] = [];
  let workersUsed = 1;
  for (const [index, source] of sources.entries()) {
    if (validator.failure !== null) break;
    validator.beginFile(index);
    const rowsBefore = validator.rows;
    const result = await validateOne(validator, source, limits, options, maxExamples);
    warnings.push(...result.warnings);
    workersUsed = Math.max(workersUsed, result.workers);
    files.push({
      name: source.name,
      format: result.format ?? 'csv',
      compression: result.compression ?? 'none',
      bytes: result.bytes,
      rows: validator.rows - rowsBefore,
    });
  }
  const first = files[0];
  return validator.report({
    source: sources.map((s) => s.name).join(', '),
    format: first === undefined ? null : first.format,
    compression: first === undefined ? null : first.compression,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    durationMs: performance.now() - started,
    workers: workersUsed,
    now: options.now ?? new Date(),
    files,
    warnings,
  });
}

interface OneResult {
  format: DataFormat | null;
  compression: Compression | null;
  bytes: number;
  workers: number;
  warnings: string[];
}

async function validateOne(
  validator: DatasetValidator,
  source: ByteSource,
  limits: EngineLimits,
  options: ValidateOptions,
  maxExamples: number,
): Promise<OneResult> {
  const result: OneResult = { format: null, compression: null, bytes: 0, workers: 1, warnings: [] };
  const counted = countBytes(byteChunks(source.read()), (n) => (result.bytes += n));
  const iterator = counted[Symbol.asyncIterator]();
  const head = await peek(iterator, 512);
  const compression = detectCompression(source.name, source.contentType, head.bytes);
  if (compression.kind === 'failed') {
    await iterator.return?.(undefined);
    validator.fail(compression.failure);
    return result;
  }
  result.compression = compression.compression;
  if (compression.compression === 'gzip') {
    const inflated = gunzip(prepend(head.chunks, iterator))[Symbol.asyncIterator]();
    let inner: Awaited<ReturnType<typeof peek>>;
    try {
      inner = await peek(inflated, 512);
    } catch (error) {
      await inflated.return?.(undefined);
      if (!(error instanceof Error && 'code' in error && String(error.code).startsWith('Z_'))) throw error;
      validator.fail(
        readFailure(
          'corrupt-compression',
          error.message === 'unexpected end of file'
            ? 'truncated gzip stream (unexpected end of file)'
            : `corrupt gzip stream: ${error.message}`,
        ),
      );
      return result;
    }
    const detection = detectFormat(withoutCompressionSuffix(source.name), source.contentType, inner.bytes);
    if (detection.kind === 'failed' || detection.format === 'parquet') {
      await inflated.return?.(undefined);
      validator.fail(
        detection.kind === 'failed'
          ? detection.failure
          : readFailure(
              'unsupported-format',
              'gzip-compressed Parquet is not supported (Parquet compresses its pages itself)',
            ),
      );
      return result;
    }
    result.format = detection.format;
    result.warnings.push(...detection.warnings);
    await readRecords(validator, prepend(inner.chunks, inflated), {
      format: detection.format,
      delimiter: detection.delimiter.charCodeAt(0),
      limits,
      startOffset: 0,
      stopAt: Infinity,
      atFileStart: true,
      firstLine: 1,
    });
    return result;
  }
  const detection = detectFormat(source.name, source.contentType, head.bytes);
  if (detection.kind === 'failed') {
    await iterator.return?.(undefined);
    validator.fail(detection.failure);
    return result;
  }
  result.format = detection.format;
  result.warnings.push(...detection.warnings);
  if (detection.format === 'parquet') {
    await iterator.return?.(undefined);
    // Loaded on first use: hyparquet and its decompressors cost cold-start time that CSV and JSON Lines do not need.
    const { readParquet } = await import('./parquet-reader');
    result.bytes = await readParquet(validator, source, limits);
    return result;
  }
  if (source.size !== undefined && source.size > limits.maxBytes) {
    await iterator.return?.(undefined);
    validator.fail(
      readFailure('too-large', `the object has ${source.size} bytes, more than the limit of ${limits.maxBytes}`),
    );
    return result;
  }
  let workers = Math.floor(options.workers ?? 1);
  if (workers > 1 && workerScript(options.workerUrl) === null) {
    result.warnings.push('the validation-worker module is not deployed next to the validator: one sequential pass');
    workers = 1;
  }
  if (workers > 1 && source.size !== undefined && source.size >= (options.minParallelBytes ?? 32 * 1024 * 1024)) {
    await iterator.return?.(undefined);
    result.bytes = 0;
    const parallel = await validateInParallel(validator, source, {
      format: detection.format,
      delimiter: detection.delimiter.charCodeAt(0),
      limits,
      workers,
      maxExamples,
      plan: validator.plan,
      ...(options.baseline === undefined ? {} : { baseline: options.baseline }),
      ...(options.workerUrl === undefined ? {} : { workerUrl: options.workerUrl }),
      ...(options.minRangeBytes === undefined ? {} : { minRangeBytes: options.minRangeBytes }),
      ...(options.rangesPerWorker === undefined ? {} : { rangesPerWorker: options.rangesPerWorker }),
    });
    result.bytes = parallel.bytes;
    result.workers = parallel.workers;
    return result;
  }
  let input: AsyncIterable<Uint8Array> | DirectReader = prepend(head.chunks, iterator);
  if (source.file !== undefined) {
    // A local file is read straight into the work buffer: no stream, no chunk to allocate and copy.
    await iterator.return?.(undefined);
    const file = fileReader(source.file, 0, head.chunks);
    const peeked = result.bytes;
    let read = 0;
    input = {
      readInto: (buf, offset, length) => {
        const n = file.readInto(buf, offset, length);
        read += n;
        result.bytes = Math.max(peeked, read);
        return n;
      },
      close: () => file.close(),
    };
  }
  await readRecords(validator, input, {
    format: detection.format,
    delimiter: detection.delimiter.charCodeAt(0),
    limits,
    startOffset: 0,
    stopAt: Infinity,
    atFileStart: true,
    firstLine: 1,
  });
  return result;
}

/** Reads chunks until at least `min` bytes (or the end) to look at the first bytes; the chunks are replayed. */
async function peek(
  iterator: AsyncIterator<Uint8Array>,
  min: number,
): Promise<{ bytes: Uint8Array; chunks: Uint8Array[] }> {
  const chunks: Uint8Array[] = [];
  let n = 0;
  while (n < min) {
    const next = await iterator.next();
    if (next.done === true) break;
    chunks.push(next.value);
    n += next.value.length;
  }
  return { bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), chunks };
}

/** The peeked chunks, then the rest; stopping early closes the underlying stream. */
async function* prepend(chunks: readonly Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* chunks;
    for (;;) {
      const next = await rest.next();
      if (next.done === true) return;
      yield next.value;
    }
  } finally {
    await rest.return?.(undefined);
  }
}

async function* countBytes(chunks: AsyncIterable<Uint8Array>, add: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    add(chunk.length);
    yield chunk;
  }
}

/** Inflates a gzip stream (several members are one stream); errors surface when the output is read. */
function gunzip(input: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const inflate = createGunzip({ chunkSize: 256 * 1024 });
  pipeline(Readable.from(input), inflate, () => {
    // Errors reach the reader through `inflate` itself.
  });
  return byteChunks(inflate);
}
