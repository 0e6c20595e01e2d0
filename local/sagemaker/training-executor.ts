/**
 * Runs SageMaker training jobs as local processes (DESIGN 6): the training container's contract
 * (`/opt/ml` tree, toolkit environment, failure file, `model.tar.gz`), SageMaker's status machine, metric
 * definitions over the log, and `SageMaker Training Job State Change` events. moto completes jobs instantly with a
 * canned metric and has no StopTrainingJob (MOTO.md 3); a gateway answers the training-job operations from here.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';

import { parseApiInput } from './api-input';
import { LocalExecutionError, messageOf, SageMakerApiError, validationError } from './errors';
import { OrderedEmitter, reportToStderr, type BackgroundErrorHandler, type EmitEvent } from './event-sink';
import { channelFolder, materialiseChannel, objectsForPrefix, pathInside } from './input-channels';
import { inheritableEnv, LocalProcess, type LocalCommand } from './local-process';
import { createMetricParser, type MetricParser } from './metric-parser';
import { packFolderToBytes } from './model-archive';
import type { ObjectStore } from './object-store';
import { assertChannelName, assertResourceName, sageMakerArn, type AwsLocation } from './resource-names';
import { joinS3Uri, parseS3Uri } from './s3-location';
import { ScaledClock } from './scaled-clock';
import { prepareJobTree, trainingEnvironment, trainingJobLayout, type TrainingJobLayout } from './training-environment';
import { CreateTrainingJobRequestSchema, type CreateTrainingJobRequest } from './training-job-request';

/** `TrainingJobStatus` values this executor produces. */
export type TrainingJobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

/** `SecondaryStatus` values this executor produces. */
export type TrainingSecondaryStatus =
  | 'Starting'
  | 'Downloading'
  | 'Training'
  | 'Uploading'
  | 'Completed'
  | 'Failed'
  | 'Stopping'
  | 'Stopped'
  | 'MaxRuntimeExceeded';

/** Chooses the local command that stands in for a job's image; `undefined` fails the job (unknown image). */
export type TrainingCommandResolver = (request: CreateTrainingJobRequest) => LocalCommand | undefined;

/** What `LocalTrainingJobs` needs from its surroundings. */
export interface LocalTrainingJobsOptions {
  /** Where channels are read from and artifacts written to (`new S3ObjectStore(s3Client)`). */
  readonly objectStore: ObjectStore;
  /** Maps a request (its `AlgorithmSpecification.TrainingImage`, usually) to a local command. */
  readonly resolveCommand: TrainingCommandResolver;
  /** Publishes `SageMaker Training Job State Change` events. */
  readonly emit: EmitEvent;
  /**
   * Real seconds per simulated second for `MaxRuntimeInSeconds` and the 120 s stop grace period.
   * @default 1
   */
  readonly timeFactor?: number;
  /** @default { region: 'us-east-1', accountId: '123456789012' } (moto's defaults) */
  readonly location?: AwsLocation;
  /**
   * Folder under which each job gets its `/opt/ml` stand-in.
   * @default `<os tmpdir>/mlops-local-sagemaker`
   */
  readonly workDir?: string;
  /**
   * Environment every job inherits before its own variables (the command needs `PATH` to find `node`/`npx`).
   * @default process.env
   */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /**
   * Keep each job's folder after it ends, for debugging.
   * @default false: the folder is deleted, the log stays readable through `log()`
   */
  readonly keepJobFolders?: boolean;
  /** @default writes to stderr */
  readonly onBackgroundError?: BackgroundErrorHandler;
  /** Wall clock for timestamps. @default Date.now */
  readonly now?: () => number;
}

/** `SecondaryStatusTransitions[]` entry; times are epoch seconds as on the awsJson1_1 wire. */
export interface SecondaryStatusTransition {
  readonly Status: TrainingSecondaryStatus;
  readonly StartTime: number;
  readonly EndTime?: number;
  readonly StatusMessage: string;
}

/**
 * `DescribeTrainingJob` response. Timestamps are epoch seconds (the awsJson1_1 wire format), so a gateway can send
 * the object as the response body as it is. The request is echoed except `Tags` (DescribeTrainingJob has none).
 */
export type TrainingJobDescription = Omit<CreateTrainingJobRequest, 'Tags'> & {
  readonly TrainingJobArn: string;
  readonly TrainingJobStatus: TrainingJobStatus;
  readonly SecondaryStatus: TrainingSecondaryStatus;
  readonly FailureReason?: string;
  readonly ModelArtifacts?: { readonly S3ModelArtifacts: string };
  readonly CreationTime: number;
  readonly TrainingStartTime?: number;
  readonly TrainingEndTime?: number;
  readonly LastModifiedTime: number;
  readonly SecondaryStatusTransitions: readonly SecondaryStatusTransition[];
  readonly FinalMetricDataList: readonly { MetricName: string; Value: number; Timestamp: number }[];
  readonly TrainingTimeInSeconds?: number;
  readonly BillableTimeInSeconds?: number;
};

/** `ListTrainingJobs` response entry (epoch seconds). */
export interface TrainingJobSummary {
  readonly TrainingJobName: string;
  readonly TrainingJobArn: string;
  readonly CreationTime: number;
  readonly TrainingEndTime?: number;
  readonly LastModifiedTime: number;
  readonly TrainingJobStatus: TrainingJobStatus;
  readonly SecondaryStatus: TrainingSecondaryStatus;
}

/** `ListTrainingJobs` filters this executor honours. */
export interface ListTrainingJobsFilter {
  readonly StatusEquals?: TrainingJobStatus;
  readonly NameContains?: string;
}

interface Transition {
  readonly status: TrainingSecondaryStatus;
  readonly startMs: number;
  endMs?: number;
  readonly message: string;
}

interface JobRecord {
  readonly request: CreateTrainingJobRequest;
  readonly arn: string;
  status: TrainingJobStatus;
  secondary: TrainingSecondaryStatus;
  failureReason?: string;
  readonly creationMs: number;
  startMs?: number;
  endMs?: number;
  lastModifiedMs: number;
  readonly transitions: Transition[];
  metrics?: MetricParser;
  modelArtifacts?: string;
  readonly log: string[];
  process?: LocalProcess;
  stop?: 'requested' | 'max-runtime';
  done?: Promise<void>;
}

/** The stop grace period SageMaker gives a training container before SIGKILL (StoppingCondition docs). */
const STOP_GRACE_SECONDS = 120;
/** `FailureReason` maximum length (API), and what SageMaker takes from `/opt/ml/output/failure`. */
const FAILURE_REASON_MAX = 1024;
/** Log lines kept per job; beyond this the oldest are dropped (a chatty trainer must not exhaust memory). */
const MAX_LOG_LINES = 50_000;

const TRAINING_EVENT = 'SageMaker Training Job State Change';

/**
 * SageMaker training jobs, run locally. Jobs run concurrently; every method is safe to call at any time.
 *
 * @example
 * const jobs = new LocalTrainingJobs({ objectStore: new S3ObjectStore(s3), emit, resolveCommand });
 * const { TrainingJobArn } = await jobs.create(JSON.parse(body));
 */
export class LocalTrainingJobs {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly clock: ScaledClock;
  private readonly events: OrderedEmitter;
  private readonly location: AwsLocation;
  private readonly workDir: string;
  private readonly onBackgroundError: BackgroundErrorHandler;
  private closed = false;

  constructor(private readonly options: LocalTrainingJobsOptions) {
    this.clock = new ScaledClock(options.timeFactor ?? 1, options.now);
    this.onBackgroundError = options.onBackgroundError ?? reportToStderr;
    this.events = new OrderedEmitter(options.emit, this.onBackgroundError);
    this.location = options.location ?? { region: 'us-east-1', accountId: '123456789012' };
    this.workDir = options.workDir ?? join(tmpdir(), 'mlops-local-sagemaker');
  }

  /**
   * `CreateTrainingJob`. Validates the request, records the job as `InProgress`/`Starting` and starts it in the
   * background. A name that exists already fails with `ResourceInUse`, so a redelivered event that retries the
   * create finds the existing job instead of starting a second one.
   * @param request the request JSON (awsJson1_1 body shape).
   */
  // eslint-disable-next-line @typescript-eslint/require-await -- async so that every failure is a rejection
  async create(request: unknown): Promise<{ TrainingJobArn: string }> {
    if (this.closed) throw new Error('LocalTrainingJobs is closed');
    const parsed = parseApiInput(CreateTrainingJobRequestSchema, request, 'CreateTrainingJob');
    validateRequest(parsed);
    const name = parsed.TrainingJobName;
    const arn = sageMakerArn(this.location, 'training-job', name);
    if (this.jobs.has(name)) {
      throw new SageMakerApiError(
        'ResourceInUse',
        `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${arn})`,
      );
    }
    const now = this.clock.now();
    const job: JobRecord = {
      request: parsed,
      arn,
      status: 'InProgress',
      secondary: 'Starting',
      creationMs: now,
      lastModifiedMs: now,
      transitions: [{ status: 'Starting', startMs: now, message: 'Preparing the instances for training' }],
      log: [],
    };
    this.jobs.set(name, job);
    this.publish(job);
    job.done = this.run(job).catch((error: unknown) => this.onBackgroundError(error, `training job ${name}`));
    return { TrainingJobArn: arn };
  }

  /** `DescribeTrainingJob`; `ResourceNotFound` for an unknown name. */
  describe(name: string): TrainingJobDescription {
    return describeJob(this.get(name));
  }

  /**
   * `StopTrainingJob`: `Stopping`, SIGTERM to the command, SIGKILL after the (scaled) 120 s grace period, then
   * `Stopped`; whatever the command saved in `model/` is still uploaded. Only an `InProgress` job can be stopped.
   */
  stop(name: string): void {
    const job = this.get(name);
    if (job.status !== 'InProgress') {
      throw validationError(`The request was rejected because the training job is in status ${job.status}.`);
    }
    job.stop = 'requested';
    this.transition(job, 'Stopping', 'Stopping the training job', 'Stopping');
    void job.process?.stop(this.clock.realMs(STOP_GRACE_SECONDS));
  }

  /** `ListTrainingJobs` (oldest first, the API's default sort order). */
  list(filter: ListTrainingJobsFilter = {}): { TrainingJobSummaries: TrainingJobSummary[] } {
    const summaries = [...this.jobs.values()]
      .filter((job) => filter.StatusEquals === undefined || job.status === filter.StatusEquals)
      .filter((job) => filter.NameContains === undefined || job.request.TrainingJobName.includes(filter.NameContains))
      .sort((a, b) => a.creationMs - b.creationMs)
      .map((job) => ({
        TrainingJobName: job.request.TrainingJobName,
        TrainingJobArn: job.arn,
        CreationTime: seconds(job.creationMs),
        ...(job.endMs === undefined ? {} : { TrainingEndTime: seconds(job.endMs) }),
        LastModifiedTime: seconds(job.lastModifiedMs),
        TrainingJobStatus: job.status,
        SecondaryStatus: job.secondary,
      }));
    return { TrainingJobSummaries: summaries };
  }

  /** The job's stdout and stderr lines, interleaved as they were written (the CloudWatch log stream stand-in). */
  log(name: string): string {
    return this.get(name).log.join('\n');
  }

  /** Resolves with the final description once the job has ended and its events have been handed to `emit`. */
  async waitFor(name: string): Promise<TrainingJobDescription> {
    const job = this.get(name);
    await job.done;
    await this.events.drain();
    return describeJob(job);
  }

  /** Kills every running command (SIGKILL to its process group) and waits for the jobs to settle. */
  async close(): Promise<void> {
    this.closed = true;
    const jobs = [...this.jobs.values()];
    for (const job of jobs) {
      if (job.status === 'InProgress' || job.status === 'Stopping') job.stop ??= 'requested';
      job.process?.kill();
    }
    await Promise.all(jobs.flatMap((job) => (job.done === undefined ? [] : [job.done])));
    await this.events.drain();
  }

  private get(name: string): JobRecord {
    const job = this.jobs.get(name);
    if (job === undefined) throw new SageMakerApiError('ResourceNotFound', `Requested resource not found: ${name}`);
    return job;
  }

  private async run(job: JobRecord): Promise<void> {
    const name = job.request.TrainingJobName;
    let folder: string | undefined;
    try {
      await mkdir(this.workDir, { recursive: true });
      folder = await mkdtemp(join(this.workDir, `train-${name}-`));
      const layout = trainingJobLayout(join(folder, 'opt', 'ml'), job.request);
      job.startMs = this.clock.now();
      await prepareJobTree(layout, job.request);
      this.transition(job, 'Downloading', 'Downloading input data');
      await this.download(job, layout);
      if (job.stop !== undefined) return await this.finishStopped(job, layout, folder);

      const command = this.options.resolveCommand(job.request);
      if (command === undefined) {
        const image =
          job.request.AlgorithmSpecification.TrainingImage ?? job.request.AlgorithmSpecification.AlgorithmName;
        throw new LocalExecutionError(
          `ClientError: no local training command is configured for image '${image ?? '(none)'}'; ` +
            `map it in the local runtime (pipeline.yaml training.local.command)`,
        );
      }
      this.transition(job, 'Training', 'Training image download completed. Training in progress.');
      const exit = await this.train(job, layout, command);
      if (job.stop !== undefined) return await this.finishStopped(job, layout, folder);
      if (exit.code !== 0) {
        const reason = await failureReason(layout, exit.code, exit.signal);
        await this.uploadCheckpoints(job, layout);
        return this.finish(job, 'Failed', 'Failed', 'Training job failed', reason);
      }
      this.transition(job, 'Uploading', 'Uploading generated training model');
      await this.uploadOutputs(job, layout, folder);
      this.finish(job, 'Completed', 'Completed', 'Training job completed');
    } catch (error) {
      const reason =
        error instanceof LocalExecutionError ? error.failureReason : `InternalServerError: ${messageOf(error)}`;
      if (!(error instanceof LocalExecutionError)) this.onBackgroundError(error, `training job ${name}`);
      this.finish(job, 'Failed', 'Failed', 'Training job failed', reason);
    } finally {
      job.process = undefined;
      if (folder !== undefined && this.options.keepJobFolders !== true) {
        await rm(folder, { recursive: true, force: true });
      }
    }
  }

  private async download(job: JobRecord, layout: TrainingJobLayout): Promise<void> {
    const defaultMode = job.request.AlgorithmSpecification.TrainingInputMode;
    for (const channel of job.request.InputDataConfig ?? []) {
      if ((channel.InputMode ?? defaultMode) === 'Pipe') {
        throw new LocalExecutionError(
          `ClientError: channel '${channel.ChannelName}' uses Pipe input mode, which is not emulated locally; use File or FastFile`,
        );
      }
      await withClientError('Data download failed', () =>
        materialiseChannel(this.options.objectStore, channel, channelFolder(layout.mlRoot, channel.ChannelName)),
      );
    }
    const checkpoint = job.request.CheckpointConfig;
    if (checkpoint !== undefined && layout.checkpointDir !== undefined) {
      const checkpointDir = layout.checkpointDir;
      // Existing checkpoints are restored before training, so a restarted job resumes (CheckpointConfig docs).
      await withClientError('Checkpoint download failed', async () => {
        const prefix = parseS3Uri(checkpoint.S3Uri.replace(/\/*$/, '/'), 'CheckpointConfig.S3Uri');
        const keys = await this.options.objectStore.listKeys(prefix.bucket, prefix.key);
        for (const object of objectsForPrefix(prefix, keys)) {
          const target = pathInside(checkpointDir, object.relativePath);
          await this.options.objectStore.download(object.source.bucket, object.source.key, target);
        }
      });
    }
  }

  private async train(
    job: JobRecord,
    layout: TrainingJobLayout,
    command: LocalCommand,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const metrics = createMetricParser(job.request.AlgorithmSpecification.MetricDefinitions ?? []);
    const env = {
      ...inheritableEnv(this.options.baseEnv ?? process.env),
      ...trainingEnvironment(layout, job.request, { jobArn: job.arn, numCpus: availableParallelism() }),
    };
    job.metrics = metrics;
    const child = LocalProcess.start(command, env, (_stream, line) => {
      job.log.push(line);
      // Trim in chunks: shifting a 50k-line array on every line would make a chatty trainer quadratic.
      if (job.log.length > MAX_LOG_LINES * 1.1) job.log.splice(0, job.log.length - MAX_LOG_LINES);
      metrics.feed(line, this.clock.now());
    });
    job.process = child;
    const maxRuntime = job.request.StoppingCondition.MaxRuntimeInSeconds ?? 86_400;
    const timer = setTimeout(() => {
      if (job.stop !== undefined) return;
      job.stop = 'max-runtime';
      job.log.push(`[local-sagemaker] MaxRuntimeInSeconds (${maxRuntime}) exceeded; stopping the job`);
      this.transition(job, 'Stopping', 'Stopping the job: MaxRuntimeInSeconds exceeded', 'Stopping');
      void child.stop(this.clock.realMs(STOP_GRACE_SECONDS));
    }, this.clock.realMs(maxRuntime));
    try {
      return await child.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A stopped job still uploads what the command saved: SageMaker gives the container 120 s after SIGTERM "to save
   * the model artifacts, so the results of training are not lost" (StoppingCondition docs). A job that exceeded its
   * max runtime ends `Stopped` with SecondaryStatus `MaxRuntimeExceeded` (DescribeTrainingJob SecondaryStatus docs).
   */
  private async finishStopped(job: JobRecord, layout: TrainingJobLayout, folder: string): Promise<void> {
    const maxRuntime = job.stop === 'max-runtime';
    if ((await readdir(layout.modelDir)).length > 0) await this.uploadOutputs(job, layout, folder);
    else await this.uploadCheckpoints(job, layout);
    this.finish(
      job,
      'Stopped',
      maxRuntime ? 'MaxRuntimeExceeded' : 'Stopped',
      maxRuntime ? 'Job stopped because it exceeded MaxRuntimeInSeconds' : 'Training job stopped',
    );
  }

  private async uploadOutputs(job: JobRecord, layout: TrainingJobLayout, folder: string): Promise<void> {
    const output = job.request.OutputDataConfig;
    const outputPrefix = joinS3Uri(output.S3OutputPath, job.request.TrainingJobName, 'output');
    const modelUri = joinS3Uri(outputPrefix, 'model.tar.gz');
    await withClientError('Uploading the model failed', async () => {
      const target = parseS3Uri(modelUri, 'OutputDataConfig.S3OutputPath');
      const bytes = await packFolderToBytes(layout.modelDir, join(folder, 'model.tar.gz'));
      await this.options.objectStore.put(target.bucket, target.key, bytes, {
        contentType: 'application/x-gzip',
        kmsKeyId: output.KmsKeyId,
      });
      // `/opt/ml/output/data` goes to output.tar.gz beside the model [P: path from the SDK and samples].
      if ((await readdir(layout.outputDataDir)).length > 0) {
        const data = parseS3Uri(joinS3Uri(outputPrefix, 'output.tar.gz'), 'OutputDataConfig.S3OutputPath');
        const dataBytes = await packFolderToBytes(layout.outputDataDir, join(folder, 'output.tar.gz'));
        await this.options.objectStore.put(data.bucket, data.key, dataBytes, {
          contentType: 'application/x-gzip',
          kmsKeyId: output.KmsKeyId,
        });
      }
    });
    await this.uploadCheckpoints(job, layout);
    job.modelArtifacts = modelUri;
  }

  private async uploadCheckpoints(job: JobRecord, layout: TrainingJobLayout): Promise<void> {
    const checkpoint = job.request.CheckpointConfig;
    const checkpointDir = layout.checkpointDir;
    if (checkpoint === undefined || checkpointDir === undefined) return;
    await withClientError('Checkpoint upload failed', async () => {
      const prefix = parseS3Uri(checkpoint.S3Uri.replace(/\/*$/, '/'), 'CheckpointConfig.S3Uri');
      for (const file of await filesUnder(checkpointDir)) {
        const key = prefix.key + relative(checkpointDir, file).split(sep).join('/');
        await this.options.objectStore.put(prefix.bucket, key, await readFile(file), {
          kmsKeyId: job.request.OutputDataConfig.KmsKeyId,
        });
      }
    });
  }

  private transition(
    job: JobRecord,
    secondary: TrainingSecondaryStatus,
    message: string,
    status: TrainingJobStatus = job.status,
  ): void {
    const now = this.clock.now();
    const previous = job.transitions.at(-1);
    if (previous !== undefined) previous.endMs = now;
    job.transitions.push({ status: secondary, startMs: now, message });
    job.secondary = secondary;
    job.status = status;
    job.lastModifiedMs = now;
    this.publish(job);
  }

  private finish(
    job: JobRecord,
    status: 'Completed' | 'Failed' | 'Stopped',
    secondary: TrainingSecondaryStatus,
    message: string,
    reason?: string,
  ): void {
    if (reason !== undefined) job.failureReason = reason.slice(0, FAILURE_REASON_MAX);
    job.endMs = this.clock.now();
    this.transition(job, secondary, message, status);
    const last = job.transitions.at(-1);
    if (last !== undefined) last.endMs = job.endMs;
  }

  private publish(job: JobRecord): void {
    this.events.send(TRAINING_EVENT, job.arn, trainingEventDetail(job));
  }
}

/** Checks the API constraints zod cannot express. */
function validateRequest(request: CreateTrainingJobRequest): void {
  assertResourceName('trainingJobName', request.TrainingJobName);
  const names = new Set<string>();
  for (const channel of request.InputDataConfig ?? []) {
    assertChannelName(channel.ChannelName);
    if (names.has(channel.ChannelName)) throw validationError(`Channel names must be unique: '${channel.ChannelName}'`);
    names.add(channel.ChannelName);
    if (channel.DataSource.S3DataSource !== undefined) parseS3Uri(channel.DataSource.S3DataSource.S3Uri, 'S3Uri');
  }
  parseS3Uri(request.OutputDataConfig.S3OutputPath, 'OutputDataConfig.S3OutputPath');
  if (Object.keys(request.HyperParameters ?? {}).length > 100) {
    throw validationError('HyperParameters may have at most 100 entries');
  }
  const spec = request.AlgorithmSpecification;
  if ((spec.TrainingImage === undefined) === (spec.AlgorithmName === undefined)) {
    throw validationError('AlgorithmSpecification needs exactly one of TrainingImage and AlgorithmName');
  }
  // Compiling the parser validates count and regexes up front, as CreateTrainingJob does.
  createMetricParser(spec.MetricDefinitions ?? []);
}

/**
 * `FailureReason` for a non-zero exit: the first 1024 characters of `/opt/ml/output/failure` when the command wrote
 * one, else a generic `AlgorithmError` like SageMaker's.
 */
async function failureReason(layout: TrainingJobLayout, code: number | null, signal: string | null): Promise<string> {
  const written = await readFile(layout.failureFile, 'utf8').catch(() => '');
  if (written.trim().length > 0) return written.trim().slice(0, FAILURE_REASON_MAX);
  const how = code === null ? `was killed by ${signal ?? 'a signal'}` : `exited with code ${code}`;
  return `AlgorithmError: the training command ${how}; see the job log for details`;
}

/** Runs `work`; any error that is not already a `LocalExecutionError` becomes one with a `ClientError:` reason. */
async function withClientError<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LocalExecutionError) throw error;
    throw new LocalExecutionError(`ClientError: ${what}: ${messageOf(error)}`, { cause: error });
  }
}

async function filesUnder(folder: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

function seconds(ms: number): number {
  return ms / 1000;
}

function describeJob(job: JobRecord): TrainingJobDescription {
  const { Tags: _tags, ...echo } = job.request;
  const trainingSeconds =
    job.startMs === undefined || job.endMs === undefined ? undefined : Math.round((job.endMs - job.startMs) / 1000);
  return {
    ...echo,
    TrainingJobArn: job.arn,
    TrainingJobStatus: job.status,
    SecondaryStatus: job.secondary,
    ...(job.failureReason === undefined ? {} : { FailureReason: job.failureReason }),
    ...(job.modelArtifacts === undefined ? {} : { ModelArtifacts: { S3ModelArtifacts: job.modelArtifacts } }),
    CreationTime: seconds(job.creationMs),
    ...(job.startMs === undefined ? {} : { TrainingStartTime: seconds(job.startMs) }),
    ...(job.endMs === undefined ? {} : { TrainingEndTime: seconds(job.endMs) }),
    LastModifiedTime: seconds(job.lastModifiedMs),
    SecondaryStatusTransitions: job.transitions.map((t) => ({
      Status: t.status,
      StartTime: seconds(t.startMs),
      ...(t.endMs === undefined ? {} : { EndTime: seconds(t.endMs) }),
      StatusMessage: t.message,
    })),
    FinalMetricDataList: (job.metrics?.finalMetrics() ?? []).map((m) => ({
      MetricName: m.MetricName,
      Value: m.Value,
      Timestamp: seconds(m.TimestampMs),
    })),
    ...(trainingSeconds === undefined
      ? {}
      : { TrainingTimeInSeconds: trainingSeconds, BillableTimeInSeconds: trainingSeconds }),
  };
}

/**
 * The event's `detail` (REFERENCE 2.2): the request echo, PascalCase statuses, epoch-millisecond numbers for times
 * (the schema registry's type; the doc example shows strings), `ModelArtifacts` once written, `Tags` as the object
 * map of the doc example. `FinalMetricDataList` is left out: it is in neither the doc example nor the schema, so
 * consumers must call DescribeTrainingJob for metrics, as they must on AWS.
 */
export function trainingEventDetail(job: {
  readonly request: CreateTrainingJobRequest;
  readonly arn: string;
  readonly status: TrainingJobStatus;
  readonly secondary: TrainingSecondaryStatus;
  readonly failureReason?: string;
  readonly modelArtifacts?: string;
  readonly creationMs: number;
  readonly startMs?: number;
  readonly endMs?: number;
  readonly lastModifiedMs: number;
  readonly transitions: readonly Transition[];
}): Record<string, unknown> {
  const request = job.request;
  return {
    TrainingJobName: request.TrainingJobName,
    TrainingJobArn: job.arn,
    TrainingJobStatus: job.status,
    SecondaryStatus: job.secondary,
    ...(job.failureReason === undefined ? {} : { FailureReason: job.failureReason }),
    HyperParameters: request.HyperParameters ?? {},
    AlgorithmSpecification: request.AlgorithmSpecification,
    RoleArn: request.RoleArn,
    InputDataConfig: request.InputDataConfig ?? [],
    OutputDataConfig: request.OutputDataConfig,
    ResourceConfig: request.ResourceConfig,
    ...(request.VpcConfig === undefined ? {} : { VpcConfig: request.VpcConfig }),
    StoppingCondition: request.StoppingCondition,
    ...(job.modelArtifacts === undefined ? {} : { ModelArtifacts: { S3ModelArtifacts: job.modelArtifacts } }),
    CreationTime: job.creationMs,
    ...(job.startMs === undefined ? {} : { TrainingStartTime: job.startMs }),
    ...(job.endMs === undefined ? {} : { TrainingEndTime: job.endMs }),
    LastModifiedTime: job.lastModifiedMs,
    SecondaryStatusTransitions: job.transitions.map((t) => ({
      Status: t.status,
      StartTime: t.startMs,
      ...(t.endMs === undefined ? {} : { EndTime: t.endMs }),
      StatusMessage: t.message,
    })),
    Tags: Object.fromEntries((request.Tags ?? []).map((tag) => [tag.Key, tag.Value])),
  };
}
