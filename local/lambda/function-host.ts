import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LocalFunction } from '../runtime-model';

const WORKER_BOOT = path.join(import.meta.dirname, 'worker-boot.mjs');

/** What Lambda reports for a failed invocation (the `responsePayload` of an on-failure destination record). */
export interface FunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

export type InvocationResult =
  | { readonly ok: true; readonly value: unknown; readonly requestId: string; readonly durationMs: number }
  | { readonly ok: false; readonly error: FunctionError; readonly requestId: string; readonly durationMs: number };

export interface FunctionHostOptions {
  /** Repository root; `LocalFunction.entry` is relative to it. */
  readonly projectRoot: string;
  readonly region: string;
  readonly accountId: string;
  /**
   * Variables every function gets besides its own (the endpoint and dummy credentials of the local emulator),
   * like the variables Lambda itself sets.
   */
  readonly baseEnvironment: Readonly<Record<string, string>>;
  /**
   * Folder for one log file per function (what CloudWatch Logs would receive).
   * @default - the functions' output goes to this process's stdout/stderr
   */
  readonly logDirectory?: string;
  /**
   * Containers per function at most, i.e. concurrent invocations (a function's reserved concurrency, when set, is lower).
   * @default 4
   */
  readonly maxContainersPerFunction?: number;
  /** Receives each chunk of a function's stdout (as CloudWatch Logs would), tagged with the container's stream. */
  readonly onStdout?: (stream: string, chunk: Buffer) => void;
}

interface Container {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  busy: boolean;
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: FunctionError }
  | { type: 'result'; id: string; ok: true; value: unknown }
  | { type: 'result'; id: string; ok: false; error: FunctionError };

const isWorkerMessage = (m: unknown): m is WorkerMessage =>
  typeof m === 'object' && m !== null && 'type' in m && typeof m.type === 'string';

/**
 * Runs a template's functions the way Lambda does, on this machine: each "container" is a worker thread with the
 * function's own environment variables, which loads the handler module once (init) and then serves one invocation
 * at a time; more concurrent invocations start more containers; a timeout kills the container. Handlers are the
 * real TypeScript modules, unchanged.
 */
export class LocalFunctionHost {
  private readonly containers = new Map<string, Container[]>();
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly logs = new Map<string, fs.WriteStream>();
  private closed = false;

  public constructor(private readonly options: FunctionHostOptions) {}

  /** Invokes `fn` synchronously (RequestResponse) and reports the handler's value or error; never throws for handler errors. */
  public async invoke(fn: LocalFunction, event: unknown): Promise<InvocationResult> {
    if (this.closed) throw new Error('the local function host is closed');
    const container = await this.acquire(fn);
    const requestId = randomUUID();
    const started = Date.now();
    const timeoutMs = fn.timeoutSeconds * 1000;
    const context = {
      functionName: fn.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: this.functionArn(fn),
      memoryLimitInMB: String(fn.memorySizeMb),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${fn.functionName}`,
      logStreamName: `local/${container.worker.threadId}`,
      deadlineMs: started + timeoutMs,
    };
    try {
      await container.ready;
    } catch (error) {
      this.discard(fn, container);
      return {
        ok: false,
        error: toFunctionError(error, 'Runtime.ImportModuleError'),
        requestId,
        durationMs: Date.now() - started,
      };
    }
    const outcome = await new Promise<InvocationResult>((resolve) => {
      const timer = setTimeout(() => {
        container.worker.off('message', onMessage);
        this.discard(fn, container); // Lambda stops the sandbox: the next invocation starts cold
        resolve({
          ok: false,
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`,
            trace: [],
          },
          requestId,
          durationMs: Date.now() - started,
        });
      }, timeoutMs);
      const onMessage = (message: unknown) => {
        if (!isWorkerMessage(message) || message.type !== 'result' || message.id !== requestId) return;
        clearTimeout(timer);
        container.worker.off('message', onMessage);
        const durationMs = Date.now() - started;
        resolve(
          message.ok
            ? { ok: true, value: message.value, requestId, durationMs }
            : { ok: false, error: message.error, requestId, durationMs },
        );
      };
      container.worker.on('message', onMessage);
      container.worker.postMessage({ type: 'invoke', id: requestId, event, context });
    });
    this.release(fn, container);
    return outcome;
  }

  /** The ARN Lambda would give the function in this account and region. */
  public functionArn(fn: LocalFunction): string {
    return `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${fn.functionName}`;
  }

  /** Stops every container; pending invocations are abandoned. */
  public async close(): Promise<void> {
    this.closed = true;
    const all = [...this.containers.values()].flat();
    this.containers.clear();
    await Promise.all(all.map((c) => c.worker.terminate()));
    await Promise.all([...this.logs.values()].map((s) => new Promise<void>((resolve) => s.end(resolve))));
    this.logs.clear();
  }

  private maxContainers(fn: LocalFunction): number {
    const limit = this.options.maxContainersPerFunction ?? 4;
    return Math.max(
      1,
      fn.reservedConcurrentExecutions === undefined ? limit : Math.min(limit, fn.reservedConcurrentExecutions),
    );
  }

  private async acquire(fn: LocalFunction): Promise<Container> {
    for (;;) {
      const pool = this.containers.get(fn.logicalId) ?? [];
      const idle = pool.find((c) => !c.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (pool.length < this.maxContainers(fn)) {
        const container = this.start(fn);
        container.busy = true;
        this.containers.set(fn.logicalId, [...pool, container]);
        return container;
      }
      await new Promise<void>((resolve) =>
        this.waiting.set(fn.logicalId, [...(this.waiting.get(fn.logicalId) ?? []), resolve]),
      );
    }
  }

  private release(fn: LocalFunction, container: Container): void {
    container.busy = false;
    this.wakeOne(fn);
  }

  private discard(fn: LocalFunction, container: Container): void {
    void container.worker.terminate();
    this.containers.set(
      fn.logicalId,
      (this.containers.get(fn.logicalId) ?? []).filter((c) => c !== container),
    );
    this.wakeOne(fn);
  }

  private wakeOne(fn: LocalFunction): void {
    const queue = this.waiting.get(fn.logicalId);
    queue?.shift()?.();
  }

  private start(fn: LocalFunction): Container {
    const { projectRoot, region, baseEnvironment } = this.options;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TZ: 'UTC',
      ...baseEnvironment,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySizeMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
      // There is no X-Ray daemon locally: tracing is off, everything else of the function's environment is as deployed.
      POWERTOOLS_TRACE_ENABLED: 'false',
      AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
      ...fn.environment,
    };
    const log = this.logFor(fn);
    const worker = new Worker(WORKER_BOOT, {
      workerData: { entryPath: path.resolve(projectRoot, fn.entry), handlerExport: fn.handlerExport },
      env,
      stdout: log !== undefined,
      stderr: log !== undefined,
    });
    if (log) {
      worker.stdout.pipe(log, { end: false });
      worker.stderr.pipe(log, { end: false });
      const onStdout = this.options.onStdout;
      if (onStdout !== undefined) {
        const stream = `${fn.functionName}/${worker.threadId}`;
        worker.stdout.on('data', (chunk: Buffer) => onStdout(stream, chunk));
      }
    }
    worker.unref();
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if (!isWorkerMessage(message)) return;
        if (message.type === 'ready') resolve();
        else if (message.type === 'init-error') reject(new FunctionInitError(fn, message.error));
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    ready.catch(() => undefined); // observed by invoke(); avoids an unhandled rejection when nobody waits
    return { worker, ready, busy: false };
  }

  private logFor(fn: LocalFunction): fs.WriteStream | undefined {
    const dir = this.options.logDirectory;
    if (!dir) return undefined;
    let stream = this.logs.get(fn.logicalId);
    if (!stream) {
      fs.mkdirSync(dir, { recursive: true });
      stream = fs.createWriteStream(path.join(dir, `${fn.functionName}.log`), { flags: 'a' });
      this.logs.set(fn.logicalId, stream);
    }
    return stream;
  }
}

/** The handler module failed to load: Lambda reports `Runtime.ImportModuleError` or the init error. */
export class FunctionInitError extends Error {
  public override readonly name = 'FunctionInitError';
  public constructor(
    fn: LocalFunction,
    public readonly functionError: FunctionError,
  ) {
    super(
      `${fn.functionName} (${fn.entry}) failed to initialise: ${functionError.errorType}: ${functionError.errorMessage}`,
    );
  }
}

function toFunctionError(error: unknown, fallbackType: string): FunctionError {
  if (error instanceof FunctionInitError) return error.functionError;
  if (error instanceof Error)
    return { errorType: fallbackType, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  return { errorType: fallbackType, errorMessage: String(error), trace: [] };
}
