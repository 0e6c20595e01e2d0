/**
 * The worker thread of parallel validation: checks one byte range at a time with its own validator and sends back
 * the partial state (typed arrays transferred, not copied). A local file is read here, range by range; otherwise the
 * main thread reads the object and passes the range's chunks in, a few at a time ("consumed" messages are the
 * credit), so a worker never holds more than a few MB.
 */
import { parentPort } from 'node:worker_threads';
import { fileReader } from './byte-source';
import { DatasetValidator } from './dataset-validator';
import type { FromWorker, ToWorker } from './parallel-validation';
import { readRecords } from './record-stream';

const port = parentPort;
if (port === null) throw new Error('validation-worker runs in a worker thread');

/** Chunks of the current task, as the async iterable `readRecords` consumes. */
class ChunkQueue implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private wake: (() => void) | null = null;

  constructor(private readonly id: number) {}

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk !== undefined) {
        yield chunk;
        port!.postMessage({ type: 'consumed', id: this.id } satisfies FromWorker);
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

let current: ChunkQueue | null = null;
let currentId = -1;

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'task': {
      const task = message;
      const queue = task.file === undefined ? new ChunkQueue(task.id) : null;
      current = queue;
      currentId = task.id;
      const validator = new DatasetValidator(task.plan, {
        limits: task.limits,
        maxExamples: task.maxExamples,
        ...(task.baseline === undefined ? {} : { baseline: task.baseline }),
      });
      validator.beginFile(task.fileIndex);
      readRecords(validator, queue ?? fileReader(task.file!, task.start), {
        format: task.format,
        delimiter: task.delimiter,
        limits: task.limits,
        startOffset: task.start,
        stopAt: task.stopAt,
        atFileStart: task.atFileStart,
        ...(task.header === undefined ? {} : { header: task.header }),
        firstLine: 1,
      }).then(
        (result) => {
          if (queue !== null && current === queue) current = null;
          const state = validator.snapshot();
          port.postMessage(
            { type: 'done', id: task.id, state, stop: result.stop } satisfies FromWorker,
            DatasetValidator.transferables(state),
          );
        },
        (error: unknown) => {
          const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
          port.postMessage({ type: 'error', id: task.id, message: text } satisfies FromWorker);
        },
      );
      break;
    }
    case 'chunk':
      if (current !== null && message.id === currentId) current.push(message.data);
      break;
    case 'end':
      if (current !== null && message.id === currentId) current.end();
      break;
  }
});
