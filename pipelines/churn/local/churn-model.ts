/**
 * The churn model artifact (`model.json` in `/opt/ml/model`, packed into `model.tar.gz` by the platform): the
 * feature encoding, the weights in feature order, and what training saw. It is parsed with a schema, never cast, so a
 * damaged artifact fails at load with a reason instead of answering nonsense.
 */
import * as z from 'zod';

import { createEncoder, encodedFeatureNames, FeatureEncodingSchema, type FeatureEncoding } from './feature-encoding';
import type { FeatureValues } from './feature-order';
import { sigmoid } from './logistic-regression';

export const MODEL_FORMAT = 'mlops-churn-logistic-regression/1';
export const MODEL_FILE = 'model.json';

/** JSON has no NaN: `JSON.stringify` writes a diverged weight as `null`, read back here as NaN. */
const weight = z
  .number()
  .nullable()
  .transform((value) => value ?? Number.NaN);

export const TrainingSummarySchema = z.object({
  rows: z.number().int().nonnegative(),
  positives: z.number().int().nonnegative(),
  validationRows: z.number().int().nonnegative(),
  /** `channel`: the validation channel; `holdout`: a share of the train rows, chosen by a hash of customer_id. */
  validationSource: z.enum(['channel', 'holdout']),
  files: z.array(z.string()),
  epochs: z.number().int().positive(),
  learningRate: z.number().positive(),
  l2: z.number().nonnegative(),
  trainLogLoss: z.number(),
  validationAuc: z.number().nullable(),
  validationLogLoss: z.number(),
  seconds: z.number().nonnegative(),
});

export const ChurnModelSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  encoding: FeatureEncodingSchema,
  /** Names of the encoded vector's entries; `weights[i]` belongs to `featureOrder[i]`. */
  featureOrder: z.array(z.string()),
  weights: z.array(weight),
  intercept: weight,
  /** Probability at or above which `predicted_label` is 1. */
  threshold: z.number().min(0).max(1),
  training: TrainingSummarySchema,
});

export type ChurnModel = z.input<typeof ChurnModelSchema>;
export type TrainingSummary = z.infer<typeof TrainingSummarySchema>;

/** The artifact could not be used. */
export class ModelFormatError extends Error {
  public override readonly name = 'ModelFormatError';
}

/** A loaded model: scores rows of feature values. */
export interface ChurnPredictor {
  readonly threshold: number;
  readonly featureOrder: readonly string[];
  /** Churn probability of one row; NaN when the weights are not finite (a diverged model). */
  score(row: FeatureValues): number;
}

/** Parses and checks `model.json` text; throws a {@link ModelFormatError} that says what is wrong. */
export function loadChurnModel(text: string): ChurnPredictor {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFormatError(`${MODEL_FILE} is not valid JSON (${error instanceof Error ? error.message : ''})`, {
      cause: error,
    });
  }
  const parsed = ChurnModelSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ModelFormatError(`${MODEL_FILE} is not a ${MODEL_FORMAT} model: ${issues.join('; ')}`);
  }
  return createPredictor(parsed.data.encoding, parsed.data.featureOrder, parsed.data);
}

/** A predictor over an encoding and its weights; checks that the weights match the encoding. */
export function createPredictor(
  encoding: FeatureEncoding,
  featureOrder: readonly string[],
  parameters: { readonly weights: ArrayLike<number>; readonly intercept: number; readonly threshold: number },
): ChurnPredictor {
  const expected = encodedFeatureNames(encoding);
  if (expected.length !== featureOrder.length || expected.some((name, i) => name !== featureOrder[i])) {
    throw new ModelFormatError(
      `featureOrder does not match the encoding: expected [${expected.join(', ')}], got [${featureOrder.join(', ')}]`,
    );
  }
  if (parameters.weights.length !== expected.length) {
    throw new ModelFormatError(
      `expected ${expected.length} weights (one per feature), got ${parameters.weights.length}`,
    );
  }
  const encoder = createEncoder(encoding);
  const weights = Float64Array.from(parameters.weights);
  const row = new Float64Array(encoder.width);
  return {
    threshold: parameters.threshold,
    featureOrder,
    score(values) {
      encoder.encodeInto(values, row, 0);
      let z = parameters.intercept;
      for (let j = 0; j < weights.length; j++) z += weights[j]! * row[j]!;
      return sigmoid(z);
    },
  };
}
