import { describe, expect, it } from 'vitest';
import { toEventBridgePattern } from '../../../functions/events/event-pattern';
import { DriftDetected, ModelDegraded, toPutEventsEntry } from '../../../functions/events/lifecycle';
import { matchesPattern } from '../../../functions/events/pattern-match';
import {
  rollbackPipelines,
  rollbackRequestOf,
  rollbackTriggerPattern,
} from '../../../functions/deployment/rollback-triggers';
import { pipeline } from './fixtures';

const degraded = (action: 'notify' | 'retrain' | 'rollback', pipelineName = 'churn') => ({
  pipeline: pipelineName,
  evaluationId: 'eval-7',
  endpointName: 'churn',
  modelVersion: 4,
  reportKey: 'reports/eval-7.json',
  metric: 'roc_auc',
  bound: 'minimum' as const,
  threshold: 0.65,
  value: 0.51,
  consecutiveWindows: 3,
  action,
});

/** The event as a rule sees it: the entry EventBridge would build from the producer's PutEvents. */
function asEvent(entry: ReturnType<typeof toPutEventsEntry>) {
  return { source: entry.Source, 'detail-type': entry.DetailType, detail: JSON.parse(entry.Detail) as unknown };
}

describe('rollback triggers', () => {
  const pattern = toEventBridgePattern(rollbackTriggerPattern(ModelDegraded, ['churn']));

  it('match Model Degraded of the pipeline with action rollback, and nothing else', () => {
    expect(matchesPattern(pattern, asEvent(toPutEventsEntry(ModelDegraded, degraded('rollback'), 'bus')))).toBe(true);
    expect(matchesPattern(pattern, asEvent(toPutEventsEntry(ModelDegraded, degraded('retrain'), 'bus')))).toBe(false);
    expect(
      matchesPattern(pattern, asEvent(toPutEventsEntry(ModelDegraded, degraded('rollback', 'fraud'), 'bus'))),
    ).toBe(false);
  });

  it('are wanted by the pipelines whose evaluation says rollback', () => {
    const base = pipeline();
    const evaluation = base.evaluation;
    if (evaluation === undefined) throw new Error('fixture has an evaluation');
    const rollsBack = { ...base, name: 'a', evaluation: { ...evaluation, onDegradation: 'rollback' as const } };
    const drifts = { ...base, name: 'b', evaluation: { ...evaluation, onDrift: 'rollback' as const } };
    expect(rollbackPipelines([base, rollsBack, drifts])).toEqual({ onDegradation: ['a'], onDrift: ['b'] });
  });

  it('turn an evaluation into a rollback request keyed by the evaluation, from the version it judged', () => {
    expect(rollbackRequestOf(ModelDegraded.detailType, degraded('rollback'))).toEqual({
      requestId: 'Model Degraded:eval-7',
      expectedChampionVersion: 4,
      requestedBy: 'Model Degraded (evaluation eval-7)',
    });
    expect(DriftDetected.detailType).toBe('Drift Detected');
  });
});
