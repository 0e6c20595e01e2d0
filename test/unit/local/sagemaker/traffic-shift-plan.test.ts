import { describe, expect, it } from 'vitest';

import type { CapacitySize, DeploymentConfig } from '../../../../local/sagemaker/endpoint-shapes';
import { planTrafficShift } from '../../../../local/sagemaker/traffic-shift-plan';

function blueGreen(
  routing: { Type: 'ALL_AT_ONCE' | 'CANARY' | 'LINEAR'; CanarySize?: CapacitySize; LinearStepSize?: CapacitySize },
  extra: { TerminationWaitInSeconds?: number; MaximumExecutionTimeoutInSeconds?: number } = {},
): DeploymentConfig {
  return {
    BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { WaitIntervalInSeconds: 300, ...routing }, ...extra },
    AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'latency' }, { AlarmName: 'errors' }] },
  };
}

const percents = (config: DeploymentConfig | undefined, instances = 4): number[] =>
  planTrafficShift(config, instances).steps.map((step) => step.greenPercent);

describe('planTrafficShift', () => {
  it('shifts everything at once with no bake when there is no DeploymentConfig (SageMaker default)', () => {
    expect(planTrafficShift(undefined, 1)).toEqual({
      type: 'ALL_AT_ONCE',
      steps: [{ greenPercent: 100, bakeSeconds: 0, greenInstances: 1 }],
      terminationWaitSeconds: 0,
      alarmNames: [],
    });
  });

  it('ALL_AT_ONCE: one step baked for WaitIntervalInSeconds, then the termination wait', () => {
    const plan = planTrafficShift(blueGreen({ Type: 'ALL_AT_ONCE' }, { TerminationWaitInSeconds: 120 }), 2);
    expect(plan.steps).toEqual([{ greenPercent: 100, bakeSeconds: 300, greenInstances: 2 }]);
    expect(plan.terminationWaitSeconds).toBe(120);
    expect(plan.alarmNames).toEqual(['latency', 'errors']);
  });

  it('CANARY by percent: the canary share, then the rest', () => {
    expect(percents(blueGreen({ Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 } }))).toEqual([
      10, 100,
    ]);
  });

  it('CANARY by instance count: the canary instances as a share of the fleet', () => {
    const plan = planTrafficShift(blueGreen({ Type: 'CANARY', CanarySize: { Type: 'INSTANCE_COUNT', Value: 1 } }), 4);
    expect(plan.steps).toEqual([
      { greenPercent: 25, bakeSeconds: 300, greenInstances: 1 },
      { greenPercent: 100, bakeSeconds: 300, greenInstances: 4 },
    ]);
  });

  it('LINEAR by percent: equal steps, the last one capped at 100', () => {
    expect(percents(blueGreen({ Type: 'LINEAR', LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 30 } }))).toEqual([
      30, 60, 90, 100,
    ]);
    expect(percents(blueGreen({ Type: 'LINEAR', LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 50 } }))).toEqual([
      50, 100,
    ]);
  });

  it('LINEAR by instance count: one instance of three per step, without a rounding step at the end', () => {
    const config = blueGreen({ Type: 'LINEAR', LinearStepSize: { Type: 'INSTANCE_COUNT', Value: 1 } });
    expect(percents(config, 3)).toEqual([33.33, 66.67, 100]);
  });

  it.each([
    [
      'a canary above 50%',
      { Type: 'CANARY' as const, CanarySize: { Type: 'CAPACITY_PERCENT' as const, Value: 60 } },
      4,
    ],
    [
      'a canary of 1 instance out of 1',
      { Type: 'CANARY' as const, CanarySize: { Type: 'INSTANCE_COUNT' as const, Value: 1 } },
      1,
    ],
    [
      'a linear step below 10%',
      { Type: 'LINEAR' as const, LinearStepSize: { Type: 'CAPACITY_PERCENT' as const, Value: 5 } },
      4,
    ],
    [
      'a linear step above 50%',
      { Type: 'LINEAR' as const, LinearStepSize: { Type: 'INSTANCE_COUNT' as const, Value: 3 } },
      4,
    ],
    ['CANARY without CanarySize', { Type: 'CANARY' as const }, 4],
    ['LINEAR without LinearStepSize', { Type: 'LINEAR' as const }, 4],
  ])('rejects %s with a ValidationException', (_why, routing, instances) => {
    expect(() => planTrafficShift(blueGreen(routing), instances)).toThrow(
      expect.objectContaining({ code: 'ValidationException' }),
    );
  });

  it('rejects a maximum execution timeout that does not exceed the waits', () => {
    const config = blueGreen(
      { Type: 'LINEAR', LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 25 } },
      { TerminationWaitInSeconds: 600, MaximumExecutionTimeoutInSeconds: 1800 },
    );
    // 4 steps x 300 s + 600 s = 1800 s: not larger than the timeout.
    expect(() => planTrafficShift(config, 4)).toThrow(/MaximumExecutionTimeoutInSeconds \(1800\)/);
  });

  it('rejects a RollingUpdatePolicy, which is not emulated', () => {
    expect(() => planTrafficShift({ RollingUpdatePolicy: {} }, 2)).toThrow(/RollingUpdatePolicy is not emulated/);
  });
});
