/**
 * What the churn tests share: the real contract plan and pipeline config, validation of generated files through the
 * project's validator, and the trainer and server run as processes the way the local runtime runs them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { loadPipelines } from '../../../functions/config/load-pipelines';
import { bufferSource } from '../../../functions/contracts/byte-source';
import type { DatasetProfile, ValidationReport } from '../../../functions/contracts/contract-report';
import { loadContract } from '../../../functions/contracts/odcs-contract';
import { validateStream } from '../../../functions/contracts/validate-stream';
import { createMetricParser, type MetricDatum } from '../../../local/sagemaker/metric-parser';
import type { BatchFile } from '../../../pipelines/churn/world/batch-files';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../../..');
export const TRAIN_SCRIPT = join(PROJECT_ROOT, 'pipelines/churn/local/train.ts');
export const SERVE_SCRIPT = join(PROJECT_ROOT, 'pipelines/churn/local/serve.ts');

export const churnPlan = loadContract(
  readFileSync(join(PROJECT_ROOT, 'pipelines/churn/contract.yaml'), 'utf8'),
  'pipelines/churn/contract.yaml',
).plan;

/** The churn pipeline as the CDK app and the local runtime read it. */
export function churnPipeline() {
  const churn = loadPipelines(PROJECT_ROOT).find((pipeline) => pipeline.name === 'churn');
  if (churn === undefined) throw new Error('pipelines/churn is missing');
  return churn;
}

/** Checks a generated file against the real contract, as the contract-check function does. */
export function validateBatch(file: BatchFile, baseline?: DatasetProfile): Promise<ValidationReport> {
  return validateStream(churnPlan, bufferSource(file.bytes, file.name), baseline === undefined ? {} : { baseline });
}

export const failedCheckIds = (report: ValidationReport): string[] =>
  report.checks.filter((check) => check.status === 'failed').map((check) => check.id);

/** The metrics SageMaker would extract from a log with the pipeline's metric definitions. */
export function parseMetrics(log: string): Record<string, number> {
  const parser = createMetricParser(
    churnPipeline().training.metricDefinitions.map((definition) => ({
      Name: definition.name,
      Regex: definition.regex,
    })),
  );
  for (const line of log.split('\n')) parser.feed(line, 0);
  return Object.fromEntries(parser.finalMetrics().map((datum: MetricDatum) => [datum.MetricName, datum.Value]));
}

/** A fresh `/opt/ml` stand-in with the folders a job gets. */
export function mlRoot(prefix = 'churn-ml-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const folder of ['input/config', 'input/data/train', 'model', 'output/data']) {
    mkdirSync(join(root, folder), { recursive: true });
  }
  return root;
}

export function writeHyperparameters(root: string, hyperparameters: Record<string, string>): void {
  writeFileSync(join(root, 'input/config/hyperparameters.json'), JSON.stringify(hyperparameters));
}

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The command the local runtime would run, with `node --import tsx` instead of `npx tsx` (no npm start-up). */
export function startScript(script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs a script to its end. */
export function runScript(script: string, env: Record<string, string>): Promise<ProcessResult> {
  const child = startScript(script, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.once('close', (code) => done({ code, stdout, stderr })));
}

/** Runs train.ts on a job tree the way the training executor does. */
export function runTraining(root: string, extraEnv: Record<string, string> = {}): Promise<ProcessResult> {
  return runScript(TRAIN_SCRIPT, {
    MLOPS_SM_ROOT: root,
    SM_MODEL_DIR: join(root, 'model'),
    SM_CHANNEL_TRAIN: join(root, 'input/data/train'),
    ...extraEnv,
  });
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** A started server: its port, its output so far, and how it ended if it did. */
export interface ServerProcess {
  readonly port: number;
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts serve.ts on a model folder; resolves once `/ping` answers 200 or the process has exited. */
export async function startServer(modelDir: string, timeoutMs = 20_000): Promise<ServerProcess> {
  const port = await freePort();
  const child = startScript(SERVE_SCRIPT, { SM_MODEL_DIR: modelDir, SAGEMAKER_BIND_TO_PORT: String(port) });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let ended = false;
  void exited.then(() => (ended = true));
  const server: ServerProcess = {
    port,
    child,
    output: () => output,
    exited,
    async stop() {
      if (!ended) child.kill('SIGTERM');
      await exited;
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (!ended && Date.now() < deadline) {
    const status = await fetch(`http://127.0.0.1:${port}/ping`, { signal: AbortSignal.timeout(1000) })
      .then((response) => response.status)
      .catch(() => 0);
    if (status === 200) return server;
    await new Promise((done) => setTimeout(done, 100));
  }
  if (!ended) {
    await server.stop();
    throw new Error(`serve.ts did not answer /ping within ${timeoutMs} ms:\n${output}`);
  }
  return server;
}
