/**
 * A deployment as recorded in the metadata table (`DEPLOYMENT#<startedAt>#<deploymentId>`, docs/metadata.md), and
 * the lifecycle events it is announced with. The events are built from the record alone, so a retry that finds an
 * event not yet sent can send exactly what the first attempt would have.
 */
import {
  DeploymentFailed,
  DeploymentRolledBack,
  DeploymentStarted,
  DeploymentSucceeded,
  toPutEventsEntry,
  type DeploymentStartedDetail,
  type PutEventsEntry,
} from '../events/lifecycle';
import type { DeploymentTrigger } from './deployment-state';

/** Where a deployment stands. */
export type DeploymentStatus = 'in-progress' | 'succeeded' | 'failed' | 'rolled-back';

/** One deployment of a model version to the pipeline's endpoint. */
export interface DeploymentRecord {
  readonly pipeline: string;
  readonly deploymentId: string;
  readonly trigger: DeploymentTrigger;
  /** The approval event, the evaluation, or the operator (CLI) that caused it. */
  readonly requestedBy: string;
  readonly endpointName: string;
  readonly modelPackageArn: string;
  readonly modelVersion: number;
  /** The model created for it; absent when a rollback redeployed an existing config. */
  readonly modelName?: string;
  readonly endpointConfigName: string;
  readonly strategy: DeploymentStartedDetail['strategy'];
  readonly previousModelVersion?: number;
  readonly previousEndpointConfigName?: string;
  /**
   * The endpoint update keeps the guardrails of the endpoint's last deployment (`RetainDeploymentConfig`) instead
   * of the pipeline's: a rollback requested from the CLI, which does not know the alarms.
   */
  readonly retainDeploymentConfig: boolean;
  /** Alarms named in `AutoRollbackConfiguration` (empty when the last deployment's are retained). */
  readonly rollbackAlarms: readonly string[];
  /** Alarms left out, with why (see `selectRollbackAlarms`). */
  readonly alarmsLeftOut: readonly string[];
  readonly status: DeploymentStatus;
  readonly reason?: string;
  /** ISO-8601; also in the sort key. */
  readonly startedAt: string;
  readonly requestedAt?: string;
  readonly endedAt?: string;
  readonly startedEventSent: boolean;
  readonly outcomeEventSent: boolean;
  readonly resourcesDeleted: boolean;
}

/** The `Deployment Started` detail of `record`. */
export function startedDetail(record: DeploymentRecord): DeploymentStartedDetail {
  return {
    pipeline: record.pipeline,
    deploymentId: record.deploymentId,
    endpointName: record.endpointName,
    modelPackageArn: record.modelPackageArn,
    modelVersion: record.modelVersion,
    strategy: record.strategy,
    endpointConfigName: record.endpointConfigName,
    ...(record.previousModelVersion === undefined ? {} : { previousModelVersion: record.previousModelVersion }),
  };
}

/** The `Deployment Started` entry of `record` for `busName`. */
export function startedEntry(record: DeploymentRecord, busName: string): PutEventsEntry {
  return toPutEventsEntry(DeploymentStarted, startedDetail(record), busName, [record.modelPackageArn]);
}

/** The entry that announces how `record` ended, or undefined while it is in progress. */
export function outcomeEntry(record: DeploymentRecord, busName: string): PutEventsEntry | undefined {
  const base = startedDetail(record);
  const resources = [record.modelPackageArn];
  const reason = (record.reason ?? '').slice(0, 1024) || 'no reason given';
  switch (record.status) {
    case 'in-progress':
      return undefined;
    case 'succeeded':
      return toPutEventsEntry(DeploymentSucceeded, base, busName, resources);
    case 'failed':
      return toPutEventsEntry(DeploymentFailed, { ...base, reason }, busName, resources);
    case 'rolled-back':
      return toPutEventsEntry(DeploymentRolledBack, { ...base, reason }, busName, resources);
  }
}
