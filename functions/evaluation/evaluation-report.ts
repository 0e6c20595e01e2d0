/**
 * The evaluation report: what the scheduled evaluation writes to S3 and `mlops evaluate --json` prints. Metrics are
 * keyed by their published snake-case names (`roc_auc`, `rmse`, ...; null when undefined, with the reason in
 * `metricNotes`), each with its sample count and its 95 % interval and method; then the confusion matrix, every
 * count, the drift of each feature against the baseline, the verdict and the first unusable lines.
 */
import type { ProblemType } from '../config/pipeline-config';
import type { IntervalMethod } from './confidence-intervals';
import type { EvaluationAccumulator, EvaluationCounts, LineProblem, MetricResult } from './evaluation-accumulator';
import {
  type DegradationJudgement,
  isDrifted,
  type OutcomeConfig,
  type Verdict,
  type WindowJudgement,
} from './evaluation-outcome';
import type { FeatureDrift } from './feature-drift';
import type { ConfusionMatrix } from './multiclass-metrics';

/** A metric's 95 % interval and how it was computed. */
export interface ReportInterval {
  readonly low: number;
  readonly high: number;
  readonly method: IntervalMethod;
}

/** A feature's drift with the verdict on it. */
export type ReportedDrift = FeatureDrift & { readonly drifted: boolean };

/** The metrics of one variant or of the endpoint. */
export interface ReportedMetrics {
  readonly samples: number;
  readonly matched: number;
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly metricSamples: Readonly<Record<string, number>>;
  readonly confidenceIntervals: Readonly<Record<string, ReportInterval | null>>;
  /** Why a metric or its interval is missing. */
  readonly metricNotes: Readonly<Record<string, string>>;
}

/** The report of one evaluation window. */
export interface EvaluationReport extends ReportedMetrics {
  readonly version: 1;
  readonly problemType: ProblemType;
  /** Binary: the decision threshold on the score. */
  readonly threshold?: number;
  /** ISO-8601 bounds of the window, when it has some. */
  readonly window?: { readonly start: string; readonly end: string };
  readonly verdict: Verdict;
  /** Rows: true class; columns: predicted class. Null for regression. */
  readonly confusionMatrix: ConfusionMatrix | null;
  readonly counts: EvaluationCounts;
  /** Null without a baseline profile. */
  readonly drift: {
    readonly psiThreshold: number;
    readonly ksPValue: number | null;
    readonly status: 'drifted' | 'stable' | 'not-judged';
    readonly reason?: string;
    readonly features: readonly ReportedDrift[];
    /** The predictions against the label's baseline column (reported, not judged). */
    readonly prediction: FeatureDrift | null;
  } | null;
  readonly degradation: DegradationJudgement | null;
  /** Per production variant (captures in the S3 layout name theirs). */
  readonly variants: readonly (ReportedMetrics & { readonly name: string })[];
  /** The first unusable lines of each kind. */
  readonly examples: readonly LineProblem[];
}

/** The flat metric maps of a result. */
export function reportedMetrics(result: MetricResult): ReportedMetrics {
  const metrics: Record<string, number | null> = {};
  const metricSamples: Record<string, number> = {};
  const confidenceIntervals: Record<string, ReportInterval | null> = {};
  const metricNotes: Record<string, string> = {};
  for (const [name, e] of Object.entries(result.estimates)) {
    metrics[name] = e.value;
    metricSamples[name] = e.n;
    confidenceIntervals[name] =
      e.interval === null ? null : { low: e.interval.low, high: e.interval.high, method: e.method };
    if (e.reason !== undefined) metricNotes[name] = e.reason;
  }
  return { samples: result.samples, matched: result.matched, metrics, metricSamples, confidenceIntervals, metricNotes };
}

/** Builds the report of an accumulated window, its endpoint result (`accumulator.endpointResult()`) and judgement. */
export function buildReport(
  accumulator: EvaluationAccumulator,
  endpoint: MetricResult,
  judgement: WindowJudgement,
  config: Pick<OutcomeConfig, 'drift'>,
  window?: { readonly start: Date; readonly end: Date },
): EvaluationReport {
  const options = accumulator.options;
  return {
    version: 1,
    problemType: options.problemType,
    ...(options.problemType === 'binary' ? { threshold: options.threshold ?? 0.5 } : {}),
    ...(window === undefined ? {} : { window: { start: window.start.toISOString(), end: window.end.toISOString() } }),
    verdict: judgement.verdict,
    ...reportedMetrics(endpoint),
    confusionMatrix: options.problemType === 'regression' ? null : endpoint.confusionMatrix,
    counts: accumulator.counts(),
    drift:
      accumulator.driftPlan === null
        ? null
        : {
            psiThreshold: config.drift.psiThreshold,
            ksPValue: config.drift.ksPValue ?? null,
            status: judgement.drift.status,
            ...(judgement.drift.reason === undefined ? {} : { reason: judgement.drift.reason }),
            features: endpoint.drift.map((d) => ({
              ...d,
              drifted: judgement.drift.status !== 'not-judged' && isDrifted(d, config),
            })),
            prediction: endpoint.predictionDrift,
          },
    degradation: judgement.degradation,
    variants: accumulator.variantResults().map((v) => ({ name: v.name, ...reportedMetrics(v.result) })),
    examples: accumulator.examples,
  };
}
