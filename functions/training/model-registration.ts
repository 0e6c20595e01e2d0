/**
 * What the registry keeps of a model that passed the gate: the `CreateModelPackage` request (image, model data,
 * metrics report, lineage as customer metadata, approval by config) and the metrics report it points to. Pure.
 */
import type { CreateModelPackageInput } from '@aws-sdk/client-sagemaker';
import type { GateComparison } from './quality-gate';

/** A run that passed the gate, with what lineage needs. */
export interface RegistrationInput {
  readonly pipeline: string;
  readonly runId: string;
  readonly trainingJobName: string;
  readonly modelPackageGroupName: string;
  readonly image: string;
  readonly modelDataUrl: string;
  readonly approval: 'auto' | 'manual';
  readonly metrics: Readonly<Record<string, number>>;
  readonly comparison?: GateComparison;
  readonly metricsReportUri: string;
  readonly manifestUri: string;
  readonly datasetIds: readonly string[];
  readonly contractReportKeys: readonly string[];
}

/** Artifacts-bucket key of a run's metrics report. */
export const metricsReportKey = (pipeline: string, runId: string): string =>
  `reports/${pipeline}/runs/${runId}/metrics.json`;

/** SageMaker `CustomerMetadataProperties` values are at most 256 characters. */
const MAX_METADATA_VALUE = 256;

/** Metadata values allow letters, digits, spaces and `_.:/=+-@` only: other characters become `_`, then clipped. */
const clip = (value: string): string =>
  value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, MAX_METADATA_VALUE);

/**
 * The metrics report (JSON in S3, referenced from `ModelMetrics.ModelQuality.Statistics`): the job's final
 * metrics, the gate's comparison and the lineage, so the registry entry explains itself without the table.
 */
export function metricsReport(input: RegistrationInput, createdAt: string): Record<string, unknown> {
  return {
    version: 1,
    createdAt,
    pipeline: input.pipeline,
    runId: input.runId,
    trainingJobName: input.trainingJobName,
    metrics: input.metrics,
    ...(input.comparison ? { gate: input.comparison } : {}),
    lineage: {
      manifest: input.manifestUri,
      datasetIds: input.datasetIds,
      contractReports: input.contractReportKeys,
    },
  };
}

/** The `CreateModelPackage` request. `ClientToken` is the run id, so SageMaker dedupes a retried registration. */
export function buildModelPackageRequest(input: RegistrationInput): CreateModelPackageInput {
  return {
    ModelPackageGroupName: input.modelPackageGroupName,
    ModelPackageDescription: `${input.pipeline} run ${input.runId} (training job ${input.trainingJobName})`,
    ClientToken: input.runId,
    ModelApprovalStatus: input.approval === 'auto' ? 'Approved' : 'PendingManualApproval',
    InferenceSpecification: {
      Containers: [{ Image: input.image, ModelDataUrl: input.modelDataUrl }],
      SupportedContentTypes: ['text/csv', 'application/json'],
      SupportedResponseMIMETypes: ['text/csv', 'application/json'],
    },
    ModelMetrics: {
      ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: input.metricsReportUri } },
    },
    CustomerMetadataProperties: {
      'mlops:pipeline': input.pipeline,
      'mlops:run': input.runId,
      'mlops:trainingJob': input.trainingJobName,
      'mlops:manifest': clip(input.manifestUri),
      'mlops:datasets': clip(input.datasetIds.join(' ')),
      ...(input.comparison?.championReference
        ? {
            'mlops:champion': clip(
              `v${input.comparison.championModelVersion ?? '?'} ${input.comparison.championReference.description}`,
            ),
          }
        : {}),
      ...Object.fromEntries(
        Object.entries(input.metrics)
          .slice(0, 10)
          .map(([k, v]) => [`metric:${k}`, String(v)]),
      ),
    },
  };
}

/** The version number at the end of a model package ARN (`.../model-package/<group>/<version>`). */
export function modelVersionOfArn(arn: string): number | undefined {
  const match = /\/(\d+)$/.exec(arn);
  return match ? Number(match[1]) : undefined;
}
