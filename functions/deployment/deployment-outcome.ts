/**
 * How a deployment ended, judged from `DescribeEndpoint` (the event that woke the handler may be late, repeated or
 * out of order; the endpoint's current description is not), and who is champion afterwards.
 */
import type { EndpointStatus } from '../events/aws-sagemaker';
import type { ChampionRef, InFlightDeployment, PipelineDeploymentState } from './deployment-state';

/** What a deployment reads from `DescribeEndpoint`. */
export interface EndpointView {
  readonly endpointName: string;
  readonly status: EndpointStatus;
  /** The config in service (or being created). */
  readonly endpointConfigName: string;
  /** The config an update is deploying, while it runs. */
  readonly pendingEndpointConfigName?: string;
  readonly failureReason?: string;
  /** ISO-8601. */
  readonly lastModifiedTime?: string;
}

/** The end of a deployment, or not yet. */
export type DeploymentOutcome =
  | { readonly kind: 'pending' }
  | { readonly kind: 'succeeded' }
  /** The endpoint serves the previous config again: an alarm tripped, or the new fleet never became healthy. */
  | { readonly kind: 'rolled-back'; readonly reason: string }
  /** No rollback possible: the endpoint could not be created, or the update's rollback failed. */
  | { readonly kind: 'failed'; readonly reason: string; readonly deleteEndpoint: boolean };

/** An outcome that ends the deployment. */
export type FinalOutcome = Exclude<DeploymentOutcome, { kind: 'pending' }>;

/** True when the endpoint changed after the slot was claimed, i.e. the change can be this deployment's doing. */
function changedSinceClaim(deployment: InFlightDeployment, endpoint: EndpointView): boolean {
  return (
    endpoint.lastModifiedTime !== undefined && Date.parse(endpoint.lastModifiedTime) > Date.parse(deployment.claimedAt)
  );
}

/**
 * Judges `deployment` from the endpoint's description (`undefined` when the endpoint does not exist).
 *
 * Success is the endpoint `InService` with the deployment's config. `InService` with another config is a rollback,
 * but only once this deployment's request was accepted, or the endpoint changed after the claim and carries a
 * `FailureReason` (REFERENCE 2.4: no event field says "rolled back"): before that, the old config is simply still
 * serving. Everything else in progress (`Creating`, `Updating`, `RollingBack`, `SystemUpdating`) is pending.
 */
export function decideOutcome(deployment: InFlightDeployment, endpoint: EndpointView | undefined): DeploymentOutcome {
  if (endpoint === undefined) {
    return deployment.requested
      ? { kind: 'failed', reason: 'the endpoint no longer exists', deleteEndpoint: false }
      : { kind: 'pending' };
  }
  const ours = deployment.requested || changedSinceClaim(deployment, endpoint);
  switch (endpoint.status) {
    case 'InService':
      if (endpoint.endpointConfigName === deployment.endpointConfigName) return { kind: 'succeeded' };
      if (deployment.requested || (ours && endpoint.failureReason !== undefined)) {
        return {
          kind: 'rolled-back',
          reason:
            endpoint.failureReason ??
            `SageMaker kept ${endpoint.endpointConfigName} in service instead of ${deployment.endpointConfigName}`,
        };
      }
      return { kind: 'pending' };
    case 'Failed':
      if (!ours) return { kind: 'pending' };
      return {
        kind: 'failed',
        reason: endpoint.failureReason ?? 'the endpoint failed',
        // A Failed endpoint cannot be updated; without a previous config there is nothing to keep.
        deleteEndpoint: deployment.previousEndpointConfigName === undefined,
      };
    case 'UpdateRollbackFailed':
      if (!ours) return { kind: 'pending' };
      return {
        kind: 'failed',
        reason: endpoint.failureReason ?? 'the update failed and so did its rollback',
        deleteEndpoint: false,
      };
    case 'Deleting':
    case 'OutOfService':
      return deployment.requested
        ? { kind: 'failed', reason: `the endpoint is ${endpoint.status}`, deleteEndpoint: false }
        : { kind: 'pending' };
    case 'Creating':
    case 'Updating':
    case 'SystemUpdating':
    case 'RollingBack':
      return { kind: 'pending' };
  }
}

/** Champion and previous champions after a deployment ended. */
export interface Succession {
  readonly champion?: ChampionRef;
  readonly previousChampions: readonly ChampionRef[];
}

/**
 * Who serves after `deployment` ended with `outcome`. A successful approval makes the new model champion and the old
 * champion the newest previous one; a successful rollback makes the previous champion champion again and drops the
 * model it replaced (rolling back twice goes two versions back, never forth). Only `keepPrevious` are kept.
 */
export function succession(
  state: PipelineDeploymentState,
  deployment: InFlightDeployment,
  outcome: FinalOutcome,
  keepPrevious: number,
): Succession {
  if (outcome.kind !== 'succeeded') {
    return { ...(state.champion ? { champion: state.champion } : {}), previousChampions: state.previousChampions };
  }
  const champion: ChampionRef = {
    modelPackageArn: deployment.modelPackageArn,
    modelVersion: deployment.modelVersion,
    endpointConfigName: deployment.endpointConfigName,
  };
  const isNew = (ref: ChampionRef) => ref.modelPackageArn !== champion.modelPackageArn;
  if (deployment.trigger === 'rollback') {
    const index = state.previousChampions.findIndex((ref) => !isNew(ref));
    return { champion, previousChampions: state.previousChampions.slice(index + 1).slice(0, keepPrevious) };
  }
  const previous = [...(state.champion ? [state.champion] : []), ...state.previousChampions].filter(isNew);
  return { champion, previousChampions: previous.slice(0, keepPrevious) };
}
