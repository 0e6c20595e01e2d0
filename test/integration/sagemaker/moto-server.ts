/**
 * Starts a private moto server for one test file (DESIGN 6: never share emulator state between files), until the
 * shared harness exists. Uses the project's venv (`bash scripts/setup-local.sh`).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';

/** Repository root (this file is `test/integration/sagemaker/moto-server.ts`). */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/** A running moto server and SDK clients pointed at it. */
export interface MotoServer {
  readonly endpoint: string;
  readonly s3: S3Client;
  readonly sagemaker: SageMakerClient;
  stop(): Promise<void>;
}

/** A port the OS says is free right now. */
export async function freePort(): Promise<number> {
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

/** Starts moto on a free port and waits until it answers (about 1 s, MOTO.md 7). */
export async function startMoto(): Promise<MotoServer> {
  const binary = join(REPO_ROOT, '.venv', 'bin', 'moto_server');
  if (!existsSync(binary)) throw new Error(`${binary} is missing; run: bash scripts/setup-local.sh`);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Last resort if a test file dies before its afterAll: never leave an emulator running.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not start on ${endpoint}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  const sagemaker = new SageMakerClient({ endpoint, region: 'us-east-1', credentials });
  return {
    endpoint,
    s3,
    sagemaker,
    async stop() {
      process.removeListener('exit', killOnExit);
      s3.destroy();
      sagemaker.destroy();
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killed);
    },
  };
}
