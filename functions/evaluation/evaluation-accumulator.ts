/**
 * What an evaluation has accumulated, per endpoint variant: counts, the metric accumulator of the problem type and
 * the drift counts. It merges exactly and serializes to JSON ({@link EvaluationState}), so a large window can be split
 * by capture hour across invocations and the parts merged:
 *
 * - capture-side counts, join counts, metric pairs (concatenated) and drift cells add up;
 * - every part must read the same ground-truth files (labels arrive by collection time, not inference time), so
 *   the label-file counts (lines, distinct ids, duplicates) and unreadable label lines are the same in every part and
 *   kept once; labels without
 *   a capture are worked out after the merge: distinct label ids less those matched (or found unusable) in any part.
 *   A capture id repeated in two parts is not detected as a duplicate (ids are unique per request in practice).
 */
import * as z from 'zod';
import type { DatasetProfile } from '../contracts/contract-report';
import type { ProblemType } from '../config/pipeline-config';
import { BinaryAccumulator, type BinaryState } from './binary-metrics';
import type { MetricEstimate } from './confidence-intervals';
import {
  DriftCounts,
  type DriftCountsState,
  type DriftPlan,
  driftResults,
  type FeatureDrift,
  planDrift,
} from './feature-drift';
import { type ConfusionMatrix, MulticlassAccumulator, type MulticlassState } from './multiclass-metrics';
import { RegressionAccumulator, type RegressionState } from './regression-metrics';

/** How the evaluation reads and judges a window. */
export interface EvaluationOptions {
  readonly problemType: ProblemType;
  /** Binary: a score at or above it is a positive prediction. @default 0.5 */
  readonly threshold?: number;
  /** Multiclass: the class label of each probability column. @default the column index ("0", "1", ...) */
  readonly classLabels?: readonly string[];
  /**
   * The features of positional inputs (CSV, arrays), in order. JSON objects name their features.
   * @default none: positional inputs get no feature drift
   */
  readonly features?: readonly string[];
  /** The training data's profile: drift baseline. @default none: no drift */
  readonly baseline?: DatasetProfile;
  /** The label column in the baseline; the predictions' drift is measured against it. @default none */
  readonly target?: string;
  /**
   * Only inferences whose `inferenceTime` is in `[start, end)` count; records without a readable time are kept.
   * @default every record read
   */
  readonly window?: { readonly start: Date; readonly end: Date };
  /** Examples kept per kind of line problem. @default 5 */
  readonly maxExamples?: number;
}

/** Why a line was not used, and where it is. */
export interface LineProblem {
  readonly kind: 'unparseable-capture' | 'invalid-capture' | 'unparseable-ground-truth' | 'invalid-label';
  readonly file: string;
  /** 1-based line in the file. */
  readonly line: number;
  readonly reason: string;
}

/** Counts from the capture files (they add up across parts). */
export interface CaptureCounts {
  files: number;
  /** Non-blank lines. */
  lines: number;
  /** Captured requests used (after duplicates and unusable ones). */
  records: number;
  /** Predictions of those requests (a request of N rows has N): the evaluation's samples. */
  samples: number;
  /** Lines whose capture id was already seen (the first one counts). */
  duplicates: number;
  /** Lines that are not JSON or not capture records. */
  unparseable: number;
  /** Records whose request or response could not be decoded (or disagree on the number of rows). */
  invalid: number;
  /** Records whose `inferenceTime` is outside the window. */
  outsideWindow: number;
  /** Request rows whose number of values differs from the number of features. */
  widthMismatches: number;
}

/** Counts from the ground-truth files (the same in every part of a window). */
export interface GroundTruthCounts {
  files: number;
  lines: number;
  /** Distinct label ids (records less duplicates and unparseable lines). */
  records: number;
  /** Records whose id was already seen (the first one counts). */
  duplicates: number;
  unparseable: number;
}

/** Counts of the join (they add up across parts). */
export interface JoinCounts {
  /** Captured requests that found their label record. */
  matchedRecords: number;
  /** Samples (rows) of those. */
  matched: number;
  /** Label records matched with a capture whose labels could not be read, or whose count differs from its rows. */
  invalidLabels: number;
}

/** Every count of a window, as reported. */
export interface EvaluationCounts {
  readonly capture: CaptureCounts;
  readonly groundTruth: GroundTruthCounts;
  readonly join: JoinCounts;
  /** Samples with no label (yet). */
  readonly unlabeled: number;
  /** Label records with no capture in the window (late, early or orphan labels). */
  readonly labelsWithoutCapture: number;
}

type MetricState = BinaryState | MulticlassState | RegressionState;
type MetricAccumulator = BinaryAccumulator | MulticlassAccumulator | RegressionAccumulator;

/** The serializable state of one variant. */
export interface VariantState {
  readonly name: string;
  readonly records: number;
  readonly samples: number;
  readonly matched: number;
  readonly metrics: MetricState;
  readonly drift: DriftCountsState | null;
}

/** The serializable state of an evaluation (or of a part of one). */
export interface EvaluationState {
  readonly version: 1;
  readonly problemType: ProblemType;
  readonly capture: CaptureCounts;
  readonly groundTruth: GroundTruthCounts;
  readonly join: JoinCounts;
  readonly variants: readonly VariantState[];
  readonly examples: readonly LineProblem[];
}

const count = z.number().int().nonnegative();
const confusionSchema = z.object({ labels: z.array(z.string()), counts: z.array(z.array(z.number().nonnegative())) });
const metricStateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('binary'), count, scores: z.string(), labels: z.string() }),
  z.object({
    kind: z.literal('multiclass'),
    confusion: confusionSchema,
    logLoss: z.object({ n: count, sum: z.number(), sumOfSquares: z.number() }),
    withoutProbability: count,
  }),
  z.object({ kind: z.literal('regression'), count, predictions: z.string(), labels: z.string() }),
]);
const evaluationStateSchema = z.object({
  version: z.literal(1),
  problemType: z.enum(['binary', 'multiclass', 'regression']),
  capture: z.object({
    files: count,
    lines: count,
    records: count,
    samples: count,
    duplicates: count,
    unparseable: count,
    invalid: count,
    outsideWindow: count,
    widthMismatches: count,
  }),
  groundTruth: z.object({ files: count, lines: count, records: count, duplicates: count, unparseable: count }),
  join: z.object({ matchedRecords: count, matched: count, invalidLabels: count }),
  variants: z.array(
    z.object({
      name: z.string(),
      records: count,
      samples: count,
      matched: count,
      metrics: metricStateSchema,
      drift: z
        .object({
          cells: z.array(z.array(z.number().nonnegative())),
          missing: z.array(z.number().nonnegative()),
          invalid: z.array(z.number().nonnegative()),
        })
        .nullable(),
    }),
  ),
  examples: z.array(
    z.object({
      kind: z.enum(['unparseable-capture', 'invalid-capture', 'unparseable-ground-truth', 'invalid-label']),
      file: z.string(),
      line: count,
      reason: z.string(),
    }),
  ),
});

/** A partial evaluation read back from JSON was not one. */
export class EvaluationStateError extends Error {
  public override readonly name = 'EvaluationStateError';
}

/** Validates parsed JSON as an {@link EvaluationState} (a part written by another invocation). */
export function parseEvaluationState(json: unknown): EvaluationState {
  const result = evaluationStateSchema.safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new EvaluationStateError(`not an evaluation state: ${issues.join('; ')}`);
}

/** One variant's accumulators. */
export class VariantAccumulator {
  public records = 0;
  public samples = 0;
  public matched = 0;

  constructor(
    public readonly name: string,
    public readonly metrics: MetricAccumulator,
    public readonly drift: DriftCounts | null,
  ) {}

  merge(other: VariantAccumulator): void {
    this.records += other.records;
    this.samples += other.samples;
    this.matched += other.matched;
    if (this.metrics instanceof BinaryAccumulator && other.metrics instanceof BinaryAccumulator) {
      this.metrics.merge(other.metrics);
    } else if (this.metrics instanceof MulticlassAccumulator && other.metrics instanceof MulticlassAccumulator) {
      this.metrics.merge(other.metrics);
    } else if (this.metrics instanceof RegressionAccumulator && other.metrics instanceof RegressionAccumulator) {
      this.metrics.merge(other.metrics);
    } else throw new RangeError('cannot merge evaluations of different problem types');
    if (this.drift !== null && other.drift !== null) this.drift.merge(other.drift);
  }
}

function newMetrics(problemType: ProblemType): MetricAccumulator {
  if (problemType === 'binary') return new BinaryAccumulator();
  if (problemType === 'multiclass') return new MulticlassAccumulator();
  return new RegressionAccumulator();
}

function metricsFromState(state: MetricState): MetricAccumulator {
  if (state.kind === 'binary') return BinaryAccumulator.fromState(state);
  if (state.kind === 'multiclass') return MulticlassAccumulator.fromState(state);
  return RegressionAccumulator.fromState(state);
}

/** The drift plan of these options, or null without a baseline. */
export function driftPlanOf(options: EvaluationOptions): DriftPlan | null {
  if (options.baseline === undefined) return null;
  const target = options.target;
  if (options.features !== undefined) return planDrift(options.baseline, options.features, target);
  // Without a feature list only named values (JSON objects) can be placed: the baseline's columns, less the label.
  const named = options.baseline.columns.map((c) => c.name).filter((name) => name !== target);
  return planDrift(options.baseline, named, target, false);
}

/** Metrics, drift and counts of one variant or of the whole endpoint. */
export interface MetricResult {
  readonly samples: number;
  readonly matched: number;
  readonly estimates: Readonly<Record<string, MetricEstimate>>;
  /** Rows: true class, columns: predicted class (binary: labels "0", "1" at the threshold). */
  readonly confusionMatrix: ConfusionMatrix;
  readonly drift: readonly FeatureDrift[];
  readonly predictionDrift: FeatureDrift | null;
}

/** A window's (or a part's) accumulated evaluation. */
export class EvaluationAccumulator {
  readonly capture: CaptureCounts = {
    files: 0,
    lines: 0,
    records: 0,
    samples: 0,
    duplicates: 0,
    unparseable: 0,
    invalid: 0,
    outsideWindow: 0,
    widthMismatches: 0,
  };
  readonly groundTruth: GroundTruthCounts = { files: 0, lines: 0, records: 0, duplicates: 0, unparseable: 0 };
  readonly join: JoinCounts = { matchedRecords: 0, matched: 0, invalidLabels: 0 };
  readonly variants = new Map<string, VariantAccumulator>();
  readonly examples: LineProblem[] = [];
  readonly driftPlan: DriftPlan | null;
  private readonly maxExamples: number;

  constructor(readonly options: EvaluationOptions) {
    this.driftPlan = driftPlanOf(options);
    this.maxExamples = options.maxExamples ?? 5;
  }

  /** The accumulators of a variant (created on first use). */
  variant(name: string): VariantAccumulator {
    let v = this.variants.get(name);
    if (v === undefined) {
      v = new VariantAccumulator(
        name,
        newMetrics(this.options.problemType),
        this.driftPlan === null ? null : new DriftCounts(this.driftPlan),
      );
      this.variants.set(name, v);
    }
    return v;
  }

  /** Records a line problem: counted by the caller, kept as an example while there are few of its kind. */
  example(kind: LineProblem['kind'], file: string, line: number, reason: string): void {
    let same = 0;
    for (const e of this.examples) if (e.kind === kind) same++;
    if (same < this.maxExamples) this.examples.push({ kind, file, line, reason: reason.slice(0, 300) });
  }

  /** Adds a part of the same window (see the module comment). */
  merge(other: EvaluationAccumulator): void {
    if (other.options.problemType !== this.options.problemType) {
      throw new RangeError('cannot merge evaluations of different problem types');
    }
    for (const key of CAPTURE_KEYS) this.capture[key] += other.capture[key];
    for (const key of JOIN_KEYS) this.join[key] += other.join[key];
    const mine = this.groundTruth;
    const theirs = other.groundTruth;
    // The label files, and so their unreadable lines, are the same in every part: kept once, like their counts.
    const labelsSeen = mine.lines !== 0 || mine.files !== 0;
    if (!labelsSeen) Object.assign(mine, theirs);
    else if (theirs.lines !== 0 || theirs.files !== 0) {
      if (mine.lines !== theirs.lines || mine.records !== theirs.records) {
        throw new RangeError(
          `the parts read different ground truth (${mine.records} and ${theirs.records} label records): every part must read the same files`,
        );
      }
    }
    for (const [name, v] of other.variants) this.variant(name).merge(v);
    for (const e of other.examples) {
      if (!(labelsSeen && e.kind === 'unparseable-ground-truth')) this.example(e.kind, e.file, e.line, e.reason);
    }
  }

  toState(): EvaluationState {
    return {
      version: 1,
      problemType: this.options.problemType,
      capture: { ...this.capture },
      groundTruth: { ...this.groundTruth },
      join: { ...this.join },
      variants: [...this.variants.values()].map((v) => ({
        name: v.name,
        records: v.records,
        samples: v.samples,
        matched: v.matched,
        metrics: v.metrics.toState(),
        drift: v.drift === null ? null : v.drift.toState(),
      })),
      examples: [...this.examples],
    };
  }

  /** An accumulator from a state written with the same options. */
  static fromState(state: EvaluationState, options: EvaluationOptions): EvaluationAccumulator {
    if (state.version !== 1) throw new RangeError(`unknown evaluation state version ${String(state.version)}`);
    if (state.problemType !== options.problemType) {
      throw new RangeError(`the state is of a ${state.problemType} problem, not ${options.problemType}`);
    }
    const acc = new EvaluationAccumulator(options);
    Object.assign(acc.capture, state.capture);
    Object.assign(acc.groundTruth, state.groundTruth);
    Object.assign(acc.join, state.join);
    for (const v of state.variants) {
      const drift = acc.driftPlan === null || v.drift === null ? null : DriftCounts.fromState(acc.driftPlan, v.drift);
      const variant = new VariantAccumulator(v.name, metricsFromState(v.metrics), drift);
      variant.records = v.records;
      variant.samples = v.samples;
      variant.matched = v.matched;
      acc.variants.set(v.name, variant);
    }
    acc.examples.push(...state.examples);
    return acc;
  }

  /** Every count, with the derived ones. */
  counts(): EvaluationCounts {
    return {
      capture: { ...this.capture },
      groundTruth: { ...this.groundTruth },
      join: { ...this.join },
      unlabeled: this.capture.samples - this.join.matched,
      labelsWithoutCapture: Math.max(0, this.groundTruth.records - this.join.matchedRecords - this.join.invalidLabels),
    };
  }

  /** The endpoint's metrics and drift (all variants merged). */
  endpointResult(): MetricResult {
    const all = new VariantAccumulator(
      '',
      newMetrics(this.options.problemType),
      this.driftPlan === null ? null : new DriftCounts(this.driftPlan),
    );
    for (const v of this.variants.values()) all.merge(v);
    return this.resultOf(all);
  }

  /** Each variant's metrics and drift, by name (the unnamed variant of files outside the S3 layout left out). */
  variantResults(): { readonly name: string; readonly result: MetricResult }[] {
    return [...this.variants.values()]
      .filter((v) => v.name !== '')
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((v) => ({ name: v.name, result: this.resultOf(v) }));
  }

  private resultOf(v: VariantAccumulator): MetricResult {
    let estimates: Record<string, MetricEstimate>;
    let confusionMatrix: ConfusionMatrix;
    if (v.metrics instanceof BinaryAccumulator) {
      const b = v.metrics.estimate(this.options.threshold ?? 0.5);
      estimates = b.metrics;
      const c = b.confusion;
      confusionMatrix = {
        labels: ['0', '1'],
        counts: [
          [c.tn, c.fp],
          [c.fn, c.tp],
        ],
      };
    } else if (v.metrics instanceof MulticlassAccumulator) {
      const m = v.metrics.estimate();
      estimates = m.metrics;
      confusionMatrix = m.confusion;
    } else {
      estimates = v.metrics.estimate();
      confusionMatrix = { labels: [], counts: [] };
    }
    const drift = v.drift === null ? [] : driftResults(v.drift);
    const hasPrediction = this.driftPlan?.prediction != null;
    return {
      samples: v.samples,
      matched: v.matched,
      estimates,
      confusionMatrix,
      drift: hasPrediction ? drift.slice(0, -1) : drift,
      predictionDrift: hasPrediction ? (drift.at(-1) ?? null) : null,
    };
  }
}

const CAPTURE_KEYS = [
  'files',
  'lines',
  'records',
  'samples',
  'duplicates',
  'unparseable',
  'invalid',
  'outsideWindow',
  'widthMismatches',
] as const satisfies readonly (keyof CaptureCounts)[];
const JOIN_KEYS = ['matchedRecords', 'matched', 'invalidLabels'] as const satisfies readonly (keyof JoinCounts)[];
