/**
 * The SageMaker hosting requests of a deployment, built from the approved model package (the source of truth for
 * image and model data) and the pipeline's settings: `CreateModel`, `CreateEndpointConfig` and the `DeploymentConfig`
 * of `UpdateEndpoint`. Plain objects shaped like the SDK's inputs; no SDK, no I/O.
 */
import type { DeploymentSettings } from './deployment-settings';
import { versionedResourceName } from './resource-names';

/** The only production variant of every endpoint; blue/green needs the same name in the old and the new config. */
export const VARIANT_NAME = 'AllTraffic';

/** Tag naming the pipeline on every model, endpoint config and endpoint the deployment creates. */
export const PIPELINE_TAG = 'mlops:pipeline';

/** What a deployment reads from `DescribeModelPackage`. */
export interface ModelPackageView {
  readonly modelPackageArn: string;
  readonly modelPackageGroupName: string;
  readonly modelVersion: number;
  readonly approvalStatus: string;
  readonly containers: readonly {
    readonly image: string;
    readonly modelDataUrl?: string;
    readonly environment?: Readonly<Record<string, string>>;
  }[];
}

/** Where the deployment's endpoints run and write: from the data plane. */
export interface HostingResources {
  /** The SageMaker execution role, the only role the deploy function may pass. */
  readonly executionRoleArn: string;
  /** Data capture lands in this bucket, under `<pipeline>/`. */
  readonly dataCaptureBucket: string;
  /** Encrypts captured data and, where the instance type allows, the endpoint's storage volume. */
  readonly kmsKeyArn: string;
}

interface Tag {
  Key: string;
  Value: string;
}

interface ContainerDefinition {
  Image: string;
  ModelDataUrl?: string;
  Environment?: Record<string, string>;
}

/** `CreateModel` input. */
export interface CreateModelRequest {
  ModelName: string;
  ExecutionRoleArn: string;
  PrimaryContainer?: ContainerDefinition;
  Containers?: ContainerDefinition[];
  InferenceExecutionConfig?: { Mode: 'Serial' };
  VpcConfig?: { SecurityGroupIds: string[]; Subnets: string[] };
  EnableNetworkIsolation: boolean;
  Tags: Tag[];
}

/** `CreateEndpointConfig` input. */
export interface CreateEndpointConfigRequest {
  EndpointConfigName: string;
  ProductionVariants: {
    VariantName: string;
    ModelName: string;
    InstanceType?: string;
    InitialInstanceCount?: number;
    InitialVariantWeight: number;
    ServerlessConfig?: { MemorySizeInMB: number; MaxConcurrency: number };
  }[];
  DataCaptureConfig?: {
    EnableCapture: boolean;
    InitialSamplingPercentage: number;
    DestinationS3Uri: string;
    KmsKeyId: string;
    CaptureOptions: { CaptureMode: 'Input' | 'Output' }[];
    CaptureContentTypeHeader: { CsvContentTypes: string[]; JsonContentTypes: string[] };
  };
  KmsKeyId?: string;
  Tags: Tag[];
}

/** `DeploymentConfig` of `UpdateEndpoint` (REFERENCE 3.4). */
export interface EndpointDeploymentConfig {
  BlueGreenUpdatePolicy: {
    TrafficRoutingConfiguration: {
      Type: 'ALL_AT_ONCE' | 'CANARY' | 'LINEAR';
      WaitIntervalInSeconds: number;
      CanarySize?: { Type: 'CAPACITY_PERCENT'; Value: number };
      LinearStepSize?: { Type: 'CAPACITY_PERCENT'; Value: number };
    };
    TerminationWaitInSeconds: number;
    MaximumExecutionTimeoutInSeconds: number;
  };
  AutoRollbackConfiguration?: { Alarms: { AlarmName: string }[] };
}

/** The model and endpoint config one deployment of a package needs. */
export interface HostingPlan {
  readonly model: CreateModelRequest;
  readonly endpointConfig: CreateEndpointConfigRequest;
}

/** `s3://<bucket>/<pipeline>`; SageMaker adds `/<endpoint>/<variant>/yyyy/mm/dd/hh/<file>.jsonl` (REFERENCE 5.2). */
export function dataCaptureS3Uri(bucket: string, pipeline: string): string {
  return `s3://${bucket}/${pipeline}`;
}

/** Content types captured as text (CSV or JSON) rather than base64 (REFERENCE 3.5). */
const CAPTURED_CSV_TYPES = ['text/csv'];
const CAPTURED_JSON_TYPES = ['application/json', 'application/jsonlines'];

/**
 * Whether an endpoint config may set a `KmsKeyId` for the storage volume: SageMaker refuses one for instance types
 * with local NVMe instance storage (the `d` families such as ml.m5d or ml.g4dn, and ml.g5/g6/p4d/p5/trn/inf2).
 * [P] The list follows the instance families' specifications; a type not covered here gets the key.
 */
export function supportsVolumeKmsKey(instanceType: string): boolean {
  const family = /^ml\.([a-z0-9-]+)\./.exec(instanceType)?.[1] ?? '';
  if (/^(g5|g6|g6e|gr6|p4d|p4de|p5|p5e|p5en|trn\d+n?|inf2)$/.test(family)) return false;
  return !/^[a-z]+\d+[a-z]*dn?$/.test(family);
}

function tags(settings: DeploymentSettings, modelVersion: number): Tag[] {
  return [
    { Key: PIPELINE_TAG, Value: settings.pipeline },
    { Key: 'mlops:model-version', Value: String(modelVersion) },
  ];
}

function containerDefinition(container: ModelPackageView['containers'][number]): ContainerDefinition {
  return {
    Image: container.image,
    ...(container.modelDataUrl === undefined ? {} : { ModelDataUrl: container.modelDataUrl }),
    ...(container.environment === undefined || Object.keys(container.environment).length === 0
      ? {}
      : { Environment: { ...container.environment } }),
  };
}

/**
 * The model and endpoint config for deploying `pkg` with `settings`. Their names are fingerprints of the requests
 * (see `versionedResourceName`), so the same package with the same settings always gives the same names.
 * @throws RangeError if the package has no container (a package SageMaker would not have accepted).
 */
export function hostingPlan(
  settings: DeploymentSettings,
  pkg: ModelPackageView,
  resources: HostingResources,
): HostingPlan {
  if (pkg.containers.length === 0) throw new RangeError(`model package ${pkg.modelPackageArn} has no container`);
  const containers = pkg.containers.map(containerDefinition);
  const [primary] = containers;
  const modelBody: Omit<CreateModelRequest, 'ModelName'> = {
    ExecutionRoleArn: resources.executionRoleArn,
    ...(containers.length === 1 && primary !== undefined
      ? { PrimaryContainer: primary }
      : { Containers: containers, InferenceExecutionConfig: { Mode: 'Serial' as const } }),
    ...(settings.vpc
      ? { VpcConfig: { SecurityGroupIds: [...settings.vpc.securityGroupIds], Subnets: [...settings.vpc.subnetIds] } }
      : {}),
    EnableNetworkIsolation: settings.networkIsolation,
    Tags: tags(settings, pkg.modelVersion),
  };
  const model: CreateModelRequest = {
    ModelName: versionedResourceName(settings.pipeline, pkg.modelVersion, modelBody),
    ...modelBody,
  };

  const compute = settings.compute;
  const configBody: Omit<CreateEndpointConfigRequest, 'EndpointConfigName'> =
    compute.kind === 'instances'
      ? {
          ProductionVariants: [
            {
              VariantName: VARIANT_NAME,
              ModelName: model.ModelName,
              InstanceType: compute.instanceType,
              InitialInstanceCount: compute.instanceCount,
              InitialVariantWeight: 1,
            },
          ],
          DataCaptureConfig: {
            EnableCapture: true,
            InitialSamplingPercentage: compute.samplingPercentage,
            DestinationS3Uri: dataCaptureS3Uri(resources.dataCaptureBucket, settings.pipeline),
            KmsKeyId: resources.kmsKeyArn,
            CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
            CaptureContentTypeHeader: { CsvContentTypes: CAPTURED_CSV_TYPES, JsonContentTypes: CAPTURED_JSON_TYPES },
          },
          ...(supportsVolumeKmsKey(compute.instanceType) ? { KmsKeyId: resources.kmsKeyArn } : {}),
          Tags: tags(settings, pkg.modelVersion),
        }
      : {
          // Serverless endpoints capture no data and take no storage key.
          ProductionVariants: [
            {
              VariantName: VARIANT_NAME,
              ModelName: model.ModelName,
              InitialVariantWeight: 1,
              ServerlessConfig: { MemorySizeInMB: compute.memorySizeMb, MaxConcurrency: compute.maxConcurrency },
            },
          ],
          Tags: tags(settings, pkg.modelVersion),
        };
  const endpointConfig: CreateEndpointConfigRequest = {
    EndpointConfigName: versionedResourceName(settings.pipeline, pkg.modelVersion, configBody),
    ...configBody,
  };
  return { model, endpointConfig };
}

/** The blue/green `DeploymentConfig` of the pipeline's strategy, rolled back by `alarmNames`. */
export function endpointDeploymentConfig(
  strategy: DeploymentSettings['strategy'],
  alarmNames: readonly string[],
): EndpointDeploymentConfig {
  const routing: EndpointDeploymentConfig['BlueGreenUpdatePolicy']['TrafficRoutingConfiguration'] =
    strategy.type === 'canary'
      ? {
          Type: 'CANARY',
          WaitIntervalInSeconds: strategy.waitSeconds,
          CanarySize: { Type: 'CAPACITY_PERCENT', Value: strategy.canaryPercent },
        }
      : strategy.type === 'linear'
        ? {
            Type: 'LINEAR',
            WaitIntervalInSeconds: strategy.waitSeconds,
            LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: strategy.stepPercent },
          }
        : { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: strategy.waitSeconds };
  return {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: routing,
      TerminationWaitInSeconds: strategy.terminationWaitSeconds,
      MaximumExecutionTimeoutInSeconds: strategy.maximumExecutionTimeoutSeconds,
    },
    // SageMaker takes 1 to 10 alarms; with none the member must be absent.
    ...(alarmNames.length > 0
      ? { AutoRollbackConfiguration: { Alarms: alarmNames.slice(0, 10).map((AlarmName) => ({ AlarmName })) } }
      : {}),
  };
}

/** Endpoint tags (CreateEndpoint). */
export function endpointTags(settings: DeploymentSettings): Tag[] {
  return [{ Key: PIPELINE_TAG, Value: settings.pipeline }];
}
