/**
 * The quality gate between training and the registry (`gate` in pipeline.yaml): the objective metric against its
 * absolute bounds and against the current champion, plus guard metrics. Pure; every failed rule gives one readable
 * reason, so `Model Rejected` says exactly why.
 *
 * Rules:
 * - a metric the job did not report fails the gate (a typo in a metric definition must not pass a model);
 * - `minimum`/`maximum` are inclusive bounds;
 * - against a champion, the improvement in the gate's direction must be at least `minImprovement`. A tie passes when
 *   `minImprovement` is 0: the candidate was trained on fresher data and is no worse;
 * - no champion (the pipeline's first model), or a champion without a value for the metric: only the bounds apply,
 *   and the comparison says so;
 * - with `gate.liveMetric`, the champion's reference is the worse of its registered value (its own validation score,
 *   on the data it was trained on) and its newest live value of that metric (the scheduled evaluation on live
 *   traffic), so a champion whose live quality dropped cannot block its successors with an outdated score. A live
 *   value never makes the reference harder to beat than the registered one.
 */
import type { ChampionComparison } from '../events/lifecycle';
import type { GateConfig } from '../config/pipeline-config';

/** A champion's quality on live traffic, as the scheduled evaluation measured it. */
export interface LiveMeasurement {
  /** The evaluation metric (`gate.liveMetric`), e.g. `roc_auc`. */
  readonly metric: string;
  readonly value: number;
  readonly evaluationId: string;
  /** ISO-8601 end of the evaluated window. */
  readonly windowEnd: string;
}

/** The current champion, as the gate needs it. */
export interface Champion {
  readonly modelVersion: number;
  /** Metrics recorded at its registration (its training job's). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Its newest live measurement of `gate.liveMetric`, when the gate uses one and an evaluation measured it. */
  readonly live?: LiveMeasurement;
}

/** Which of the champion's values the candidate was compared with, and where it came from. */
export interface ChampionReference {
  readonly source: 'registered' | 'live';
  /** E.g. `live roc_auc 0.561 of evaluation ev-1 (window ending 2026-11-23T10:00:00.000Z); registered 0.81`. */
  readonly description: string;
  /** The champion's value of the gate metric at its registration, when it has one. */
  readonly registeredValue?: number;
  /** The live measurement considered, when there was one (whether or not it was used). */
  readonly live?: LiveMeasurement;
}

/** The gate's comparison: the event's {@link ChampionComparison} and where the champion's value came from. */
export type GateComparison = ChampionComparison & { readonly championReference?: ChampionReference };

/** The gate's verdict. */
export interface GateVerdict {
  readonly passed: boolean;
  /** One line per failed rule; empty when passed. */
  readonly reasons: readonly string[];
  /** Present when the objective metric was reported. */
  readonly comparison?: GateComparison;
  /** Remarks that are not failures (e.g. the champion lacks the metric). */
  readonly notes: readonly string[];
}

/** Float noise below this is no difference (metrics come from logs printed with a few decimals). */
const EPSILON = 1e-9;

const format = (value: number): string => String(Number(value.toPrecision(6)));

const describeLive = (live: LiveMeasurement): string =>
  `live ${live.metric} ${format(live.value)} of evaluation ${live.evaluationId} (window ending ${live.windowEnd})`;

/**
 * The champion's value the candidate must beat: its registered value, or with `gate.liveMetric` the worse of that
 * and its live value (a tie keeps the registered one). Undefined when the champion has neither.
 */
export function championReference(
  gate: GateConfig,
  champion: Champion,
): (ChampionReference & { readonly value: number }) | undefined {
  const registered = champion.metrics[gate.metric];
  const registeredValue = registered !== undefined && Number.isFinite(registered) ? registered : undefined;
  const live =
    gate.liveMetric !== undefined && champion.live?.metric === gate.liveMetric && Number.isFinite(champion.live.value)
      ? champion.live
      : undefined;
  const withRegistered = registeredValue === undefined ? {} : { registeredValue };
  const liveWorse =
    live !== undefined &&
    (registeredValue === undefined ||
      (gate.direction === 'maximize' ? live.value < registeredValue : live.value > registeredValue));
  if (live !== undefined && liveWorse) {
    const registeredNote =
      registeredValue === undefined ? `no registered ${gate.metric}` : `registered ${format(registeredValue)}`;
    return {
      source: 'live',
      value: live.value,
      description: `${describeLive(live)}; ${registeredNote}`,
      ...withRegistered,
      live,
    };
  }
  if (registeredValue === undefined) return undefined;
  let description = `registered ${format(registeredValue)}`;
  if (gate.liveMetric !== undefined) {
    description +=
      live === undefined ? `; no live ${gate.liveMetric} of this version` : `; ${describeLive(live)} is no worse`;
  }
  return { source: 'registered', value: registeredValue, description, registeredValue, ...(live ? { live } : {}) };
}

/** Judges `metrics` (the job's final metrics) against `gate` and the `champion`. */
export function evaluateGate(
  gate: GateConfig,
  metrics: Readonly<Record<string, number>>,
  champion: Champion | undefined,
): GateVerdict {
  const reasons: string[] = [];
  const notes: string[] = [];
  const value = metrics[gate.metric];
  let comparison: GateComparison | undefined;

  if (value === undefined || !Number.isFinite(value)) {
    const reported = Object.keys(metrics);
    reasons.push(
      `${gate.metric} was not reported by the training job (reported: ${reported.length === 0 ? 'none' : reported.join(', ')}); check training.metricDefinitions`,
    );
  } else {
    if (gate.minimum !== undefined && value < gate.minimum - EPSILON) {
      reasons.push(`${gate.metric} ${format(value)} is below the minimum ${format(gate.minimum)}`);
    }
    if (gate.maximum !== undefined && value > gate.maximum + EPSILON) {
      reasons.push(`${gate.metric} ${format(value)} is above the maximum ${format(gate.maximum)}`);
    }
    const reference = champion && championReference(gate, champion);
    const championValue = reference?.value;
    if (champion !== undefined && reference === undefined) {
      notes.push(`champion version ${champion.modelVersion} has no ${gate.metric}; compared with the bounds only`);
    }
    if (champion !== undefined && reference !== undefined) {
      if (gate.liveMetric !== undefined) {
        notes.push(`champion version ${champion.modelVersion} compared as: ${reference.description}`);
      }
      const improvement = gate.direction === 'maximize' ? value - reference.value : reference.value - value;
      if (improvement < gate.minImprovement - EPSILON) {
        const needed =
          gate.direction === 'maximize' ? reference.value + gate.minImprovement : reference.value - gate.minImprovement;
        reasons.push(
          `${gate.metric} ${format(value)} does not beat champion version ${champion.modelVersion} (${gate.liveMetric === undefined ? format(reference.value) : reference.description}) by ${format(gate.minImprovement)}: needs ${gate.direction === 'maximize' ? 'at least' : 'at most'} ${format(needed)}`,
        );
      }
    } else if (champion === undefined) {
      notes.push('no champion yet: compared with the bounds only');
    }
    let championReferenceField: { championReference: ChampionReference } | undefined;
    if (reference !== undefined) {
      const { value: _value, ...rest } = reference;
      championReferenceField = { championReference: rest };
    }
    comparison = {
      metric: gate.metric,
      direction: gate.direction,
      value,
      ...(championValue === undefined ? {} : { championValue, championModelVersion: champion!.modelVersion }),
      ...(gate.minimum === undefined ? {} : { minimum: gate.minimum }),
      ...(gate.maximum === undefined ? {} : { maximum: gate.maximum }),
      minImprovement: gate.minImprovement,
      ...(reference !== undefined && gate.liveMetric !== undefined
        ? { championValueSource: reference.description.slice(0, 300) }
        : {}),
      ...championReferenceField,
    };
  }

  for (const guard of gate.guards) {
    const guarded = metrics[guard.metric];
    if (guarded === undefined || !Number.isFinite(guarded)) {
      reasons.push(`guard metric ${guard.metric} was not reported by the training job`);
      continue;
    }
    if (guard.minimum !== undefined && guarded < guard.minimum - EPSILON) {
      reasons.push(`guard ${guard.metric} ${format(guarded)} is below the minimum ${format(guard.minimum)}`);
    }
    if (guard.maximum !== undefined && guarded > guard.maximum + EPSILON) {
      reasons.push(`guard ${guard.metric} ${format(guarded)} is above the maximum ${format(guard.maximum)}`);
    }
  }
  return { passed: reasons.length === 0, reasons, ...(comparison ? { comparison } : {}), notes };
}

/** What the lookup of a champion's live measurement reads of a recorded evaluation. */
export interface RecordedEvaluation {
  readonly evaluationId: string;
  readonly windowEnd: string;
  /** The model version that served the evaluated window. */
  readonly modelVersion?: number;
  readonly verdict: string;
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * The newest measurement of `metric` for `modelVersion` among `newestFirst` evaluations: windows with too few
 * labelled samples (`insufficient-data`) and evaluations of other versions do not count.
 */
export function latestLiveMeasurement(
  newestFirst: readonly RecordedEvaluation[],
  modelVersion: number,
  metric: string,
): LiveMeasurement | undefined {
  for (const evaluation of newestFirst) {
    if (evaluation.modelVersion !== modelVersion || evaluation.verdict === 'insufficient-data') continue;
    const value = evaluation.metrics[metric];
    if (value === undefined || !Number.isFinite(value)) continue;
    return { metric, value, evaluationId: evaluation.evaluationId, windowEnd: evaluation.windowEnd };
  }
  return undefined;
}

/** Final metrics from `DescribeTrainingJob.FinalMetricDataList` (the last value of each name wins). */
export function finalMetrics(
  list: readonly { readonly MetricName?: string; readonly Value?: number }[] | undefined,
): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const item of list ?? []) {
    if (item.MetricName !== undefined && item.Value !== undefined && Number.isFinite(item.Value)) {
      metrics[item.MetricName] = item.Value;
    }
  }
  return metrics;
}
