/**
 * What every scenario works with: the local runtime playing the synthesized stack, its outputs, the churn pipeline,
 * the events on the project's bus, the metadata stores, the Slack webhook and the progress output; and `until`,
 * which delivers events (as EventBridge and Lambda would) until the system reached the state a step waits for.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PipelineConfig } from '../functions/config/pipeline-config';
import { missingOutputs, toStackOutputs, type StackOutputs } from '../functions/config/stack-outputs';
import { DeploymentStore } from '../functions/metadata/deployment-store';
import { TrainingStore } from '../functions/metadata/training-store';
import { writeHandle } from '../cli/local-runtime-handle';
import { startControlServer } from '../local/control-server';
import type { Delivery } from '../local/lambda/dispatcher';
import { startLocalRuntime, type LocalRuntime } from '../local/runtime';
import { LifecycleRecorder } from './lifecycle-recorder';
import { DemoExpectationError, type ProgressReporter } from './progress';
import { startSlackWebhook, type SlackWebhook } from './slack-webhook';
import { synthesizeApp, type SynthesizedApp } from './synthesize-app';

/** The pipeline the demo plays (`pipelines/churn/`). */
export const DEMO_PIPELINE = 'churn';

/**
 * Real seconds per simulated second for SageMaker's waits. The churn pipeline bakes a canary for 300 s and waits
 * 300 s before terminating the old fleet: 3 s each here. It also scales training's 3600 s maximum runtime, to 36 s:
 * a 20,000-row job took 4 to 5 s here with little else running, and scenario 1 took twice as long while other
 * tests ran on the 2 cores (at 0.005 the limit would be 18 s, too close).
 */
export const DEMO_TIME_FACTOR = 0.01;

export interface DemoContext {
  readonly projectRoot: string;
  readonly app: SynthesizedApp;
  readonly runtime: LocalRuntime;
  readonly outputs: StackOutputs;
  readonly pipeline: PipelineConfig;
  readonly events: LifecycleRecorder;
  /** The metadata table through the document client. */
  readonly documents: DynamoDBDocumentClient;
  readonly deployments: DeploymentStore;
  readonly training: TrainingStore;
  readonly slack: SlackWebhook;
  readonly progress: ProgressReporter;
  /** A project folder whose `.local/runtime.json` points at this runtime: `mlops -C <it> … --local` acts on it. */
  readonly cliProject: string;
  /** Scratch space of this run, removed by `close()`. */
  readonly workDir: string;
  /**
   * Delivers pending events, then asks `probe`; repeats until it returns a value.
   * @throws DemoExpectationError after `timeoutMs`, with the last deliveries
   */
  until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  /** Deliveries to functions that failed for good (after Lambda's retries) since the run started. */
  failedDeliveries(): readonly Delivery[];
}

export interface StartDemoOptions {
  readonly projectRoot: string;
  readonly progress: ProgressReporter;
  /** A running moto server (the end-to-end tests share one). @default a new one, stopped by `close()` */
  readonly motoEndpoint?: string;
  /** `SLACK_WEBHOOK_URL`: a webhook URL or the secret's JSON map. @default a local receiver */
  readonly slackWebhookUrl?: string;
}

/** A started demo and how to stop it. */
export interface StartedDemo {
  readonly context: DemoContext;
  /** Stops everything started (runtime, processes, moto, receivers) and removes the temporary files. Idempotent. */
  close(): Promise<void>;
}

/**
 * Checks the emulator is installed, synthesizes the app, starts the local runtime on it and subscribes to the bus.
 * On failure everything started so far is stopped again before the error is rethrown.
 */
export async function startDemo(options: StartDemoOptions): Promise<StartedDemo> {
  const { projectRoot, progress } = options;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-demo-'));
  const cleanups: (() => Promise<void> | void)[] = [() => fs.rmSync(workDir, { recursive: true, force: true })];
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      const errors: unknown[] = [];
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length > 0) throw new AggregateError(errors, 'the demo did not stop cleanly');
    })();
    return closed;
  };

  try {
    if (options.motoEndpoint === undefined) {
      await progress.step(
        'the emulator is installed (moto in .venv)',
        () => Promise.resolve(installEmulator(projectRoot)),
        (output) => ({ lookAt: [output] }),
      );
    }
    const app = await progress.step(
      'synthesize the CDK app',
      () => Promise.resolve(synthesizeApp(projectRoot, path.join(workDir, 'cdk.out'))),
      (synthesized) => ({
        result: `${synthesized.stackName}, pipelines: ${synthesized.pipelines.map((p) => p.name).join(', ')}`,
      }),
    );
    const pipeline = app.pipelines.find((p) => p.name === DEMO_PIPELINE);
    if (pipeline === undefined) throw new DemoExpectationError(`pipelines/${DEMO_PIPELINE}/ is missing`);

    const slack = await startSlackWebhook(options.slackWebhookUrl);
    cleanups.push(() => slack.close());
    const runtime = await progress.step(
      'start the local runtime (moto, gateway, resources of cdk.out)',
      async () => {
        const started = await startLocalRuntime({
          projectRoot,
          cdkOutDir: app.cdkOutDir,
          stackName: app.stackName,
          pipelines: app.pipelines,
          workDir: path.join(workDir, 'runtime'),
          timeFactor: DEMO_TIME_FACTOR,
          functionEnvironment: slack.functionEnvironment,
          ...(options.motoEndpoint === undefined ? {} : { motoEndpoint: options.motoEndpoint }),
        });
        cleanups.push(() => started.close());
        return started;
      },
      (started) => ({
        result: `account ${started.accountId}, ${started.stack.functions.length} functions`,
        lookAt: [`function logs: ${path.join(workDir, 'runtime', 'logs')} (removed at the end)`],
      }),
    );
    const missing = missingOutputs(runtime.stack.outputs);
    if (missing.length > 0) throw new DemoExpectationError(`the stack lacks the outputs ${missing.join(', ')}`);
    const outputs = toStackOutputs(runtime.stack.outputs);

    // The rule and queue go with the run's account (a fresh one, never used again), so nothing removes them.
    const events = await LifecycleRecorder.start(runtime.clients, outputs.eventBusName, [DEMO_PIPELINE]);
    const cliProject = await exposeToCli(projectRoot, workDir, runtime, cleanups);

    const documents = DynamoDBDocumentClient.from(runtime.clients.dynamodb, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const context: DemoContext = {
      projectRoot,
      app,
      runtime,
      outputs,
      pipeline,
      events,
      documents,
      deployments: new DeploymentStore(documents, outputs.metadataTableName),
      training: new TrainingStore(documents, outputs.metadataTableName),
      slack,
      progress,
      cliProject,
      workDir,
      until: async <T>(
        what: string,
        probe: () => T | undefined | Promise<T | undefined>,
        timeoutMs = 60_000,
      ): Promise<T> => {
        const deadline = performance.now() + timeoutMs;
        for (;;) {
          await runtime.settle();
          await events.drain();
          const value = await probe();
          if (value !== undefined) return value;
          if (performance.now() > deadline) {
            const recent = runtime.dispatcher.history
              .slice(-6)
              .map((d) => `  ${d.functionLogicalId} via ${d.source}: ${JSON.stringify(d.outcome).slice(0, 300)}`);
            throw new DemoExpectationError(
              `timed out after ${timeoutMs / 1000} s waiting for ${what}; last deliveries:\n${recent.join('\n')}`,
            );
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      },
      failedDeliveries: () => runtime.dispatcher.history.filter((d) => d.outcome.kind === 'failed'),
    };
    return { context, close };
  } catch (error) {
    await close().catch(() => undefined); // the original error says more than a failed cleanup after it
    throw error;
  }
}

/** Runs the project's setup script (idempotent: a stamp file makes a second run return at once). */
function installEmulator(projectRoot: string): string {
  const result = spawnSync('bash', [path.join(projectRoot, 'scripts', 'setup-local.sh')], {
    cwd: projectRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0) {
    throw new DemoExpectationError(
      `scripts/setup-local.sh failed (exit ${result.status}):\n${`${result.stdout}${result.stderr}`.trim()}`,
    );
  }
  return result.stdout.trim().split('\n').at(-1) ?? '';
}

/**
 * Starts the runtime's control endpoint and writes its handle into a project folder of this run (the pipelines
 * linked from the real one), so the demo runs `mlops … --local` commands as an operator would, without touching
 * the `.local/runtime.json` of a `npm run local` that may be running in the repository.
 */
async function exposeToCli(
  projectRoot: string,
  workDir: string,
  runtime: LocalRuntime,
  cleanups: (() => Promise<void> | void)[],
): Promise<string> {
  const control = await startControlServer(runtime);
  cleanups.push(() => control.close());
  const cliProject = path.join(workDir, 'project');
  fs.mkdirSync(cliProject, { recursive: true });
  fs.symlinkSync(path.join(projectRoot, 'pipelines'), path.join(cliProject, 'pipelines'), 'dir');
  writeHandle(cliProject, runtime, control.url);
  return cliProject;
}
