/**
 * Runs SageMaker real-time endpoints as local serving processes (DESIGN 6): create, blue/green update with
 * canary/linear traffic shifting and alarm-driven auto-rollback, delete, and the runtime's InvokeEndpoint with data
 * capture to S3. moto marks endpoints InService at once, has no UpdateEndpoint, answers invocations with canned
 * bodies and writes no capture (MOTO.md 3); a gateway answers those operations from here and leaves the config and
 * model CRUD to moto, which this class reads through the injected lookups.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as z from 'zod';

import { parseApiInput } from './api-input';
import { CaptureWriter } from './capture-writer';
import { formatCaptureRecord } from './data-capture';
import {
  CreateEndpointRequestSchema,
  EndpointConfigSchema,
  ModelPackageSchema,
  ModelSchema,
  UpdateEndpointRequestSchema,
  type ContainerDefinition,
  type EndpointConfig,
  type Model,
  type ProductionVariant,
} from './endpoint-shapes';
import {
  captureEnabled,
  deploymentEventDetail,
  describeEndpoint,
  endpointEventDetail,
  type EndpointDescription,
  type EndpointRecord,
  type EndpointStatus,
  type Fleet,
  type VariantRuntime,
  type VariantStatusName,
} from './endpoint-state';
import { LocalExecutionError, messageOf, SageMakerApiError, validationError } from './errors';
import { OrderedEmitter, reportToStderr, type BackgroundErrorHandler, type EmitEvent } from './event-sink';
import { pickVariant, routesToGreen } from './invocation-routing';
import { inheritableEnv, type LocalCommand } from './local-process';
import type { ObjectStore } from './object-store';
import { assertResourceName, sageMakerArn, type AwsLocation } from './resource-names';
import { ScaledClock, sleepMs, SleepAbortedError } from './scaled-clock';
import { ServingProcess } from './serving-process';
import { planTrafficShift, type TrafficShiftPlan } from './traffic-shift-plan';

/** CloudWatch alarm states, as `DescribeAlarms` reports them. */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** The container a variant runs, resolved from its model (and model package, for registry models). */
export interface ResolvedContainer {
  readonly modelName: string;
  readonly variantName: string;
  readonly image?: string;
  readonly modelDataUrl?: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly modelPackageName?: string;
}

/** Chooses the local command that stands in for a serving image; `undefined` fails the fleet (unknown image). */
export type ServingCommandResolver = (container: ResolvedContainer) => LocalCommand | undefined;

/** What `LocalEndpoints` needs from its surroundings. */
export interface LocalEndpointsOptions {
  /** Where model archives are read from and capture files written to. */
  readonly objectStore: ObjectStore;
  /** `DescribeEndpointConfig` JSON for a name, or `undefined` when there is none (locally: ask moto). */
  readonly getEndpointConfig: (name: string) => Promise<unknown>;
  /** `DescribeModel` JSON for a name, or `undefined`. */
  readonly getModel: (name: string) => Promise<unknown>;
  /**
   * `DescribeModelPackage` JSON for a name or ARN, or `undefined`; needed when a model was created from a
   * registry package (`PrimaryContainer.ModelPackageName`) and carries no image or `ModelDataUrl` of its own.
   */
  readonly getModelPackage?: (nameOrArn: string) => Promise<unknown>;
  /** Maps a variant's container to a local command. */
  readonly resolveCommand: ServingCommandResolver;
  /** Publishes Endpoint State Change and Endpoint Deployment State Change events. */
  readonly emit: EmitEvent;
  /**
   * State of a CloudWatch alarm named in `AutoRollbackConfiguration`; polled while a deployment bakes.
   * @default every alarm is `OK` (moto never evaluates alarms, MOTO.md 5)
   */
  readonly alarmState?: (alarmName: string) => Promise<AlarmState>;
  /**
   * Real seconds per simulated second for bake periods, termination waits and the deployment timeout.
   * @default 1
   */
  readonly timeFactor?: number;
  /**
   * How often alarms are polled during a bake, in simulated seconds.
   * @default 10
   */
  readonly alarmPollSeconds?: number;
  /**
   * How long a new serving process may take to answer `GET /ping` with 200, in real milliseconds. Not scaled:
   * process start-up takes real time.
   * @default the variant's `ContainerStartupHealthCheckTimeoutInSeconds`, else 240 s (REFERENCE 4.2)
   */
  readonly healthCheckTimeoutMs?: number;
  /** Capture files are written once a buffer is this old (real ms). @default 5000 */
  readonly captureFlushIntervalMs?: number;
  /** ... or this large (bytes). @default 262144 */
  readonly captureMaxBufferBytes?: number;
  /** @default { region: 'us-east-1', accountId: '123456789012' } */
  readonly location?: AwsLocation;
  /** Folder for the serving processes' model dirs. @default `<os tmpdir>/mlops-local-sagemaker` */
  readonly workDir?: string;
  /** Environment every serving process inherits before its container `Environment`. @default process.env */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** Source of randomness for traffic splitting and capture sampling. @default Math.random */
  readonly random?: () => number;
  /** @default writes to stderr */
  readonly onBackgroundError?: BackgroundErrorHandler;
  /** Wall clock for timestamps. @default Date.now */
  readonly now?: () => number;
}

/** `InvokeEndpoint` input (the runtime API's members). */
export interface InvokeEndpointInput {
  readonly Body: Uint8Array | string;
  readonly ContentType?: string;
  readonly Accept?: string;
  readonly CustomAttributes?: string;
  readonly InferenceId?: string;
  readonly TargetVariant?: string;
}

/** `InvokeEndpoint` output. */
export interface InvokeEndpointOutput {
  readonly Body: Uint8Array;
  readonly ContentType: string;
  readonly InvokedProductionVariant: string;
  readonly CustomAttributes?: string;
}

const ENDPOINT_EVENT = 'SageMaker Endpoint State Change';
const DEPLOYMENT_EVENT = 'SageMaker Endpoint Deployment State Change';
/** InvokeEndpoint body limit (REFERENCE 3.6). */
const MAX_BODY_BYTES = 6_291_456;
/** Archived docs: health checks must pass within 4 minutes of start (REFERENCE 4.2, [P]). */
const DEFAULT_HEALTH_CHECK_SECONDS = 240;
/** [U] InvokeEndpoint without ContentType: what SageMaker reports as observed content type is undocumented. */
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

const InvokeInputSchema = z.object({
  Body: z.union([z.instanceof(Uint8Array), z.string()]),
  ContentType: z.string().optional(),
  Accept: z.string().optional(),
  CustomAttributes: z.string().max(1024).optional(),
  InferenceId: z.string().min(1).max(64).regex(/^\S/, 'must not start with whitespace').optional(),
  TargetVariant: z.string().optional(),
});

/** Why a deployment stopped before its end. */
type AbortReason = 'deleted' | 'closed' | 'timeout';

/**
 * SageMaker endpoints, run locally. All state-changing calls return as soon as AWS would (the work continues in
 * the background); `waitFor` lets tests await the end of it.
 *
 * @example
 * const endpoints = new LocalEndpoints({ objectStore, getEndpointConfig, getModel, resolveCommand, emit, alarmState });
 * await endpoints.createEndpoint({ EndpointName: 'churn', EndpointConfigName: 'churn-v1' });
 */
export class LocalEndpoints {
  private readonly endpoints = new Map<string, EndpointRecord>();
  /** Every operation not yet finished, including superseded ones still stopping processes; `close()` awaits them. */
  private readonly inflight = new Set<Promise<void>>();
  private readonly clock: ScaledClock;
  private readonly events: OrderedEmitter;
  private readonly capture: CaptureWriter;
  private readonly location: AwsLocation;
  private readonly workDir: string;
  private readonly random: () => number;
  private readonly onBackgroundError: BackgroundErrorHandler;
  private closed = false;

  constructor(private readonly options: LocalEndpointsOptions) {
    this.clock = new ScaledClock(options.timeFactor ?? 1, options.now);
    this.onBackgroundError = options.onBackgroundError ?? reportToStderr;
    this.events = new OrderedEmitter(options.emit, this.onBackgroundError);
    this.capture = new CaptureWriter({
      store: options.objectStore,
      onError: this.onBackgroundError,
      flushIntervalMs: options.captureFlushIntervalMs,
      maxBufferBytes: options.captureMaxBufferBytes,
    });
    this.location = options.location ?? { region: 'us-east-1', accountId: '123456789012' };
    this.workDir = options.workDir ?? join(tmpdir(), 'mlops-local-sagemaker');
    this.random = options.random ?? Math.random;
  }

  /**
   * `CreateEndpoint`: checks the config exists, answers with the ARN, and starts the config's variants in the
   * background (`Creating` -> `InService`, or `Failed` with a `FailureReason` when a model is missing, has no local
   * command, or never passes `/ping`).
   */
  async createEndpoint(request: unknown): Promise<{ EndpointArn: string }> {
    this.assertOpen();
    const parsed = parseApiInput(CreateEndpointRequestSchema, request, 'CreateEndpoint');
    assertResourceName('endpointName', parsed.EndpointName);
    const config = await this.endpointConfig(parsed.EndpointConfigName);
    const arn = sageMakerArn(this.location, 'endpoint', parsed.EndpointName);
    if (this.endpoints.has(parsed.EndpointName)) {
      throw validationError(`Cannot create already existing endpoint "${arn}".`);
    }
    const now = this.clock.now();
    const record: EndpointRecord = {
      name: parsed.EndpointName,
      arn,
      tags: Object.fromEntries((parsed.Tags ?? []).map((tag) => [tag.Key, tag.Value])),
      status: 'Creating',
      config,
      creationMs: now,
      lastModifiedMs: now,
      greenPercent: 0,
    };
    this.endpoints.set(record.name, record);
    this.publishEndpoint(record);
    this.startOperation(record, (signal) => this.create(record, signal));
    return { EndpointArn: arn };
  }

  /**
   * `UpdateEndpoint`: a blue/green deployment of `EndpointConfigName`. Without a `DeploymentConfig` (and without
   * `RetainDeploymentConfig`) it shifts all traffic at once with no bake, as SageMaker does by default. Only an
   * `InService` endpoint can be updated.
   */
  async updateEndpoint(request: unknown): Promise<{ EndpointArn: string }> {
    this.assertOpen();
    const parsed = parseApiInput(UpdateEndpointRequestSchema, request, 'UpdateEndpoint');
    const record = this.get(parsed.EndpointName);
    const config = await this.endpointConfig(parsed.EndpointConfigName);
    // Every operation reaches InService as its last step, so the status alone says whether one is in flight.
    if (record.status !== 'InService') {
      throw validationError(`Cannot update in-progress endpoint "${record.arn}".`);
    }
    const deploymentConfig =
      parsed.DeploymentConfig ?? (parsed.RetainDeploymentConfig === true ? record.lastDeploymentConfig : undefined);
    const instanceCount = config.ProductionVariants.reduce((sum, v) => sum + (v.InitialInstanceCount ?? 1), 0);
    const plan = planTrafficShift(deploymentConfig, instanceCount);
    if (deploymentConfig?.BlueGreenUpdatePolicy !== undefined) assertSameVariants(record.config, config);

    const now = this.clock.now();
    record.status = 'Updating';
    record.failureReason = undefined;
    record.lastModifiedMs = now;
    if (deploymentConfig !== undefined) record.lastDeploymentConfig = deploymentConfig;
    record.pending = {
      config,
      startMs: now,
      variantStatus: { status: 'Creating', message: 'Creating the new fleet', startMs: now },
    };
    this.publishEndpoint(record);
    this.publishDeployment(record);
    this.startOperation(record, (signal) => this.deploy(record, config, plan, signal));
    return { EndpointArn: record.arn };
  }

  /** `DescribeEndpoint`; `ValidationException` for an unknown name (what the EndpointDeleted waiter expects). */
  describeEndpoint(name: string): EndpointDescription {
    return describeEndpoint(this.get(name));
  }

  /**
   * `DeleteEndpoint`: `Deleting` at once; any deployment in flight is abandoned, the processes are stopped, pending
   * capture is written, and the endpoint disappears.
   */
  // eslint-disable-next-line @typescript-eslint/require-await -- async so that every failure is a rejection
  async deleteEndpoint(name: string): Promise<void> {
    const record = this.get(name);
    if (record.status === 'Deleting') return;
    const previous = record.operation;
    previous?.abort.abort('deleted' satisfies AbortReason);
    record.operation = undefined;
    this.setStatus(record, 'Deleting');
    this.startOperation(record, async () => {
      await previous?.done;
      await Promise.all([stopFleet(record.blue), stopFleet(record.green)]);
      record.blue = undefined;
      record.green = undefined;
      await this.capture.flush();
      this.endpoints.delete(record.name);
    });
  }

  /**
   * The runtime's `InvokeEndpoint`: routes by traffic share and variant weight, forwards to the serving process's
   * `POST /invocations`, and captures the pair when the config's `DataCaptureConfig` samples it.
   * Errors as the runtime raises them: `ValidationError` (unknown or unavailable endpoint, bad input), `ModelError`
   * (the container answered non-2xx).
   */
  async invoke(endpointName: string, input: InvokeEndpointInput): Promise<InvokeEndpointOutput> {
    const parsed = InvokeInputSchema.safeParse(input);
    if (!parsed.success) {
      throw new SageMakerApiError('ValidationError', `InvokeEndpoint: ${z.prettifyError(parsed.error)}`);
    }
    const request = parsed.data;
    const record = this.endpoints.get(endpointName);
    const serving = record === undefined || record.status === 'Deleting' ? undefined : record.blue;
    if (record === undefined || serving === undefined) {
      throw new SageMakerApiError(
        'ValidationError',
        `Endpoint ${endpointName} of account ${this.location.accountId} not found.`,
      );
    }
    const body = typeof request.Body === 'string' ? new TextEncoder().encode(request.Body) : request.Body;
    if (body.byteLength > MAX_BODY_BYTES) {
      throw new SageMakerApiError('ValidationError', `Request body exceeds ${MAX_BODY_BYTES} bytes`);
    }
    const green = record.green;
    const fleet = green !== undefined && routesToGreen(record.greenPercent, this.random) ? green : serving;
    const variant = pickVariant(fleet.variants, this.random, request.TargetVariant);
    if (variant === undefined) {
      throw new SageMakerApiError(
        'ValidationError',
        `The TargetVariant '${request.TargetVariant}' does not exist on endpoint ${endpointName}.`,
      );
    }
    const inferenceTimeMs = this.clock.now();
    const contentType = request.ContentType ?? DEFAULT_CONTENT_TYPE;
    const response = await variant.server
      .invoke({
        body,
        contentType,
        ...(request.Accept === undefined ? {} : { accept: request.Accept }),
        ...(request.CustomAttributes === undefined ? {} : { customAttributes: request.CustomAttributes }),
        ...(request.InferenceId === undefined ? {} : { inferenceId: request.InferenceId }),
      })
      .catch((error: unknown) => {
        // A crashed or hung container: the runtime reports the model's failure, not its own.
        throw new SageMakerApiError(
          'ModelError',
          `The container of production variant ${variant.variantName} did not answer: ${messageOf(error)}. ` +
            `Last output:\n${variant.server.logTail()}`,
          { cause: error },
        );
      });
    if (response.statusCode < 200 || response.statusCode > 299) {
      const message = new TextDecoder().decode(response.body);
      const kind = response.statusCode >= 500 ? 'server' : 'client';
      throw new SageMakerApiError(
        'ModelError',
        `Received ${kind} error (${response.statusCode}) from primary with message "${message}".`,
        { details: { OriginalStatusCode: response.statusCode, OriginalMessage: message } },
      );
    }
    const outputType = response.contentType ?? request.Accept ?? DEFAULT_CONTENT_TYPE;
    this.captureInvocation(record, fleet, variant, {
      input: { contentType, body },
      output: { contentType: outputType, body: response.body },
      inferenceTimeMs,
      ...(request.InferenceId === undefined ? {} : { inferenceId: request.InferenceId }),
    });
    return {
      Body: response.body,
      ContentType: outputType,
      InvokedProductionVariant: variant.variantName,
      ...(response.customAttributes === undefined ? {} : { CustomAttributes: response.customAttributes }),
    };
  }

  /** Writes buffered capture records to S3 now. */
  flush(): Promise<void> {
    return this.capture.flush();
  }

  /**
   * Resolves when the endpoint's background work (create, update, delete) has ended and its events are delivered:
   * with the description, or `undefined` once the endpoint has been deleted.
   */
  async waitFor(name: string): Promise<EndpointDescription | undefined> {
    for (;;) {
      const record = this.endpoints.get(name);
      const operation = record?.operation;
      if (operation === undefined) break;
      await operation.done;
      if (record?.operation === operation) break;
    }
    await this.events.drain();
    const record = this.endpoints.get(name);
    return record === undefined ? undefined : describeEndpoint(record);
  }

  /** Abandons deployments in flight, stops every serving process, writes pending capture. */
  async close(): Promise<void> {
    this.closed = true;
    const records = [...this.endpoints.values()];
    for (const record of records) record.operation?.abort.abort('closed' satisfies AbortReason);
    await Promise.all([...this.inflight]);
    await Promise.all(records.flatMap((record) => [stopFleet(record.blue), stopFleet(record.green)]));
    await this.capture.close();
    await this.events.drain();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('LocalEndpoints is closed');
  }

  private get(name: string): EndpointRecord {
    const record = this.endpoints.get(name);
    if (record === undefined) {
      throw validationError(`Could not find endpoint "${sageMakerArn(this.location, 'endpoint', name)}".`);
    }
    return record;
  }

  private async endpointConfig(name: string): Promise<EndpointConfig> {
    const found = await this.options.getEndpointConfig(name);
    if (found === undefined || found === null) {
      throw validationError(
        `Could not find endpoint configuration "${sageMakerArn(this.location, 'endpoint-config', name)}".`,
      );
    }
    return parseApiInput(EndpointConfigSchema, found, `endpoint configuration ${name}`);
  }

  private startOperation(record: EndpointRecord, work: (signal: AbortSignal) => Promise<void>): void {
    const abort = new AbortController();
    const operation = {
      abort,
      done: work(abort.signal)
        .catch((error: unknown) => this.onBackgroundError(error, `endpoint ${record.name}`))
        .finally(() => {
          if (record.operation === operation) record.operation = undefined;
          this.inflight.delete(operation.done);
        }),
    };
    record.operation = operation;
    this.inflight.add(operation.done);
  }

  private async create(record: EndpointRecord, signal: AbortSignal): Promise<void> {
    try {
      record.blue = await this.startFleet(record, record.config, signal);
      this.setStatus(record, 'InService');
    } catch (error) {
      if (signal.aborted) return;
      record.failureReason = failureReasonOf(error);
      this.setStatus(record, 'Failed');
      if (!(error instanceof LocalExecutionError)) this.onBackgroundError(error, `creating endpoint ${record.name}`);
    }
  }

  /** The blue/green deployment; see `planTrafficShift` for the steps. */
  private async deploy(
    record: EndpointRecord,
    config: EndpointConfig,
    plan: TrafficShiftPlan,
    operationSignal: AbortSignal,
  ): Promise<void> {
    const timeout = new AbortController();
    const timer =
      plan.maximumExecutionSeconds === undefined
        ? undefined
        : setTimeout(
            () => timeout.abort('timeout' satisfies AbortReason),
            this.clock.realMs(plan.maximumExecutionSeconds),
          );
    const signal = AbortSignal.any([operationSignal, timeout.signal]);
    try {
      record.green = await this.startFleet(record, config, signal);
      for (const step of plan.steps) {
        this.setVariantStatus(
          record,
          'ActivatingTraffic',
          `Activating traffic on ${step.greenInstances} instance(s) of the new fleet (${step.greenPercent}% of traffic).`,
        );
        record.greenPercent = step.greenPercent;
        this.setVariantStatus(
          record,
          'Baking',
          `Baking for ${step.bakeSeconds} seconds (WaitIntervalInSeconds) with traffic enabled on ` +
            `${step.greenInstances} instance(s) (${step.greenPercent}% of traffic).`,
        );
        const alarm = await this.bake(step.bakeSeconds, plan.alarmNames, signal);
        if (alarm !== undefined) return await this.rollBack(record, alarmReason(alarm));
      }
      if (plan.terminationWaitSeconds > 0) {
        this.setVariantStatus(
          record,
          'Baking',
          `Baking for ${plan.terminationWaitSeconds} seconds (TerminationWaitInSeconds) before terminating the old fleet.`,
        );
        const alarm = await this.bake(plan.terminationWaitSeconds, plan.alarmNames, signal);
        if (alarm !== undefined) return await this.rollBack(record, alarmReason(alarm));
      }
      await this.completeDeployment(record, config);
    } catch (error) {
      if (operationSignal.aborted) {
        await stopFleet(record.green);
        record.green = undefined;
        return;
      }
      const reason = timeout.signal.aborted
        ? `Deployment exceeded MaximumExecutionTimeoutInSeconds (${plan.maximumExecutionSeconds}); rolled back.`
        : failureReasonOf(error);
      if (!(error instanceof LocalExecutionError) && !timeout.signal.aborted) {
        this.onBackgroundError(error, `updating endpoint ${record.name}`);
      }
      await this.rollBack(record, reason);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Waits `seconds` (simulated), polling the alarms at the start, every `alarmPollSeconds`, and at the end.
   * Returns the name of the first alarm found in ALARM, or `undefined` when the bake passed.
   */
  private async bake(seconds: number, alarmNames: readonly string[], signal: AbortSignal): Promise<string | undefined> {
    const end = Date.now() + this.clock.realMs(seconds);
    const pollMs = Math.max(5, this.clock.realMs(this.options.alarmPollSeconds ?? 10));
    for (;;) {
      const alarm = await this.alarmInAlarm(alarmNames);
      if (alarm !== undefined) return alarm;
      const remaining = end - Date.now();
      if (remaining <= 0) return undefined;
      await sleepMs(Math.min(remaining, pollMs), signal);
    }
  }

  private async alarmInAlarm(alarmNames: readonly string[]): Promise<string | undefined> {
    const alarmState = this.options.alarmState;
    if (alarmState === undefined) return undefined;
    for (const name of alarmNames) {
      try {
        if ((await alarmState(name)) === 'ALARM') return name;
      } catch (error) {
        // An alarm whose state cannot be read does not roll back: SageMaker acts on ALARM only.
        this.onBackgroundError(error, `reading alarm ${name}`);
      }
    }
    return undefined;
  }

  /** The green fleet becomes the endpoint; the blue fleet is terminated before the endpoint reports InService. */
  private async completeDeployment(record: EndpointRecord, config: EndpointConfig): Promise<void> {
    const old = record.blue;
    record.blue = record.green;
    record.green = undefined;
    record.greenPercent = 0;
    record.config = config;
    record.pending = undefined;
    await stopFleet(old);
    this.setStatus(record, 'InService');
  }

  /**
   * Traffic back to the blue fleet, the green fleet stopped, `InService` on the old config with `FailureReason`
   * (REFERENCE 2.4: that combination is how a rollback shows in DescribeEndpoint).
   */
  private async rollBack(record: EndpointRecord, reason: string): Promise<void> {
    record.greenPercent = 0;
    this.setStatus(record, 'RollingBack');
    await stopFleet(record.green);
    record.green = undefined;
    record.pending = undefined;
    record.failureReason = reason;
    this.setStatus(record, 'InService');
  }

  private async startFleet(record: EndpointRecord, config: EndpointConfig, signal: AbortSignal): Promise<Fleet> {
    const started = await Promise.allSettled(
      config.ProductionVariants.map((variant) => this.startVariant(record, variant, signal)),
    );
    const variants = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failure = started.find((result) => result.status === 'rejected');
    if (failure !== undefined || signal.aborted) {
      await Promise.all(variants.map((variant) => variant.server.stop()));
      if (failure !== undefined) throw failure.reason;
      throw new SleepAbortedError('aborted');
    }
    return { config, variants };
  }

  private async startVariant(
    record: EndpointRecord,
    variant: ProductionVariant,
    signal: AbortSignal,
  ): Promise<VariantRuntime> {
    const container = await this.resolveContainer(variant);
    const command = this.options.resolveCommand(container);
    if (command === undefined) {
      throw new LocalExecutionError(
        `No local serving command is configured for image '${container.image ?? '(none)'}' ` +
          `(model ${container.modelName}, production variant ${variant.VariantName}); map it in the local runtime ` +
          `(pipeline.yaml deployment.local.command)`,
      );
    }
    await mkdir(this.workDir, { recursive: true });
    const healthSeconds = variant.ContainerStartupHealthCheckTimeoutInSeconds ?? DEFAULT_HEALTH_CHECK_SECONDS;
    const server = await ServingProcess.start({
      variantName: variant.VariantName,
      command,
      env: { ...inheritableEnv(this.options.baseEnv ?? process.env), ...container.environment },
      ...(container.modelDataUrl === undefined ? {} : { modelDataUrl: container.modelDataUrl }),
      store: this.options.objectStore,
      folder: await mkdtemp(join(this.workDir, `serve-${record.name}-${variant.VariantName}-`)),
      healthCheckTimeoutMs: this.options.healthCheckTimeoutMs ?? healthSeconds * 1000,
      signal,
    });
    return {
      variantName: variant.VariantName,
      weight: variant.InitialVariantWeight ?? 1,
      ...(container.image === undefined ? {} : { image: container.image }),
      startedMs: this.clock.now(),
      server,
    };
  }

  /** The variant's model's first container; a registry-package model is resolved through its package. */
  private async resolveContainer(variant: ProductionVariant): Promise<ResolvedContainer> {
    const found = await this.options.getModel(variant.ModelName);
    if (found === undefined || found === null) {
      throw new LocalExecutionError(
        `Could not find model "${sageMakerArn(this.location, 'model', variant.ModelName)}".`,
      );
    }
    const model: Model = parseApiInput(ModelSchema, found, `model ${variant.ModelName}`);
    const container: ContainerDefinition | undefined = model.PrimaryContainer ?? model.Containers?.[0];
    if (container === undefined) {
      throw new LocalExecutionError(`Model ${model.ModelName} has no PrimaryContainer or Containers`);
    }
    let image = container.Image;
    let modelDataUrl = container.ModelDataUrl;
    let environment = container.Environment ?? {};
    const packageName = container.ModelPackageName;
    if (packageName !== undefined && (image === undefined || modelDataUrl === undefined)) {
      const foundPackage = await this.options.getModelPackage?.(packageName);
      if (foundPackage === undefined || foundPackage === null) {
        throw new LocalExecutionError(`Could not find model package "${packageName}" of model ${model.ModelName}.`);
      }
      const spec = parseApiInput(ModelPackageSchema, foundPackage, `model package ${packageName}`);
      const packaged = spec.InferenceSpecification.Containers[0];
      image ??= packaged?.Image;
      modelDataUrl ??= packaged?.ModelDataUrl;
      environment = { ...(packaged?.Environment ?? {}), ...environment };
    }
    return {
      modelName: model.ModelName,
      variantName: variant.VariantName,
      ...(image === undefined ? {} : { image }),
      ...(modelDataUrl === undefined ? {} : { modelDataUrl }),
      environment,
      ...(packageName === undefined ? {} : { modelPackageName: packageName }),
    };
  }

  private captureInvocation(
    record: EndpointRecord,
    fleet: Fleet,
    variant: VariantRuntime,
    invocation: {
      input: { contentType: string; body: Uint8Array };
      output: { contentType: string; body: Uint8Array };
      inferenceTimeMs: number;
      inferenceId?: string;
    },
  ): void {
    // The fleet that answered decides: during a shift the green fleet's config may capture differently.
    const config = fleet.config.DataCaptureConfig;
    if (!captureEnabled(config)) return;
    if (!(this.random() * 100 < config.InitialSamplingPercentage)) return;
    const captureRecord = formatCaptureRecord({ config, eventId: randomUUID(), ...invocation });
    this.capture.append(
      {
        destinationS3Uri: config.DestinationS3Uri,
        endpointName: record.name,
        variantName: variant.variantName,
        ...(config.KmsKeyId === undefined ? {} : { kmsKeyId: config.KmsKeyId }),
      },
      captureRecord,
      invocation.inferenceTimeMs,
    );
  }

  private setStatus(record: EndpointRecord, status: EndpointStatus): void {
    record.status = status;
    record.lastModifiedMs = this.clock.now();
    this.publishEndpoint(record);
  }

  private setVariantStatus(record: EndpointRecord, status: VariantStatusName, message: string): void {
    if (record.pending === undefined) return;
    record.pending.variantStatus = { status, message, startMs: this.clock.now() };
    this.publishDeployment(record);
  }

  private publishEndpoint(record: EndpointRecord): void {
    this.events.send(ENDPOINT_EVENT, record.arn, endpointEventDetail(record));
  }

  private publishDeployment(record: EndpointRecord): void {
    this.events.send(DEPLOYMENT_EVENT, record.arn, deploymentEventDetail(record));
  }
}

/**
 * Docs ("Exclusions"): a blue/green or rolling deployment needs the new config to use the old config's variant
 * names (REFERENCE 3.4). Failing loudly here beats a local deployment that AWS would not run with guardrails.
 */
function assertSameVariants(current: EndpointConfig, next: EndpointConfig): void {
  const names = (config: EndpointConfig): string =>
    config.ProductionVariants.map((v) => v.VariantName)
      .sort()
      .join(',');
  if (names(current) !== names(next)) {
    throw validationError(
      `A deployment with DeploymentConfig needs the same production variant names in the new endpoint configuration ` +
        `(${names(next)}) as in the current one (${names(current)}).`,
    );
  }
}

function alarmReason(alarm: string): string {
  return `Deployment was rolled back: CloudWatch alarm ${alarm} was in ALARM state during the baking period.`;
}

function failureReasonOf(error: unknown): string {
  return error instanceof LocalExecutionError ? error.failureReason : `InternalFailure: ${messageOf(error)}`;
}

async function stopFleet(fleet: Fleet | undefined): Promise<void> {
  await Promise.all((fleet?.variants ?? []).map((variant) => variant.server.stop()));
}
