/**
 * Checks an uncompressed CSV or JSON Lines object in byte ranges on worker threads and merges the partial results in
 * file order (the split and why the result equals one pass: `byte-ranges.ts`). A local file is read by the workers
 * themselves, each its own ranges; otherwise (S3) the main thread reads each range from the source and passes the
 * chunks to its worker. The main thread does little else, so two workers use two cores (Lambda has 2 vCPUs from
 * 1769 MB of memory). Each worker gets one contiguous range by default (see {@link RANGES_PER_WORKER}); with more, ranges
 * are handed out as workers become free.
 *
 * Duplicates across ranges are counted exactly when the ranges' uniqueness tables are merged. Their first examples
 * need the positions of those values, which a table of hashes does not keep: when a range has duplicates of earlier
 * ranges and fewer than `maxExamples` examples were found before it, that range is read again on the main thread,
 * seeded with the earlier keys. Only rejected data pays for this.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type ByteSource, byteChunks } from './byte-source';
import { type ByteRange, planByteRanges } from './byte-ranges';
import type { ContractPlan } from './contract-plan';
import type { DatasetProfile } from './contract-report';
import { DatasetValidator, type Example, type PartialState } from './dataset-validator';
import { readRecords } from './record-stream';
import type { EngineLimits } from './validation-limits';

/** A message to a worker. */
export type ToWorker =
  | {
      readonly type: 'task';
      readonly id: number;
      readonly plan: ContractPlan;
      readonly baseline?: DatasetProfile;
      readonly limits: EngineLimits;
      readonly maxExamples: number;
      readonly format: 'csv' | 'jsonl';
      readonly delimiter: number;
      readonly header?: readonly string[];
      readonly start: number;
      readonly stopAt: number;
      readonly atFileStart: boolean;
      readonly fileIndex: number;
      /** A local file the worker reads itself (no chunk messages then). */
      readonly file?: string;
    }
  | { readonly type: 'chunk'; readonly id: number; readonly data: Uint8Array }
  | { readonly type: 'end'; readonly id: number };

/** A message from a worker. */
export type FromWorker =
  | { readonly type: 'consumed'; readonly id: number }
  | { readonly type: 'done'; readonly id: number; readonly state: PartialState; readonly stop: number }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

/** How to check the ranges. */
export interface ParallelOptions {
  readonly plan: ContractPlan;
  readonly format: 'csv' | 'jsonl';
  readonly delimiter: number;
  readonly limits: EngineLimits;
  readonly workers: number;
  readonly maxExamples: number;
  readonly baseline?: DatasetProfile;
  readonly workerUrl?: URL;
  /** @default {@link MIN_RANGE_BYTES} */
  readonly minRangeBytes?: number;
  /** @default {@link RANGES_PER_WORKER} */
  readonly rangesPerWorker?: number;
}

/** The old-generation heap of a worker, in MB. */
const WORKER_HEAP_MB = 128;

/** Chunks in flight per worker: enough to hide the read latency, few enough to keep memory flat. */
const CREDIT = 4;

interface RangeResult {
  readonly range: ByteRange;
  readonly state: PartialState;
  readonly stop: number;
}

/**
 * How to start the worker module: the compiled `validation-worker.js`/`.mjs` next to this module, or, when running
 * from TypeScript sources (tests, the CLI), a bootstrap that registers tsx in the worker first (hooks registered in
 * the main thread do not reach workers in Node 20). Null when the worker module is not deployed.
 */
export function workerScript(override: URL | undefined): { code: string | URL; eval: boolean } | null {
  if (override !== undefined) return { code: override, eval: false };
  const ext = path.extname(fileURLToPath(import.meta.url));
  const url = new URL(`./validation-worker${ext}`, import.meta.url);
  // A bundle built without the worker entry: the caller falls back to one pass rather than failing.
  if (!fs.existsSync(fileURLToPath(url))) return null;
  if (ext !== '.ts') return { code: url, eval: false };
  // The ESM build of tsx's API (`require.resolve` would give the CommonJS one, which registers a broken path).
  const tsxRoot = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const api = pathToFileURL(path.join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  const code = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return { code, eval: true };
}

type Outcome = { ok: true; value: { state: PartialState; stop: number } } | { ok: false; error: Error };

/** A worker thread running one task at a time (tasks given meanwhile wait their turn). */
class RangeWorker {
  private readonly worker: Worker;
  private pending: { id: number; consumed: () => void; settle: (outcome: Outcome) => void } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private terminated = false;

  constructor(script: { code: string | URL; eval: boolean }) {
    // A worker's heap holds examples, labels and garbage; its uniqueness tables are ArrayBuffers outside the heap.
    // Without a cap V8 lets garbage grow far past the live set before collecting (RSS, not correctness).
    this.worker = new Worker(script.code, {
      eval: script.eval,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    this.worker.on('message', (message: FromWorker) => this.onMessage(message));
    this.worker.on('error', (error) => this.settle({ ok: false, error }));
    this.worker.on('exit', (code) =>
      this.settle({ ok: false, error: new Error(`validation worker exited with code ${code}`) }),
    );
  }

  private onMessage(message: FromWorker): void {
    const task = this.pending;
    if (task === null || message.id !== task.id) return;
    if (message.type === 'consumed') task.consumed();
    else if (message.type === 'done') this.settle({ ok: true, value: { state: message.state, stop: message.stop } });
    else this.settle({ ok: false, error: new Error(`validation worker failed: ${message.message}`) });
  }

  private settle(outcome: Outcome): void {
    const task = this.pending;
    this.pending = null;
    task?.settle(outcome);
  }

  /** Checks a range after the tasks given before it. */
  run(
    id: number,
    task: Omit<Extract<ToWorker, { type: 'task' }>, 'type' | 'id'>,
    source: ByteSource,
  ): Promise<{ state: PartialState; stop: number }> {
    const run = this.queue.then(() => this.runNow(id, task, source));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Sends the task; the worker reads a local file itself, else this pumps the range's bytes with a credit of
   * {@link CREDIT} chunks.
   */
  private async runNow(
    id: number,
    task: Omit<Extract<ToWorker, { type: 'task' }>, 'type' | 'id'>,
    source: ByteSource,
  ): Promise<{ state: PartialState; stop: number }> {
    if (this.terminated) throw new Error('validation worker terminated');
    let inflight = 0;
    let done = false;
    let waiting: (() => void) | null = null;
    const wake = () => {
      const w = waiting;
      waiting = null;
      w?.();
    };
    const result = new Promise<{ state: PartialState; stop: number }>((resolve, reject) => {
      this.pending = {
        id,
        consumed: () => {
          inflight--;
          wake();
        },
        settle: (outcome) => {
          done = true;
          wake();
          if (outcome.ok) resolve(outcome.value);
          else reject(outcome.error);
        },
      };
    });
    // The caller awaits `result` after the pump; until then a failure must not count as unhandled.
    result.catch(() => undefined);
    this.worker.postMessage({ type: 'task', id, ...task } satisfies ToWorker);
    if (task.file !== undefined) return result;
    const chunks = byteChunks(source.read(task.start))[Symbol.asyncIterator]();
    try {
      while (!done) {
        if (inflight >= CREDIT) {
          await new Promise<void>((resolve) => (waiting = resolve));
          continue;
        }
        const next = await chunks.next();
        if (done) break;
        if (next.done === true) {
          this.worker.postMessage({ type: 'end', id } satisfies ToWorker);
          break;
        }
        // A copy the worker owns: the source's buffers may be pooled, and transferring would detach them.
        const data = new Uint8Array(next.value.length);
        data.set(next.value);
        inflight++;
        this.worker.postMessage({ type: 'chunk', id, data } satisfies ToWorker, [data.buffer]);
      }
    } finally {
      await chunks.return?.(undefined);
    }
    return result;
  }

  /** Stops the thread; a task still running fails (and its pump closes its stream). */
  async terminate(): Promise<void> {
    if (this.terminated) return;
    this.terminated = true;
    this.worker.removeAllListeners('exit');
    this.settle({ ok: false, error: new Error('validation worker terminated') });
    await this.worker.terminate();
  }
}

/**
 * Ranges per worker: one contiguous range each. With more, a worker that finishes early takes the next range, so a
 * core slowed down by other work does not hold up the end; but a worker checks each range after its first about
 * 20 % slower than one long range (each range is a new validator in the worker; why V8 runs it slower was not
 * pinned down). On the benchmark's 537 MB with 2 workers, 4 ranges each took 1.69-1.72 s and one range each
 * 1.37-1.44 s (`npm run bench:contract` prints both). A Lambda function's vCPUs do no other work, so one range each
 * is the default.
 */
const RANGES_PER_WORKER = 1;
/** Ranges smaller than this are not worth a task. */
export const MIN_RANGE_BYTES = 8 * 1024 * 1024;

/** A promise with its resolution functions (Promise.withResolvers, Node 22). */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Rejections of results not awaited (after a failure) must not become unhandled.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * Checks `source` (size known) in byte ranges on `options.workers` threads and merges the results into `validator`.
 * Returns the bytes read and the workers used.
 */
export async function validateInParallel(
  validator: DatasetValidator,
  source: ByteSource,
  options: ParallelOptions,
): Promise<{ bytes: number; workers: number }> {
  const size = source.size!;
  const { limits, format } = options;
  const script = workerScript(options.workerUrl);
  if (script === null) throw new Error('validation-worker module not found');
  // Started first: a thread takes 50-300 ms to load the module, time the header and the split can use.
  const workers = Array.from({ length: options.workers }, () => new RangeWorker(script));
  try {
    return await checkRanges(validator, source, options, workers, size, limits, format);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

async function checkRanges(
  validator: DatasetValidator,
  source: ByteSource,
  options: ParallelOptions,
  workers: RangeWorker[],
  size: number,
  limits: EngineLimits,
  format: 'csv' | 'jsonl',
): Promise<{ bytes: number; workers: number }> {
  const bytesBefore = validator.decompressedBytes;
  let from = 0;
  let lineOffset = 0;
  let header: readonly string[] | undefined;
  if (format === 'csv') {
    // The header first (and its problems: duplicate names, a wrong delimiter), on the main thread.
    const result = await readRecords(validator, byteChunks(source.read(0)), {
      format,
      delimiter: options.delimiter,
      limits,
      startOffset: 0,
      stopAt: 1,
      atFileStart: true,
      firstLine: 1,
    });
    if (validator.failure !== null || result.header === undefined || result.headerEnd === undefined) {
      return { bytes: result.stop, workers: 1 };
    }
    header = result.header;
    from = result.headerEnd;
    lineOffset = result.headerLines ?? 1;
  }
  const count = Math.max(
    workers.length,
    Math.min(
      workers.length * Math.max(1, Math.floor(options.rangesPerWorker ?? RANGES_PER_WORKER)),
      Math.floor((size - from) / (options.minRangeBytes ?? MIN_RANGE_BYTES)),
    ),
  );
  const ranges = await planByteRanges(source, from, size, count, limits.maxLineBytes);
  const fileIndex = validator.currentFile;
  const taskOf = (range: ByteRange) => ({
    plan: options.plan,
    ...(options.baseline === undefined ? {} : { baseline: options.baseline }),
    limits,
    maxExamples: options.maxExamples,
    format,
    delimiter: options.delimiter,
    ...(header === undefined ? {} : { header }),
    ...(source.file === undefined ? {} : { file: source.file }),
    start: range.start,
    stopAt: range.end,
    atFileStart: range.start === 0,
    fileIndex,
  });
  let nextId = 0;
  const used = workers.slice(0, Math.min(workers.length, ranges.length));
  // Idle threads go now (their heaps count towards the peak).
  await Promise.all(workers.slice(used.length).map((w) => w.terminate()));
  // Each worker takes the next range when it is free; results are merged in file order as they become available.
  const results = ranges.map(() => deferred<RangeResult>());
  let next = 0;
  let stopped = false;
  const loops = used.map(async (worker) => {
    while (!stopped && next < ranges.length) {
      const k = next++;
      const range = ranges[k]!;
      try {
        results[k]!.resolve({ range, ...(await worker.run(nextId++, taskOf(range), source)) });
      } catch (error) {
        results[k]!.reject(error);
        return;
      }
    }
  });
  for (const loop of loops) loop.catch(() => undefined);
  try {
    let expected = ranges[0]!.start;
    for (let k = 0; k < ranges.length; k++) {
      if (expected >= size) break;
      let result = await results[k]!.promise;
      if (result.range.start !== expected) {
        // The guess was wrong (the range started inside a quoted field): check it again from the true boundary.
        const range = { start: expected, end: Math.max(expected, result.range.end) };
        const r = await used[k % used.length]!.run(nextId++, taskOf(range), source);
        result = { range, ...r };
      }
      const examples = await duplicateExamples(validator, result, source, options, header);
      validator.absorb(result.state, lineOffset, examples);
      lineOffset += result.state.lines;
      expected = result.stop;
      if (validator.failure !== null) break;
    }
  } finally {
    stopped = true;
  }
  validator.decompressedBytes = bytesBefore + size;
  return { bytes: size, workers: used.length };
}

/**
 * The exact first examples of a range's duplicates when some duplicate keys of earlier ranges and examples are still
 * wanted: the range is read again, seeded with the earlier keys.
 */
async function duplicateExamples(
  validator: DatasetValidator,
  result: RangeResult,
  source: ByteSource,
  options: ParallelOptions,
  header: readonly string[] | undefined,
): Promise<ReadonlyMap<string, Example[]> | undefined> {
  const needed = validator.crossDuplicates(result.state).filter((c) => c.examplesNeeded);
  if (needed.length === 0) return undefined;
  const columns = new Set(needed.map((c) => validator.columns[c.column]!.name));
  const plan: ContractPlan = {
    ...options.plan,
    checks: options.plan.checks.filter((c) => c.metric === 'duplicateValues' && columns.has(c.column ?? '')),
  };
  const seeds = new Map([...validator.uniquenessTables()].filter(([name]) => columns.has(name)));
  const rescan = new DatasetValidator(plan, { limits: options.limits, maxExamples: options.maxExamples, seeds });
  rescan.beginFile(validator.currentFile);
  await readRecords(rescan, byteChunks(source.read(result.range.start, result.stop)), {
    format: options.format,
    delimiter: options.delimiter,
    limits: options.limits,
    startOffset: result.range.start,
    stopAt: result.stop,
    atFileStart: result.range.start === 0,
    ...(header === undefined ? {} : { header }),
    firstLine: 1,
  });
  const examples = rescan.duplicateExamples();
  return new Map([...examples].filter(([name]) => columns.has(name)));
}
