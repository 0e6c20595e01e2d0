/**
 * Which models and endpoint configs a pipeline no longer needs. Only resources this deployment recorded creating
 * are candidates (never a listing by name prefix: another stage in the same account has look-alike names), and
 * never one in use or kept for rollback.
 */
import type { PipelineDeploymentState } from './deployment-state';

/** What housekeeping reads from a deployment record. */
export interface DeploymentResources {
  readonly sortKey: string;
  readonly modelVersion: number;
  /** Absent for a rollback that redeployed an existing config. */
  readonly modelName?: string;
  readonly endpointConfigName: string;
  /** The deployment ended (succeeded, failed or rolled back). */
  readonly ended: boolean;
  /** Its model and config were deleted by an earlier housekeeping. */
  readonly resourcesDeleted: boolean;
}

/** What to delete, and the records whose resources are then all gone. */
export interface HousekeepingSelection {
  readonly models: readonly string[];
  readonly endpointConfigs: readonly string[];
  readonly sortKeys: readonly string[];
}

/**
 * Selects the resources of model versions older than the champion that are neither the champion, nor one of the
 * kept previous champions, nor in flight or queued, nor used by the endpoint right now (`inUseConfigNames`: its
 * current and pending configs). Versions newer than the champion are kept: they may still be deploying or be
 * deployed next. Without a champion nothing is selected.
 */
export function selectForDeletion(
  state: PipelineDeploymentState,
  deployments: readonly DeploymentResources[],
  inUseConfigNames: readonly string[],
): HousekeepingSelection {
  const champion = state.champion;
  if (champion === undefined) return { models: [], endpointConfigs: [], sortKeys: [] };
  const keep = new Set<number>([
    champion.modelVersion,
    ...state.previousChampions.map((c) => c.modelVersion),
    ...(state.inFlight ? [state.inFlight.modelVersion] : []),
    ...(state.queued ? [state.queued.modelVersion] : []),
    ...deployments.filter((d) => inUseConfigNames.includes(d.endpointConfigName)).map((d) => d.modelVersion),
  ]);
  const selected = deployments.filter(
    (d) =>
      d.ended &&
      !d.resourcesDeleted &&
      d.modelVersion < champion.modelVersion &&
      !keep.has(d.modelVersion) &&
      !inUseConfigNames.includes(d.endpointConfigName),
  );
  return {
    models: [...new Set(selected.flatMap((d) => (d.modelName === undefined ? [] : [d.modelName])))],
    endpointConfigs: [...new Set(selected.map((d) => d.endpointConfigName))],
    sortKeys: selected.map((d) => d.sortKey),
  };
}
