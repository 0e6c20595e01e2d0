/**
 * The churn trainer's hyperparameters, read from `hyperparameters.json` (all values strings, REFERENCE 4.1). The
 * pipeline configures the built-in XGBoost's names, so those map onto the logistic regression where they mean the
 * same thing (`num_round` -> epochs, `eta` -> learning rate, `lambda` -> L2); the others (`max_depth`, ...) have no
 * meaning here and are listed as ignored, so the log says why a setting changed nothing.
 */
import * as z from 'zod';

/** How a model artifact is deliberately broken, for the demo's broken-model scenario. */
export type ModelCorruption =
  /** Weights are NaN (JSON `null`): the server starts, `/ping` is healthy, every `/invocations` answers 500. */
  | 'nan-weights'
  /** `model.json` is cut in half: the server cannot load it and exits, so `/ping` never answers. */
  | 'truncated';

export interface TrainingSettings {
  readonly epochs: number;
  readonly learningRate: number;
  readonly l2: number;
  /** Share of rows held out for validation when there is no validation channel. */
  readonly validationShare: number;
  readonly threshold: number;
  /** Fail the job at once with this reason (tests of the failure path). */
  readonly failWith?: string;
  readonly corruptModel?: ModelCorruption;
  /** `name=value` of the hyperparameters that do nothing here. */
  readonly ignored: readonly string[];
}

/** A hyperparameter has a value the trainer cannot use; `message` starts with `ClientError:`. */
export class HyperparameterError extends Error {
  public override readonly name = 'HyperparameterError';
  constructor(reason: string) {
    super(`ClientError: ${reason}`);
  }
}

/** The file's shape: strings as the API sends them; numbers and booleans tolerated for hand-written files. */
export const HyperparametersFileSchema = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean()]).transform(String),
);

export const DEFAULT_SETTINGS: Pick<
  TrainingSettings,
  'epochs' | 'learningRate' | 'l2' | 'validationShare' | 'threshold'
> = {
  epochs: 100,
  learningRate: 0.1,
  /** XGBoost's default `lambda`. */
  l2: 1,
  validationShare: 0.2,
  threshold: 0.5,
};

/** Names read here, with the alias each maps to. */
const ALIASES: Readonly<Record<string, string>> = {
  num_round: 'epochs',
  epochs: 'epochs',
  eta: 'learning_rate',
  learning_rate: 'learning_rate',
  lambda: 'l2',
  reg_lambda: 'l2',
  l2: 'l2',
  validation_split: 'validation_split',
  threshold: 'threshold',
  objective: 'objective',
  fail_with: 'fail_with',
  corrupt_model: 'corrupt_model',
};

function number(name: string, raw: string, check: (n: number) => boolean, expected: string): number {
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value) || !check(value)) {
    throw new HyperparameterError(`hyperparameter ${name}: expected ${expected}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function corruption(raw: string): ModelCorruption | undefined {
  const value = raw.trim().toLowerCase();
  if (value === 'false' || value === '0' || value === '') return undefined;
  if (value === 'true' || value === '1' || value === 'nan-weights') return 'nan-weights';
  if (value === 'truncated') return 'truncated';
  throw new HyperparameterError(
    `hyperparameter corrupt_model: expected true, nan-weights, truncated or false, got ${JSON.stringify(raw)}`,
  );
}

/** Reads the settings; throws a {@link HyperparameterError} for a value that cannot be used. */
export function readSettings(hyperparameters: Readonly<Record<string, string>>): TrainingSettings {
  let { epochs, learningRate, l2, validationShare, threshold } = DEFAULT_SETTINGS;
  let failWith: string | undefined;
  let corruptModel: ModelCorruption | undefined;
  const ignored: string[] = [];
  for (const [name, raw] of Object.entries(hyperparameters).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (name.startsWith('sagemaker_')) continue; // the SDK's own keys (sagemaker_program, ...)
    switch (ALIASES[name]) {
      case 'epochs':
        epochs = number(name, raw, (n) => Number.isInteger(n) && n >= 1 && n <= 100_000, 'a whole number 1 to 100000');
        break;
      case 'learning_rate':
        learningRate = number(name, raw, (n) => n > 0 && n <= 10, 'a number above 0, at most 10');
        break;
      case 'l2':
        l2 = number(name, raw, (n) => n >= 0, 'a number >= 0');
        break;
      case 'validation_split':
        validationShare = number(name, raw, (n) => n > 0 && n < 1, 'a share between 0 and 1');
        break;
      case 'threshold':
        threshold = number(name, raw, (n) => n > 0 && n < 1, 'a probability between 0 and 1');
        break;
      case 'objective':
        if (raw.trim() !== 'binary:logistic') {
          throw new HyperparameterError(
            `hyperparameter objective: this trainer fits binary:logistic only, got ${JSON.stringify(raw)}`,
          );
        }
        break;
      case 'fail_with':
        failWith = raw;
        break;
      case 'corrupt_model':
        corruptModel = corruption(raw);
        break;
      default:
        ignored.push(`${name}=${raw}`);
    }
  }
  return {
    epochs,
    learningRate,
    l2,
    validationShare,
    threshold,
    ignored,
    ...(failWith === undefined ? {} : { failWith }),
    ...(corruptModel === undefined ? {} : { corruptModel }),
  };
}
