/**
 * Plans a blue/green deployment's traffic steps from its `DeploymentConfig` (REFERENCE 3.4; SageMaker DG
 * "Blue/Green Deployments"): ALL_AT_ONCE shifts everything in one step, CANARY shifts the canary then the rest,
 * LINEAR shifts `LinearStepSize` per step. Each step is followed by a baking period of `WaitIntervalInSeconds`
 * during which the rollback alarms are watched; after the last step, `TerminationWaitInSeconds` more pass (alarms
 * still watched: the blue fleet still exists, so a rollback is still possible) before the blue fleet is terminated.
 *
 * [P] The docs describe the bake after each step and a "final baking period"; that the final bake lasts
 * `WaitIntervalInSeconds` and is followed by `TerminationWaitInSeconds` is this module's reading of the API
 * reference ("the waiting time between incremental steps"; "additional waiting time ... before terminating the old
 * endpoint fleet").
 */
import { validationError } from './errors';
import type { CapacitySize, DeploymentConfig, TrafficRoutingConfig } from './endpoint-shapes';

/** One traffic step: move to `greenPercent` of traffic on the new fleet, then bake for `bakeSeconds`. */
export interface TrafficShiftStep {
  /** Share of traffic on the green fleet after this step, 0-100. */
  readonly greenPercent: number;
  readonly bakeSeconds: number;
  /** Green capacity switched on, in instances, for status messages and the pending summary. */
  readonly greenInstances: number;
}

/** The whole plan: the steps, then the termination wait before the blue fleet goes. */
export interface TrafficShiftPlan {
  readonly type: TrafficRoutingConfig['Type'];
  readonly steps: readonly TrafficShiftStep[];
  readonly terminationWaitSeconds: number;
  /** `MaximumExecutionTimeoutInSeconds`; a deployment still running after it is rolled back. */
  readonly maximumExecutionSeconds?: number;
  /** `AutoRollbackConfiguration.Alarms[].AlarmName`. */
  readonly alarmNames: readonly string[];
}

/** What `UpdateEndpoint` does without a `DeploymentConfig`: blue/green, all at once, no bake (BlueGreenUpdatePolicy docs). */
export const DEFAULT_TRAFFIC_ROUTING: TrafficRoutingConfig = { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 };

/**
 * Plans the deployment of a fleet of `instanceCount` instances (the new config's variants together).
 * Throws a `ValidationException` for sizes outside the documented ranges: canary at most 50% of the instances,
 * linear steps 10-50%, and a maximum execution timeout that leaves no room for the waits.
 */
export function planTrafficShift(config: DeploymentConfig | undefined, instanceCount: number): TrafficShiftPlan {
  if (config?.RollingUpdatePolicy !== undefined) {
    throw validationError('RollingUpdatePolicy is not emulated locally; use BlueGreenUpdatePolicy');
  }
  const policy = config?.BlueGreenUpdatePolicy;
  const routing = policy?.TrafficRoutingConfiguration ?? DEFAULT_TRAFFIC_ROUTING;
  const count = Math.max(1, instanceCount);
  const wait = routing.WaitIntervalInSeconds;
  const steps = routingSteps(routing, count).map((greenPercent) => ({
    greenPercent,
    bakeSeconds: wait,
    greenInstances: Math.min(count, Math.max(1, Math.ceil((greenPercent / 100) * count))),
  }));
  const terminationWaitSeconds = policy?.TerminationWaitInSeconds ?? 0;
  const maximumExecutionSeconds = policy?.MaximumExecutionTimeoutInSeconds;
  const totalWait = steps.reduce((sum, step) => sum + step.bakeSeconds, 0) + terminationWaitSeconds;
  if (maximumExecutionSeconds !== undefined && maximumExecutionSeconds <= totalWait) {
    throw validationError(
      `MaximumExecutionTimeoutInSeconds (${maximumExecutionSeconds}) must be larger than the total waiting time ` +
        `of TerminationWaitInSeconds and WaitIntervalInSeconds (${totalWait})`,
    );
  }
  return {
    type: routing.Type,
    steps,
    terminationWaitSeconds,
    ...(maximumExecutionSeconds === undefined ? {} : { maximumExecutionSeconds }),
    alarmNames: (config?.AutoRollbackConfiguration?.Alarms ?? []).map((alarm) => alarm.AlarmName),
  };
}

function routingSteps(routing: TrafficRoutingConfig, count: number): number[] {
  switch (routing.Type) {
    case 'ALL_AT_ONCE':
      return [100];
    case 'CANARY': {
      const size = required(routing.CanarySize, 'CanarySize', 'CANARY');
      const percent = sizePercent(size, count);
      if (percent > 50) {
        throw validationError(
          `CanarySize must be less than or equal to 50% of the variant's total instance count (${count}); got ${describe(size)}`,
        );
      }
      return [percent, 100];
    }
    case 'LINEAR': {
      const size = required(routing.LinearStepSize, 'LinearStepSize', 'LINEAR');
      const percent = sizePercent(size, count);
      if (percent < 10 || percent > 50) {
        throw validationError(
          `LinearStepSize must be 10-50% of the variant's total instance count (${count}); got ${describe(size)}`,
        );
      }
      // The epsilon keeps 3 steps of 1/3 from turning into a fourth step of 0.000...1%.
      const stepCount = Math.ceil(100 / percent - 1e-9);
      return Array.from({ length: stepCount }, (_, i) => (i === stepCount - 1 ? 100 : round2(percent * (i + 1))));
    }
  }
}

/**
 * A capacity size as a share of the fleet. [U] How SageMaker rounds a CAPACITY_PERCENT that is not a whole number of
 * instances is not documented; locally the traffic share is the percentage itself.
 */
export function sizePercent(size: CapacitySize, instanceCount: number): number {
  return size.Type === 'CAPACITY_PERCENT' ? size.Value : (size.Value / instanceCount) * 100;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function required(size: CapacitySize | undefined, member: string, type: string): CapacitySize {
  if (size === undefined)
    throw validationError(`TrafficRoutingConfiguration.${member} is required when Type is ${type}`);
  return size;
}

function describe(size: CapacitySize): string {
  return size.Type === 'CAPACITY_PERCENT' ? `${size.Value}%` : `${size.Value} instance(s)`;
}
