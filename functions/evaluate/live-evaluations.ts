/**
 * The scheduled evaluation of a pipeline's live champion: lists the window's data capture (by hour partition) and
 * ground truth, joins and measures them with the evaluation engine (functions/evaluation/), and records the result:
 * the report in S3, the quality metrics in embedded metric format, the evaluation item, and `Evaluation Completed`
 * (with `Model Degraded` / `Drift Detected` when a streak reaches K windows). The configured response is carried by
 * the events' `action`: the training function retrains on `retrain`, the deployment function rolls back on
 * `rollback`, and the notifier announces them all.
 *
 * A window too large for one invocation is split by hour partition (evaluation-plan.ts): the plan goes to S3, one
 * SQS message per part; each part writes its accumulated state to S3 and counts itself done in DynamoDB (a set, so
 * a redelivered part counts once); the part that completes the set merges every state and records the evaluation.
 * Every step is idempotent: a redelivered schedule finds its evaluation (same id) and only re-sends events that
 * were never confirmed sent.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ByteSource } from '../contracts/byte-source';
import { parseDatasetProfile, type DatasetProfile } from '../contracts/contract-report';
import { dataCaptureS3Uri } from '../deployment/hosting-requests';
import type { ChampionRef } from '../deployment/deployment-state';
import { groundTruthPrefixes, hourPartitions } from '../evaluation/capture-layout';
import { evaluateSources } from '../evaluation/evaluate-sources';
import {
  EvaluationAccumulator,
  parseEvaluationState,
  type EvaluationOptions,
} from '../evaluation/evaluation-accumulator';
import {
  decideOutcome,
  judgeWindow,
  type EvaluationRecord,
  type OutcomeConfig,
} from '../evaluation/evaluation-outcome';
import {
  DEFAULT_PART_BYTES,
  evaluationIdOf,
  evaluationWindow,
  planEvaluation,
  type EvaluationWindow,
  type ListedObject,
  type PlannedCapture,
} from '../evaluation/evaluation-plan';
import { buildReport } from '../evaluation/evaluation-report';
import { qualityMetricDocuments, type EmfDocument } from '../evaluation/metric-documents';
import {
  DriftDetected,
  EvaluationCompleted,
  ModelDegraded,
  toPutEventsEntry,
  type PutEventsEntry,
} from '../events/lifecycle';
import type { EvaluationItem, EvaluationStore, RecordedEvent } from '../metadata/evaluation-store';
import { EventsInFlightError } from '../metadata/event-send-lease';
import type { EvaluationPipelineSettings } from './evaluation-settings';
import type { EvaluationRequest, PartRequest } from './evaluation-requests';

/** What the evaluation reads of the metadata table besides its own records. */
export interface ChampionLookup {
  /** The champion serving the pipeline's endpoint, if any. */
  champion(pipeline: string): Promise<ChampionRef | undefined>;
  /** The key (in the artifacts bucket) of the profile of the data the model version was trained on, if known. */
  trainingProfileKey(pipeline: string, modelVersion: number): Promise<string | undefined>;
}

export interface LiveEvaluationsDeps {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly store: EvaluationStore;
  readonly champions: ChampionLookup;
  readonly publish: (entry: PutEventsEntry) => Promise<void>;
  /** Writes EMF documents where CloudWatch picks them up (the function's log). */
  readonly emitMetrics: (documents: readonly EmfDocument[]) => void;
  readonly pipelines: readonly EvaluationPipelineSettings[];
  readonly artifactsBucket: string;
  readonly captureBucket: string;
  readonly groundTruthBucket: string;
  readonly busName: string;
  readonly partsQueueUrl: string;
  /** @default DEFAULT_PART_BYTES */
  readonly partBytes?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** The result of one request or part. */
export type EvaluationRunOutcome =
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'skipped'; readonly pipeline: string; readonly reason: string }
  | { readonly kind: 'split'; readonly pipeline: string; readonly evaluationId: string; readonly parts: number }
  | {
      readonly kind: 'part-done';
      readonly pipeline: string;
      readonly evaluationId: string;
      readonly part: number;
      readonly done: number;
      readonly total: number;
    }
  | {
      readonly kind: 'evaluated';
      readonly pipeline: string;
      readonly evaluationId: string;
      /** True when this delivery found the evaluation already recorded. */
      readonly duplicate: boolean;
      readonly verdict: EvaluationItem['verdict'];
      readonly windowStart: string;
      readonly windowEnd: string;
      readonly samples: number;
      readonly matched: number;
      readonly metrics: Readonly<Record<string, number>>;
      readonly reportKey: string;
      readonly events: readonly string[];
    };

/** The plan of a split evaluation, as stored in S3 (every part reads the same one). */
interface StoredPlan {
  readonly version: 1;
  readonly pipeline: string;
  readonly evaluationId: string;
  readonly trigger: EvaluationItem['trigger'];
  readonly time: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly champion: ChampionRef;
  readonly baselineKey?: string;
  readonly parts: readonly (readonly PlannedCapture[])[];
  readonly groundTruth: readonly ListedObject[];
}

/** Everything one evaluation needs once planned. */
interface EvaluationJob {
  readonly settings: EvaluationPipelineSettings;
  readonly evaluationId: string;
  readonly trigger: EvaluationItem['trigger'];
  readonly window: EvaluationWindow;
  readonly champion: ChampionRef;
  readonly baselineKey?: string;
  readonly baseline?: DatasetProfile;
}

const base = (pipeline: string, evaluationId: string) => `evaluations/${pipeline}/${evaluationId}`;
/** Key of an evaluation's report in the artifacts bucket. */
export const evaluationReportKey = (pipeline: string, evaluationId: string) =>
  `${base(pipeline, evaluationId)}/report.json`;
const planKey = (pipeline: string, evaluationId: string) => `${base(pipeline, evaluationId)}/plan.json`;
const partStateKey = (pipeline: string, evaluationId: string, part: number) =>
  `${base(pipeline, evaluationId)}/parts/${String(part).padStart(4, '0')}.json`;

/** Listing concurrency (one ListObjectsV2 per hour partition). */
const LIST_CONCURRENCY = 8;

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');
}

/** See the module comment. */
export class LiveEvaluations {
  private readonly now: () => Date;
  private readonly partBytes: number;

  public constructor(private readonly deps: LiveEvaluationsDeps) {
    this.now = deps.now ?? (() => new Date());
    this.partBytes = deps.partBytes ?? DEFAULT_PART_BYTES;
  }

  public pipeline(name: string): EvaluationPipelineSettings | undefined {
    return this.deps.pipelines.find((p) => p.name === name);
  }

  /** Evaluates the window ending at the request's time (now when it has none). */
  public async evaluate(request: EvaluationRequest): Promise<EvaluationRunOutcome> {
    const settings = this.pipeline(request.pipeline);
    if (settings === undefined) {
      return { kind: 'ignored', reason: `pipeline ${request.pipeline} has no scheduled evaluation here` };
    }
    const time = request.time ?? this.now();
    const trigger = request.requestId === undefined ? 'schedule' : 'request';
    const evaluationId = evaluationIdOf(settings.name, time, request.requestId);
    const window = evaluationWindow(time, settings.evaluation);
    const done = await this.deps.store.get(settings.name, window.end.toISOString(), evaluationId);
    if (done !== undefined) return this.resend(done);

    const champion = await this.deps.champions.champion(settings.name);
    if (champion === undefined) {
      return { kind: 'skipped', pipeline: settings.name, reason: 'no champion is deployed: nothing serves traffic' };
    }
    const job: EvaluationJob = {
      settings,
      evaluationId,
      trigger,
      window,
      champion,
      ...(await this.baselineOf(settings.name, champion.modelVersion)),
    };
    const capturePrefix = this.capturePrefix(settings.name);
    const [captures, groundTruth] = await Promise.all([
      this.listCaptures(settings, window),
      this.listGroundTruth(settings.name, window, settings.evaluation.labelLagHours),
    ]);
    const plan = planEvaluation(captures, groundTruth, capturePrefix, this.partBytes);
    if (plan.parts.length <= 1) {
      const accumulator = await this.accumulate(job, plan.parts[0] ?? [], plan.groundTruth);
      return this.finish(job, accumulator, 1);
    }
    return this.split(job, time, plan.parts, plan.groundTruth);
  }

  /** Evaluates one part of a split evaluation; the part that completes the set finishes the evaluation. */
  public async part(request: PartRequest): Promise<EvaluationRunOutcome> {
    const settings = this.pipeline(request.pipeline);
    if (settings === undefined) {
      return { kind: 'ignored', reason: `pipeline ${request.pipeline} has no scheduled evaluation here` };
    }
    const plan = (await this.readJson(planKey(settings.name, request.evaluationId))) as StoredPlan | undefined;
    if (plan === undefined) throw new Error(`no plan for evaluation ${request.evaluationId} of ${settings.name}`);
    const captures = plan.parts[request.part];
    if (captures === undefined) {
      throw new RangeError(
        `evaluation ${request.evaluationId} has ${plan.parts.length} parts, not part ${request.part}`,
      );
    }
    const job = await this.jobOf(settings, plan);
    const stateKey = partStateKey(settings.name, plan.evaluationId, request.part);
    if ((await this.readJson(stateKey)) === undefined) {
      const accumulator = await this.accumulate(job, captures, plan.groundTruth);
      await this.putJson(stateKey, accumulator.toState());
    }
    const progress = await this.deps.store.completePart(settings.name, plan.evaluationId, request.part);
    if (progress.done < progress.total) {
      return {
        kind: 'part-done',
        pipeline: settings.name,
        evaluationId: plan.evaluationId,
        part: request.part,
        done: progress.done,
        total: progress.total,
      };
    }
    const recorded = await this.deps.store.get(settings.name, plan.windowEnd, plan.evaluationId);
    if (recorded !== undefined) return this.resend(recorded);
    const merged = new EvaluationAccumulator(this.options(job));
    for (let i = 0; i < plan.parts.length; i++) {
      const state = await this.readJson(partStateKey(settings.name, plan.evaluationId, i));
      if (state === undefined) throw new Error(`part ${i} of evaluation ${plan.evaluationId} has no state`);
      merged.merge(EvaluationAccumulator.fromState(parseEvaluationState(state), merged.options));
    }
    return this.finish(job, merged, plan.parts.length);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Reading

  private capturePrefix(pipeline: string): string {
    return dataCaptureS3Uri(this.deps.captureBucket, pipeline).slice(`s3://${this.deps.captureBucket}/`.length);
  }

  private async list(bucket: string, prefix: string, delimiter?: string) {
    const objects: ListedObject[] = [];
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.deps.s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      );
      for (const o of page.Contents ?? []) if (o.Key !== undefined) objects.push({ key: o.Key, size: o.Size ?? 0 });
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) prefixes.push(p.Prefix);
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return { objects, prefixes };
  }

  /** Every capture object of the window: each variant's hour folders (variants found by listing). */
  private async listCaptures(settings: EvaluationPipelineSettings, window: EvaluationWindow): Promise<ListedObject[]> {
    const endpointPrefix = `${this.capturePrefix(settings.name)}/${settings.endpointName}/`;
    const { prefixes: variants } = await this.list(this.deps.captureBucket, endpointPrefix, '/');
    const hours = hourPartitions(window.start, window.end);
    const prefixes = variants.flatMap((variant) => hours.map((h) => `${variant}${h.path}/`));
    const listed = await mapLimited(prefixes, LIST_CONCURRENCY, (p) => this.list(this.deps.captureBucket, p));
    return listed.flatMap((l) => l.objects);
  }

  /** Every ground-truth object collected from the window's start to its end plus the label lag. */
  private async listGroundTruth(pipeline: string, window: EvaluationWindow, lag: number): Promise<ListedObject[]> {
    const prefixes = groundTruthPrefixes(pipeline, window.start, window.end, lag);
    const listed = await mapLimited(prefixes, LIST_CONCURRENCY, (p) => this.list(this.deps.groundTruthBucket, p));
    return listed.flatMap((l) => l.objects);
  }

  private source(bucket: string, object: ListedObject): ByteSource {
    const s3 = this.deps.s3;
    return {
      name: `s3://${bucket}/${object.key}`,
      size: object.size,
      async *read(): AsyncIterable<Uint8Array> {
        let body: unknown;
        try {
          body = (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.key }))).Body;
        } catch (error) {
          // Deleted since the listing (a lifecycle rule): nothing to read.
          if (isMissing(error)) return;
          throw error;
        }
        if (typeof body !== 'object' || body === null || !(Symbol.asyncIterator in body)) return;
        for await (const chunk of body as AsyncIterable<Uint8Array>) yield chunk;
      },
    };
  }

  private options(job: EvaluationJob): EvaluationOptions {
    const { settings } = job;
    return {
      problemType: settings.problemType,
      ...(settings.evaluation.threshold === undefined ? {} : { threshold: settings.evaluation.threshold }),
      ...(settings.features.length > 0 ? { features: settings.features } : {}),
      ...(job.baseline === undefined ? {} : { baseline: job.baseline }),
      target: settings.target,
      window: job.window,
    };
  }

  private async accumulate(
    job: EvaluationJob,
    captures: readonly PlannedCapture[],
    groundTruth: readonly ListedObject[],
  ): Promise<EvaluationAccumulator> {
    const evaluation = await evaluateSources(
      captures.map((c) => ({ source: this.source(this.deps.captureBucket, c), variant: c.variant })),
      groundTruth.map((g) => this.source(this.deps.groundTruthBucket, g)),
      this.options(job),
    );
    return evaluation.accumulator;
  }

  /**
   * The drift baseline, each candidate read once: the profile of the champion's training data, else the pipeline's
   * first accepted data; none when neither is in S3.
   */
  private async baselineOf(
    pipeline: string,
    modelVersion: number,
  ): Promise<{ baselineKey: string; baseline: DatasetProfile } | Record<string, never>> {
    const trained = await this.deps.champions.trainingProfileKey(pipeline, modelVersion);
    for (const key of [trained, `baselines/${pipeline}/profile.json`]) {
      if (key === undefined) continue;
      const baseline = await this.readProfile(key);
      if (baseline !== undefined) return { baselineKey: key, baseline };
    }
    return {};
  }

  private async readProfile(key: string): Promise<DatasetProfile | undefined> {
    const json = await this.readJson(key);
    return json === undefined ? undefined : parseDatasetProfile(json);
  }

  private async readJson(key: string): Promise<unknown> {
    try {
      const response = await this.deps.s3.send(new GetObjectCommand({ Bucket: this.deps.artifactsBucket, Key: key }));
      const text = await response.Body?.transformToString('utf8');
      return text === undefined ? undefined : (JSON.parse(text) as unknown);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  private async putJson(key: string, value: unknown): Promise<void> {
    await this.deps.s3.send(
      new PutObjectCommand({
        Bucket: this.deps.artifactsBucket,
        Key: key,
        Body: JSON.stringify(value),
        ContentType: 'application/json',
      }),
    );
  }

  // -------------------------------------------------------------------------------------------------------------
  // Splitting

  private async split(
    job: EvaluationJob,
    time: Date,
    parts: readonly (readonly PlannedCapture[])[],
    groundTruth: readonly ListedObject[],
  ): Promise<EvaluationRunOutcome> {
    const { settings, evaluationId } = job;
    const key = planKey(settings.name, evaluationId);
    // A redelivered schedule keeps the first plan: its parts may already be running.
    let plan = (await this.readJson(key)) as StoredPlan | undefined;
    if (plan === undefined) {
      plan = {
        version: 1,
        pipeline: settings.name,
        evaluationId,
        trigger: job.trigger,
        time: time.toISOString(),
        windowStart: job.window.start.toISOString(),
        windowEnd: job.window.end.toISOString(),
        champion: job.champion,
        ...(job.baselineKey === undefined ? {} : { baselineKey: job.baselineKey }),
        parts,
        groundTruth,
      };
      await this.putJson(key, plan);
    }
    await this.deps.store.openParts(settings.name, evaluationId, plan.parts.length, this.now());
    for (let i = 0; i < plan.parts.length; i += 10) {
      const entries = plan.parts.slice(i, i + 10).map((_, j) => ({
        Id: String(i + j),
        MessageBody: JSON.stringify({ pipeline: settings.name, evaluationId, part: i + j }),
      }));
      const sent = await this.deps.sqs.send(
        new SendMessageBatchCommand({ QueueUrl: this.deps.partsQueueUrl, Entries: entries }),
      );
      if ((sent.Failed ?? []).length > 0) {
        throw new Error(`could not queue evaluation parts: ${JSON.stringify(sent.Failed).slice(0, 300)}`);
      }
    }
    return { kind: 'split', pipeline: settings.name, evaluationId, parts: plan.parts.length };
  }

  private async jobOf(settings: EvaluationPipelineSettings, plan: StoredPlan): Promise<EvaluationJob> {
    return {
      settings,
      evaluationId: plan.evaluationId,
      trigger: plan.trigger,
      window: { start: new Date(plan.windowStart), end: new Date(plan.windowEnd) },
      champion: plan.champion,
      ...(plan.baselineKey === undefined
        ? {}
        : { baselineKey: plan.baselineKey, baseline: await this.readProfile(plan.baselineKey) }),
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Recording

  /** The previous evaluations of the same model version, newest first (a new champion starts its streaks afresh). */
  private async previous(pipeline: string, modelVersion: number, config: OutcomeConfig): Promise<EvaluationRecord[]> {
    const k = Math.max(config.degradation?.consecutiveWindows ?? 1, config.drift.consecutiveWindows);
    const recent = await this.deps.store.recent(pipeline, k + 1);
    const out: EvaluationRecord[] = [];
    for (const r of recent) {
      if (r.modelVersion !== modelVersion) break;
      out.push(r);
    }
    return out;
  }

  private async finish(job: EvaluationJob, accumulator: EvaluationAccumulator, parts: number) {
    const { settings, evaluationId, window, champion } = job;
    const config = settings.evaluation;
    const endpoint = accumulator.endpointResult();
    const judgement = judgeWindow(endpoint, config);
    const reportKey = evaluationReportKey(settings.name, evaluationId);
    const report = buildReport(accumulator, endpoint, judgement, config, window);
    await this.putJson(reportKey, {
      ...report,
      pipeline: settings.name,
      evaluationId,
      endpointName: settings.endpointName,
      modelVersion: champion.modelVersion,
      modelPackageArn: champion.modelPackageArn,
      ...(job.baselineKey === undefined ? {} : { baselineKey: job.baselineKey }),
      parts,
    });

    const previous = await this.previous(settings.name, champion.modelVersion, config);
    const outcome = decideOutcome(endpoint, judgement, previous, config, {
      pipeline: settings.name,
      evaluationId,
      endpointName: settings.endpointName,
      modelVersion: champion.modelVersion,
      reportKey,
      windowStart: window.start.toISOString(),
      windowEnd: window.end.toISOString(),
    });
    const entries: PutEventsEntry[] = [
      toPutEventsEntry(EvaluationCompleted, outcome.evaluationCompleted, this.deps.busName),
      ...(outcome.modelDegraded === null
        ? []
        : [toPutEventsEntry(ModelDegraded, outcome.modelDegraded, this.deps.busName)]),
      ...(outcome.driftDetected === null
        ? []
        : [toPutEventsEntry(DriftDetected, outcome.driftDetected, this.deps.busName)]),
    ];
    const item: EvaluationItem = {
      pipeline: settings.name,
      evaluationId,
      trigger: job.trigger,
      endpointName: settings.endpointName,
      modelVersion: champion.modelVersion,
      modelPackageArn: champion.modelPackageArn,
      windowStart: window.start.toISOString(),
      windowEnd: window.end.toISOString(),
      evaluatedAt: this.now().toISOString(),
      samples: endpoint.samples,
      matched: endpoint.matched,
      metrics: outcome.evaluationCompleted.metrics,
      ...outcome.record,
      driftedFeatures: outcome.evaluationCompleted.driftedFeatures,
      reportKey,
      ...(job.baselineKey === undefined ? {} : { baselineKey: job.baselineKey }),
      parts,
      events: entries.map((e) => ({ detailType: e.DetailType, detail: e.Detail })),
      eventsSent: false,
    };
    if (!(await this.deps.store.recordOnce(item, this.now()))) {
      // Another delivery recorded it first (and emitted its metrics): send what it may not have.
      const recorded = await this.deps.store.get(item.pipeline, item.windowEnd, item.evaluationId);
      if (recorded !== undefined) return this.resend(recorded);
    }

    // Quality metrics only for a window with enough labels: an alarm must not judge a handful of samples. Only
    // the delivery that recorded the window emits them, so that racing deliveries do not count a window twice.
    const enough = endpoint.matched >= config.minSamples;
    const values = (estimates: typeof endpoint.estimates) =>
      enough ? Object.fromEntries(Object.entries(estimates).map(([n, e]) => [n, e.value])) : {};
    this.deps.emitMetrics(
      qualityMetricDocuments({
        pipeline: settings.name,
        endpointName: settings.endpointName,
        timestamp: window.end,
        endpoint: { metrics: values(endpoint.estimates), matched: endpoint.matched },
        variants: accumulator.variantResults().map((v) => ({
          name: v.name,
          metrics: values(v.result.estimates),
          matched: v.result.matched,
        })),
      }),
    );
    await this.send(item);
    return this.evaluated(item, false);
  }

  /** Sends the recorded events under the lease this invocation holds; a failed send gives the lease back. */
  private async send(item: EvaluationItem): Promise<void> {
    try {
      for (const event of item.events) await this.deps.publish(this.entryOf(event));
    } catch (error) {
      await this.deps.store.settleEventsSend(item, false);
      throw error;
    }
    await this.deps.store.settleEventsSend(item, true);
  }

  private entryOf(event: RecordedEvent): PutEventsEntry {
    const detail = JSON.parse(event.detail) as never;
    switch (event.detailType) {
      case EvaluationCompleted.detailType:
        return toPutEventsEntry(EvaluationCompleted, detail, this.deps.busName);
      case ModelDegraded.detailType:
        return toPutEventsEntry(ModelDegraded, detail, this.deps.busName);
      case DriftDetected.detailType:
        return toPutEventsEntry(DriftDetected, detail, this.deps.busName);
      default:
        throw new Error(`unknown recorded event ${event.detailType}`);
    }
  }

  /** A duplicate delivery: sends the recorded events if they are unsent and their recorder's lease has lapsed. */
  private async resend(item: EvaluationItem): Promise<EvaluationRunOutcome> {
    if (!item.eventsSent) {
      if (!(await this.deps.store.claimEventsSend(item, this.now()))) {
        // Sent meanwhile, or another delivery is sending them right now: fail, so the platform retries later.
        const current = await this.deps.store.get(item.pipeline, item.windowEnd, item.evaluationId);
        if (current?.eventsSent !== true) {
          throw new EventsInFlightError(
            `the events of evaluation ${item.evaluationId} are being sent by another delivery; retry later`,
          );
        }
        return this.evaluated(current, true);
      }
      await this.send(item);
    }
    return this.evaluated(item, true);
  }

  private evaluated(item: EvaluationItem, duplicate: boolean): EvaluationRunOutcome {
    return {
      kind: 'evaluated',
      pipeline: item.pipeline,
      evaluationId: item.evaluationId,
      duplicate,
      verdict: item.verdict,
      windowStart: item.windowStart,
      windowEnd: item.windowEnd,
      samples: item.samples,
      matched: item.matched,
      metrics: item.metrics,
      reportKey: item.reportKey,
      events: item.events.map((e) => e.detailType),
    };
  }
}
