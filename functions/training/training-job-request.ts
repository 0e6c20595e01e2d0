/**
 * The `CreateTrainingJob` request of a run, built from `training` in pipeline.yaml and the deployment's
 * resources. Pure: the handler sends it.
 */
import type { CreateTrainingJobRequest } from '@aws-sdk/client-sagemaker';
import { isBuiltInAlgorithm, type PipelineConfig } from '../config/pipeline-config';

/** The parts of a pipeline's configuration a training job is built from. */
export type TrainingPipeline = Pick<PipelineConfig, 'name' | 'tags' | 'training'>;
import { builtInImageUri } from './built-in-images';

/** What the deployment provides to every job. */
export interface TrainingEnvironment {
  readonly stage: string;
  readonly region: string;
  readonly roleArn: string;
  readonly artifactsBucket: string;
  /** Where the datasets landed; a `training.validation.prefix` is read from it. */
  readonly landingBucket: string;
  /** KMS key for the training volume and the output. */
  readonly kmsKeyArn: string;
  readonly vpc?: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] };
  readonly networkIsolation: boolean;
}

/** One run's inputs. */
export interface RunInputs {
  readonly runId: string;
  readonly trainingJobName: string;
  readonly trainManifestUri: string;
  readonly validation?:
    { readonly kind: 'manifest'; readonly uri: string } | { readonly kind: 'prefix'; readonly uri: string };
  readonly datasetIds: readonly string[];
}

/** SageMaker tag values: at most 256 characters of letters, digits, spaces and `_.:/=+-@`. */
const MAX_TAG_VALUE = 256;

/** The training image of a pipeline in a Region: the ECR URI as given, or a built-in algorithm's regional URI. */
export function trainingImage(pipeline: TrainingPipeline, region: string): string {
  const { image, imageVersion } = pipeline.training;
  return isBuiltInAlgorithm(image) ? builtInImageUri(image, imageVersion ?? '', region) : image;
}

/** S3 prefix under which SageMaker writes `<job>/output/model.tar.gz`. */
export const modelOutputPath = (bucket: string, pipeline: string): string => `s3://${bucket}/models/${pipeline}/`;

/** Datasets listed in the `mlops:datasets` tag: as many whole ids as fit, then `+N`. */
export function datasetsTag(datasetIds: readonly string[]): string {
  let value = '';
  for (let i = 0; i < datasetIds.length; i++) {
    const next = value === '' ? datasetIds[i]! : `${value} ${datasetIds[i]!}`;
    const rest = datasetIds.length - i - 1;
    if (next.length + (rest > 0 ? ` +${rest}`.length : 0) > MAX_TAG_VALUE)
      return `${value} +${datasetIds.length - i}`.trim();
    value = next;
  }
  return value;
}

/** The request for a run. */
export function buildTrainingJobRequest(
  pipeline: TrainingPipeline,
  env: TrainingEnvironment,
  run: RunInputs,
): CreateTrainingJobRequest {
  const t = pipeline.training;
  const channel = (name: string, type: 'ManifestFile' | 'S3Prefix', uri: string) => ({
    ChannelName: name,
    ContentType: 'text/csv',
    InputMode: 'File' as const,
    DataSource: { S3DataSource: { S3DataType: type, S3Uri: uri, S3DataDistributionType: 'FullyReplicated' as const } },
  });
  const inputs = [channel('train', 'ManifestFile', run.trainManifestUri)];
  if (run.validation !== undefined) {
    inputs.push(
      channel('validation', run.validation.kind === 'manifest' ? 'ManifestFile' : 'S3Prefix', run.validation.uri),
    );
  }
  return {
    TrainingJobName: run.trainingJobName,
    AlgorithmSpecification: {
      TrainingImage: trainingImage(pipeline, env.region),
      TrainingInputMode: 'File',
      ...(t.metricDefinitions.length === 0
        ? {}
        : { MetricDefinitions: t.metricDefinitions.map((m) => ({ Name: m.name, Regex: m.regex })) }),
    },
    RoleArn: env.roleArn,
    HyperParameters: { ...t.hyperparameters },
    InputDataConfig: inputs,
    OutputDataConfig: { S3OutputPath: modelOutputPath(env.artifactsBucket, pipeline.name), KmsKeyId: env.kmsKeyArn },
    ResourceConfig: {
      InstanceType: t.instanceType as NonNullable<CreateTrainingJobRequest['ResourceConfig']>['InstanceType'],
      InstanceCount: t.instanceCount,
      VolumeSizeInGB: t.volumeSizeGb,
      VolumeKmsKeyId: env.kmsKeyArn,
    },
    StoppingCondition: {
      MaxRuntimeInSeconds: t.maxRuntimeSeconds,
      ...(t.spot.enabled ? { MaxWaitTimeInSeconds: t.spot.maxWaitSeconds } : {}),
    },
    ...(t.spot.enabled
      ? {
          EnableManagedSpotTraining: true,
          CheckpointConfig: { S3Uri: `s3://${env.artifactsBucket}/checkpoints/${pipeline.name}/${run.runId}/` },
        }
      : {}),
    ...(env.vpc === undefined
      ? {}
      : { VpcConfig: { Subnets: [...env.vpc.subnetIds], SecurityGroupIds: [...env.vpc.securityGroupIds] } }),
    ...(env.networkIsolation ? { EnableNetworkIsolation: true } : {}),
    Tags: [
      { Key: 'mlops:pipeline', Value: pipeline.name },
      { Key: 'mlops:stage', Value: env.stage },
      { Key: 'mlops:run', Value: run.runId },
      { Key: 'mlops:datasets', Value: datasetsTag(run.datasetIds) },
      ...Object.entries(pipeline.tags).map(([Key, Value]) => ({ Key, Value })),
    ],
  };
}
