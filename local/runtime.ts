import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { loadPipelines } from '../functions/config/load-pipelines';
import type { PipelineConfig } from '../functions/config/pipeline-config';
import { startGateway, type Gateway } from './emulator/gateway';
import { localAwsClients, localAwsEnvironment, type LocalAwsClients } from './emulator/local-clients';
import { startMoto, type MotoServer } from './emulator/moto-server';
import { LocalAsyncInvoker } from './lambda/async-invoker';
import { LocalDispatcher, type Delivery } from './lambda/dispatcher';
import { LocalEmbeddedMetrics } from './lambda/embedded-metrics';
import { LocalFunctionHost } from './lambda/function-host';
import { formatProvisionReport } from './provision/provision-report';
import { provision, type ProvisionedStack } from './provision/provisioner';
import { loadSynthesizedStack } from './provision/template';
import { LocalEndpoints } from './sagemaker/endpoint-executor';
import { reportToStderr, type PutEventsEntry } from './sagemaker/event-sink';
import { bindSageMaker, describeFromMoto } from './sagemaker/gateway-binding';
import { emitModelPackageEvents } from './sagemaker/model-package-events';
import { S3ObjectStore } from './sagemaker/object-store';
import { pipelineCommandResolvers } from './sagemaker/pipeline-commands';
import { LocalTrainingJobs } from './sagemaker/training-executor';

/** SDK clients of the local runtime, aimed at its gateway (what handlers get through `AWS_ENDPOINT_URL`). */
export type LocalClients = LocalAwsClients;

export interface LocalRuntimeOptions {
  /** Repository root: handler entries and pipeline commands are relative to it. */
  readonly projectRoot: string;
  /** @default `<projectRoot>/cdk.out` */
  readonly cdkOutDir?: string;
  /** @default the assembly's only stack */
  readonly stackName?: string;
  /** A running moto server to use. @default a new one, stopped by `close()` */
  readonly motoEndpoint?: string;
  /** @default a random 12-digit account (isolation when several runtimes share one moto) */
  readonly accountId?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Pipelines whose local commands stand in for SageMaker images. @default loadPipelines(projectRoot) */
  readonly pipelines?: readonly PipelineConfig[];
  /** Scratch folder for training jobs and endpoints. @default a new temporary folder, removed by `close()` */
  readonly workDir?: string;
  /** One log file per function and per SageMaker job/endpoint. @default `<workDir>/logs` */
  readonly logDirectory?: string;
  /** Real seconds per simulated second for SageMaker waits (bake times, max runtime). @default 1 */
  readonly timeFactor?: number;
  /** Waits before Lambda's asynchronous retries. @default [100, 200] ms */
  readonly retryDelaysMs?: readonly number[];
  /** Called after each delivery to a function. */
  readonly onDelivery?: (delivery: Delivery) => void;
  /**
   * Variables every function gets besides its own, as local stand-ins for deployed configuration: `SLACK_WEBHOOK_URL`
   * and `NOTIFIER_TIME_SCALE` (docs/notifications.md). A function's own variables win.
   * @default none
   */
  readonly functionEnvironment?: Readonly<Record<string, string>>;
}

/** The whole system on this machine: emulator, gateway, provisioned resources, functions and SageMaker. */
export interface LocalRuntime {
  readonly accountId: string;
  readonly region: string;
  readonly gateway: Gateway;
  /** `AWS_ENDPOINT_URL` and dummy credentials: the environment a process needs to reach the local runtime. */
  readonly env: Readonly<Record<string, string>>;
  readonly clients: LocalClients;
  readonly stack: ProvisionedStack;
  readonly dispatcher: LocalDispatcher;
  readonly functions: LocalFunctionHost;
  readonly training: LocalTrainingJobs;
  readonly endpoints: LocalEndpoints;
  /** The provisioning report: what was created, and every template resource type not provisioned, with why. */
  readonly report: string;
  /**
   * The local physical id of a resource by its construct path without the hash CDK appends to logical ids,
   * e.g. `physicalId('DataPlaneLandingBucket')` is the landing bucket's name.
   */
  physicalId(logicalIdWithoutHash: string): string;
  /** Delivers every pending event until nothing is left (see `LocalDispatcher.settle`). */
  settle(): Promise<readonly Delivery[]>;
  /** Stops everything it started (functions, serving processes, gateway, moto) and removes its temporary files. */
  close(): Promise<void>;
}

/**
 * Starts the local runtime from the synthesized template (`cdk.out`): moto (unless one is given), a gateway with a
 * fresh account, every resource of the template provisioned with the project's own SDK calls, the functions ready
 * to run in worker threads, and SageMaker training jobs and endpoints served by local processes.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? randomAccountId();
  const ownWorkDir = options.workDir === undefined;
  const workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-local-'));
  const logDirectory = options.logDirectory ?? path.join(workDir, 'logs');
  const cleanups: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  };

  try {
    let moto: MotoServer | undefined;
    if (!options.motoEndpoint) {
      moto = await startMoto({ logFile: path.join(logDirectory, 'moto.log') });
      cleanups.push(() => moto?.stop());
    }
    const gateway = await startGateway({
      motoEndpoint: options.motoEndpoint ?? moto?.endpoint ?? '',
      accountId,
      region,
    });
    cleanups.push(() => gateway.stop());

    const env = localAwsEnvironment(gateway.endpoint, region);
    const clients = localAwsClients(gateway.endpoint, region);
    cleanups.push(() => clients.destroy());

    const { stackName, template } = loadSynthesizedStack(
      options.cdkOutDir ?? path.join(options.projectRoot, 'cdk.out'),
      options.stackName,
    );
    const stack = await provision(template, clients, { stackName, accountId, region });

    const pipelines = options.pipelines ?? loadPipelines(options.projectRoot);
    const commands = pipelineCommandResolvers(pipelines, options.projectRoot);
    const emit = async (entry: PutEventsEntry) => {
      // AWS services put their events on the default bus of the account and region.
      const result = await clients.eventbridge.send(
        new PutEventsCommand({ Entries: [{ ...entry, Resources: [...entry.Resources], EventBusName: 'default' }] }),
      );
      if (result.FailedEntryCount) throw new Error(`PutEvents failed: ${JSON.stringify(result.Entries)}`);
    };
    const objectStore = new S3ObjectStore(clients.s3);
    const location = { region, accountId };
    const onBackgroundError = (error: unknown) =>
      gateway.reportError(error instanceof Error ? error : new Error(String(error)));
    const training = new LocalTrainingJobs({
      objectStore,
      resolveCommand: commands.training,
      emit,
      location,
      workDir: path.join(workDir, 'training'),
      baseEnv: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      onBackgroundError,
      ...(options.timeFactor === undefined ? {} : { timeFactor: options.timeFactor }),
    });
    cleanups.push(() => training.close());
    const endpoints = new LocalEndpoints({
      objectStore,
      getEndpointConfig: (name) => describeFromMoto(gateway, 'DescribeEndpointConfig', { EndpointConfigName: name }),
      getModel: (name) => describeFromMoto(gateway, 'DescribeModel', { ModelName: name }),
      getModelPackage: (name) => describeFromMoto(gateway, 'DescribeModelPackage', { ModelPackageName: name }),
      resolveCommand: commands.serving,
      emit,
      // moto stores alarms but never evaluates them (MOTO.md 5): the state is whatever was last set.
      alarmState: async (alarmName) => {
        const alarms = await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }));
        const state = alarms.MetricAlarms?.[0]?.StateValue;
        return state === 'ALARM' || state === 'OK' ? state : 'INSUFFICIENT_DATA';
      },
      location,
      workDir: path.join(workDir, 'endpoints'),
      baseEnv: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      onBackgroundError,
      ...(options.timeFactor === undefined ? {} : { timeFactor: options.timeFactor }),
    });
    cleanups.push(() => endpoints.close());
    cleanups.push(bindSageMaker(gateway, training, endpoints));
    cleanups.push(emitModelPackageEvents(gateway));

    // CloudWatch Logs turns EMF lines of a function's log into metrics; so does the local runtime.
    const embeddedMetrics = new LocalEmbeddedMetrics(clients.cloudwatch, reportToStderr);
    const functions = new LocalFunctionHost({
      projectRoot: options.projectRoot,
      region,
      accountId,
      baseEnvironment: { ...options.functionEnvironment, ...env },
      logDirectory,
      onStdout: (stream, chunk) => embeddedMetrics.write(stream, chunk),
    });
    cleanups.push(() => functions.close());
    const asyncInvoker = new LocalAsyncInvoker(functions, clients.sqs, {
      ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
    });
    const dispatcher = new LocalDispatcher(stack, clients.sqs, functions, asyncInvoker, {
      accountId,
      region,
      ...(options.onDelivery ? { onDelivery: options.onDelivery } : {}),
    });
    cleanups.push(() => dispatcher.stop());
    if (ownWorkDir) cleanups.unshift(() => fs.rmSync(workDir, { recursive: true, force: true }));

    return {
      accountId,
      region,
      gateway,
      env,
      clients,
      stack,
      dispatcher,
      functions,
      training,
      endpoints,
      report: formatProvisionReport(stack),
      physicalId: (name) => {
        const id = Object.keys(stack.physicalIds).find(
          (logicalId) => logicalId === name || new RegExp(`^${name}[0-9A-F]{8}$`).test(logicalId),
        );
        const value = id === undefined ? undefined : stack.physicalIds[id];
        if (value === undefined) throw new Error(`no provisioned resource with the logical id ${name}<hash>`);
        return value;
      },
      settle: async () => {
        const deliveries = await dispatcher.settle();
        await embeddedMetrics.flush();
        return deliveries;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A random 12-digit account id, never moto's default 123456789012. */
function randomAccountId(): string {
  return String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
}
