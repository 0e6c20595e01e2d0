/**
 * The evaluation policy: what a window's result means (its verdict), and when it becomes an event.
 *
 * - A window is judged for degradation when it has at least `minSamples` matched samples and the configured metric
 *   has a value; it is degraded when the value is below `minimum` or above `maximum`.
 * - It is judged for drift when it has at least `minSamples` captured samples (drift needs no labels); a feature has
 *   drifted when its PSI is above `psiThreshold`, or, when `ksPValue` is set, its KS p-value is below it. Only input
 *   features count; the predictions' drift is reported, not judged.
 * - Verdict, by precedence: `degraded`, `drift`, `insufficient-data` (fewer than `minSamples` matched), `ok`.
 * - `Model Degraded` (`Drift Detected`) is emitted when the bound has been breached in `consecutiveWindows` (K)
 *   windows in a row, this one included, and again every K windows while it lasts (K, 2K, ...), so a lasting problem
 *   is re-announced without an event every hour. A window that could not be judged (too few samples, metric
 *   undefined) breaks the streak, as a CloudWatch alarm with `treatMissingData: notBreaching` would: K judged
 *   windows in a row are the evidence.
 *
 * Streaks are counted from the previous records (newest first): their stored streak when they have one, else their
 * flags, as far back as they go (give at least K - 1 of them).
 */
import type { EvaluationAction, EvaluationConfig, EvaluationMetric } from '../config/pipeline-config';
import {
  type DriftDetectedDetail,
  type DriftedFeature,
  type EvaluationCompletedDetail,
  MAX_DRIFTED_FEATURES,
  type ModelDegradedDetail,
} from '../events/lifecycle';
import type { MetricEstimate } from './confidence-intervals';
import type { FeatureDrift } from './feature-drift';

/** A window's verdict. */
export type Verdict = 'ok' | 'degraded' | 'drift' | 'insufficient-data';

/** The settings the policy reads (a pipeline's `evaluation` section). */
export type OutcomeConfig = Pick<
  EvaluationConfig,
  'minSamples' | 'degradation' | 'drift' | 'onDegradation' | 'onDrift'
>;

/** How the window's metric compares with its bound. */
export interface DegradationJudgement {
  readonly status: 'breached' | 'within' | 'not-judged';
  readonly metric: EvaluationMetric;
  /** The bound that was breached (or the first one configured). */
  readonly bound: 'minimum' | 'maximum';
  readonly threshold: number;
  readonly value: number | null;
  readonly reason?: string;
}

/** Which features drifted in the window. */
export interface DriftJudgement {
  readonly status: 'drifted' | 'stable' | 'not-judged';
  /** Every drifted feature, worst (highest PSI) first. */
  readonly features: readonly DriftedFeature[];
  readonly reason?: string;
}

/** What one window says, before looking at earlier ones. */
export interface WindowJudgement {
  readonly verdict: Verdict;
  /** Null when no degradation bound is configured. */
  readonly degradation: DegradationJudgement | null;
  readonly drift: DriftJudgement;
}

/** What the judge reads of a window's result. */
export interface JudgedResult {
  readonly samples: number;
  readonly matched: number;
  readonly estimates: Readonly<Record<string, MetricEstimate>>;
  readonly drift: readonly FeatureDrift[];
}

/** Whether a feature's drift crosses the thresholds. */
export function isDrifted(d: FeatureDrift, config: Pick<OutcomeConfig, 'drift'>): boolean {
  if (d.psi !== null && d.psi > config.drift.psiThreshold) return true;
  const ks = config.drift.ksPValue;
  return ks !== undefined && d.ksPValue !== null && d.ksPValue < ks;
}

function judgeDegradation(result: JudgedResult, config: OutcomeConfig): DegradationJudgement | null {
  const d = config.degradation;
  if (d === undefined) return null;
  const estimate = result.estimates[d.metric];
  const value = estimate?.value ?? null;
  const bound = d.minimum !== undefined ? 'minimum' : 'maximum';
  const threshold = d.minimum ?? d.maximum ?? 0;
  const base = { metric: d.metric, bound, threshold, value } as const;
  if (result.matched < config.minSamples) {
    return {
      ...base,
      status: 'not-judged',
      reason: `${result.matched} matched sample(s), fewer than minSamples ${config.minSamples}`,
    };
  }
  if (value === null) {
    return {
      ...base,
      status: 'not-judged',
      reason: estimate?.reason ?? `${d.metric} is not computed for this problem type`,
    };
  }
  if (d.minimum !== undefined && value < d.minimum)
    return { ...base, status: 'breached', bound: 'minimum', threshold: d.minimum };
  if (d.maximum !== undefined && value > d.maximum)
    return { ...base, status: 'breached', bound: 'maximum', threshold: d.maximum };
  return { ...base, status: 'within' };
}

function judgeDrift(result: JudgedResult, config: OutcomeConfig): DriftJudgement {
  if (result.drift.length === 0)
    return { status: 'not-judged', features: [], reason: 'no baseline profile, or no feature to compare' };
  if (result.samples < config.minSamples) {
    return {
      status: 'not-judged',
      features: [],
      reason: `${result.samples} captured sample(s), fewer than minSamples ${config.minSamples}`,
    };
  }
  const features = result.drift
    .filter((d) => isDrifted(d, config))
    .sort((a, b) => (b.psi ?? 0) - (a.psi ?? 0) || (b.ks ?? 0) - (a.ks ?? 0) || (a.feature < b.feature ? -1 : 1))
    .map((d) => ({
      feature: d.feature.slice(0, 128),
      psi: Math.max(0, d.psi ?? 0),
      ...(d.ks === null ? {} : { ks: Math.min(1, Math.max(0, d.ks)) }),
    }));
  return { status: features.length > 0 ? 'drifted' : 'stable', features };
}

/** Judges one window on its own. */
export function judgeWindow(result: JudgedResult, config: OutcomeConfig): WindowJudgement {
  const degradation = judgeDegradation(result, config);
  const drift = judgeDrift(result, config);
  const verdict: Verdict =
    degradation?.status === 'breached'
      ? 'degraded'
      : drift.status === 'drifted'
        ? 'drift'
        : result.matched < config.minSamples
          ? 'insufficient-data'
          : 'ok';
  return { verdict, degradation, drift };
}

/** What is kept of each evaluation for the next ones' streaks. */
export interface EvaluationRecord {
  readonly verdict: Verdict;
  /** The degradation bound was breached in this window. */
  readonly degraded: boolean;
  /** At least one feature drifted in this window. */
  readonly drifted: boolean;
  /** Windows in a row breached, this one included. @default counted from the flags of the records given */
  readonly degradedStreak?: number;
  /** Windows in a row drifted, this one included. */
  readonly driftStreak?: number;
}

function streak(
  now: boolean,
  previous: readonly EvaluationRecord[],
  flag: 'degraded' | 'drifted',
  stored: 'degradedStreak' | 'driftStreak',
): number {
  if (!now) return 0;
  let count = 1;
  for (const record of previous) {
    if (!record[flag]) break;
    const s = record[stored];
    if (s !== undefined) return count + s;
    count++;
  }
  return count;
}

/** A streak of `n` windows announces itself at K, 2K, 3K, ... */
const announces = (n: number, k: number) => n >= k && (n - k) % k === 0;

/** Who and what an evaluation was: the fields every evaluation event carries. */
export interface EvaluationContext {
  readonly pipeline: string;
  readonly evaluationId: string;
  readonly endpointName: string;
  readonly modelVersion?: number;
  /** Key of the evaluation report in the artifacts bucket. */
  readonly reportKey: string;
  /** ISO-8601. */
  readonly windowStart: string;
  readonly windowEnd: string;
}

/** The window's verdict, the record to keep, and the event details to send. */
export interface EvaluationOutcome {
  readonly verdict: Verdict;
  readonly record: Required<EvaluationRecord>;
  readonly evaluationCompleted: EvaluationCompletedDetail;
  readonly modelDegraded: ModelDegradedDetail | null;
  readonly driftDetected: DriftDetectedDetail | null;
  /** What to do: the configured actions of the events emitted. */
  readonly actions: readonly EvaluationAction[];
}

/**
 * Decides a window's outcome from its judgement and the previous records (newest first): the record to store and
 * the details of `Evaluation Completed`, and of `Model Degraded` / `Drift Detected` when a streak reaches K.
 */
export function decideOutcome(
  result: JudgedResult,
  judgement: WindowJudgement,
  previous: readonly EvaluationRecord[],
  config: OutcomeConfig,
  context: EvaluationContext,
): EvaluationOutcome {
  const degraded = judgement.degradation?.status === 'breached';
  const drifted = judgement.drift.status === 'drifted';
  const degradedStreak = streak(degraded, previous, 'degraded', 'degradedStreak');
  const driftStreak = streak(drifted, previous, 'drifted', 'driftStreak');
  const fields = {
    pipeline: context.pipeline,
    evaluationId: context.evaluationId,
    endpointName: context.endpointName,
    ...(context.modelVersion === undefined ? {} : { modelVersion: context.modelVersion }),
    reportKey: context.reportKey,
  };
  const metrics: Record<string, number> = {};
  for (const [name, e] of Object.entries(result.estimates)) if (e.value !== null) metrics[name] = e.value;
  const evaluationCompleted: EvaluationCompletedDetail = {
    ...fields,
    windowStart: context.windowStart,
    windowEnd: context.windowEnd,
    verdict: judgement.verdict,
    samples: result.samples,
    matched: result.matched,
    metrics,
    driftedFeatures: judgement.drift.features.slice(0, MAX_DRIFTED_FEATURES),
  };
  const d = judgement.degradation;
  const modelDegraded: ModelDegradedDetail | null =
    degraded &&
    d !== null &&
    d.value !== null &&
    config.degradation !== undefined &&
    announces(degradedStreak, config.degradation.consecutiveWindows)
      ? {
          ...fields,
          metric: d.metric,
          bound: d.bound,
          threshold: d.threshold,
          value: d.value,
          consecutiveWindows: degradedStreak,
          action: config.onDegradation,
        }
      : null;
  const driftDetected: DriftDetectedDetail | null =
    drifted && announces(driftStreak, config.drift.consecutiveWindows)
      ? {
          ...fields,
          features: judgement.drift.features.slice(0, MAX_DRIFTED_FEATURES),
          threshold: config.drift.psiThreshold,
          consecutiveWindows: driftStreak,
          action: config.onDrift,
        }
      : null;
  return {
    verdict: judgement.verdict,
    record: { verdict: judgement.verdict, degraded, drifted, degradedStreak, driftStreak },
    evaluationCompleted,
    modelDegraded,
    driftDetected,
    actions: [
      ...(modelDegraded === null ? [] : [config.onDegradation]),
      ...(driftDetected === null ? [] : [config.onDrift]),
    ],
  };
}
