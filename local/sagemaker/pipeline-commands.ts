import * as path from 'node:path';
import type { PipelineConfig } from '../../functions/config/pipeline-config';
import type { ResolvedContainer } from './endpoint-executor';
import type { LocalCommand } from './local-process';
import type { CreateTrainingJobRequest } from './training-job-request';

/** Tag that names the pipeline of a training job or model (set by the training and deployment functions). */
export const PIPELINE_TAG = 'mlops:pipeline';

/**
 * Which pipeline a SageMaker resource belongs to: its `mlops:pipeline` tag, else the pipeline whose name starts the
 * resource name (`churn-...`; the longest match wins, so `churn-eu` beats `churn`).
 */
export function pipelineOf(
  pipelines: readonly PipelineConfig[],
  resourceName: string,
  tags: readonly { Key: string; Value: string }[] = [],
) {
  const tagged = tags.find((t) => t.Key === PIPELINE_TAG)?.Value;
  if (tagged) return pipelines.find((p) => p.name === tagged);
  return [...pipelines]
    .sort((a, b) => b.name.length - a.name.length)
    .find((p) => resourceName.startsWith(`${p.name}-`));
}

/**
 * The local commands that stand in for each pipeline's training and serving images: `training.local.command`
 * and `deployment.local.command` of its pipeline.yaml, run from the project root.
 */
export function pipelineCommandResolvers(pipelines: readonly PipelineConfig[], projectRoot: string) {
  const command = (argv: readonly string[] | undefined): LocalCommand | undefined =>
    argv && argv.length > 0 ? { command: argv, cwd: path.resolve(projectRoot) } : undefined;
  return {
    training: (request: CreateTrainingJobRequest): LocalCommand | undefined =>
      command(pipelineOf(pipelines, request.TrainingJobName, request.Tags ?? [])?.training.local?.command),
    serving: (container: ResolvedContainer): LocalCommand | undefined =>
      command(pipelineOf(pipelines, container.modelName)?.deployment.local?.command),
  };
}
