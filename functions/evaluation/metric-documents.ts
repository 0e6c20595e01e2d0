/**
 * The CloudWatch embedded metric format (EMF) documents of an evaluation: one per series, written to the function's
 * log, from which CloudWatch extracts the metrics (no PutMetricData call, no SDK). Names and dimensions come from
 * quality-metrics.ts, which the deployment's alarm reads too:
 *
 * - endpoint series: dimensions Pipeline + EndpointName, every metric with a value and `matched_samples`;
 * - one series per production variant: the same plus VariantName.
 *
 * Null metrics are left out (EMF values are numbers), so an alarm on them sees missing data, not a fake value.
 */
import { MODEL_QUALITY_NAMESPACE, QUALITY_DIMENSIONS, SAMPLE_COUNT_METRIC, VARIANT_DIMENSION } from './quality-metrics';

/** One EMF document: the `_aws` metadata and the dimension and metric values as top-level members. */
export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: 'None' | 'Count' }[];
    }[];
  };
  readonly [member: string]: unknown;
}

/** The metrics of one series. */
export interface SeriesMetrics {
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly matched: number;
}

/** EMF allows at most 100 metrics per directive. */
const MAX_METRICS = 100;

function document(timestamp: Date, dimensions: Readonly<Record<string, string>>, series: SeriesMetrics): EmfDocument {
  const values: Record<string, number> = {};
  for (const [name, value] of Object.entries(series.metrics)) {
    if (value !== null && Number.isFinite(value)) values[name] = value;
  }
  const names = Object.keys(values).slice(0, MAX_METRICS - 1);
  return {
    _aws: {
      Timestamp: timestamp.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: MODEL_QUALITY_NAMESPACE,
          Dimensions: [Object.keys(dimensions)],
          Metrics: [
            ...names.map((Name) => ({ Name, Unit: 'None' as const })),
            { Name: SAMPLE_COUNT_METRIC, Unit: 'Count' as const },
          ],
        },
      ],
    },
    ...dimensions,
    ...Object.fromEntries(names.map((n) => [n, values[n]])),
    [SAMPLE_COUNT_METRIC]: series.matched,
  };
}

/** The EMF documents of an evaluation: the endpoint's series, then one per named variant. */
export function qualityMetricDocuments(input: {
  readonly pipeline: string;
  readonly endpointName: string;
  /** The end of the evaluated window (the metrics' timestamp). */
  readonly timestamp: Date;
  readonly endpoint: SeriesMetrics;
  readonly variants?: readonly (SeriesMetrics & { readonly name: string })[];
}): EmfDocument[] {
  const base = {
    [QUALITY_DIMENSIONS.pipeline]: input.pipeline,
    [QUALITY_DIMENSIONS.endpointName]: input.endpointName,
  };
  return [
    document(input.timestamp, base, input.endpoint),
    ...(input.variants ?? [])
      .filter((v) => v.name !== '')
      .map((v) => document(input.timestamp, { ...base, [VARIANT_DIMENSION]: v.name }, v)),
  ];
}
