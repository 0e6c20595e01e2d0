/**
 * Hosting shapes as the endpoint executor reads them: the CreateEndpoint / UpdateEndpoint requests, and what the
 * injected lookups return for DescribeEndpointConfig, DescribeModel and DescribeModelPackage (moto stores those
 * faithfully, MOTO.md 3). Objects are loose so unknown members pass through; only what is used is checked.
 */
import * as z from 'zod';

const Tag = z.looseObject({ Key: z.string(), Value: z.string() });

/** `CreateEndpoint` request. */
export const CreateEndpointRequestSchema = z.looseObject({
  EndpointName: z.string(),
  EndpointConfigName: z.string(),
  Tags: z.array(Tag).max(50).optional(),
});
/** A parsed `CreateEndpoint` request. */
export type CreateEndpointRequest = z.output<typeof CreateEndpointRequestSchema>;

const CapacitySize = z.looseObject({
  Type: z.enum(['INSTANCE_COUNT', 'CAPACITY_PERCENT']),
  Value: z.number().int().min(1),
});
/** `CapacitySize`: a canary or linear step, in instances or percent of the fleet. */
export type CapacitySize = z.output<typeof CapacitySize>;

const TrafficRoutingConfig = z.looseObject({
  Type: z.enum(['ALL_AT_ONCE', 'CANARY', 'LINEAR']),
  WaitIntervalInSeconds: z.number().int().min(0).max(3600),
  CanarySize: CapacitySize.optional(),
  LinearStepSize: CapacitySize.optional(),
});
/** `TrafficRoutingConfig` of a blue/green policy. */
export type TrafficRoutingConfig = z.output<typeof TrafficRoutingConfig>;

/** `DeploymentConfig` (REFERENCE 3.4). */
export const DeploymentConfigSchema = z.looseObject({
  BlueGreenUpdatePolicy: z
    .looseObject({
      TrafficRoutingConfiguration: TrafficRoutingConfig,
      TerminationWaitInSeconds: z.number().int().min(0).max(3600).optional(),
      MaximumExecutionTimeoutInSeconds: z.number().int().min(600).max(28800).optional(),
    })
    .optional(),
  RollingUpdatePolicy: z.looseObject({}).optional(),
  AutoRollbackConfiguration: z
    .looseObject({
      Alarms: z
        .array(z.looseObject({ AlarmName: z.string().min(1) }))
        .min(1)
        .max(10)
        .optional(),
    })
    .optional(),
});
/** A parsed `DeploymentConfig`. */
export type DeploymentConfig = z.output<typeof DeploymentConfigSchema>;

/** `UpdateEndpoint` request. */
export const UpdateEndpointRequestSchema = z.looseObject({
  EndpointName: z.string(),
  EndpointConfigName: z.string(),
  DeploymentConfig: DeploymentConfigSchema.optional(),
  RetainDeploymentConfig: z.boolean().optional(),
  RetainAllVariantProperties: z.boolean().optional(),
});
/** A parsed `UpdateEndpoint` request. */
export type UpdateEndpointRequest = z.output<typeof UpdateEndpointRequestSchema>;

const ProductionVariant = z.looseObject({
  VariantName: z.string(),
  ModelName: z.string(),
  InitialInstanceCount: z.number().int().min(1).optional(),
  InitialVariantWeight: z.number().min(0).optional(),
  InstanceType: z.string().optional(),
  ContainerStartupHealthCheckTimeoutInSeconds: z.number().int().optional(),
});
/** One `ProductionVariant` of an endpoint config. */
export type ProductionVariant = z.output<typeof ProductionVariant>;

/** `DataCaptureConfig` of an endpoint config (REFERENCE 3.5). */
const DataCaptureConfig = z.looseObject({
  EnableCapture: z.boolean().optional(),
  InitialSamplingPercentage: z.number().int().min(0).max(100),
  DestinationS3Uri: z.string().min(1).max(512),
  KmsKeyId: z.string().optional(),
  CaptureOptions: z
    .array(z.looseObject({ CaptureMode: z.enum(['Input', 'Output', 'InputAndOutput']) }))
    .min(1)
    .max(32),
  CaptureContentTypeHeader: z
    .looseObject({
      CsvContentTypes: z.array(z.string()).optional(),
      JsonContentTypes: z.array(z.string()).optional(),
    })
    .optional(),
});
/** A parsed `DataCaptureConfig`. */
export type DataCaptureConfig = z.output<typeof DataCaptureConfig>;

/**
 * `DescribeEndpointConfig` response, as far as hosting needs it. moto 5.2.5 answers `"DataCaptureConfig": {}` for a
 * config created without one (probed); an empty object therefore means "no capture".
 */
export const EndpointConfigSchema = z.looseObject({
  EndpointConfigName: z.string(),
  ProductionVariants: z.array(ProductionVariant).min(1),
  DataCaptureConfig: z.preprocess((value) => (isEmptyObject(value) ? undefined : value), DataCaptureConfig.optional()),
});
/** A parsed `DescribeEndpointConfig` response. */
export type EndpointConfig = z.output<typeof EndpointConfigSchema>;

const ContainerDefinition = z.looseObject({
  Image: z.string().optional(),
  ModelDataUrl: z.string().optional(),
  Environment: z.record(z.string(), z.string()).optional(),
  ModelPackageName: z.string().optional(),
});
/** One container of a model. */
export type ContainerDefinition = z.output<typeof ContainerDefinition>;

/** `DescribeModel` response, as far as hosting needs it. */
export const ModelSchema = z.looseObject({
  ModelName: z.string(),
  PrimaryContainer: ContainerDefinition.optional(),
  Containers: z.array(ContainerDefinition).optional(),
  ExecutionRoleArn: z.string().optional(),
});
/** A parsed `DescribeModel` response. */
export type Model = z.output<typeof ModelSchema>;

/** `DescribeModelPackage` response, as far as hosting needs it (a model created from a registry package). */
export const ModelPackageSchema = z.looseObject({
  ModelPackageArn: z.string().optional(),
  InferenceSpecification: z.looseObject({
    Containers: z
      .array(
        z.looseObject({
          Image: z.string(),
          ModelDataUrl: z.string().optional(),
          Environment: z.record(z.string(), z.string()).optional(),
        }),
      )
      .min(1),
  }),
});
/** A parsed `DescribeModelPackage` response. */
export type ModelPackage = z.output<typeof ModelPackageSchema>;

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}
