import * as z from 'zod';
import { type EventPattern, nonEmpty, prefixMatchers } from './event-pattern';
import { type ParseResult, literal, parseWith } from './parse-result';

/**
 * SageMaker state-change events on EventBridge (REFERENCE 2). Where sources disagree on a field's form (time as a
 * number or a numeric string, `Tags` as an array or a map, status casing), both forms are accepted and normalised,
 * so handlers see one shape.
 */

/** `source` of every SageMaker event. */
export const SAGEMAKER_SOURCE = 'aws.sagemaker';
/** `detail-type` of a training job's status change. */
export const TRAINING_JOB_STATE_CHANGE = 'SageMaker Training Job State Change';
/** `detail-type` of an endpoint's status change. */
export const ENDPOINT_STATE_CHANGE = 'SageMaker Endpoint State Change';
/** `detail-type` of the progress of a guarded endpoint deployment. */
export const ENDPOINT_DEPLOYMENT_STATE_CHANGE = 'SageMaker Endpoint Deployment State Change';
/** `detail-type` of a model package's status or approval change. */
export const MODEL_PACKAGE_STATE_CHANGE = 'SageMaker Model Package State Change';

/** `TrainingJobStatus` of the API (and of the event, which uses the same PascalCase). */
export const TRAINING_JOB_STATUSES = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped', 'Deleting'] as const;
/** A training job status, PascalCase. */
export type TrainingJobStatus = (typeof TRAINING_JOB_STATUSES)[number];
/** The statuses after which a training job does no more work. */
export const TERMINAL_TRAINING_JOB_STATUSES = [
  'Completed',
  'Failed',
  'Stopped',
] as const satisfies readonly TrainingJobStatus[];

/** `EndpointStatus` as `DescribeEndpoint` spells it. Events spell it UPPER_SNAKE (`IN_SERVICE`). */
export const ENDPOINT_STATUSES = [
  'OutOfService',
  'Creating',
  'Updating',
  'SystemUpdating',
  'RollingBack',
  'InService',
  'Deleting',
  'Failed',
  'UpdateRollbackFailed',
] as const;
/** An endpoint status in the API's PascalCase. */
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

/** `ModelPackageStatus` of the API and of the event. */
export const MODEL_PACKAGE_STATUSES = ['Pending', 'InProgress', 'Completed', 'Failed', 'Deleting'] as const;
/** A model package status. */
export type ModelPackageStatus = (typeof MODEL_PACKAGE_STATUSES)[number];
/** `ModelApprovalStatus` of the API and of the event. */
export const MODEL_APPROVAL_STATUSES = ['Approved', 'Rejected', 'PendingManualApproval'] as const;
/** A model package approval status. */
export type ModelApprovalStatus = (typeof MODEL_APPROVAL_STATUSES)[number];

const caseKey = (s: string): string => s.replace(/_/g, '').toLowerCase();

function canonicaliser<T extends string>(values: readonly T[]): (s: string) => T | undefined {
  const byKey = new Map(values.map((v) => [caseKey(v), v]));
  return (s) => byKey.get(caseKey(s));
}

/**
 * Maps an endpoint status in any casing (`IN_SERVICE` in events, `InService` in the API) to the API's PascalCase,
 * or `undefined` for a status this code does not know.
 */
export const normaliseEndpointStatus: (status: string) => EndpointStatus | undefined = canonicaliser(ENDPOINT_STATUSES);

/** As {@link normaliseEndpointStatus}, for training job statuses (PascalCase in events; other casings tolerated). */
export const normaliseTrainingJobStatus: (status: string) => TrainingJobStatus | undefined =
  canonicaliser(TRAINING_JOB_STATUSES);

const normaliseModelPackageStatus = canonicaliser(MODEL_PACKAGE_STATUSES);
const normaliseApprovalStatus = canonicaliser(MODEL_APPROVAL_STATUSES);

/** A status string, canonicalised; an unknown status is an issue naming the known ones. */
function statusSchema<T extends string>(values: readonly T[], canonicalise: (s: string) => T | undefined) {
  return z.string().transform((raw, ctx): T => {
    const status = canonicalise(raw);
    if (status === undefined) {
      ctx.addIssue({ code: 'custom', message: `unknown status "${raw}"; expected one of ${values.join(', ')}` });
      return z.NEVER;
    }
    return status;
  });
}

// new Date() accepts at most ±8.64e15 ms.
const MAX_DATE_MS = 8.64e15;

/**
 * A time in any of the forms SageMaker events use: epoch milliseconds as a number or a numeric string
 * (`"1583831889050"`), or an ISO-8601 string. Normalised to ISO-8601.
 */
export const SageMakerTimeSchema = z.union([z.number(), z.string().min(1)]).transform((raw, ctx): string => {
  const ms = typeof raw === 'number' ? raw : /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) {
    ctx.addIssue({
      code: 'custom',
      message: `expected epoch milliseconds or an ISO-8601 time, got ${JSON.stringify(raw)}`,
    });
    return z.NEVER;
  }
  return new Date(ms).toISOString();
});

/** `Tags` as an object map (doc examples) or a `[{Key, Value}]` array (schema registry); normalised to a record. */
export const SageMakerTagsSchema = z
  .union([z.record(z.string(), z.string()), z.array(z.object({ Key: z.string(), Value: z.string() }))])
  .transform((tags): Record<string, string> =>
    Array.isArray(tags) ? Object.fromEntries(tags.map((t) => [t.Key, t.Value])) : { ...tags },
  );

function envelopeSchema<const D extends string, S extends z.ZodType>(detailType: D, detail: S) {
  return z.object({
    version: z.string().optional(),
    id: z.string().min(1),
    'detail-type': literal(detailType),
    // The AWS docs' Model Package sample repeats `source`, and JSON.parse keeps the second, `["aws.sagemaker"]`.
    source: z.union([z.literal(SAGEMAKER_SOURCE), z.tuple([z.literal(SAGEMAKER_SOURCE)])]),
    account: z.string().min(1).optional(),
    // The AWS docs' Endpoint sample has epoch milliseconds here instead of ISO-8601.
    time: SageMakerTimeSchema,
    region: z.string().min(1),
    resources: z.array(z.string()).optional(),
    'replay-name': z.string().optional(),
    detail,
  });
}

/** Fields every normalised SageMaker event carries from its envelope. */
export interface SageMakerEventContext {
  /** Event time, ISO-8601. */
  readonly time: string;
  readonly region: string;
  readonly account?: string;
}

function context(event: { time: string; region: string; account?: string | undefined }): SageMakerEventContext {
  return { time: event.time, region: event.region, ...(event.account === undefined ? {} : { account: event.account }) };
}

/** Copies `value` under `key` unless it is undefined, so optional fields are absent rather than `undefined`. */
function opt<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  const out: Partial<Record<K, V>> = {};
  if (value !== undefined) out[key] = value;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Training Job State Change

/** The `detail` of `SageMaker Training Job State Change` (fields this project reads; others are stripped). */
export const TrainingJobStateChangeDetailSchema = z.object({
  TrainingJobName: z.string().min(1),
  TrainingJobArn: z.string().min(1),
  TrainingJobStatus: statusSchema(TRAINING_JOB_STATUSES, normaliseTrainingJobStatus),
  SecondaryStatus: z.string().optional(),
  FailureReason: z.string().optional(),
  HyperParameters: z.record(z.string(), z.string()).optional(),
  ModelArtifacts: z.object({ S3ModelArtifacts: z.string().min(1) }).optional(),
  OutputDataConfig: z.object({ S3OutputPath: z.string().optional() }).optional(),
  CreationTime: SageMakerTimeSchema.optional(),
  TrainingStartTime: SageMakerTimeSchema.optional(),
  TrainingEndTime: SageMakerTimeSchema.optional(),
  LastModifiedTime: SageMakerTimeSchema.optional(),
  Tags: SageMakerTagsSchema.optional(),
});

/** The whole `SageMaker Training Job State Change` event, with statuses and times canonicalised. */
export const TrainingJobStateChangeEventSchema = envelopeSchema(
  TRAINING_JOB_STATE_CHANGE,
  TrainingJobStateChangeDetailSchema,
);

/**
 * A training job's state change. Final metrics are not in the event (REFERENCE 2.2): read them with
 * `DescribeTrainingJob`.
 */
export interface TrainingJobStateChange extends SageMakerEventContext {
  readonly trainingJobName: string;
  readonly trainingJobArn: string;
  readonly status: TrainingJobStatus;
  readonly secondaryStatus?: string;
  readonly failureReason?: string;
  /** `ModelArtifacts.S3ModelArtifacts`, when the event has it (on `Completed`). */
  readonly modelArtifactsS3Uri?: string;
  readonly hyperParameters: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly creationTime?: string;
  readonly trainingStartTime?: string;
  readonly trainingEndTime?: string;
  readonly lastModifiedTime?: string;
}

/** Parses and normalises a training job event into a {@link TrainingJobStateChange}. */
export const TrainingJobStateChangeSchema = TrainingJobStateChangeEventSchema.transform(
  (event): TrainingJobStateChange => {
    const d = event.detail;
    return {
      ...context(event),
      trainingJobName: d.TrainingJobName,
      trainingJobArn: d.TrainingJobArn,
      status: d.TrainingJobStatus,
      ...opt('secondaryStatus', d.SecondaryStatus),
      ...opt('failureReason', d.FailureReason),
      ...opt('modelArtifactsS3Uri', d.ModelArtifacts?.S3ModelArtifacts),
      hyperParameters: d.HyperParameters ?? {},
      tags: d.Tags ?? {},
      ...opt('creationTime', d.CreationTime),
      ...opt('trainingStartTime', d.TrainingStartTime),
      ...opt('trainingEndTime', d.TrainingEndTime),
      ...opt('lastModifiedTime', d.LastModifiedTime),
    };
  },
);

/** Parses a `SageMaker Training Job State Change` event. */
export function parseTrainingJobStateChange(event: unknown): ParseResult<TrainingJobStateChange> {
  return parseWith(TrainingJobStateChangeSchema, event, `"${TRAINING_JOB_STATE_CHANGE}" event`);
}

/**
 * Rule pattern for training jobs whose name starts with one of `jobNamePrefixes` reaching one of `statuses`.
 * @throws PatternArgumentError if either list is empty.
 */
export function trainingJobStateChangePattern(
  jobNamePrefixes: readonly string[],
  statuses: readonly TrainingJobStatus[],
): EventPattern {
  return {
    source: [SAGEMAKER_SOURCE],
    detailType: [TRAINING_JOB_STATE_CHANGE],
    detail: {
      TrainingJobStatus: nonEmpty(statuses, 'training job statuses'),
      TrainingJobName: prefixMatchers(jobNamePrefixes, 'training job name prefixes'),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Endpoint State Change and Endpoint Deployment State Change

const VariantStatusSchema = z.object({
  /** `Creating` | `Deleting` | `Updating` | `ActivatingTraffic` | `Baking` (kept as a string: not a closed set). */
  Status: z.string().min(1),
  StatusMessage: z.string().optional(),
  StartTime: SageMakerTimeSchema.optional(),
});

const ProductionVariantSchema = z.object({
  VariantName: z.string().optional(),
  CurrentWeight: z.number().optional(),
  DesiredWeight: z.number().optional(),
  CurrentInstanceCount: z.number().optional(),
  DesiredInstanceCount: z.number().optional(),
  VariantStatus: z.array(VariantStatusSchema).optional(),
});

/** One production variant of an endpoint, as an event reports it (fields are optional in AWS's own samples). */
export interface ProductionVariantState {
  readonly variantName?: string;
  readonly currentWeight?: number;
  readonly desiredWeight?: number;
  readonly currentInstanceCount?: number;
  readonly desiredInstanceCount?: number;
  readonly statuses: readonly { readonly status: string; readonly message?: string; readonly startTime?: string }[];
}

function variant(v: z.output<typeof ProductionVariantSchema>): ProductionVariantState {
  return {
    ...opt('variantName', v.VariantName),
    ...opt('currentWeight', v.CurrentWeight),
    ...opt('desiredWeight', v.DesiredWeight),
    ...opt('currentInstanceCount', v.CurrentInstanceCount),
    ...opt('desiredInstanceCount', v.DesiredInstanceCount),
    statuses: (v.VariantStatus ?? []).map((s) => ({
      status: s.Status,
      ...opt('message', s.StatusMessage),
      ...opt('startTime', s.StartTime),
    })),
  };
}

/** The `detail` of `SageMaker Endpoint State Change`. */
export const EndpointStateChangeDetailSchema = z.object({
  EndpointName: z.string().min(1),
  EndpointArn: z.string().min(1),
  EndpointConfigName: z.string().min(1).optional(),
  ProductionVariants: z.array(ProductionVariantSchema).optional(),
  EndpointStatus: statusSchema(ENDPOINT_STATUSES, normaliseEndpointStatus),
  FailureReason: z.string().optional(),
  CreationTime: SageMakerTimeSchema.optional(),
  LastModifiedTime: SageMakerTimeSchema.optional(),
  Tags: SageMakerTagsSchema.optional(),
});

/** The whole `SageMaker Endpoint State Change` event, with statuses and times canonicalised. */
export const EndpointStateChangeEventSchema = envelopeSchema(ENDPOINT_STATE_CHANGE, EndpointStateChangeDetailSchema);

/** An endpoint's state change, with `status` in the API's PascalCase. */
export interface EndpointStateChange extends SageMakerEventContext {
  readonly endpointName: string;
  readonly endpointArn: string;
  readonly endpointConfigName?: string;
  readonly status: EndpointStatus;
  readonly failureReason?: string;
  readonly productionVariants: readonly ProductionVariantState[];
  readonly tags: Readonly<Record<string, string>>;
  readonly creationTime?: string;
  readonly lastModifiedTime?: string;
}

function endpointState(
  event: SageMakerEventContext & { detail: z.output<typeof EndpointStateChangeDetailSchema> },
): EndpointStateChange {
  const d = event.detail;
  return {
    ...context(event),
    endpointName: d.EndpointName,
    endpointArn: d.EndpointArn,
    ...opt('endpointConfigName', d.EndpointConfigName),
    status: d.EndpointStatus,
    ...opt('failureReason', d.FailureReason),
    productionVariants: (d.ProductionVariants ?? []).map(variant),
    tags: d.Tags ?? {},
    ...opt('creationTime', d.CreationTime),
    ...opt('lastModifiedTime', d.LastModifiedTime),
  };
}

/** Parses and normalises an endpoint event into an {@link EndpointStateChange}. */
export const EndpointStateChangeSchema = EndpointStateChangeEventSchema.transform(endpointState);

/** Parses a `SageMaker Endpoint State Change` event. */
export function parseEndpointStateChange(event: unknown): ParseResult<EndpointStateChange> {
  return parseWith(EndpointStateChangeSchema, event, `"${ENDPOINT_STATE_CHANGE}" event`);
}

/** The `detail` of `SageMaker Endpoint Deployment State Change`: the endpoint's fields plus the pending deployment. */
export const EndpointDeploymentStateChangeDetailSchema = EndpointStateChangeDetailSchema.extend({
  PendingDeploymentSummary: z
    .object({
      EndpointConfigName: z.string().min(1),
      StartTime: SageMakerTimeSchema.optional(),
      ProductionVariants: z.array(ProductionVariantSchema).optional(),
    })
    .optional(),
});

/** The whole `SageMaker Endpoint Deployment State Change` event. */
export const EndpointDeploymentStateChangeEventSchema = envelopeSchema(
  ENDPOINT_DEPLOYMENT_STATE_CHANGE,
  EndpointDeploymentStateChangeDetailSchema,
);

/**
 * Progress of a blue/green, canary, linear or rolling deployment. No field says "rolled back" (REFERENCE 2.4): after
 * the deployment ends, `DescribeEndpoint` and compare its `EndpointConfigName` with the one deployed.
 */
export interface EndpointDeploymentStateChange extends EndpointStateChange {
  readonly pendingDeployment?: {
    readonly endpointConfigName: string;
    readonly startTime?: string;
    readonly productionVariants: readonly ProductionVariantState[];
  };
}

/** Parses and normalises a deployment event into an {@link EndpointDeploymentStateChange}. */
export const EndpointDeploymentStateChangeSchema = EndpointDeploymentStateChangeEventSchema.transform(
  (event): EndpointDeploymentStateChange => {
    const pending = event.detail.PendingDeploymentSummary;
    return {
      ...endpointState(event),
      ...opt(
        'pendingDeployment',
        pending && {
          endpointConfigName: pending.EndpointConfigName,
          ...opt('startTime', pending.StartTime),
          productionVariants: (pending.ProductionVariants ?? []).map(variant),
        },
      ),
    };
  },
);

/** Parses a `SageMaker Endpoint Deployment State Change` event. */
export function parseEndpointDeploymentStateChange(event: unknown): ParseResult<EndpointDeploymentStateChange> {
  return parseWith(EndpointDeploymentStateChangeSchema, event, `"${ENDPOINT_DEPLOYMENT_STATE_CHANGE}" event`);
}

/**
 * Rule pattern for state changes of the named endpoints (any status: the handler decides what each one means).
 * @throws PatternArgumentError if `endpointNames` is empty.
 */
export function endpointStateChangePattern(endpointNames: readonly string[]): EventPattern {
  return {
    source: [SAGEMAKER_SOURCE],
    detailType: [ENDPOINT_STATE_CHANGE],
    detail: { EndpointName: nonEmpty(endpointNames, 'endpoint names') },
  };
}

/**
 * Rule pattern for deployment progress (traffic shifting, baking) of the named endpoints.
 * @throws PatternArgumentError if `endpointNames` is empty.
 */
export function endpointDeploymentStateChangePattern(endpointNames: readonly string[]): EventPattern {
  return {
    source: [SAGEMAKER_SOURCE],
    detailType: [ENDPOINT_DEPLOYMENT_STATE_CHANGE],
    detail: { EndpointName: nonEmpty(endpointNames, 'endpoint names') },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Model Package State Change

/** The `detail` of `SageMaker Model Package State Change`. */
export const ModelPackageStateChangeDetailSchema = z.object({
  ModelPackageGroupName: z.string().min(1),
  ModelPackageVersion: z.number().int().positive(),
  ModelPackageArn: z.string().min(1),
  ModelPackageStatus: statusSchema(MODEL_PACKAGE_STATUSES, normaliseModelPackageStatus),
  ModelApprovalStatus: statusSchema(MODEL_APPROVAL_STATUSES, normaliseApprovalStatus),
  ApprovalDescription: z.string().optional(),
  CreationTime: SageMakerTimeSchema.optional(),
  LastModifiedTime: SageMakerTimeSchema.optional(),
  InferenceSpecification: z
    .object({ Containers: z.array(z.object({ ModelDataUrl: z.string().min(1).optional() })).optional() })
    .optional(),
  // Whether the event carries it is unverified (REFERENCE 2.5); DescribeModelPackage is authoritative.
  CustomerMetadataProperties: z.record(z.string(), z.string()).optional(),
});

/** The whole `SageMaker Model Package State Change` event, with statuses and times canonicalised. */
export const ModelPackageStateChangeEventSchema = envelopeSchema(
  MODEL_PACKAGE_STATE_CHANGE,
  ModelPackageStateChangeDetailSchema,
);

/** A model package's state change (registration, approval, rejection). */
export interface ModelPackageStateChange extends SageMakerEventContext {
  readonly modelPackageGroupName: string;
  readonly modelPackageVersion: number;
  readonly modelPackageArn: string;
  readonly status: ModelPackageStatus;
  readonly approvalStatus: ModelApprovalStatus;
  readonly approvalDescription?: string;
  /** `ModelDataUrl` of each container that has one. */
  readonly modelDataUrls: readonly string[];
  /** `CustomerMetadataProperties` if the event has them, else empty. */
  readonly customerMetadata: Readonly<Record<string, string>>;
  readonly creationTime?: string;
  readonly lastModifiedTime?: string;
}

/** Parses and normalises a model package event into a {@link ModelPackageStateChange}. */
export const ModelPackageStateChangeSchema = ModelPackageStateChangeEventSchema.transform(
  (event): ModelPackageStateChange => {
    const d = event.detail;
    return {
      ...context(event),
      modelPackageGroupName: d.ModelPackageGroupName,
      modelPackageVersion: d.ModelPackageVersion,
      modelPackageArn: d.ModelPackageArn,
      status: d.ModelPackageStatus,
      approvalStatus: d.ModelApprovalStatus,
      ...opt('approvalDescription', d.ApprovalDescription),
      modelDataUrls: (d.InferenceSpecification?.Containers ?? []).flatMap((c) =>
        c.ModelDataUrl === undefined ? [] : [c.ModelDataUrl],
      ),
      customerMetadata: d.CustomerMetadataProperties ?? {},
      ...opt('creationTime', d.CreationTime),
      ...opt('lastModifiedTime', d.LastModifiedTime),
    };
  },
);

/** Parses a `SageMaker Model Package State Change` event. */
export function parseModelPackageStateChange(event: unknown): ParseResult<ModelPackageStateChange> {
  return parseWith(ModelPackageStateChangeSchema, event, `"${MODEL_PACKAGE_STATE_CHANGE}" event`);
}

/**
 * Rule pattern for model packages of the named groups whose approval status is (still or newly) `Approved`. Any
 * later change to an approved package fires it again, so the receiving handler must be idempotent.
 * @throws PatternArgumentError if `groupNames` is empty.
 */
export function modelPackageApprovedPattern(groupNames: readonly string[]): EventPattern {
  return {
    source: [SAGEMAKER_SOURCE],
    detailType: [MODEL_PACKAGE_STATE_CHANGE],
    detail: {
      ModelPackageGroupName: nonEmpty(groupNames, 'model package group names'),
      ModelApprovalStatus: ['Approved'],
    },
  };
}
