/**
 * The CloudWatch alarms that roll a deployment back (`AutoRollbackConfiguration`), one set per endpoint: 5XX errors
 * as a share of invocations, p99 model latency, and the model-quality metric the live evaluation publishes. Defined
 * here, as data, so `lib/deployment.ts` only turns the specs into alarms and the deploy function names the same
 * alarms to SageMaker.
 */
import type { PipelineConfig } from '../config/pipeline-config';
import { MODEL_QUALITY_NAMESPACE, QUALITY_DIMENSIONS } from '../evaluation/quality-metrics';
import { VARIANT_NAME } from './hosting-requests';

/** What an alarm watches. */
export type RollbackAlarmKind = 'invocation5xx' | 'modelLatency' | 'modelQuality';

/** One CloudWatch metric. */
export interface MetricSpec {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** `Sum`, `Average`, `Minimum`, `Maximum` or a percentile such as `p99`. */
  readonly statistic: string;
  readonly periodSeconds: number;
}

/** An alarm on one metric or on a metric-math expression over named metrics. */
export type AlarmMetric =
  | ({ readonly kind: 'metric' } & MetricSpec)
  | {
      readonly kind: 'math';
      readonly expression: string;
      readonly label: string;
      readonly periodSeconds: number;
      /** Metrics by the id the expression uses. */
      readonly metrics: Readonly<Record<string, MetricSpec>>;
    };

/** One rollback alarm, ready to be created. */
export interface RollbackAlarmSpec {
  readonly kind: RollbackAlarmKind;
  /** Unique among the endpoint's alarms, e.g. `invocation-5xx` (the construct id). */
  readonly key: string;
  /** Deterministic: the deploy function names it in `AutoRollbackConfiguration`. */
  readonly alarmName: string;
  readonly description: string;
  readonly metric: AlarmMetric;
  readonly threshold: number;
  readonly comparison: 'GreaterThanThreshold' | 'LessThanThreshold';
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

/** SageMaker's endpoint invocation metrics. */
const SAGEMAKER_NAMESPACE = 'AWS/SageMaker';
/**
 * One-minute periods, two breaching minutes out of two: a bake lasts minutes (`waitSeconds`), so the alarms must
 * react within it, but one slow or failing minute on a cold canary should not undo a deployment.
 */
const ENDPOINT_PERIOD_SECONDS = 60;
const ENDPOINT_EVALUATION_PERIODS = 2;
/** CloudWatch accepts periods up to a day for this kind of alarm. */
const MAX_PERIOD_SECONDS = 86_400;

const UNIT_SECONDS: Readonly<Record<string, number>> = { minute: 60, hour: 3600, day: 86_400 };

/**
 * The period of the model-quality alarm: the evaluation schedule's interval (one data point per run), so a period
 * without a run is "missing data" rather than a breach. A cron schedule has no fixed interval; a day covers the
 * usual ones (hourly to daily).
 */
export function qualityAlarmPeriodSeconds(schedule: string): number {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(schedule);
  if (rate === null) return MAX_PERIOD_SECONDS;
  const seconds = Number(rate[1]) * (UNIT_SECONDS[rate[2] ?? ''] ?? MAX_PERIOD_SECONDS);
  return Math.min(MAX_PERIOD_SECONDS, Math.max(60, seconds));
}

/** `mlops-<stage>-<endpoint>-<what>`: unique per stage and endpoint, so stages can share an account. */
export function rollbackAlarmName(stage: string, endpointName: string, what: string): string {
  return `mlops-${stage}-${endpointName}-${what}`;
}

/** The rollback alarms of `pipeline`'s endpoint in `stage`. */
export function rollbackAlarmSpecs(pipeline: PipelineConfig, stage: string): RollbackAlarmSpec[] {
  const endpointName = pipeline.deployment.endpointName;
  const endpointMetric = (metricName: string, statistic: string): MetricSpec => ({
    namespace: SAGEMAKER_NAMESPACE,
    metricName,
    dimensions: { EndpointName: endpointName, VariantName: VARIANT_NAME },
    statistic,
    periodSeconds: ENDPOINT_PERIOD_SECONDS,
  });
  const { invocation5xxPercent, modelLatencyP99Ms } = pipeline.deployment.alarms;
  const specs: RollbackAlarmSpec[] = [
    {
      kind: 'invocation5xx',
      key: 'invocation-5xx',
      alarmName: rollbackAlarmName(stage, endpointName, 'invocation-5xx'),
      description: `${pipeline.name}: more than ${invocation5xxPercent}% of invocations of ${endpointName} answered 5XX by the model (rolls a deployment back)`,
      metric: {
        kind: 'math',
        // No invocations in a minute is 0 %, not a division by zero.
        expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
        label: 'Invocation 5XX errors (% of invocations)',
        periodSeconds: ENDPOINT_PERIOD_SECONDS,
        metrics: {
          errors: endpointMetric('Invocation5XXErrors', 'Sum'),
          invocations: endpointMetric('Invocations', 'Sum'),
        },
      },
      threshold: invocation5xxPercent,
      comparison: 'GreaterThanThreshold',
      evaluationPeriods: ENDPOINT_EVALUATION_PERIODS,
      datapointsToAlarm: ENDPOINT_EVALUATION_PERIODS,
    },
    {
      kind: 'modelLatency',
      key: 'model-latency-p99',
      alarmName: rollbackAlarmName(stage, endpointName, 'model-latency-p99'),
      description: `${pipeline.name}: p99 model latency of ${endpointName} above ${modelLatencyP99Ms} ms (rolls a deployment back)`,
      metric: { kind: 'metric', ...endpointMetric('ModelLatency', 'p99') },
      // ModelLatency is reported in microseconds.
      threshold: modelLatencyP99Ms * 1000,
      comparison: 'GreaterThanThreshold',
      evaluationPeriods: ENDPOINT_EVALUATION_PERIODS,
      datapointsToAlarm: ENDPOINT_EVALUATION_PERIODS,
    },
  ];
  const evaluation = pipeline.evaluation;
  const degradation = evaluation?.degradation;
  if (evaluation === undefined || degradation === undefined) return specs;
  const bounds = [
    { bound: degradation.minimum, comparison: 'LessThanThreshold', statistic: 'Minimum', what: 'below' },
    { bound: degradation.maximum, comparison: 'GreaterThanThreshold', statistic: 'Maximum', what: 'above' },
  ] as const;
  for (const { bound, comparison, statistic, what } of bounds) {
    if (bound === undefined) continue;
    const key = `model-quality-${degradation.metric}-${what}`;
    specs.push({
      kind: 'modelQuality',
      key,
      alarmName: rollbackAlarmName(stage, endpointName, key),
      description: `${pipeline.name}: live ${degradation.metric} of ${endpointName} ${what} ${bound} (rolls a deployment back)`,
      metric: {
        kind: 'metric',
        namespace: MODEL_QUALITY_NAMESPACE,
        metricName: degradation.metric,
        dimensions: { [QUALITY_DIMENSIONS.pipeline]: pipeline.name, [QUALITY_DIMENSIONS.endpointName]: endpointName },
        // The worst window of the period decides.
        statistic,
        periodSeconds: qualityAlarmPeriodSeconds(evaluation.schedule),
      },
      threshold: bound,
      comparison,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    });
  }
  return specs;
}

/** A CloudWatch alarm state. */
export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** The alarms to name in `AutoRollbackConfiguration`, and those left out with why. */
export interface RollbackAlarmSelection {
  readonly alarmNames: readonly string[];
  readonly leftOut: readonly { readonly alarmName: string; readonly reason: string }[];
}

/**
 * The alarms a deployment names to SageMaker. A model-quality alarm already in ALARM describes the model being
 * replaced (the series is per endpoint, not per fleet): naming it would roll back every fix for a degraded model at
 * the first bake, so it is left out of that one deployment. 5XX and latency alarms are always named.
 */
export function selectRollbackAlarms(
  alarms: readonly { readonly name: string; readonly kind: RollbackAlarmKind }[],
  states: ReadonlyMap<string, AlarmStateValue>,
): RollbackAlarmSelection {
  const alarmNames: string[] = [];
  const leftOut: { alarmName: string; reason: string }[] = [];
  for (const alarm of alarms) {
    if (alarm.kind === 'modelQuality' && states.get(alarm.name) === 'ALARM') {
      leftOut.push({
        alarmName: alarm.name,
        reason: 'in ALARM before the deployment: it judges the model being replaced',
      });
    } else {
      alarmNames.push(alarm.name);
    }
  }
  // AutoRollbackConfiguration takes 1 to 10 alarms.
  return { alarmNames: alarmNames.slice(0, 10), leftOut };
}
