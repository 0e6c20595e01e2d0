/**
 * An endpoint's state, and its two outward views: the `DescribeEndpoint` response (PascalCase status, epoch
 * seconds) and the `SageMaker Endpoint State Change` / `Endpoint Deployment State Change` event details
 * (UPPER_SNAKE status, epoch milliseconds; REFERENCE 2.3, 2.4).
 */
import type { DataCaptureConfig, DeploymentConfig, EndpointConfig } from './endpoint-shapes';
import type { ServingProcess } from './serving-process';

/** `EndpointStatus` values this executor produces (API spelling). */
export type EndpointStatus = 'Creating' | 'Updating' | 'RollingBack' | 'InService' | 'Deleting' | 'Failed';

/** `VariantStatus[].Status` of a pending deployment. */
export type VariantStatusName = 'Creating' | 'Updating' | 'Deleting' | 'ActivatingTraffic' | 'Baking';

/** One running variant. */
export interface VariantRuntime {
  readonly variantName: string;
  readonly weight: number;
  readonly image?: string;
  readonly startedMs: number;
  readonly server: ServingProcess;
}

/** The processes serving one endpoint config. */
export interface Fleet {
  readonly config: EndpointConfig;
  readonly variants: readonly VariantRuntime[];
}

/** An update in progress (`PendingDeploymentSummary`). */
export interface PendingDeployment {
  readonly config: EndpointConfig;
  readonly startMs: number;
  variantStatus: { readonly status: VariantStatusName; readonly message: string; readonly startMs: number };
}

/** Everything known about one endpoint. */
export interface EndpointRecord {
  readonly name: string;
  readonly arn: string;
  readonly tags: Readonly<Record<string, string>>;
  status: EndpointStatus;
  failureReason?: string;
  /** The config in service (the blue fleet's), or the one being created. */
  config: EndpointConfig;
  readonly creationMs: number;
  lastModifiedMs: number;
  /** The fleet taking traffic; absent while creating and after a failed create. */
  blue?: Fleet;
  /** The new fleet during an update. */
  green?: Fleet;
  /** Share of traffic on the green fleet, 0-100. */
  greenPercent: number;
  pending?: PendingDeployment;
  lastDeploymentConfig?: DeploymentConfig;
  /** The background work in flight (create, update, delete); at most one at a time. */
  operation?: { readonly abort: AbortController; readonly done: Promise<void> };
}

/** `DataCaptureConfigSummary` of `DescribeEndpoint`. */
export interface DataCaptureSummary {
  readonly EnableCapture: boolean;
  readonly CaptureStatus: 'Started' | 'Stopped';
  readonly CurrentSamplingPercentage: number;
  readonly DestinationS3Uri: string;
  readonly KmsKeyId?: string;
}

/** `ProductionVariantSummary` / `PendingProductionVariantSummary` (epoch seconds). */
export interface VariantSummary {
  readonly VariantName: string;
  readonly DeployedImages?: readonly { SpecifiedImage: string; ResolvedImage: string; ResolutionTime: number }[];
  readonly CurrentWeight?: number;
  readonly DesiredWeight: number;
  readonly CurrentInstanceCount?: number;
  readonly DesiredInstanceCount: number;
  readonly InstanceType?: string;
  readonly VariantStatus?: readonly { Status: VariantStatusName; StatusMessage: string; StartTime: number }[];
}

/** `DescribeEndpoint` response; timestamps are epoch seconds (awsJson1_1 wire format). */
export interface EndpointDescription {
  readonly EndpointName: string;
  readonly EndpointArn: string;
  readonly EndpointConfigName: string;
  readonly ProductionVariants: readonly VariantSummary[];
  readonly DataCaptureConfig?: DataCaptureSummary;
  readonly EndpointStatus: EndpointStatus;
  readonly FailureReason?: string;
  readonly CreationTime: number;
  readonly LastModifiedTime: number;
  readonly LastDeploymentConfig?: DeploymentConfig;
  readonly PendingDeploymentSummary?: {
    readonly EndpointConfigName: string;
    readonly StartTime: number;
    readonly ProductionVariants: readonly VariantSummary[];
  };
}

/** Whether capture is on for a config (`EnableCapture` defaults to true). */
export function captureEnabled(config: DataCaptureConfig | undefined): config is DataCaptureConfig {
  return config !== undefined && config.EnableCapture !== false;
}

/** The `DescribeEndpoint` view. */
export function describeEndpoint(record: EndpointRecord): EndpointDescription {
  const capture = record.config.DataCaptureConfig;
  const pending = record.pending;
  return {
    EndpointName: record.name,
    EndpointArn: record.arn,
    EndpointConfigName: record.config.EndpointConfigName,
    ProductionVariants: variantSummaries(record.config, record.blue, 1000),
    ...(capture === undefined
      ? {}
      : {
          DataCaptureConfig: {
            EnableCapture: captureEnabled(capture),
            CaptureStatus: captureEnabled(capture) ? 'Started' : 'Stopped',
            CurrentSamplingPercentage: capture.InitialSamplingPercentage,
            DestinationS3Uri: capture.DestinationS3Uri,
            ...(capture.KmsKeyId === undefined ? {} : { KmsKeyId: capture.KmsKeyId }),
          },
        }),
    EndpointStatus: record.status,
    ...(record.failureReason === undefined ? {} : { FailureReason: record.failureReason }),
    CreationTime: record.creationMs / 1000,
    LastModifiedTime: record.lastModifiedMs / 1000,
    ...(record.lastDeploymentConfig === undefined ? {} : { LastDeploymentConfig: record.lastDeploymentConfig }),
    ...(pending === undefined
      ? {}
      : {
          PendingDeploymentSummary: {
            EndpointConfigName: pending.config.EndpointConfigName,
            StartTime: pending.startMs / 1000,
            ProductionVariants: pendingSummaries(pending, record.green, 1000),
          },
        }),
  };
}

/**
 * `SageMaker Endpoint State Change` detail. `EndpointStatus` is UPPER_SNAKE: `IN_SERVICE` and `UPDATING` are in
 * the docs' examples [V], `CREATING`/`FAILED`/`DELETING` are seen in AWS samples [P], `ROLLING_BACK` is this
 * executor's guess by the same rule [U]. `Tags` is the object map seen in practice [P].
 */
export function endpointEventDetail(record: EndpointRecord): Record<string, unknown> {
  return {
    EndpointName: record.name,
    EndpointArn: record.arn,
    EndpointConfigName: record.config.EndpointConfigName,
    ProductionVariants: variantSummaries(record.config, record.blue, 1).map((summary) => ({
      VariantName: summary.VariantName,
      ...(summary.CurrentWeight === undefined ? {} : { CurrentWeight: summary.CurrentWeight }),
      DesiredWeight: summary.DesiredWeight,
      ...(summary.CurrentInstanceCount === undefined ? {} : { CurrentInstanceCount: summary.CurrentInstanceCount }),
      DesiredInstanceCount: summary.DesiredInstanceCount,
    })),
    EndpointStatus: eventStatus(record.status),
    ...(record.failureReason === undefined ? {} : { FailureReason: record.failureReason }),
    CreationTime: record.creationMs,
    LastModifiedTime: record.lastModifiedMs,
    Tags: record.tags,
  };
}

/**
 * `SageMaker Endpoint Deployment State Change` detail: the endpoint detail plus `PendingDeploymentSummary` with the
 * variants' `VariantStatus` (REFERENCE 2.4, times in epoch ms). There is no documented "rolled back" field [U]; a
 * consumer learns the outcome from the next Endpoint State Change or from DescribeEndpoint.
 */
export function deploymentEventDetail(record: EndpointRecord): Record<string, unknown> {
  const pending = record.pending;
  return {
    ...endpointEventDetail(record),
    ...(pending === undefined
      ? {}
      : {
          PendingDeploymentSummary: {
            EndpointConfigName: pending.config.EndpointConfigName,
            StartTime: pending.startMs,
            ProductionVariants: pendingSummaries(pending, record.green, 1),
          },
        }),
  };
}

/** `InService` -> `IN_SERVICE`. */
export function eventStatus(status: EndpointStatus): string {
  return status.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

/** @param msPerUnit 1000 for epoch seconds (API), 1 for epoch ms (events). */
function variantSummaries(config: EndpointConfig, fleet: Fleet | undefined, msPerUnit: number): VariantSummary[] {
  return config.ProductionVariants.map((variant) => {
    const running = fleet?.variants.find((v) => v.variantName === variant.VariantName);
    const weight = variant.InitialVariantWeight ?? 1;
    const count = variant.InitialInstanceCount ?? 1;
    return {
      VariantName: variant.VariantName,
      ...(running?.image === undefined
        ? {}
        : {
            DeployedImages: [
              {
                SpecifiedImage: running.image,
                ResolvedImage: running.image,
                ResolutionTime: running.startedMs / msPerUnit,
              },
            ],
          }),
      ...(running === undefined ? {} : { CurrentWeight: weight, CurrentInstanceCount: count }),
      DesiredWeight: weight,
      DesiredInstanceCount: count,
    };
  });
}

function pendingSummaries(pending: PendingDeployment, green: Fleet | undefined, msPerUnit: number): VariantSummary[] {
  return variantSummaries(pending.config, green, msPerUnit).map((summary, index) => ({
    ...summary,
    ...(pending.config.ProductionVariants[index]?.InstanceType === undefined
      ? {}
      : { InstanceType: pending.config.ProductionVariants[index]?.InstanceType }),
    VariantStatus: [
      {
        Status: pending.variantStatus.status,
        StatusMessage: pending.variantStatus.message,
        StartTime: pending.variantStatus.startMs / msPerUnit,
      },
    ],
  }));
}
