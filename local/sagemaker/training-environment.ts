/**
 * What a training container finds when it starts (REFERENCE 4.1): the `/opt/ml` tree, its config files, and the
 * environment variables the sagemaker-training toolkit derives from them. Locally `/opt/ml` is a folder under a
 * temporary directory, announced to the command as `MLOPS_SM_ROOT`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { channelFolder } from './input-channels';
import type { CreateTrainingJobRequest } from './training-job-request';

/** Paths of one job's `/opt/ml` stand-in. */
export interface TrainingJobLayout {
  /** Stands in for `/opt/ml`. */
  readonly mlRoot: string;
  readonly inputDir: string;
  readonly inputConfigDir: string;
  readonly modelDir: string;
  readonly outputDir: string;
  readonly outputDataDir: string;
  readonly outputIntermediateDir: string;
  /** `/opt/ml/output/failure`: its first 1024 characters become `FailureReason`. */
  readonly failureFile: string;
  /** Present when the request has a `CheckpointConfig`. */
  readonly checkpointDir?: string;
}

/** The single host every local job runs on; multi-instance jobs still run one process (see `resourceConfig`). */
const CURRENT_HOST = 'algo-1';
const INSTANCE_GROUP = 'homogeneousCluster';

/** The layout of a job rooted at `mlRoot`. */
export function trainingJobLayout(mlRoot: string, request: CreateTrainingJobRequest): TrainingJobLayout {
  const outputDir = join(mlRoot, 'output');
  return {
    mlRoot,
    inputDir: join(mlRoot, 'input'),
    inputConfigDir: join(mlRoot, 'input', 'config'),
    modelDir: join(mlRoot, 'model'),
    outputDir,
    outputDataDir: join(outputDir, 'data'),
    outputIntermediateDir: join(outputDir, 'intermediate'),
    failureFile: join(outputDir, 'failure'),
    ...(request.CheckpointConfig === undefined ? {} : { checkpointDir: checkpointFolder(mlRoot, request) }),
  };
}

/** `CheckpointConfig.LocalPath` (default `/opt/ml/checkpoints/`) moved under the local root. */
function checkpointFolder(mlRoot: string, request: CreateTrainingJobRequest): string {
  const localPath = (request.CheckpointConfig?.LocalPath ?? '/opt/ml/checkpoints').replace(/\/+$/, '');
  const underOptMl = localPath.replace(/^\/opt\/ml\/?/, '');
  // A LocalPath outside /opt/ml cannot be honoured on a shared machine; it lands in the default place.
  return underOptMl === localPath || underOptMl === '' ? join(mlRoot, 'checkpoints') : join(mlRoot, underOptMl);
}

/** `inputdataconfig.json`: per channel, the settings the platform reports (FastFile is reported as `File`). */
export function inputDataConfig(request: CreateTrainingJobRequest): Record<string, Record<string, string>> {
  const config: Record<string, Record<string, string>> = {};
  for (const channel of request.InputDataConfig ?? []) {
    const mode = channel.InputMode ?? request.AlgorithmSpecification.TrainingInputMode;
    config[channel.ChannelName] = {
      ...(channel.ContentType === undefined ? {} : { ContentType: channel.ContentType }),
      TrainingInputMode: mode === 'FastFile' ? 'File' : mode,
      S3DistributionType: channel.DataSource.S3DataSource?.S3DataDistributionType ?? 'FullyReplicated',
      RecordWrapperType: channel.RecordWrapperType ?? 'None',
    };
  }
  return config;
}

/**
 * `resourceconfig.json`. Hosts are `algo-1..N` as on SageMaker, but locally only `algo-1` runs: distributed
 * training is not emulated.
 */
export function resourceConfig(request: CreateTrainingJobRequest): Record<string, unknown> {
  const count = Math.max(1, request.ResourceConfig.InstanceCount ?? 1);
  const hosts = Array.from({ length: count }, (_, i) => `algo-${i + 1}`);
  const instanceType = request.ResourceConfig.InstanceType ?? 'local';
  return {
    current_host: CURRENT_HOST,
    current_instance_type: instanceType,
    current_group_name: INSTANCE_GROUP,
    hosts,
    instance_groups: [{ instance_group_name: INSTANCE_GROUP, instance_type: instanceType, hosts }],
    network_interface_name: 'eth0',
  };
}

/** Creates the folders and writes the three config files. */
export async function prepareJobTree(layout: TrainingJobLayout, request: CreateTrainingJobRequest): Promise<void> {
  const folders = [
    layout.inputConfigDir,
    layout.modelDir,
    layout.outputDataDir,
    layout.outputIntermediateDir,
    ...(request.InputDataConfig ?? []).map((channel) => channelFolder(layout.mlRoot, channel.ChannelName)),
    ...(layout.checkpointDir === undefined ? [] : [layout.checkpointDir]),
  ];
  for (const folder of folders) await mkdir(folder, { recursive: true });
  await writeFile(join(layout.inputConfigDir, 'hyperparameters.json'), JSON.stringify(request.HyperParameters ?? {}));
  await writeFile(join(layout.inputConfigDir, 'inputdataconfig.json'), JSON.stringify(inputDataConfig(request)));
  await writeFile(join(layout.inputConfigDir, 'resourceconfig.json'), JSON.stringify(resourceConfig(request)));
}

/** What the job knows about itself beyond the request. */
export interface TrainingJobIdentity {
  readonly jobArn: string;
  readonly numCpus: number;
}

/**
 * The container's environment: the platform's own variables (`TRAINING_JOB_NAME`, `TRAINING_JOB_ARN`, the request's
 * `Environment`), the toolkit's `SM_*` variables, and `MLOPS_SM_ROOT`. Toolkit rules (`sagemaker_training/mapping.py`):
 * the key is upper-cased and prefixed `SM_`; strings stay as they are, everything else is compact JSON with sorted
 * keys; `SM_HPS` decodes each hyperparameter as JSON where it can and leaves out `sagemaker_*` keys.
 */
export function trainingEnvironment(
  layout: TrainingJobLayout,
  request: CreateTrainingJobRequest,
  identity: TrainingJobIdentity,
): Record<string, string> {
  const channels = (request.InputDataConfig ?? []).map((channel) => channel.ChannelName).sort();
  const hyperparameters = decodedHyperparameters(request.HyperParameters ?? {});
  const resources = resourceConfig(request);
  const channelDirs = Object.fromEntries(channels.map((name) => [name, channelFolder(layout.mlRoot, name)]));
  const toolkit: Record<string, unknown> = {
    model_dir: layout.modelDir,
    channels,
    hps: hyperparameters,
    input_dir: layout.inputDir,
    input_config_dir: layout.inputConfigDir,
    input_data_config: inputDataConfig(request),
    output_dir: layout.outputDir,
    output_data_dir: layout.outputDataDir,
    output_intermediate_dir: layout.outputIntermediateDir,
    resource_config: resources,
    hosts: resources.hosts,
    current_host: resources.current_host,
    current_instance_type: resources.current_instance_type,
    current_instance_group: resources.current_group_name,
    network_interface_name: resources.network_interface_name,
    num_cpus: identity.numCpus,
    num_gpus: 0,
    num_neurons: 0,
    is_hetero: false,
    log_level: 20,
    module_dir: '',
    user_entry_point: '',
  };
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(toolkit)) env[`SM_${key.toUpperCase()}`] = toEnvValue(value);
  for (const [name, dir] of Object.entries(channelDirs)) env[`SM_CHANNEL_${name.toUpperCase()}`] = dir;
  for (const [name, value] of Object.entries(hyperparameters)) env[`SM_HP_${name.toUpperCase()}`] = toEnvValue(value);
  env.SM_TRAINING_ENV = toEnvValue({
    ...toolkit,
    channel_input_dirs: channelDirs,
    hyperparameters,
    job_name: request.TrainingJobName,
  });
  return {
    ...(request.Environment ?? {}),
    ...env,
    TRAINING_JOB_NAME: request.TrainingJobName,
    TRAINING_JOB_ARN: identity.jobArn,
    MLOPS_SM_ROOT: layout.mlRoot,
  };
}

/** `SM_HPS`: values decoded as JSON where possible (`"200"` -> 200), `sagemaker_*` keys left out. */
export function decodedHyperparameters(hyperparameters: Readonly<Record<string, string>>): Record<string, unknown> {
  const decoded: Record<string, unknown> = {};
  for (const key of Object.keys(hyperparameters).sort()) {
    const raw = hyperparameters[key];
    if (raw === undefined || key.startsWith('sagemaker_')) continue;
    decoded[key] = decodeJson(raw);
  }
  return decoded;
}

function decodeJson(raw: string): unknown {
  try {
    const value: unknown = JSON.parse(raw);
    return value;
  } catch {
    return raw;
  }
}

function toEnvValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, inner]) => [key, sortKeys(inner)]),
  );
}
