import * as z from 'zod';
import { EventDetailValidationError, EventTooLargeError, EventsError, PatternArgumentError } from './errors';
import { type EventPattern, nonEmpty } from './event-pattern';
import { type ParseResult, formatIssuePath, formatIssues } from './parse-result';

/**
 * The project's own events, put on the project's bus. Each is defined once here: `lib/` builds rules with
 * `lifecyclePattern`, producers send with `toPutEventsEntry` (which validates), consumers read with
 * `parseLifecycleEvent`.
 *
 * Details carry ids, keys and a few figures: enough for a Slack message or a dashboard, small enough (a few KB;
 * see {@link LIFECYCLE_DETAIL_TARGET_BYTES}) that nothing large ever rides on the bus. Reports, profiles and
 * full check results live in S3 and are referenced by key.
 */

/** Source of the data-contract check's events. */
export const CONTRACTS_SOURCE = 'mlops.contracts';
/** Source of training, quality-gate and registration events. */
export const TRAINING_SOURCE = 'mlops.training';
/** Source of deployment events. */
export const DEPLOYMENT_SOURCE = 'mlops.deployment';
/** Source of live-evaluation events. */
export const EVALUATION_SOURCE = 'mlops.evaluation';
/** Every `source` the project puts on its bus. */
export const LIFECYCLE_SOURCES = [CONTRACTS_SOURCE, TRAINING_SOURCE, DEPLOYMENT_SOURCE, EVALUATION_SOURCE] as const;
/** One of {@link LIFECYCLE_SOURCES}. */
export type LifecycleSource = (typeof LIFECYCLE_SOURCES)[number];

/** One event of the project: its source, its detail-type and the schema of its detail. */
export interface LifecycleEventDefinition<
  Source extends LifecycleSource = LifecycleSource,
  DetailType extends string = string,
  Detail extends z.ZodType = z.ZodType,
> {
  readonly source: Source;
  readonly detailType: DetailType;
  readonly detail: Detail;
}

/**
 * Size a detail should stay under in practice (tested with realistic details). The schemas' bounds keep even a
 * maximal `Dataset Rejected` far below {@link MAX_PUT_EVENTS_ENTRY_BYTES}.
 */
export const LIFECYCLE_DETAIL_TARGET_BYTES = 8 * 1024;
/** At most this many failed checks are listed in `Dataset Rejected`; `failedCheckCount` has the total. */
export const MAX_FAILED_CHECKS = 20;
/** At most this many offending values are quoted per failed check. */
export const MAX_EXAMPLES_PER_CHECK = 3;
/** Quoted values are truncated to this many characters by the producer. */
export const MAX_EXAMPLE_VALUE_LENGTH = 80;
/** At most this many drifted features are listed; the evaluation report has them all. */
export const MAX_DRIFTED_FEATURES = 50;

// ---------------------------------------------------------------------------------------------------------------
// Field schemas shared by several events

const pipelineName = z.string().min(1).max(64);
const id = z.string().min(1).max(128);
const s3Key = z.string().min(1).max(1024);
const bucketName = z.string().min(3).max(63);
/** SageMaker resource names (training job, endpoint, endpoint config): `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`. */
const sageMakerName = z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'expected a SageMaker resource name');
const arn = z
  .string()
  .regex(/^arn:[^:]+:[^:]*:[^:]*:[^:]*:.+$/, 'expected an ARN')
  .max(2048);
const modelVersion = z.number().int().positive();
const count = z.number().int().nonnegative();
const isoTime = z.iso.datetime({ offset: true });
const reason = z.string().min(1).max(1024);
/** A metric value or threshold; JSON has no NaN or Infinity, so neither is accepted. */
const figure = z.number();
const metricName = z.string().min(1).max(255);
/** Metric name to value (`validation:auc`, `roc_auc`, ...). */
const metrics = z
  .record(metricName, figure)
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 metrics; put the rest in the report');
/** A value as a check saw it or wanted it: `"-3"`, `0.2`, `">= 0"`, `null`. */
const scalar = z.union([z.string().max(256), z.number(), z.boolean(), z.null()]);

/** How a candidate's gate metric compared with its thresholds and with the current champion. */
const ChampionComparisonSchema = z.object({
  metric: metricName,
  direction: z.enum(['maximize', 'minimize']),
  value: figure,
  /** Absent when there is no champion yet (first model of the pipeline). */
  championValue: figure.optional(),
  championModelVersion: modelVersion.optional(),
  /** Where `championValue` came from when the gate also weighs live quality (`gate.liveMetric`). */
  championValueSource: z.string().min(1).max(300).optional(),
  /** Absolute floor of the metric (when maximizing). */
  minimum: figure.optional(),
  /** Absolute ceiling of the metric (when minimizing). */
  maximum: figure.optional(),
  /** Improvement over the champion required to replace it, in the metric's units (0 = any improvement). */
  minImprovement: figure.nonnegative(),
});
/** The gate's comparison of a candidate model with its thresholds and the champion. */
export type ChampionComparison = z.infer<typeof ChampionComparisonSchema>;

const DriftedFeatureSchema = z.object({
  feature: z.string().min(1).max(128),
  /** Population stability index against the training baseline. */
  psi: figure.nonnegative(),
  /** Kolmogorov-Smirnov statistic, for numeric features. */
  ks: figure.min(0).max(1).optional(),
});
/** A feature whose distribution moved away from the training baseline. */
export type DriftedFeature = z.infer<typeof DriftedFeatureSchema>;

/** What the evaluation policy did about a finding. */
const evaluationAction = z.enum(['notify', 'retrain', 'rollback']);

// ---------------------------------------------------------------------------------------------------------------
// mlops.contracts

const datasetFields = {
  pipeline: pipelineName,
  /** Stable id of this dataset version; derive it from `objectIdentity` so a redelivered S3 event maps to it. */
  datasetId: id,
  bucket: bucketName,
  /** Raw S3 key of the data file. */
  key: s3Key,
  versionId: z.string().min(1).max(1024).optional(),
  etag: z.string().min(1).max(64).optional(),
  /** Data rows read (for a rejection: read before the check stopped, if it stopped early). */
  rows: count,
  /** `id` of the data contract. */
  contractId: z.string().min(1).max(128),
  /** `version` of the data contract. */
  contractVersion: z.string().min(1).max(64),
  /** Key of the contract report in the artifacts bucket. */
  reportKey: s3Key,
};

const FailedCheckSchema = z.object({
  /** Readable check name, e.g. `age is within [0, 130]`. */
  name: z.string().min(1).max(128),
  /** The column (ODCS property) the check is about, if any. */
  property: z.string().min(1).max(128).optional(),
  observed: scalar,
  expected: scalar,
  /** Up to {@link MAX_EXAMPLES_PER_CHECK} offending values, each truncated to {@link MAX_EXAMPLE_VALUE_LENGTH}. */
  examples: z
    .array(
      z.object({
        /** 1-based line in the file (the header is line 1 in a CSV). */
        line: z.number().int().positive().optional(),
        column: z.string().min(1).max(128).optional(),
        value: z.string().max(MAX_EXAMPLE_VALUE_LENGTH),
      }),
    )
    .max(MAX_EXAMPLES_PER_CHECK),
});
/** One failed contract check, as listed in `Dataset Rejected`. */
export type FailedCheck = z.infer<typeof FailedCheckSchema>;

/** A data file passed its contract and its dataset version was recorded. */
export const DatasetAccepted = {
  source: CONTRACTS_SOURCE,
  detailType: 'Dataset Accepted',
  detail: z.object(datasetFields),
} as const satisfies LifecycleEventDefinition;
/** The detail of `DatasetAccepted`. */
export type DatasetAcceptedDetail = z.infer<typeof DatasetAccepted.detail>;

/** A data file broke its contract; it was copied to quarantine and the report says why. */
export const DatasetRejected = {
  source: CONTRACTS_SOURCE,
  detailType: 'Dataset Rejected',
  detail: z
    .object({
      ...datasetFields,
      /** The first {@link MAX_FAILED_CHECKS} failed checks. */
      failedChecks: z.array(FailedCheckSchema).min(1).max(MAX_FAILED_CHECKS),
      /** All failed checks, including those not listed. */
      failedCheckCount: z.number().int().positive(),
      /** Key of the quarantined copy, in the quarantine bucket. */
      quarantineKey: s3Key,
    })
    .refine((d) => d.failedCheckCount >= d.failedChecks.length, {
      message: 'failedCheckCount must count at least the listed failedChecks',
      path: ['failedCheckCount'],
    }),
} as const satisfies LifecycleEventDefinition;
/** The detail of `DatasetRejected`. */
export type DatasetRejectedDetail = z.infer<typeof DatasetRejected.detail>;

// ---------------------------------------------------------------------------------------------------------------
// mlops.training

const trainingRunFields = {
  pipeline: pipelineName,
  runId: id,
  /** Deterministic per run, so a retried CreateTrainingJob is recognised as done. */
  trainingJobName: sageMakerName,
  /** The accepted dataset versions in the training window. */
  datasetIds: z.array(id).min(1).max(50),
  /** Key of the run's input manifest (exact data files) in the artifacts bucket. */
  manifestKey: s3Key,
};

/** A training job was created for a run. */
export const TrainingStarted = {
  source: TRAINING_SOURCE,
  detailType: 'Training Started',
  detail: z.object(trainingRunFields),
} as const satisfies LifecycleEventDefinition;
/** The detail of `TrainingStarted`. */
export type TrainingStartedDetail = z.infer<typeof TrainingStarted.detail>;

/** A training job completed; `metrics` are its final metrics. The quality gate runs next. */
export const TrainingSucceeded = {
  source: TRAINING_SOURCE,
  detailType: 'Training Succeeded',
  detail: z.object({ ...trainingRunFields, metrics }),
} as const satisfies LifecycleEventDefinition;
/** The detail of `TrainingSucceeded`. */
export type TrainingSucceededDetail = z.infer<typeof TrainingSucceeded.detail>;

/** A training job failed or was stopped (or could not be created). */
export const TrainingFailed = {
  source: TRAINING_SOURCE,
  detailType: 'Training Failed',
  detail: z.object({
    ...trainingRunFields,
    /** SageMaker's `FailureReason`, or why the job could not start. */
    reason,
    /** Absent when the job never reached SageMaker. */
    trainingJobStatus: z.enum(['Failed', 'Stopped']).optional(),
  }),
} as const satisfies LifecycleEventDefinition;
/** The detail of `TrainingFailed`. */
export type TrainingFailedDetail = z.infer<typeof TrainingFailed.detail>;

/** A model passed the quality gate and was registered in the Model Registry. */
export const ModelRegistered = {
  source: TRAINING_SOURCE,
  detailType: 'Model Registered',
  detail: z.object({
    pipeline: pipelineName,
    runId: id,
    modelPackageArn: arn,
    modelVersion,
    modelPackageGroupName: sageMakerName,
    /** `Approved` with automatic approval; otherwise waits for a person. */
    approvalStatus: z.enum(['Approved', 'PendingManualApproval']),
    metrics,
    comparison: ChampionComparisonSchema,
  }),
} as const satisfies LifecycleEventDefinition;
/** The detail of `ModelRegistered`. */
export type ModelRegisteredDetail = z.infer<typeof ModelRegistered.detail>;

/** A trained model failed the quality gate and was not registered. */
export const ModelRejected = {
  source: TRAINING_SOURCE,
  detailType: 'Model Rejected',
  detail: z.object({
    pipeline: pipelineName,
    runId: id,
    /** One readable line per failed gate rule, e.g. `validation:auc 0.68 is below the minimum 0.7`. */
    reasons: z.array(z.string().min(1).max(512)).min(1).max(10),
    metrics,
    comparison: ChampionComparisonSchema.optional(),
  }),
} as const satisfies LifecycleEventDefinition;
/** The detail of `ModelRejected`. */
export type ModelRejectedDetail = z.infer<typeof ModelRejected.detail>;

// ---------------------------------------------------------------------------------------------------------------
// mlops.deployment

const deploymentFields = {
  pipeline: pipelineName,
  deploymentId: id,
  endpointName: sageMakerName,
  modelPackageArn: arn,
  modelVersion,
  /** Traffic shifting of the blue/green deployment guardrails. */
  strategy: z.enum(['allAtOnce', 'canary', 'linear']),
  /** The endpoint config being deployed. */
  endpointConfigName: sageMakerName,
  /** Model version serving before this deployment; absent for the first one. */
  previousModelVersion: modelVersion.optional(),
};

/** An endpoint create or update was requested. */
export const DeploymentStarted = {
  source: DEPLOYMENT_SOURCE,
  detailType: 'Deployment Started',
  detail: z.object(deploymentFields),
} as const satisfies LifecycleEventDefinition;
/** The detail of `DeploymentStarted`. */
export type DeploymentStartedDetail = z.infer<typeof DeploymentStarted.detail>;

/** The endpoint is in service with the new endpoint config; the model is the champion now. */
export const DeploymentSucceeded = {
  source: DEPLOYMENT_SOURCE,
  detailType: 'Deployment Succeeded',
  detail: z.object(deploymentFields),
} as const satisfies LifecycleEventDefinition;
/** The detail of `DeploymentSucceeded`. */
export type DeploymentSucceededDetail = z.infer<typeof DeploymentSucceeded.detail>;

/** The deployment failed (the endpoint could not be created or updated). */
export const DeploymentFailed = {
  source: DEPLOYMENT_SOURCE,
  detailType: 'Deployment Failed',
  detail: z.object({ ...deploymentFields, reason }),
} as const satisfies LifecycleEventDefinition;
/** The detail of `DeploymentFailed`. */
export type DeploymentFailedDetail = z.infer<typeof DeploymentFailed.detail>;

/** An alarm (or a failed update) rolled the endpoint back to the previous endpoint config. */
export const DeploymentRolledBack = {
  source: DEPLOYMENT_SOURCE,
  detailType: 'Deployment Rolled Back',
  detail: z.object({ ...deploymentFields, reason }),
} as const satisfies LifecycleEventDefinition;
/** The detail of `DeploymentRolledBack`. */
export type DeploymentRolledBackDetail = z.infer<typeof DeploymentRolledBack.detail>;

// ---------------------------------------------------------------------------------------------------------------
// mlops.evaluation

const evaluationFields = {
  pipeline: pipelineName,
  evaluationId: id,
  endpointName: sageMakerName,
  /** Model version serving during the window, when known. */
  modelVersion: modelVersion.optional(),
  /** Key of the evaluation report in the artifacts bucket. */
  reportKey: s3Key,
};

/** A scheduled evaluation of live traffic finished; `verdict` sums it up. */
export const EvaluationCompleted = {
  source: EVALUATION_SOURCE,
  detailType: 'Evaluation Completed',
  detail: z
    .object({
      ...evaluationFields,
      windowStart: isoTime,
      windowEnd: isoTime,
      verdict: z.enum(['ok', 'degraded', 'drift', 'insufficient-data']),
      /** Captured inferences in the window. */
      samples: count,
      /** Of those, inferences joined with a ground-truth label. */
      matched: count,
      metrics,
      /** Features over the drift threshold, worst first, at most {@link MAX_DRIFTED_FEATURES}. */
      driftedFeatures: z.array(DriftedFeatureSchema).max(MAX_DRIFTED_FEATURES),
    })
    .refine((d) => d.matched <= d.samples, { message: 'matched cannot exceed samples', path: ['matched'] })
    .refine((d) => Date.parse(d.windowStart) < Date.parse(d.windowEnd), {
      message: 'windowStart must be before windowEnd',
      path: ['windowEnd'],
    }),
} as const satisfies LifecycleEventDefinition;
/** The detail of `EvaluationCompleted`. */
export type EvaluationCompletedDetail = z.infer<typeof EvaluationCompleted.detail>;

/** A model-quality metric crossed its threshold for `consecutiveWindows` evaluations in a row. */
export const ModelDegraded = {
  source: EVALUATION_SOURCE,
  detailType: 'Model Degraded',
  detail: z.object({
    ...evaluationFields,
    metric: metricName,
    /** Whether `threshold` is a floor (`value` fell below it) or a ceiling (`value` rose above it). */
    bound: z.enum(['minimum', 'maximum']),
    threshold: figure,
    value: figure,
    consecutiveWindows: z.number().int().positive(),
    action: evaluationAction,
  }),
} as const satisfies LifecycleEventDefinition;
/** The detail of `ModelDegraded`. */
export type ModelDegradedDetail = z.infer<typeof ModelDegraded.detail>;

/** Input features drifted from the training baseline for `consecutiveWindows` evaluations in a row. */
export const DriftDetected = {
  source: EVALUATION_SOURCE,
  detailType: 'Drift Detected',
  detail: z.object({
    ...evaluationFields,
    /** Drifted features, worst first. */
    features: z.array(DriftedFeatureSchema).min(1).max(MAX_DRIFTED_FEATURES),
    /** PSI threshold the features exceeded. */
    threshold: figure.nonnegative(),
    consecutiveWindows: z.number().int().positive(),
    action: evaluationAction,
  }),
} as const satisfies LifecycleEventDefinition;
/** The detail of `DriftDetected`. */
export type DriftDetectedDetail = z.infer<typeof DriftDetected.detail>;

// ---------------------------------------------------------------------------------------------------------------
// All events, patterns, sending and receiving

/** Every event of the project (for notifications, archives, the local runtime and tests). */
export const LIFECYCLE_EVENTS = [
  DatasetAccepted,
  DatasetRejected,
  TrainingStarted,
  TrainingSucceeded,
  TrainingFailed,
  ModelRegistered,
  ModelRejected,
  DeploymentStarted,
  DeploymentSucceeded,
  DeploymentFailed,
  DeploymentRolledBack,
  EvaluationCompleted,
  ModelDegraded,
  DriftDetected,
] as const;

/** Any one of the project's event definitions. */
export type AnyLifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];
/** The detail-type of any of the project's events: `'Dataset Accepted' | 'Dataset Rejected' | ...`. */
export type LifecycleEventName = AnyLifecycleEvent['detailType'];

/** Every detail-type, in lifecycle order (pipeline.yaml `notifications.events` names these). */
export const LIFECYCLE_EVENT_NAMES = LIFECYCLE_EVENTS.map((def) => def.detailType) as unknown as readonly [
  LifecycleEventName,
  ...LifecycleEventName[],
]; // map() loses the tuple type; the list is the non-empty constant above

/**
 * Rule pattern for the given events of the given pipelines. Detail-types are unique across sources, so listing
 * sources and detail-types side by side matches exactly the given definitions.
 * @throws PatternArgumentError if either list is empty.
 */
export function lifecyclePattern(
  defs: readonly LifecycleEventDefinition[],
  pipelines: readonly string[],
): EventPattern {
  if (defs.length === 0) throw new PatternArgumentError('lifecycle events: needs at least one event definition');
  return {
    source: [...new Set(defs.map((d) => d.source))],
    detailType: [...new Set(defs.map((d) => d.detailType))],
    detail: { pipeline: nonEmpty(pipelines, 'pipelines') },
  };
}

/** A `PutEvents` request entry; assignable to `PutEventsRequestEntry` of `@aws-sdk/client-eventbridge`. */
export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  /** The validated detail, as JSON. */
  Detail: string;
  EventBusName: string;
  Resources: string[];
}

/** EventBridge refuses a PutEvents entry of 256 KB or more (REFERENCE 8.1; buses now take 1 MB, we stay portable). */
export const MAX_PUT_EVENTS_ENTRY_BYTES = 256 * 1024;

/** Time is counted as 14 bytes whether or not the entry sets it (REFERENCE 8.1). */
const TIME_BYTES = 14;

/**
 * Size of an entry as EventBridge computes it: 14 bytes for Time plus the UTF-8 bytes of Source, DetailType,
 * Detail and each resource.
 */
export function putEventsEntrySize(
  entry: Pick<PutEventsEntry, 'Source' | 'DetailType' | 'Detail' | 'Resources'>,
): number {
  let size = TIME_BYTES;
  size += Buffer.byteLength(entry.Source, 'utf8');
  size += Buffer.byteLength(entry.DetailType, 'utf8');
  size += Buffer.byteLength(entry.Detail, 'utf8');
  for (const resource of entry.Resources) size += Buffer.byteLength(resource, 'utf8');
  return size;
}

/**
 * Builds the PutEvents entry for `def`, after checking `detail` against its schema. Unknown fields are dropped, so
 * what is sent is exactly what consumers parse.
 * @throws EventDetailValidationError if `detail` does not match the schema (with each issue's path).
 * @throws EventTooLargeError if the entry reaches {@link MAX_PUT_EVENTS_ENTRY_BYTES}.
 */
export function toPutEventsEntry<S extends z.ZodType>(
  def: LifecycleEventDefinition<LifecycleSource, string, S>,
  detail: z.input<S>,
  busName: string,
  resources: readonly string[] = [],
): PutEventsEntry {
  if (busName.length === 0) throw new EventsError('toPutEventsEntry: busName must not be empty');
  const parsed = def.detail.safeParse(detail);
  if (!parsed.success) {
    throw new EventDetailValidationError(
      def.detailType,
      parsed.error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message })),
      { cause: parsed.error },
    );
  }
  const entry: PutEventsEntry = {
    Source: def.source,
    DetailType: def.detailType,
    Detail: JSON.stringify(parsed.data),
    EventBusName: busName,
    Resources: [...resources],
  };
  const size = putEventsEntrySize(entry);
  if (size >= MAX_PUT_EVENTS_ENTRY_BYTES)
    throw new EventTooLargeError(def.detailType, size, MAX_PUT_EVENTS_ENTRY_BYTES);
  return entry;
}

/** A received lifecycle event: the envelope fields a handler logs, and the validated detail. */
export interface LifecycleEnvelope<Detail> {
  /** Event id, for log correlation. EventBridge may deliver an event more than once, with the same id. */
  readonly id: string;
  readonly time: string;
  readonly source: string;
  readonly detailType: string;
  /** Absent in events moto delivers through SQS (MOTO.md section 2). */
  readonly account?: string;
  readonly region?: string;
  readonly resources: readonly string[];
  /** Set on events replayed from an archive. */
  readonly replayName?: string;
  readonly detail: Detail;
}

const LifecycleEnvelopeSchema = z.object({
  version: z.string().optional(),
  id: z.string().min(1),
  'detail-type': z.string(),
  source: z.string(),
  account: z.string().min(1).optional(),
  time: z.string().refine((t) => Number.isFinite(Date.parse(t)), 'expected an ISO-8601 time'),
  region: z.string().min(1).optional(),
  resources: z.array(z.string()).optional(),
  'replay-name': z.string().optional(),
  detail: z.unknown(),
});

/**
 * Parses an EventBridge event carrying `def`: checks the envelope, that source and detail-type are `def`'s, and
 * the detail against its schema.
 */
export function parseLifecycleEvent<S extends z.ZodType>(
  def: LifecycleEventDefinition<LifecycleSource, string, S>,
  event: unknown,
): ParseResult<LifecycleEnvelope<z.output<S>>> {
  const what = `"${def.detailType}" event`;
  const envelope = LifecycleEnvelopeSchema.safeParse(event);
  if (!envelope.success) return { ok: false, error: `not a valid ${what}: ${formatIssues(envelope.error.issues)}` };
  const e = envelope.data;
  if (e.source !== def.source || e['detail-type'] !== def.detailType) {
    return {
      ok: false,
      error: `not a ${what}: got source "${e.source}" and detail-type "${e['detail-type']}", expected "${def.source}" and "${def.detailType}"`,
    };
  }
  const detail = z.safeParse(def.detail, e.detail);
  if (!detail.success) {
    const issues = detail.error.issues.map((issue) => ({ ...issue, path: ['detail', ...issue.path] }));
    return { ok: false, error: `not a valid ${what}: ${formatIssues(issues)}` };
  }
  return {
    ok: true,
    value: {
      id: e.id,
      time: e.time,
      source: e.source,
      detailType: e['detail-type'],
      ...(e.account === undefined ? {} : { account: e.account }),
      ...(e.region === undefined ? {} : { region: e.region }),
      resources: e.resources ?? [],
      ...(e['replay-name'] === undefined ? {} : { replayName: e['replay-name'] }),
      detail: detail.data,
    },
  };
}
