/**
 * The CloudWatch metrics the live evaluation publishes (embedded metric format) and the deployment's model-quality
 * alarm watches. Defined once here so the publisher and the alarm cannot drift apart.
 *
 * Every evaluation metric (`roc_auc`, `rmse`, ...; see `EVALUATION_METRICS`) is published under its own snake-case
 * name, once with the dimensions {@link QUALITY_DIMENSIONS} (per pipeline and endpoint; what alarms watch) and once
 * with the variant added (per variant; for dashboards during canary traffic shifting).
 */

/** Namespace of the live-evaluation metrics. */
export const MODEL_QUALITY_NAMESPACE = 'MLOps/ModelQuality';

/** Dimension names of the endpoint-level series (the one alarms use). */
export const QUALITY_DIMENSIONS = { pipeline: 'Pipeline', endpointName: 'EndpointName' } as const;

/** Dimension name added for the per-variant series. */
export const VARIANT_DIMENSION = 'VariantName';

/** Joined samples of the window, published beside the metrics so an alarm can ignore thin windows. */
export const SAMPLE_COUNT_METRIC = 'matched_samples';
