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
 *   and the comparison says so.
 */
import type { ChampionComparison } from '../events/lifecycle';
import type { GateConfig } from '../config/pipeline-config';

/** The current champion, as the gate needs it. */
export interface Champion {
  readonly modelVersion: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/** The gate's verdict. */
export interface GateVerdict {
  readonly passed: boolean;
  /** One line per failed rule; empty when passed. */
  readonly reasons: readonly string[];
  /** Present when the objective metric was reported. */
  readonly comparison?: ChampionComparison;
  /** Remarks that are not failures (e.g. the champion lacks the metric). */
  readonly notes: readonly string[];
}

/** Float noise below this is no difference (metrics come from logs printed with a few decimals). */
const EPSILON = 1e-9;

const format = (value: number): string => String(Number(value.toPrecision(6)));

/** Judges `metrics` (the job's final metrics) against `gate` and the `champion`. */
export function evaluateGate(
  gate: GateConfig,
  metrics: Readonly<Record<string, number>>,
  champion: Champion | undefined,
): GateVerdict {
  const reasons: string[] = [];
  const notes: string[] = [];
  const value = metrics[gate.metric];
  let comparison: ChampionComparison | undefined;

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
    const championValue = champion?.metrics[gate.metric];
    if (champion !== undefined && championValue === undefined) {
      notes.push(`champion version ${champion.modelVersion} has no ${gate.metric}; compared with the bounds only`);
    }
    if (championValue !== undefined) {
      const improvement = gate.direction === 'maximize' ? value - championValue : championValue - value;
      if (improvement < gate.minImprovement - EPSILON) {
        const needed =
          gate.direction === 'maximize' ? championValue + gate.minImprovement : championValue - gate.minImprovement;
        reasons.push(
          `${gate.metric} ${format(value)} does not beat champion version ${champion!.modelVersion} (${format(championValue)}) by ${format(gate.minImprovement)}: needs ${gate.direction === 'maximize' ? 'at least' : 'at most'} ${format(needed)}`,
        );
      }
    } else if (champion === undefined) {
      notes.push('no champion yet: compared with the bounds only');
    }
    comparison = {
      metric: gate.metric,
      direction: gate.direction,
      value,
      ...(championValue === undefined ? {} : { championValue, championModelVersion: champion!.modelVersion }),
      ...(gate.minimum === undefined ? {} : { minimum: gate.minimum }),
      ...(gate.maximum === undefined ? {} : { maximum: gate.maximum }),
      minImprovement: gate.minImprovement,
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
