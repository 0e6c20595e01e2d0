/**
 * One serving container stand-in (REFERENCE 4.2): `ModelDataUrl` downloaded and extracted into a model dir, the
 * command started with that dir and a free port in its environment, healthy once `GET /ping` answers 200.
 */
import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { LocalExecutionError, messageOf } from './errors';
import { LocalProcess, type LocalCommand } from './local-process';
import { extractArchive } from './model-archive';
import type { ObjectStore } from './object-store';
import { parseS3Uri } from './s3-location';
import { sleepMs } from './scaled-clock';

/** Everything needed to start one serving process. */
export interface ServingProcessSpec {
  readonly variantName: string;
  readonly command: LocalCommand;
  /** Environment before the serving variables are added (inherited env + the container's `Environment`). */
  readonly env: Readonly<Record<string, string>>;
  /** `s3://.../model.tar.gz`; without it the model dir stays empty. */
  readonly modelDataUrl?: string;
  readonly store: ObjectStore;
  /** A fresh folder for this process (model archive, `opt/ml/model`); the process owns it and deletes it on stop. */
  readonly folder: string;
  /** How long `/ping` may take to answer 200 after start (real milliseconds). */
  readonly healthCheckTimeoutMs: number;
  /** Aborts the start (deployment cancelled); the process is killed. */
  readonly signal?: AbortSignal;
}

/** An invocation as the container receives it. */
export interface ContainerRequest {
  readonly body: Uint8Array;
  readonly contentType?: string;
  readonly accept?: string;
  readonly customAttributes?: string;
  readonly inferenceId?: string;
}

/** The container's answer. */
export interface ContainerResponse {
  readonly statusCode: number;
  readonly body: Uint8Array;
  readonly contentType?: string;
  readonly customAttributes?: string;
}

/** SageMaker waits 2 s for each ping (REFERENCE 4.2). */
const PING_TIMEOUT_MS = 2000;
const PING_INTERVAL_MS = 100;
/** SageMaker gives a container 60 s to answer an invocation (REFERENCE 4.2). */
const INVOCATION_TIMEOUT_MS = 60_000;
/** SIGTERM, then SIGKILL after 30 s (REFERENCE 4.2); locally a short grace is enough for test servers. */
const STOP_GRACE_MS = 5000;
const LOG_TAIL_LINES = 20;

/** A started, healthy serving process. */
export class ServingProcess {
  private constructor(
    readonly variantName: string,
    readonly port: number,
    private readonly child: LocalProcess,
    private readonly output: string[],
    private readonly folder: string,
  ) {}

  /**
   * Downloads and extracts the model, starts the command, and waits for `/ping`. Throws a `LocalExecutionError`
   * whose reason is worded like SageMaker's when the process exits or never becomes healthy; the process is gone then.
   */
  static async start(spec: ServingProcessSpec): Promise<ServingProcess> {
    try {
      return await ServingProcess.startIn(spec);
    } catch (error) {
      await rm(spec.folder, { recursive: true, force: true });
      throw error;
    }
  }

  private static async startIn(spec: ServingProcessSpec): Promise<ServingProcess> {
    const modelDir = join(spec.folder, 'opt', 'ml', 'model');
    await mkdir(modelDir, { recursive: true });
    if (spec.modelDataUrl !== undefined) await downloadModel(spec, modelDir);
    const port = await freePort();
    const output: string[] = [];
    const child = LocalProcess.start(
      spec.command,
      {
        ...spec.env,
        SAGEMAKER_BIND_TO_PORT: String(port),
        PORT: String(port),
        SM_MODEL_DIR: modelDir,
        MLOPS_SM_MODEL_DIR: modelDir,
        MLOPS_SM_ROOT: join(spec.folder, 'opt', 'ml'),
      },
      (_stream, line) => {
        output.push(line);
        if (output.length > 1100) output.splice(0, output.length - 1000);
      },
    );
    try {
      await waitForPing(port, child, spec, output);
    } catch (error) {
      child.kill();
      await child.exited;
      throw error;
    }
    return new ServingProcess(spec.variantName, port, child, output, spec.folder);
  }

  /** The last lines the process wrote. */
  logTail(lines = LOG_TAIL_LINES): string {
    return this.output.slice(-lines).join('\n');
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.child.running;
  }

  /** `POST /invocations`, forwarding the headers SageMaker passes through. */
  async invoke(request: ContainerRequest): Promise<ContainerResponse> {
    const headers: Record<string, string> = {};
    if (request.contentType !== undefined) headers['Content-Type'] = request.contentType;
    if (request.accept !== undefined) headers.Accept = request.accept;
    if (request.customAttributes !== undefined)
      headers['X-Amzn-SageMaker-Custom-Attributes'] = request.customAttributes;
    // [U] Whether the real platform forwards the inference id to the container is undocumented (REFERENCE 4.2).
    if (request.inferenceId !== undefined) headers['X-Amzn-SageMaker-Inference-Id'] = request.inferenceId;
    const response = await fetch(`http://127.0.0.1:${this.port}/invocations`, {
      method: 'POST',
      headers,
      body: request.body,
      signal: AbortSignal.timeout(INVOCATION_TIMEOUT_MS),
    });
    const customAttributes = response.headers.get('X-Amzn-SageMaker-Custom-Attributes');
    const contentType = response.headers.get('Content-Type');
    return {
      statusCode: response.status,
      body: new Uint8Array(await response.arrayBuffer()),
      ...(contentType === null ? {} : { contentType }),
      ...(customAttributes === null ? {} : { customAttributes }),
    };
  }

  /** SIGTERM, then SIGKILL; resolves when the process is gone and its folder deleted. */
  async stop(): Promise<void> {
    await this.child.stop(STOP_GRACE_MS);
    await rm(this.folder, { recursive: true, force: true });
  }

  /** SIGKILL at once. */
  kill(): void {
    this.child.kill();
  }
}

async function downloadModel(spec: ServingProcessSpec, modelDir: string): Promise<void> {
  const archive = join(spec.folder, 'model.tar.gz');
  try {
    const location = parseS3Uri(spec.modelDataUrl ?? '', 'ModelDataUrl');
    await spec.store.download(location.bucket, location.key, archive);
    await extractArchive(archive, modelDir);
  } catch (error) {
    throw new LocalExecutionError(
      `Failed to extract model data archive from URL "${spec.modelDataUrl}" for production variant ` +
        `${spec.variantName}: ${messageOf(error)}`,
      { cause: error },
    );
  }
}

async function waitForPing(
  port: number,
  child: LocalProcess,
  spec: ServingProcessSpec,
  output: readonly string[],
): Promise<void> {
  const deadline = Date.now() + spec.healthCheckTimeoutMs;
  const failed = (what: string): LocalExecutionError =>
    new LocalExecutionError(
      `The primary container for production variant ${spec.variantName} did not pass the ping health check ` +
        `(${what}). Last output:\n${output.slice(-LOG_TAIL_LINES).join('\n')}`,
    );
  for (;;) {
    if (spec.signal?.aborted === true) throw new LocalExecutionError('Deployment cancelled');
    if (!child.running) {
      const exit = await child.exited;
      throw failed(`the process exited with ${exit.code === null ? String(exit.signal) : `code ${exit.code}`}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/ping`, { signal: AbortSignal.timeout(PING_TIMEOUT_MS) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() >= deadline) throw failed(`no 200 from GET /ping within ${spec.healthCheckTimeoutMs} ms`);
    await sleepMs(PING_INTERVAL_MS, spec.signal).catch(() => undefined);
  }
}

/** A loopback port the OS reports free; the process binds it moments later. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
