/**
 * L2-regularised logistic regression fitted by full-batch gradient descent with Adam steps, on a dense row-major
 * matrix. Full batch because the data is small (a pass over 40k rows x 16 columns takes about 5 ms here, so 200
 * epochs take a second) and it makes every run with the same data give the same model; Adam because the one-hot columns and the
 * standardised ones have very different curvature, where plain gradient descent with XGBoost's `eta` would crawl.
 */

/** A dense design matrix: `rows` x `columns`, row-major. */
export interface DesignMatrix {
  readonly values: Float64Array;
  readonly rows: number;
  readonly columns: number;
}

export interface GradientDescentOptions {
  readonly epochs: number;
  readonly learningRate: number;
  /** L2 penalty on the weights (not the intercept), as scikit-learn's 1/C: loss = sum of log losses + l2/2 |w|^2. */
  readonly l2: number;
  /** Called after each epoch with the current parameters and the training log loss before the step. */
  readonly onEpoch?: (epoch: number, parameters: LogisticParameters, trainLogLoss: number) => void;
}

export interface LogisticParameters {
  readonly weights: Float64Array;
  intercept: number;
}

const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-8;

export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** The linear score (log-odds) of row `row` of `matrix`. */
export function logit(parameters: LogisticParameters, matrix: DesignMatrix, row: number): number {
  const { weights } = parameters;
  const values = matrix.values;
  let z = parameters.intercept;
  const offset = row * matrix.columns;
  for (let j = 0; j < matrix.columns; j++) z += weights[j]! * values[offset + j]!;
  return z;
}

/** Probabilities for every row of `matrix`. */
export function predictProbabilities(parameters: LogisticParameters, matrix: DesignMatrix): Float64Array {
  const out = new Float64Array(matrix.rows);
  for (let i = 0; i < matrix.rows; i++) out[i] = sigmoid(logit(parameters, matrix, i));
  return out;
}

/** Fits the parameters; the intercept starts at the log-odds of the base rate, so epoch 0 is already calibrated. */
export function fitLogisticRegression(
  matrix: DesignMatrix,
  labels: Uint8Array,
  options: GradientDescentOptions,
): LogisticParameters {
  const { rows: n, columns: d, values } = matrix;
  if (labels.length !== n) throw new RangeError(`${n} rows but ${labels.length} labels`);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i]!;
  const rate = Math.min(Math.max(positives / n, 1e-6), 1 - 1e-6);
  const parameters: LogisticParameters = { weights: new Float64Array(d), intercept: Math.log(rate / (1 - rate)) };
  const gradient = new Float64Array(d + 1);
  const m = new Float64Array(d + 1);
  const v = new Float64Array(d + 1);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    gradient.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(logit(parameters, matrix, i));
      const y = labels[i]!;
      loss -= y === 1 ? Math.log(Math.max(p, 1e-15)) : Math.log(Math.max(1 - p, 1e-15));
      const error = p - y;
      const offset = i * d;
      for (let j = 0; j < d; j++) gradient[j] = gradient[j]! + error * values[offset + j]!;
      gradient[d] = gradient[d]! + error;
    }
    // Mean loss, so the learning rate means the same for 1k and 1M rows.
    for (let j = 0; j < d; j++) gradient[j] = (gradient[j]! + options.l2 * parameters.weights[j]!) / n;
    gradient[d] = gradient[d]! / n;
    const correction1 = 1 - ADAM_BETA1 ** (epoch + 1);
    const correction2 = 1 - ADAM_BETA2 ** (epoch + 1);
    for (let j = 0; j <= d; j++) {
      const g = gradient[j]!;
      m[j] = ADAM_BETA1 * m[j]! + (1 - ADAM_BETA1) * g;
      v[j] = ADAM_BETA2 * v[j]! + (1 - ADAM_BETA2) * g * g;
      const step = (options.learningRate * (m[j]! / correction1)) / (Math.sqrt(v[j]! / correction2) + ADAM_EPSILON);
      if (j < d) parameters.weights[j] = parameters.weights[j]! - step;
      else parameters.intercept -= step;
    }
    options.onEpoch?.(epoch, parameters, loss / n);
  }
  return parameters;
}
