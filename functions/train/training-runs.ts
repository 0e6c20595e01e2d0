/**
 * The training capability's AWS side: turns triggers (accepted datasets, retrain requests, the end of a debounce
 * window) into at most one SageMaker training job per pipeline, and a job's end into a gate verdict, a registered
 * model or a rejection, then the pending follow-up. Decisions are in `functions/training/` (pure); invariants are
 * conditional writes in `TrainingStore`; this class sequences the calls.
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { GateConfig, PipelineConfig, RegistryConfig } from '../config/pipeline-config';
import type { TrainingJobStateChange } from '../events/aws-sagemaker';
import {
  ModelRegistered,
  ModelRejected,
  toPutEventsEntry,
  TrainingFailed,
  TrainingStarted,
  TrainingSucceeded,
  type LifecycleEventDefinition,
  type PutEventsEntry,
} from '../events/lifecycle';
import type { EvaluationStore } from '../metadata/evaluation-store';
import type { RunRecord, TrainingStore } from '../metadata/training-store';
import { logger } from '../runtime/powertools';
import {
  buildModelPackageRequest,
  metricsReport,
  metricsReportKey,
  modelVersionOfArn,
} from '../training/model-registration';
import { evaluateGate, finalMetrics, latestLiveMeasurement, type Champion } from '../training/quality-gate';
import { newRunId, runIdOfJob, trainingJobName } from '../training/run-naming';
import { buildTrainingJobRequest, trainingImage, type TrainingEnvironment } from '../training/training-job-request';
import { buildManifest, manifestKey } from '../training/training-manifest';
import { selectWindow, splitChannels, windowQueryLimit } from '../training/training-window';

/** What the function knows of each pipeline (from the `PIPELINES` setting). */
export type TrainingPipelineSettings = Pick<PipelineConfig, 'name' | 'tags' | 'training'> & {
  readonly gate: GateConfig;
  readonly registry: RegistryConfig;
};

/** The clients and settings the runs need. */
export interface TrainingRunsDeps {
  readonly store: TrainingStore;
  /** The live evaluations' records, for `gate.liveMetric`. */
  readonly evaluations: Pick<EvaluationStore, 'recent'>;
  readonly s3: S3Client;
  readonly sagemaker: SageMakerClient;
  readonly events: EventBridgeClient;
  readonly sqs: SQSClient;
  readonly environment: TrainingEnvironment;
  readonly busName: string;
  readonly debounceQueueUrl: string;
  readonly pipelines: readonly TrainingPipelineSettings[];
  readonly now?: () => Date;
}

/** What an invocation did, for logs and tests. */
export type TrainingOutcome =
  | { readonly kind: 'started'; readonly runId: string; readonly trainingJobName: string }
  | { readonly kind: 'pending'; readonly reason: string }
  | { readonly kind: 'failed'; readonly runId: string; readonly reason: string }
  | { readonly kind: 'judged'; readonly runId: string; readonly verdict: 'registered' | 'rejected' | 'failed' }
  | { readonly kind: 'ignored'; readonly reason: string };

/** Trigger ids of retrain requests from the live evaluation: `evaluation:<evaluation id>`. */
const RETRAIN_TRIGGER_PREFIX = 'evaluation:';

/**
 * How many of the pipeline's newest evaluations are searched for the champion's live value: a day of hourly
 * windows. Evaluations of the serving model are the newest ones; older ones describe a world that has moved on.
 */
const LIVE_EVALUATIONS_SEARCHED = 24;
/** A start that has not confirmed its job after this long is resumed by the next trigger. */
const RESUME_GRACE_SECONDS = 60;
/** Margin on top of a job's longest possible run before its slot counts as abandoned. */
const LOCK_MARGIN_SECONDS = 3600;

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

export class TrainingRuns {
  private readonly now: () => Date;

  public constructor(private readonly deps: TrainingRunsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  public pipeline(name: string): TrainingPipelineSettings | undefined {
    return this.deps.pipelines.find((p) => p.name === name);
  }

  /**
   * A trigger for a pipeline: recorded once, then a run starts now, or when the debounce window ends, or after the
   * run in flight (as its one follow-up).
   */
  public async trigger(pipeline: TrainingPipelineSettings, triggerId: string): Promise<TrainingOutcome> {
    const now = this.now();
    if (triggerId.startsWith(RETRAIN_TRIGGER_PREFIX)) {
      const stale = await this.nothingNewSinceChampion(pipeline);
      if (stale !== undefined) {
        logger.info('retrain request ignored: no new data', { triggerId, reason: stale });
        return { kind: 'ignored', reason: stale };
      }
    }
    const recorded = await this.deps.store.recordTrigger(pipeline.name, triggerId, now);
    if (recorded === 'duplicate') logger.info('trigger recorded before (redelivery)', { triggerId });
    const debounce = pipeline.training.debounceSeconds;
    if (debounce > 0) {
      if (await this.deps.store.openDebounce(pipeline.name, now, debounce)) {
        await this.scheduleDebounceEnd(pipeline, debounce);
        return { kind: 'pending', reason: `debounce window of ${debounce} s opened` };
      }
      if (recorded === 'duplicate') {
        // The attempt that opened the window may have failed between opening it and sending its end (the trigger
        // was recorded, the message not sent), and no later trigger would end it. A redelivery sends the end again;
        // a second end is harmless: closing the window and claiming the slot are conditional writes.
        const until = (await this.deps.store.state(pipeline.name)).debounceUntil;
        const left = until === undefined ? 0 : until - Math.floor(now.getTime() / 1000);
        if (left > 0) {
          await this.scheduleDebounceEnd(pipeline, left);
          return { kind: 'pending', reason: `debounce window open for ${left} s more; its end scheduled again` };
        }
      }
    }
    return this.startPending(pipeline, recorded === 'duplicate' ? 'redelivery' : triggerId);
  }

  /**
   * Why a retrain request would learn nothing new, or undefined when it would: a run on exactly the data the champion
   * was trained on reproduces the champion, and, deployed, would only restart the evaluation's streak (degraded
   * again after K windows, retrained again: a loop). The request is honoured once a dataset has been accepted since;
   * that dataset starts a run of its own anyway.
   */
  private async nothingNewSinceChampion(pipeline: TrainingPipelineSettings): Promise<string | undefined> {
    const { store } = this.deps;
    const state = await store.state(pipeline.name);
    if (state.championModelPackageArn === undefined) return undefined;
    const champion = await store.model(state.championModelPackageArn);
    if (champion === undefined) return undefined; // registered outside the pipeline: its data is unknown
    const [newest] = await store.acceptedDatasets(pipeline.name, { limit: 1 });
    if (newest === undefined || !champion.datasetIds.includes(newest.datasetId)) return undefined;
    return `no dataset accepted since champion v${champion.modelVersion} was trained (newest: ${newest.datasetId}): retraining would reproduce it; the next accepted dataset starts a run`;
  }

  /** The delayed message that ends the debounce window (SQS delays at most 15 minutes). */
  private async scheduleDebounceEnd(pipeline: TrainingPipelineSettings, delaySeconds: number): Promise<void> {
    await this.deps.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.deps.debounceQueueUrl,
        MessageBody: JSON.stringify({ pipeline: pipeline.name }),
        DelaySeconds: Math.min(900, delaySeconds),
      }),
    );
  }

  /** The end of a debounce window: start the pending run if the slot is free. */
  public async debounceElapsed(pipeline: TrainingPipelineSettings): Promise<TrainingOutcome> {
    await this.deps.store.closeDebounce(pipeline.name, this.now());
    return this.startPending(pipeline, 'debounce');
  }

  /** Starts a run if one is pending and the slot is free; resumes a start that never confirmed its job. */
  private async startPending(pipeline: TrainingPipelineSettings, trigger: string): Promise<TrainingOutcome> {
    const now = this.now();
    const state = await this.deps.store.state(pipeline.name);
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (
      state.trainingRunId !== undefined &&
      state.trainingRunStatus === 'starting' &&
      (state.trainingLockExpiresAt ?? 0) > nowSeconds &&
      state.trainingRunStartedAt !== undefined &&
      Date.parse(state.trainingRunStartedAt) < now.getTime() - RESUME_GRACE_SECONDS * 1000
    ) {
      const stuck = await this.deps.store.run(state.trainingRunId);
      if (stuck?.status === 'starting') {
        logger.warn('resuming a run whose start did not finish', { runId: stuck.runId });
        return this.startRun(pipeline, stuck);
      }
    }
    const runId = newRunId(now);
    const run = {
      pipeline: pipeline.name,
      runId,
      trainingJobName: trainingJobName(pipeline.name, this.deps.environment.stage, runId),
      trigger,
      startedAt: now.toISOString(),
    };
    const t = pipeline.training;
    const lock = t.maxRuntimeSeconds + (t.spot.enabled ? t.spot.maxWaitSeconds : 0) + LOCK_MARGIN_SECONDS;
    if ((await this.deps.store.claimSlot(run, now, lock)) === 'busy') {
      return { kind: 'pending', reason: 'a run is in flight, a debounce window is open, or nothing is pending' };
    }
    return this.startRun(pipeline, { ...run, status: 'starting' });
  }

  /** Window, manifests, the training job and `Training Started`; each step safe to repeat. */
  private async startRun(pipeline: TrainingPipelineSettings, run: RunRecord): Promise<TrainingOutcome> {
    const { store, environment } = this.deps;
    logger.appendKeys({ pipeline: pipeline.name, runId: run.runId });
    let prepared = run;
    if (run.manifestKey === undefined) {
      const now = this.now();
      const window = pipeline.training.window;
      const listed = await store.acceptedDatasets(pipeline.name, windowQueryLimit(window, now));
      const datasets = selectWindow(listed, window, now);
      if (datasets.length === 0) {
        return this.failBeforeJob(pipeline, run, 'no accepted dataset in the training window');
      }
      const split = splitChannels(datasets, pipeline.training.validation);
      const trainKey = manifestKey(pipeline.name, run.runId, 'train');
      await this.putObject(trainKey, buildManifest(split.train), 'application/json');
      let validationManifestKey: string | undefined;
      if (split.validation.length > 0) {
        validationManifestKey = manifestKey(pipeline.name, run.runId, 'validation');
        await this.putObject(validationManifestKey, buildManifest(split.validation), 'application/json');
      }
      const validation = pipeline.training.validation;
      const fields = {
        datasetIds: datasets.map((d) => d.datasetId),
        datasetSortKeys: listed.filter((d) => datasets.includes(d)).map((d) => d.sortKey),
        manifestKey: trainKey,
        ...(validationManifestKey ? { validationManifestKey } : {}),
        ...(validation !== undefined && 'prefix' in validation ? { validationPrefix: validation.prefix } : {}),
        ...(split.note ? { note: split.note } : {}),
      };
      await store.transitionRun(run, ['starting'], 'starting', fields);
      prepared = { ...run, ...fields };
    }
    const datasetIds = prepared.datasetIds ?? [];
    const request = buildTrainingJobRequest(pipeline, environment, {
      runId: run.runId,
      trainingJobName: run.trainingJobName,
      trainManifestUri: `s3://${environment.artifactsBucket}/${prepared.manifestKey!}`,
      ...(prepared.validationManifestKey
        ? {
            validation: {
              kind: 'manifest',
              uri: `s3://${environment.artifactsBucket}/${prepared.validationManifestKey}`,
            },
          }
        : prepared.validationPrefix
          ? { validation: { kind: 'prefix', uri: `s3://${environment.landingBucket}/${prepared.validationPrefix}` } }
          : {}),
      datasetIds,
    });
    try {
      await this.deps.sagemaker.send(new CreateTrainingJobCommand(request));
    } catch (error) {
      const name = errorName(error);
      if (name === 'ResourceInUse') {
        logger.info('training job exists already (a retried start)', { trainingJobName: run.trainingJobName });
      } else if (name === 'ValidationException') {
        const message = error instanceof Error ? error.message : String(error);
        return this.failBeforeJob(pipeline, prepared, `SageMaker refused the training job: ${message}`);
      } else {
        throw error; // throttling, ResourceLimitExceeded, 5xx: Lambda retries with backoff, then the DLQ
      }
    }
    if (await store.transitionRun(run, ['starting'], 'training')) {
      await store.markSlotTraining(pipeline.name, run.runId);
      await this.emit(TrainingStarted, {
        pipeline: pipeline.name,
        runId: run.runId,
        trainingJobName: run.trainingJobName,
        datasetIds: datasetIds.slice(0, 50),
        manifestKey: prepared.manifestKey!,
      });
    }
    return { kind: 'started', runId: run.runId, trainingJobName: run.trainingJobName };
  }

  /** A run that never got a job: failed, announced when it had data, slot released, follow-up started. */
  private async failBeforeJob(
    pipeline: TrainingPipelineSettings,
    run: RunRecord,
    reason: string,
  ): Promise<TrainingOutcome> {
    logger.error('training run failed before its job started', { reason });
    if (
      await this.deps.store.transitionRun(run, ['starting'], 'failed', {
        failureReason: reason,
        endedAt: this.now().toISOString(),
      })
    ) {
      if (run.datasetIds !== undefined && run.datasetIds.length > 0 && run.manifestKey !== undefined) {
        await this.emit(TrainingFailed, {
          pipeline: pipeline.name,
          runId: run.runId,
          trainingJobName: run.trainingJobName,
          datasetIds: run.datasetIds.slice(0, 50),
          manifestKey: run.manifestKey,
          reason: reason.slice(0, 1024),
        });
      }
    }
    await this.release(pipeline, run.runId);
    return { kind: 'failed', runId: run.runId, reason };
  }

  /** A training job of this deployment reached a final status. */
  public async jobEnded(change: TrainingJobStateChange): Promise<TrainingOutcome> {
    const pipeline = this.deps.pipelines
      .filter((p) => runIdOfJob(change.trainingJobName, p.name, this.deps.environment.stage) !== undefined)
      .sort((a, b) => b.name.length - a.name.length)[0];
    const runId = pipeline && runIdOfJob(change.trainingJobName, pipeline.name, this.deps.environment.stage);
    if (pipeline === undefined || runId === undefined) {
      return { kind: 'ignored', reason: `${change.trainingJobName} is not a run of this deployment` };
    }
    logger.appendKeys({ pipeline: pipeline.name, runId, trainingJobName: change.trainingJobName });
    const run = await this.deps.store.run(runId);
    if (run === undefined) return { kind: 'ignored', reason: `no run ${runId} is recorded` };

    let verdict: 'registered' | 'rejected' | 'failed';
    if (change.status === 'Completed') {
      const judging = await this.deps.store.transitionRun(run, ['starting', 'training'], 'judging', {
        judgingSince: this.now().toISOString(),
      });
      const stalled =
        !judging &&
        run.status === 'judging' &&
        run.judgingSince !== undefined &&
        Date.parse(run.judgingSince) < this.now().getTime() - RESUME_GRACE_SECONDS * 1000;
      if (stalled) {
        // An earlier attempt died while judging; registration is deduplicated by its ClientToken (the run id).
        logger.warn('resuming a judgement that did not finish');
        verdict = await this.judge(pipeline, run);
        await this.release(pipeline, runId);
        return { kind: 'judged', runId, verdict };
      }
      if (!judging) {
        logger.info('run judged before (a redelivered state change)', { status: run.status });
        await this.release(pipeline, runId);
        return { kind: 'ignored', reason: `run ${runId} is ${run.status} already` };
      }
      verdict = await this.judge(pipeline, run);
    } else {
      const reason = change.failureReason ?? `training job ${change.status.toLowerCase()}`;
      if (
        await this.deps.store.transitionRun(run, ['starting', 'training'], 'failed', {
          failureReason: reason,
          endedAt: this.now().toISOString(),
        })
      ) {
        await this.emit(TrainingFailed, {
          pipeline: pipeline.name,
          runId,
          trainingJobName: run.trainingJobName,
          datasetIds: (run.datasetIds ?? []).slice(0, 50),
          manifestKey: run.manifestKey ?? manifestKey(pipeline.name, runId, 'train'),
          reason: reason.slice(0, 1024),
          trainingJobStatus: change.status === 'Stopped' ? 'Stopped' : 'Failed',
        });
      }
      verdict = 'failed';
    }
    await this.release(pipeline, runId);
    return { kind: 'judged', runId, verdict };
  }

  /** Final metrics, `Training Succeeded`, the gate, then registration or rejection. */
  private async judge(pipeline: TrainingPipelineSettings, run: RunRecord): Promise<'registered' | 'rejected'> {
    const { store, sagemaker, environment } = this.deps;
    const described = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: run.trainingJobName }));
    const metrics = finalMetrics(described.FinalMetricDataList);
    const modelDataUrl = described.ModelArtifacts?.S3ModelArtifacts;
    const datasetIds = (run.datasetIds ?? []).slice(0, 50);
    const runManifestKey = run.manifestKey ?? manifestKey(pipeline.name, run.runId, 'train');
    await this.emit(TrainingSucceeded, {
      pipeline: pipeline.name,
      runId: run.runId,
      trainingJobName: run.trainingJobName,
      datasetIds,
      manifestKey: runManifestKey,
      metrics,
    });

    const state = await store.state(pipeline.name);
    const championRecord =
      state.championModelPackageArn === undefined ? undefined : await store.model(state.championModelPackageArn);
    const champion = championRecord && (await this.champion(pipeline, championRecord));
    const gate = evaluateGate(pipeline.gate, metrics, champion);
    const reasons = [...gate.reasons];
    if (gate.passed && modelDataUrl === undefined) reasons.push('the training job reported no model artifacts');
    const endedAt = this.now().toISOString();

    if (reasons.length > 0) {
      await store.transitionRun(run, ['judging'], 'rejected', {
        metrics,
        reasons,
        endedAt,
        ...(gate.comparison ? { comparison: gate.comparison } : {}),
        ...(gate.notes.length > 0 ? { gateNotes: gate.notes } : {}),
      });
      await this.emit(ModelRejected, {
        pipeline: pipeline.name,
        runId: run.runId,
        reasons: reasons.slice(0, 10).map((r) => r.slice(0, 512)),
        metrics,
        ...(gate.comparison ? { comparison: gate.comparison } : {}),
      });
      return 'rejected';
    }

    const reportKey = metricsReportKey(pipeline.name, run.runId);
    const image = trainingImage(pipeline, environment.region);
    const contractReportKeys = (await store.datasets(pipeline.name, run.datasetSortKeys ?? []))
      .map((d) => d.reportKey)
      .filter((k): k is string => typeof k === 'string');
    const input = {
      pipeline: pipeline.name,
      runId: run.runId,
      trainingJobName: run.trainingJobName,
      modelPackageGroupName: pipeline.registry.modelPackageGroupName,
      image,
      modelDataUrl: modelDataUrl!,
      approval: pipeline.registry.approval,
      metrics,
      ...(gate.comparison ? { comparison: gate.comparison } : {}),
      metricsReportUri: `s3://${environment.artifactsBucket}/${reportKey}`,
      manifestUri: `s3://${environment.artifactsBucket}/${runManifestKey}`,
      datasetIds: run.datasetIds ?? [],
      contractReportKeys,
    };
    await this.putObject(reportKey, JSON.stringify(metricsReport(input, endedAt), null, 2), 'application/json');
    const created = await sagemaker.send(new CreateModelPackageCommand(buildModelPackageRequest(input)));
    const modelPackageArn = created.ModelPackageArn!;
    const modelVersion = modelVersionOfArn(modelPackageArn) ?? 1;
    const approvalStatus = pipeline.registry.approval === 'auto' ? 'Approved' : 'PendingManualApproval';
    await store.putModel({
      pipeline: pipeline.name,
      modelPackageArn,
      modelVersion,
      modelPackageGroupName: pipeline.registry.modelPackageGroupName,
      runId: run.runId,
      trainingJobName: run.trainingJobName,
      modelDataUrl: modelDataUrl!,
      image,
      metrics,
      approvalStatus,
      registeredAt: endedAt,
      datasetIds: run.datasetIds ?? [],
      manifestKey: runManifestKey,
      metricsReportKey: reportKey,
    });
    await store.transitionRun(run, ['judging'], 'registered', {
      metrics,
      endedAt,
      modelDataUrl: modelDataUrl!,
      modelPackageArn,
      modelVersion,
      metricsReportKey: reportKey,
      ...(gate.comparison ? { comparison: gate.comparison } : {}),
      ...(gate.notes.length > 0 ? { gateNotes: gate.notes } : {}),
    });
    await this.emit(ModelRegistered, {
      pipeline: pipeline.name,
      runId: run.runId,
      modelPackageArn,
      modelVersion,
      modelPackageGroupName: pipeline.registry.modelPackageGroupName,
      approvalStatus,
      metrics,
      comparison: gate.comparison!,
    });
    return 'registered';
  }

  /** The champion as the gate sees it: its registered metrics and, with `gate.liveMetric`, its newest live value. */
  private async champion(
    pipeline: TrainingPipelineSettings,
    record: { readonly modelVersion: number; readonly metrics: Readonly<Record<string, number>> },
  ): Promise<Champion> {
    const champion = { modelVersion: record.modelVersion, metrics: record.metrics };
    const liveMetric = pipeline.gate.liveMetric;
    if (liveMetric === undefined) return champion;
    const evaluations = await this.deps.evaluations.recent(pipeline.name, LIVE_EVALUATIONS_SEARCHED);
    const live = latestLiveMeasurement(evaluations, record.modelVersion, liveMetric);
    logger.info('champion live measurement', { liveMetric, modelVersion: record.modelVersion, live });
    return live === undefined ? champion : { ...champion, live };
  }

  /**
   * Releases the slot (if still held by this run) and starts the follow-up when one is pending; the claim is
   * conditional, so a duplicate end event or a slot taken over meanwhile starts nothing.
   */
  private async release(pipeline: TrainingPipelineSettings, runId: string): Promise<void> {
    const released = await this.deps.store.releaseSlot(pipeline.name, runId);
    if (released.retrainPending) {
      const next = await this.startPending(pipeline, 'follow-up');
      logger.info('follow-up run', { outcome: next });
    }
  }

  private async putObject(key: string, body: string, contentType: string): Promise<void> {
    await this.deps.s3.send(
      new PutObjectCommand({
        Bucket: this.deps.environment.artifactsBucket,
        Key: key,
        Body: body,
        ContentType: contentType,
      }),
    );
  }

  private async emit<D extends LifecycleEventDefinition>(def: D, detail: unknown): Promise<void> {
    const entry: PutEventsEntry = toPutEventsEntry(def, detail as never, this.deps.busName);
    const result = await this.deps.events.send(new PutEventsCommand({ Entries: [entry] }));
    if ((result.FailedEntryCount ?? 0) > 0) {
      const failed = result.Entries?.[0];
      throw new Error(`PutEvents refused ${def.detailType}: ${failed?.ErrorCode ?? ''} ${failed?.ErrorMessage ?? ''}`);
    }
  }
}
