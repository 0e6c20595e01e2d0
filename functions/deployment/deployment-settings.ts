/**
 * What the deploy function needs to know about each pipeline, derived once from `pipeline.yaml` and the CDK context
 * by `lib/deployment.ts`, carried in the function's environment as JSON, and read back with
 * {@link parseDeploymentSettings}. The CLI derives the same settings from the same files.
 */
import * as z from 'zod';
import type { VpcContext } from '../config/environment-context';
import type { DeploymentStrategy, PipelineConfig } from '../config/pipeline-config';
import { rollbackAlarmSpecs, type RollbackAlarmKind } from './rollback-alarms';

const StrategySchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('allAtOnce'),
    waitSeconds: z.number().int(),
    terminationWaitSeconds: z.number().int(),
    maximumExecutionTimeoutSeconds: z.number().int(),
  }),
  z.object({
    type: z.literal('canary'),
    canaryPercent: z.number().int(),
    waitSeconds: z.number().int(),
    terminationWaitSeconds: z.number().int(),
    maximumExecutionTimeoutSeconds: z.number().int(),
  }),
  z.object({
    type: z.literal('linear'),
    stepPercent: z.number().int(),
    waitSeconds: z.number().int(),
    terminationWaitSeconds: z.number().int(),
    maximumExecutionTimeoutSeconds: z.number().int(),
  }),
]);

const ComputeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('instances'),
    instanceType: z.string().min(1),
    instanceCount: z.number().int().positive(),
    samplingPercentage: z.number().int().min(0).max(100),
  }),
  z.object({
    kind: z.literal('serverless'),
    memorySizeMb: z.number().int().positive(),
    maxConcurrency: z.number().int().positive(),
  }),
]);

/** One pipeline's deployment settings. */
export const DeploymentSettingsSchema = z.object({
  pipeline: z.string().min(1),
  modelPackageGroupName: z.string().min(1),
  endpointName: z.string().min(1),
  compute: ComputeSchema,
  strategy: StrategySchema,
  /** Previous champions whose models and endpoint configs are kept for rollback. */
  keepPrevious: z.number().int().positive(),
  /** CloudWatch alarms that roll a deployment back, in the order they are named to SageMaker. */
  alarms: z.array(
    z.object({ name: z.string().min(1), kind: z.enum(['invocation5xx', 'modelLatency', 'modelQuality']) }),
  ),
  vpc: z.object({ subnetIds: z.array(z.string()).min(1), securityGroupIds: z.array(z.string()).min(1) }).optional(),
  networkIsolation: z.boolean(),
});
/** One pipeline's deployment settings. */
export type DeploymentSettings = z.infer<typeof DeploymentSettingsSchema>;
/** How the endpoint's capacity is provided. */
export type DeploymentCompute = DeploymentSettings['compute'];

/** The environment-specific inputs of {@link deploymentSettings} (CDK context). */
export interface DeploymentEnvironment {
  readonly stage: string;
  readonly vpc?: VpcContext;
  readonly networkIsolation: boolean;
}

function strategyOf(strategy: DeploymentStrategy): DeploymentSettings['strategy'] {
  const times = {
    waitSeconds: strategy.waitSeconds,
    terminationWaitSeconds: strategy.terminationWaitSeconds,
    maximumExecutionTimeoutSeconds: strategy.maximumExecutionTimeoutSeconds,
  };
  switch (strategy.type) {
    case 'allAtOnce':
      return { type: 'allAtOnce', ...times };
    case 'canary':
      return { type: 'canary', canaryPercent: strategy.canaryPercent, ...times };
    case 'linear':
      return { type: 'linear', stepPercent: strategy.stepPercent, ...times };
  }
}

/** The deployment settings of `pipeline` in `environment`. */
export function deploymentSettings(pipeline: PipelineConfig, environment: DeploymentEnvironment): DeploymentSettings {
  const d = pipeline.deployment;
  const compute: DeploymentCompute =
    d.serverless === undefined
      ? {
          kind: 'instances',
          instanceType: d.instanceType,
          instanceCount: d.instanceCount,
          samplingPercentage: d.dataCapture.samplingPercentage,
        }
      : { kind: 'serverless', memorySizeMb: d.serverless.memorySizeMb, maxConcurrency: d.serverless.maxConcurrency };
  const alarms: { name: string; kind: RollbackAlarmKind }[] = rollbackAlarmSpecs(pipeline, environment.stage).map(
    (spec) => ({ name: spec.alarmName, kind: spec.kind }),
  );
  return {
    pipeline: pipeline.name,
    modelPackageGroupName: pipeline.registry.modelPackageGroupName,
    endpointName: d.endpointName,
    compute,
    strategy: strategyOf(d.strategy),
    keepPrevious: d.keepPrevious,
    alarms,
    // Serverless endpoints take no VPC configuration.
    ...(environment.vpc && compute.kind === 'instances'
      ? { vpc: { subnetIds: [...environment.vpc.subnetIds], securityGroupIds: [...environment.vpc.securityGroupIds] } }
      : {}),
    networkIsolation: environment.networkIsolation,
  };
}

/** Parses the JSON list the construct put in the environment; a mismatch is a deployment fault, thrown at init. */
export function parseDeploymentSettings(json: string): DeploymentSettings[] {
  return z.array(DeploymentSettingsSchema).parse(JSON.parse(json));
}

/** The settings whose model package group is `groupName`, if any. */
export function settingsForGroup(
  all: readonly DeploymentSettings[],
  groupName: string,
): DeploymentSettings | undefined {
  return all.find((s) => s.modelPackageGroupName === groupName);
}

/** The settings whose endpoint is `endpointName`, if any. */
export function settingsForEndpoint(
  all: readonly DeploymentSettings[],
  endpointName: string,
): DeploymentSettings | undefined {
  return all.find((s) => s.endpointName === endpointName);
}
