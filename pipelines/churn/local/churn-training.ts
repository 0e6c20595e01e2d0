/**
 * Training the churn model from labelled rows: fit the encoding on the training rows, fit the weights by gradient
 * descent, and log one line per epoch in the XGBoost format the pipeline's metric definitions parse
 * (`[3]#011train-logloss:0.51#011validation-auc:0.80#011validation-logloss:0.48`; `#011` is the tab as CloudWatch
 * shows it). Pure apart from the `log` callback, so tests train in process and the command only adds file I/O.
 */
import { logLoss, rocAuc } from './binary-metrics';
import { MODEL_FORMAT, type ChurnModel, type TrainingSummary } from './churn-model';
import { createEncoder, encodedFeatureNames, fitEncoding } from './feature-encoding';
import type { FeatureValues } from './feature-order';
import { fitLogisticRegression, predictProbabilities, type DesignMatrix } from './logistic-regression';
import { fnv1a } from './stable-hash';

/** One training example: the features, the label, and the id that decides its side of a hold-out split. */
export interface LabelledRow extends FeatureValues {
  readonly customer_id: string;
  readonly churned: 0 | 1;
}

export interface ChurnTrainingOptions {
  readonly epochs: number;
  readonly learningRate: number;
  readonly l2: number;
  /** Probability at or above which a prediction is labelled 1. @default 0.5 */
  readonly threshold?: number;
  /** Receives each log line (the command prints them; SageMaker parses metrics from them). */
  readonly log: (line: string) => void;
}

export interface ChurnTrainingInput {
  readonly train: readonly LabelledRow[];
  readonly validation: readonly LabelledRow[];
  readonly validationSource: TrainingSummary['validationSource'];
  readonly files: readonly string[];
}

/**
 * Splits rows into train and validation by a hash of `customer_id`: the same customer is on the same side in every
 * run and in every file order, so a retrained model is validated on comparable rows.
 */
export function holdOut(
  rows: readonly LabelledRow[],
  share: number,
): { train: LabelledRow[]; validation: LabelledRow[] } {
  const cut = Math.round(share * 10_000);
  const train: LabelledRow[] = [];
  const validation: LabelledRow[] = [];
  for (const row of rows) (fnv1a(row.customer_id) % 10_000 < cut ? validation : train).push(row);
  return { train, validation };
}

/** One epoch's line in the XGBoost format. */
export function evalLine(
  epoch: number,
  trainLogLoss: number,
  validationAuc: number,
  validationLogLoss: number,
): string {
  const auc = Number.isNaN(validationAuc) ? 'nan' : validationAuc.toFixed(5);
  return (
    `[${epoch}]#011train-logloss:${trainLogLoss.toFixed(5)}` +
    `#011validation-auc:${auc}#011validation-logloss:${validationLogLoss.toFixed(5)}`
  );
}

function designMatrix(rows: readonly LabelledRow[], encode: ReturnType<typeof createEncoder>): DesignMatrix {
  const values = new Float64Array(rows.length * encode.width);
  rows.forEach((row, i) => encode.encodeInto(row, values, i * encode.width));
  return { values, rows: rows.length, columns: encode.width };
}

const labelsOf = (rows: readonly LabelledRow[]): Uint8Array => Uint8Array.from(rows, (row) => row.churned);

/** Trains a model; the result is the `model.json` document. */
export function trainChurnModel(input: ChurnTrainingInput, options: ChurnTrainingOptions): ChurnModel {
  const started = performance.now();
  const encoding = fitEncoding(input.train);
  const encoder = createEncoder(encoding);
  const trainMatrix = designMatrix(input.train, encoder);
  const trainLabels = labelsOf(input.train);
  const validationMatrix = designMatrix(input.validation, encoder);
  const validationLabels = labelsOf(input.validation);
  let last = { trainLogLoss: Number.NaN, auc: Number.NaN, logLoss: Number.NaN };
  const parameters = fitLogisticRegression(trainMatrix, trainLabels, {
    epochs: options.epochs,
    learningRate: options.learningRate,
    l2: options.l2,
    onEpoch(epoch, current, trainLogLoss) {
      const scores = predictProbabilities(current, validationMatrix);
      last = { trainLogLoss, auc: rocAuc(scores, validationLabels), logLoss: logLoss(scores, validationLabels) };
      options.log(evalLine(epoch, last.trainLogLoss, last.auc, last.logLoss));
    },
  });
  const positives = trainLabels.reduce((sum, y) => sum + y, 0);
  return {
    format: MODEL_FORMAT,
    encoding,
    featureOrder: encodedFeatureNames(encoding),
    weights: Array.from(parameters.weights),
    intercept: parameters.intercept,
    threshold: options.threshold ?? 0.5,
    training: {
      rows: input.train.length,
      positives,
      validationRows: input.validation.length,
      validationSource: input.validationSource,
      files: [...input.files],
      epochs: options.epochs,
      learningRate: options.learningRate,
      l2: options.l2,
      trainLogLoss: last.trainLogLoss,
      validationAuc: Number.isNaN(last.auc) ? null : last.auc,
      validationLogLoss: last.logLoss,
      seconds: (performance.now() - started) / 1000,
    },
  };
}
