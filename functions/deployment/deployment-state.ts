/**
 * The deployment state of one pipeline (its endpoint's slot, the queued approval, the champion and the previous
 * champions kept for rollback), and the decisions taken on it before any write. The decisions only choose what to
 * try: the conditional writes in `functions/metadata/deployment-store.ts` are what keep two deliveries of one event
 * from both winning.
 */

/** A model that serves (or served) the endpoint. */
export interface ChampionRef {
  readonly modelPackageArn: string;
  readonly modelVersion: number;
  /** The endpoint config it served with; a rollback deploys it again. */
  readonly endpointConfigName: string;
}

/** What caused a deployment. */
export type DeploymentTrigger = 'approval' | 'rollback';

/** The deployment that holds the endpoint's slot. */
export interface InFlightDeployment {
  readonly deploymentId: string;
  /** Sort key of its `DEPLOYMENT#` item. */
  readonly sortKey: string;
  readonly trigger: DeploymentTrigger;
  readonly modelPackageArn: string;
  readonly modelVersion: number;
  readonly endpointConfigName: string;
  /** The config in service when the slot was claimed; absent when the endpoint did not exist (a create). */
  readonly previousEndpointConfigName?: string;
  readonly previousModelVersion?: number;
  /** ISO-8601. */
  readonly claimedAt: string;
  /** Epoch seconds after which another deployment may take the slot (a lost end event must not block forever). */
  readonly lockExpiresAt: number;
  /** True once `CreateEndpoint`/`UpdateEndpoint` was accepted. */
  readonly requested: boolean;
}

/** The pipeline's deployment state, as kept on its `STATE` item. */
export interface PipelineDeploymentState {
  readonly champion?: ChampionRef;
  /** Newest first, at most `keepPrevious`. */
  readonly previousChampions: readonly ChampionRef[];
  readonly inFlight?: InFlightDeployment;
  /** The newest model approved while a deployment was in flight; deployed when the slot is free. */
  readonly queued?: { readonly modelPackageArn: string; readonly modelVersion: number };
  /** Highest model version an approval has started or queued; older and repeated approvals change nothing. */
  readonly approvedVersion: number;
  /** Id of the last rollback request that took the slot, so a redelivered request rolls back only once. */
  readonly lastRollbackRequestId?: string;
}

/** Whether `inFlight` still holds the slot at `nowSeconds`. */
export function holdsSlot(inFlight: InFlightDeployment | undefined, nowSeconds: number): boolean {
  return inFlight !== undefined && inFlight.lockExpiresAt >= nowSeconds;
}

/** What to do with an approved model package. */
export type ApprovalDecision =
  /** This very deployment holds the slot: a retry, carry on where it stopped. */
  | { readonly kind: 'resume'; readonly inFlight: InFlightDeployment }
  | { readonly kind: 'ignore'; readonly reason: string }
  /** Deploy now: claim the slot. */
  | { readonly kind: 'claim' }
  /** Another deployment holds the slot: become the queued model (if still the newest). */
  | { readonly kind: 'queue' };

/** Decides what an approval of `modelVersion` (deployment id `deploymentId`) does in `state`. */
export function approvalDecision(
  state: PipelineDeploymentState,
  approval: { readonly deploymentId: string; readonly modelPackageArn: string; readonly modelVersion: number },
  nowSeconds: number,
): ApprovalDecision {
  if (state.inFlight?.deploymentId === approval.deploymentId) return { kind: 'resume', inFlight: state.inFlight };
  if (state.champion?.modelPackageArn === approval.modelPackageArn) {
    return { kind: 'ignore', reason: `v${approval.modelVersion} is the champion already` };
  }
  if (approval.modelVersion <= state.approvedVersion) {
    return {
      kind: 'ignore',
      reason: `v${approval.modelVersion} is not newer than v${state.approvedVersion}, the newest approval taken (a repeated or superseded approval)`,
    };
  }
  return holdsSlot(state.inFlight, nowSeconds) ? { kind: 'queue' } : { kind: 'claim' };
}

/** A request to put the previous champion back. */
export interface RollbackRequest {
  /** Idempotency key: the evaluation id of `Model Degraded`, or the CLI's request id. */
  readonly requestId: string;
  /** The champion the requester wants replaced; a different champion means the request is stale. */
  readonly expectedChampionVersion?: number;
  /** Who asked, for logs and the deployment record. */
  readonly requestedBy: string;
}

/** What a rollback request does in `state`. */
export type RollbackDecision =
  | { readonly kind: 'resume'; readonly inFlight: InFlightDeployment }
  | { readonly kind: 'refuse'; readonly reason: string }
  | { readonly kind: 'claim'; readonly target: ChampionRef; readonly champion: ChampionRef };

/** Decides what a rollback request (deployment id `deploymentId`) does in `state`. */
export function rollbackDecision(
  state: PipelineDeploymentState,
  request: RollbackRequest,
  deploymentId: string,
  nowSeconds: number,
): RollbackDecision {
  if (state.inFlight?.deploymentId === deploymentId) return { kind: 'resume', inFlight: state.inFlight };
  if (state.lastRollbackRequestId === request.requestId) {
    return { kind: 'refuse', reason: `rollback request ${request.requestId} was carried out already` };
  }
  const champion = state.champion;
  if (champion === undefined) return { kind: 'refuse', reason: 'there is no champion to roll back from' };
  if (request.expectedChampionVersion !== undefined && champion.modelVersion !== request.expectedChampionVersion) {
    return {
      kind: 'refuse',
      reason: `the champion is v${champion.modelVersion}, not v${request.expectedChampionVersion}: it was replaced already`,
    };
  }
  if (holdsSlot(state.inFlight, nowSeconds)) {
    return {
      kind: 'refuse',
      reason: `deployment ${state.inFlight?.deploymentId ?? ''} of v${state.inFlight?.modelVersion ?? ''} is in flight; it replaces the champion anyway`,
    };
  }
  const target = state.previousChampions[0];
  if (target === undefined) {
    return { kind: 'refuse', reason: `no previous champion is kept to roll back to from v${champion.modelVersion}` };
  }
  return { kind: 'claim', target, champion };
}
