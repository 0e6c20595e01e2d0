/**
 * The `CreateTrainingJob` request as this executor reads it (REFERENCE 3.2). Objects are loose: members this
 * executor does not use are kept, so `DescribeTrainingJob` and the state-change events echo the request as sent.
 */
import * as z from 'zod';

const S3DataSource = z.looseObject({
  S3DataType: z.enum(['S3Prefix', 'ManifestFile', 'AugmentedManifestFile', 'Converse']),
  S3Uri: z.string().min(1).max(1024),
  S3DataDistributionType: z.enum(['FullyReplicated', 'ShardedByS3Key']).optional(),
});

const Channel = z.looseObject({
  ChannelName: z.string(),
  DataSource: z.looseObject({ S3DataSource: S3DataSource.optional() }),
  ContentType: z.string().optional(),
  CompressionType: z.enum(['None', 'Gzip']).optional(),
  RecordWrapperType: z.enum(['None', 'RecordIO']).optional(),
  InputMode: z.enum(['Pipe', 'File', 'FastFile']).optional(),
});

const MetricDefinitionShape = z.looseObject({ Name: z.string().min(1).max(255), Regex: z.string() });

const KeyValue = z.looseObject({ Key: z.string(), Value: z.string() });

/** Schema of the request; see the module comment. */
export const CreateTrainingJobRequestSchema = z.looseObject({
  TrainingJobName: z.string(),
  RoleArn: z.string().min(20).max(2048),
  AlgorithmSpecification: z.looseObject({
    TrainingImage: z.string().max(255).optional(),
    AlgorithmName: z.string().optional(),
    TrainingInputMode: z.enum(['Pipe', 'File', 'FastFile']),
    MetricDefinitions: z.array(MetricDefinitionShape).optional(),
  }),
  HyperParameters: z.record(z.string(), z.string().max(2500)).optional(),
  InputDataConfig: z.array(Channel).min(1).max(20).optional(),
  OutputDataConfig: z.looseObject({
    S3OutputPath: z.string().min(1),
    KmsKeyId: z.string().optional(),
    CompressionType: z.enum(['GZIP', 'NONE']).optional(),
  }),
  ResourceConfig: z.looseObject({
    InstanceType: z.string().optional(),
    InstanceCount: z.number().int().min(0).optional(),
    VolumeSizeInGB: z.number().int().min(0).optional(),
  }),
  StoppingCondition: z.looseObject({
    MaxRuntimeInSeconds: z.number().int().min(1).optional(),
    MaxWaitTimeInSeconds: z.number().int().min(1).optional(),
  }),
  CheckpointConfig: z.looseObject({ S3Uri: z.string().min(1), LocalPath: z.string().optional() }).optional(),
  Environment: z.record(z.string(), z.string()).optional(),
  VpcConfig: z.looseObject({}).optional(),
  EnableNetworkIsolation: z.boolean().optional(),
  EnableInterContainerTrafficEncryption: z.boolean().optional(),
  EnableManagedSpotTraining: z.boolean().optional(),
  Tags: z.array(KeyValue).max(50).optional(),
});

/**
 * A parsed `CreateTrainingJob` request. `AlgorithmSpecification`, `ResourceConfig` and `StoppingCondition` are
 * required here although the newest service model relaxed them for serverless training: classic jobs always send them.
 */
export type CreateTrainingJobRequest = z.output<typeof CreateTrainingJobRequestSchema>;

/** One input channel of the request. */
export type TrainingChannel = z.output<typeof Channel>;
