/**
 * Names of a training run and its SageMaker job. A run id is made once, when the pipeline's training slot is
 * claimed, and stored with the claim; the job name is a pure function of it, so a retried start finds the job it
 * created before (`ResourceInUse`) instead of starting a second one.
 */

/** SageMaker's rule for training job (and most resource) names: at most 63 characters. */
export const SAGEMAKER_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/**
 * A new run id: the UTC start time to the second (`20261123t011530`, sortable, readable in `mlops runs`) and four
 * random hex digits against two runs started in the same second.
 */
export function newRunId(now: Date, random: () => number = Math.random): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, '')
    .toLowerCase();
  const suffix = Math.floor(random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `${stamp}-${suffix}`;
}

/** The prefix of every training job name of a pipeline in a stage; the rule's pattern matches on it. */
export function trainingJobPrefix(pipeline: string, stage: string): string {
  return `${pipeline}-${stage}-`;
}

/** Length of a run id from {@link newRunId}. */
export const RUN_ID_LENGTH = 20;

/**
 * `<pipeline>-<stage>-<runId>`. Pipeline (up to 32) and stage (up to 16) names could together exceed SageMaker's
 * 63 characters; the CDK app refuses such a pair at synth ({@link jobNameProblem}), and this throws as a backstop.
 */
export function trainingJobName(pipeline: string, stage: string, runId: string): string {
  const full = `${trainingJobPrefix(pipeline, stage)}${runId}`;
  if (full.length <= 63) return full;
  throw new RangeError(
    `training job name ${full} is longer than SageMaker's 63 characters; shorten the pipeline or stage name`,
  );
}

/** The run id of one of this pipeline's job names, or undefined for a job that is not one of its runs. */
export function runIdOfJob(jobName: string, pipeline: string, stage: string): string | undefined {
  const prefix = trainingJobPrefix(pipeline, stage);
  if (!jobName.startsWith(prefix)) return undefined;
  const runId = jobName.slice(prefix.length);
  return /^\d{8}t\d{6}-[0-9a-f]{4}$/.test(runId) ? runId : undefined;
}

/** Why a pipeline and stage cannot name training jobs, or undefined when they can. */
export function jobNameProblem(pipeline: string, stage: string): string | undefined {
  const length = trainingJobPrefix(pipeline, stage).length + RUN_ID_LENGTH;
  return length <= 63
    ? undefined
    : `pipeline "${pipeline}" in stage "${stage}" makes training job names of ${length} characters; SageMaker allows 63: shorten the pipeline folder or the stage name by ${length - 63}`;
}
