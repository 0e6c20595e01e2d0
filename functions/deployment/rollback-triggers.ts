/**
 * The evaluation's findings that roll the endpoint back: `Model Degraded` or `Drift Detected` with
 * `action: rollback` (pipeline.yaml `evaluation.onDegradation` / `onDrift`). The patterns narrow
 * `lifecyclePattern` to that action, so the rule and the handler agree on what arrives.
 */
import type { PipelineConfig } from '../config/pipeline-config';
import type { EventPattern } from '../events/event-pattern';
import {
  DriftDetected,
  lifecyclePattern,
  ModelDegraded,
  type DriftDetectedDetail,
  type ModelDegradedDetail,
} from '../events/lifecycle';
import type { RollbackRequest } from './deployment-state';

/** The evaluation events that can ask for a rollback. */
export const ROLLBACK_TRIGGERS = [ModelDegraded, DriftDetected] as const;

/** Which pipelines roll back on `Model Degraded` and on `Drift Detected`. */
export function rollbackPipelines(pipelines: readonly PipelineConfig[]): {
  readonly onDegradation: readonly string[];
  readonly onDrift: readonly string[];
} {
  return {
    onDegradation: pipelines.filter((p) => p.evaluation?.onDegradation === 'rollback').map((p) => p.name),
    onDrift: pipelines.filter((p) => p.evaluation?.onDrift === 'rollback').map((p) => p.name),
  };
}

/**
 * Rule pattern for `def` (`Model Degraded` or `Drift Detected`) of `pipelines` whose action is `rollback`.
 * @throws PatternArgumentError if `pipelines` is empty.
 */
export function rollbackTriggerPattern(
  def: (typeof ROLLBACK_TRIGGERS)[number],
  pipelines: readonly string[],
): EventPattern {
  const pattern = lifecyclePattern([def], pipelines);
  return { ...pattern, detail: { ...pattern.detail, action: ['rollback'] } };
}

/**
 * The rollback request an evaluation finding makes: keyed by its evaluation id (one evaluation rolls back at most
 * once), and only from the model version it judged, when it names one.
 */
export function rollbackRequestOf(
  detailType: string,
  detail: ModelDegradedDetail | DriftDetectedDetail,
): RollbackRequest {
  return {
    requestId: `${detailType}:${detail.evaluationId}`,
    ...(detail.modelVersion === undefined ? {} : { expectedChampionVersion: detail.modelVersion }),
    requestedBy: `${detailType} (evaluation ${detail.evaluationId})`,
  };
}
