/**
 * Multiclass classification on live traffic: a confusion matrix over the class labels seen (true or predicted), and
 * running sums of the per-sample log loss. Both merge exactly, so partial results add up to one pass.
 *
 * F1 per class is 2TP / (2TP + FP + FN) over the classes present in the labels or the predictions (as scikit-learn,
 * with `zero_division=0`); `macro_f1` is their mean, `weighted_f1` their mean weighted by each class's true count.
 * Log loss uses the probability the response gave the true class (rows normalized to sum 1, clipped to
 * [1e-15, 1 - 1e-15]), over the matched rows that carry probabilities.
 */
import { type MetricEstimate, normalInterval, proportion, unavailable } from './confidence-intervals';

/** The multiclass metrics, by their published names. */
export const MULTICLASS_METRICS = ['accuracy', 'macro_f1', 'weighted_f1', 'log_loss'] as const;
export type MulticlassMetric = (typeof MULTICLASS_METRICS)[number];

/** A confusion matrix: `counts[t][p]` samples of true class `labels[t]` predicted as `labels[p]`. */
export interface ConfusionMatrix {
  readonly labels: readonly string[];
  readonly counts: readonly (readonly number[])[];
}

/** The serializable state of a {@link MulticlassAccumulator}. */
export interface MulticlassState {
  readonly kind: 'multiclass';
  readonly confusion: ConfusionMatrix;
  readonly logLoss: { readonly n: number; readonly sum: number; readonly sumOfSquares: number };
  /** Matched rows whose response had no probability for their true class. */
  readonly withoutProbability: number;
}

const EPS = 1e-15;

/** Sorts labels numerically when they are numbers, else as text. */
function compareLabels(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Confusion counts and log-loss sums of a multiclass problem. */
export class MulticlassAccumulator {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private capacity = 4;
  private counts = new Float64Array(16);
  private lossN = 0;
  private lossSum = 0;
  private lossSq = 0;
  private withoutProbability = 0;

  /** Matched rows. */
  public count = 0;

  /** The id of a class label (assigned on first sight). */
  classId(label: string): number {
    let id = this.ids.get(label);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(label, id);
      this.names.push(label);
      if (id >= this.capacity) this.grow();
    }
    return id;
  }

  private grow(): void {
    const old = this.counts;
    const oldCapacity = this.capacity;
    this.capacity *= 2;
    this.counts = new Float64Array(this.capacity * this.capacity);
    for (let t = 0; t < oldCapacity; t++) {
      this.counts.set(old.subarray(t * oldCapacity, (t + 1) * oldCapacity), t * this.capacity);
    }
  }

  /**
   * A matched row: its true and predicted class ids, and the probability its response gave the true class (NaN when
   * the response had none for it).
   */
  add(trueId: number, predictedId: number, trueProbability: number, times = 1): void {
    this.counts[trueId * this.capacity + predictedId]! += times;
    this.count += times;
    if (Number.isNaN(trueProbability)) this.withoutProbability += times;
    else {
      const loss = -Math.log(Math.min(1 - EPS, Math.max(EPS, trueProbability)));
      this.lossN += times;
      this.lossSum += loss * times;
      this.lossSq += loss * loss * times;
    }
  }

  merge(other: MulticlassAccumulator): void {
    const map = other.names.map((name) => this.classId(name));
    for (let t = 0; t < other.names.length; t++) {
      for (let p = 0; p < other.names.length; p++) {
        const c = other.counts[t * other.capacity + p]!;
        if (c > 0) this.counts[map[t]! * this.capacity + map[p]!]! += c;
      }
    }
    this.count += other.count;
    this.lossN += other.lossN;
    this.lossSum += other.lossSum;
    this.lossSq += other.lossSq;
    this.withoutProbability += other.withoutProbability;
  }

  /** The confusion matrix, classes in label order. */
  confusion(): ConfusionMatrix {
    const order = this.names.map((_, i) => i).sort((a, b) => compareLabels(this.names[a]!, this.names[b]!));
    return {
      labels: order.map((i) => this.names[i]!),
      counts: order.map((t) => order.map((p) => this.counts[t * this.capacity + p]!)),
    };
  }

  toState(): MulticlassState {
    return {
      kind: 'multiclass',
      confusion: this.confusion(),
      logLoss: { n: this.lossN, sum: this.lossSum, sumOfSquares: this.lossSq },
      withoutProbability: this.withoutProbability,
    };
  }

  static fromState(state: MulticlassState): MulticlassAccumulator {
    const acc = new MulticlassAccumulator();
    const ids = state.confusion.labels.map((label) => acc.classId(label));
    state.confusion.counts.forEach((row, t) =>
      row.forEach((c, p) => {
        if (c > 0) {
          acc.counts[ids[t]! * acc.capacity + ids[p]!]! += c;
          acc.count += c;
        }
      }),
    );
    acc.lossN = state.logLoss.n;
    acc.lossSum = state.logLoss.sum;
    acc.lossSq = state.logLoss.sumOfSquares;
    acc.withoutProbability = state.withoutProbability;
    return acc;
  }

  estimate(): { metrics: Record<MulticlassMetric, MetricEstimate>; confusion: ConfusionMatrix } {
    const confusion = this.confusion();
    const f1 = f1Scores(confusion);
    let logLoss: MetricEstimate;
    if (this.lossN === 0) {
      logLoss = unavailable(
        0,
        'normal',
        this.count === 0 ? 'no matched samples' : 'the responses carry no class probabilities for the true classes',
      );
    } else {
      const mean = this.lossSum / this.lossN;
      const sd =
        this.lossN > 1 ? Math.sqrt(Math.max(0, (this.lossSq - this.lossN * mean * mean) / (this.lossN - 1))) : NaN;
      logLoss = {
        value: mean,
        n: this.lossN,
        interval: normalInterval(mean, sd / Math.sqrt(this.lossN), 0),
        method: 'normal',
      };
    }
    let correct = 0;
    confusion.counts.forEach((row, i) => (correct += row[i]!));
    return {
      metrics: {
        accuracy: proportion(correct, this.count, 'no matched samples'),
        macro_f1: f1.macro,
        weighted_f1: f1.weighted,
        log_loss: logLoss,
      },
      confusion,
    };
  }
}

/**
 * Macro and weighted F1 with delta-method intervals over the K x K multinomial cells (Takahashi et al. 2022). With
 * shares p_ij, row sums R_k, column sums C_k, D_k = R_k + C_k and F_k = 2 p_kk / D_k:
 * dF_k/dp_ij = (2 [i=j=k] D_k - 2 p_kk ([i=k] + [j=k])) / D_k^2, and Var = (sum g^2 p - (sum g p)^2) / n.
 */
export function f1Scores(confusion: ConfusionMatrix): { macro: MetricEstimate; weighted: MetricEstimate } {
  const K = confusion.labels.length;
  let n = 0;
  for (const row of confusion.counts) for (const c of row) n += c;
  if (n === 0) {
    return {
      macro: unavailable(0, 'delta', 'no matched samples'),
      weighted: unavailable(0, 'delta', 'no matched samples'),
    };
  }
  const p = (i: number, j: number) => confusion.counts[i]![j]! / n;
  const R = new Float64Array(K);
  const C = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      R[i]! += p(i, j);
      C[j]! += p(i, j);
    }
  }
  const present: number[] = [];
  const F = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const D = R[k]! + C[k]!;
    if (D > 0) {
      present.push(k);
      F[k] = (2 * p(k, k)) / D;
    }
  }
  const m = present.length;
  let macro = 0;
  let weighted = 0;
  for (const k of present) {
    macro += F[k]! / m;
    weighted += R[k]! * F[k]!;
  }
  // Partial derivatives of F_k, nonzero only for k = i or k = j.
  const dF = (k: number, i: number, j: number) => {
    const D = R[k]! + C[k]!;
    if (D === 0) return 0;
    const diag = i === k && j === k ? 2 * D : 0;
    return (diag - 2 * p(k, k) * ((i === k ? 1 : 0) + (j === k ? 1 : 0))) / (D * D);
  };
  let macroG2 = 0;
  let macroG = 0;
  let weightedG2 = 0;
  let weightedG = 0;
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      const share = p(i, j);
      if (share === 0) continue;
      const dI = dF(i, i, j);
      const dJ = i === j ? 0 : dF(j, i, j);
      const gMacro = (dI + dJ) / m;
      const gWeighted = F[i]! + R[i]! * dI + (i === j ? 0 : R[j]! * dJ);
      macroG2 += gMacro * gMacro * share;
      macroG += gMacro * share;
      weightedG2 += gWeighted * gWeighted * share;
      weightedG += gWeighted * share;
    }
  }
  const se = (g2: number, g: number) => Math.sqrt(Math.max(0, g2 - g * g) / n);
  return {
    macro: { value: macro, n, interval: normalInterval(macro, se(macroG2, macroG), 0, 1), method: 'delta' },
    weighted: {
      value: weighted,
      n,
      interval: normalInterval(weighted, se(weightedG2, weightedG), 0, 1),
      method: 'delta',
    },
  };
}
