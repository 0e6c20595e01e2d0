/**
 * The churn example's training command, honouring the SageMaker training contract (REFERENCE 4.1) the way a
 * bring-your-own container with the training toolkit does; `pipeline.yaml` `training.local.command` runs it.
 *
 * - Reads `/opt/ml/input/config/hyperparameters.json` (see `training-hyperparameters.ts` for the names) and the
 *   `train` channel, plus the `validation` channel when there is one; without it, a 20 % hold-out chosen by a hash
 *   of customer_id. `/opt/ml` is `MLOPS_SM_ROOT` locally; channel and model folders come from `SM_CHANNEL_*` and
 *   `SM_MODEL_DIR` when set.
 * - Fits a regularised logistic regression and logs one XGBoost-style line per epoch
 *   (`[N]#011train-logloss:...#011validation-auc:...#011validation-logloss:...`) for the metric definitions.
 * - Saves `model.json` to the model folder. `corrupt_model=true` (or `nan-weights`) saves NaN weights, which the
 *   server loads but cannot score with (every `/invocations` answers 500); `corrupt_model=truncated` saves half a
 *   file, which the server cannot load (it exits; `/ping` never answers).
 * - Bad input writes `ClientError: ...` to `/opt/ml/output/failure` and exits 2; `fail_with=<reason>` does so on
 *   purpose. Any other error writes `AlgorithmError: ...` and exits 1.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { MODEL_FILE, type ChurnModel } from './churn-model';
import { holdOut, trainChurnModel, type ChurnTrainingInput } from './churn-training';
import { readChannel, TrainingDataError } from './training-data';
import {
  HyperparameterError,
  HyperparametersFileSchema,
  readSettings,
  type ModelCorruption,
} from './training-hyperparameters';

const root = process.env.MLOPS_SM_ROOT ?? '/opt/ml';
const paths = {
  hyperparameters: join(root, 'input', 'config', 'hyperparameters.json'),
  train: process.env.SM_CHANNEL_TRAIN ?? join(root, 'input', 'data', 'train'),
  validation: process.env.SM_CHANNEL_VALIDATION ?? join(root, 'input', 'data', 'validation'),
  model: process.env.SM_MODEL_DIR ?? join(root, 'model'),
  failure: join(root, 'output', 'failure'),
};

/** Writes the failure reason where SageMaker reads `FailureReason` from, and exits. */
function fail(reason: string, exitCode: number): never {
  mkdirSync(join(root, 'output'), { recursive: true });
  writeFileSync(paths.failure, reason);
  console.error(reason);
  process.exit(exitCode);
}

function readHyperparameters(): Record<string, string> {
  if (!existsSync(paths.hyperparameters)) return {};
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(paths.hyperparameters, 'utf8'));
  } catch (error) {
    throw new HyperparameterError(`hyperparameters.json is not valid JSON: ${String(error)}`);
  }
  const parsed = HyperparametersFileSchema.safeParse(json);
  if (!parsed.success) throw new HyperparameterError('hyperparameters.json must be an object of name -> value');
  return parsed.data;
}

function classesOf(rows: ChurnTrainingInput['train']): string {
  const positives = rows.reduce((n, row) => n + row.churned, 0);
  return `${rows.length} rows, ${positives} churned`;
}

/** The artifact as written: the model, or a deliberately broken version of it. */
function artifactText(model: ChurnModel, corruption: ModelCorruption | undefined): string {
  if (corruption === 'nan-weights') {
    // What a diverged fit leaves behind; JSON.stringify writes NaN as null.
    return JSON.stringify({ ...model, weights: model.weights.map(() => Number.NaN), intercept: Number.NaN });
  }
  const text = JSON.stringify(model);
  return corruption === 'truncated' ? text.slice(0, Math.floor(text.length / 2)) : text;
}

function main(): void {
  const settings = readSettings(readHyperparameters());
  if (settings.failWith !== undefined) fail(settings.failWith, 2);
  for (const entry of settings.ignored)
    console.log(`ignoring hyperparameter ${entry}: no meaning for logistic regression`);

  const train = readChannel(paths.train);
  if (train.rows.length === 0) throw new TrainingDataError(`the train channel (${paths.train}) has no data rows`);
  const input: ChurnTrainingInput = existsSync(paths.validation)
    ? {
        train: train.rows,
        validation: readChannel(paths.validation).rows,
        validationSource: 'channel',
        files: train.files,
      }
    : { ...holdOut(train.rows, settings.validationShare), validationSource: 'holdout', files: train.files };
  console.log(
    `train: ${classesOf(input.train)} from ${train.files.length} file(s); ` +
      `validation (${input.validationSource}): ${classesOf(input.validation)}`,
  );
  for (const [name, rows] of [
    ['train', input.train],
    ['validation', input.validation],
  ] as const) {
    const positives = rows.reduce((n, row) => n + row.churned, 0);
    if (positives === 0 || positives === rows.length) {
      throw new TrainingDataError(
        `the ${name} rows need both classes of churned to train and compute AUC, got ${classesOf(rows)}`,
      );
    }
  }
  console.log(
    `fitting logistic regression: epochs=${settings.epochs} learning_rate=${settings.learningRate} l2=${settings.l2}`,
  );
  const model = trainChurnModel(input, { ...settings, log: (line) => console.log(line) });
  mkdirSync(paths.model, { recursive: true });
  writeFileSync(join(paths.model, MODEL_FILE), artifactText(model, settings.corruptModel));
  const { validationAuc, validationLogLoss, seconds } = model.training;
  console.log(
    `saved ${MODEL_FILE} to ${paths.model}: validation AUC ${validationAuc?.toFixed(4) ?? 'n/a'}, ` +
      `log loss ${validationLogLoss.toFixed(4)}, ${seconds.toFixed(2)} s`,
  );
  if (settings.corruptModel !== undefined) {
    console.log(`corrupt_model=${settings.corruptModel}: the saved artifact is broken on purpose`);
  }
}

try {
  main();
} catch (error) {
  if (error instanceof TrainingDataError || error instanceof HyperparameterError) fail(error.message, 2);
  fail(`AlgorithmError: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, 1);
}
