/**
 * The deployment state machine, driven by events: an approval claims the endpoint's slot (or queues behind the
 * deployment in flight), creates the model and endpoint config, and creates or updates the endpoint; an endpoint
 * state change judges the deployment from `DescribeEndpoint`, concludes it (promoting the champion on success),
 * announces it, starts the queued model and deletes what is no longer needed; a rollback request redeploys the
 * previous champion's endpoint config through the same guarded update.
 *
 *   approval ──claim──► in flight ──Create/UpdateEndpoint──► requested ──InService (new config)──► succeeded
 *      │                    ▲                                    ├──InService (old config)──────► rolled back
 *      └─busy─► queued ─────┘ (when the slot is free)            └──Failed / rollback failed────► failed
 *
 * Every step is safe to repeat: decisions start from the state as stored, every write is conditional, resource
 * names are deterministic, and each lifecycle event is sent by whoever claims it first. The handler and the CLI
 * (`mlops rollback`) drive the same runner.
 */
import type { AlarmStateValue } from '../deployment/rollback-alarms';
import { selectRollbackAlarms, type RollbackAlarmSelection } from '../deployment/rollback-alarms';
import type { DeploymentSettings } from '../deployment/deployment-settings';
import { settingsForEndpoint, settingsForGroup } from '../deployment/deployment-settings';
import {
  approvalDecision,
  holdsSlot,
  rollbackDecision,
  type InFlightDeployment,
  type PipelineDeploymentState,
  type RollbackRequest,
} from '../deployment/deployment-state';
import { decideOutcome, succession } from '../deployment/deployment-outcome';
import { outcomeEntry, startedEntry, type DeploymentRecord } from '../deployment/deployment-record';
import {
  endpointDeploymentConfig,
  endpointTags,
  hostingPlan,
  type HostingPlan,
  type HostingResources,
  type ModelPackageView,
} from '../deployment/hosting-requests';
import { selectForDeletion } from '../deployment/housekeeping';
import { deploymentIdFor, rollbackDeploymentId } from '../deployment/resource-names';
import type { PutEventsEntry } from '../events/lifecycle';
import { deploymentSortKey, type ClaimMode, type DeploymentStore } from '../metadata/deployment-store';
import { ContendedStateError, DeploymentError, EndpointBusyError, SettingsChangedError } from './errors';
import type { HostingApi } from './sagemaker-hosting';

/** What the runner needs. */
export interface DeploymentRunnerOptions {
  readonly store: DeploymentStore;
  readonly hosting: HostingApi;
  /** Puts one entry on the project's bus; throws when it was not accepted. */
  readonly publish: (entry: PutEventsEntry) => Promise<void>;
  readonly busName: string;
  readonly settings: readonly DeploymentSettings[];
  /**
   * Execution role, capture bucket and key: needed to create models and endpoint configs. The CLI has none, so it
   * can roll back (an existing config) but leaves new models and the queue to the deploy function.
   * @default undefined
   */
  readonly resources?: HostingResources;
  /**
   * Current state of the named alarms.
   * @default every alarm counts as not in ALARM
   */
  readonly alarmStates?: (names: readonly string[]) => Promise<ReadonlyMap<string, AlarmStateValue>>;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** What an invocation did, for logs and the CLI. */
export type RunResult =
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'refused'; readonly pipeline: string; readonly reason: string }
  | { readonly kind: 'queued'; readonly pipeline: string; readonly modelVersion: number }
  | {
      readonly kind: 'settled';
      readonly pipeline: string;
      /** The deployment this invocation started or advanced. */
      readonly started?: { readonly deploymentId: string; readonly modelVersion: number };
      /** The deployment that holds the slot afterwards, still running. */
      readonly inFlight?: { readonly deploymentId: string; readonly modelVersion: number };
      readonly concluded?: { readonly deploymentId: string; readonly outcome: string; readonly byThisCall: boolean };
      readonly next?: RunResult;
      readonly deleted?: { readonly models: readonly string[]; readonly endpointConfigs: readonly string[] };
    };

/** Attempts at a decision before the state is declared contended (each attempt re-reads it). */
const MAX_ATTEMPTS = 5;
/** Kept beyond the deployment's own timeout before another deployment may take an unreleased slot. */
const LOCK_MARGIN_SECONDS = 3600;

const ignored = (reason: string): RunResult => ({ kind: 'ignored', reason });

/** Runs deployments; see the module comment. */
export class DeploymentRunner {
  private readonly now: () => Date;

  public constructor(private readonly options: DeploymentRunnerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** A model package of a deployed group became (or still is) `Approved`: deploy it, or queue it. */
  public async onApproval(approval: {
    readonly eventId: string;
    readonly modelPackageArn: string;
    readonly modelPackageGroupName: string;
  }): Promise<RunResult> {
    const settings = settingsForGroup(this.options.settings, approval.modelPackageGroupName);
    if (settings === undefined)
      return ignored(`no pipeline deploys model package group ${approval.modelPackageGroupName}`);
    // The event may be stale: the package's description is the source of truth for status, image and data.
    const pkg = await this.options.hosting.describeModelPackage(approval.modelPackageArn);
    if (pkg.approvalStatus !== 'Approved') return ignored(`v${pkg.modelVersion} is ${pkg.approvalStatus} now`);
    const deploymentId = deploymentIdFor(pkg.modelVersion, approval.eventId, pkg.modelPackageArn);
    const requestedBy = `approval of v${pkg.modelVersion} (event ${approval.eventId})`;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const state = await this.options.store.getState(settings.pipeline);
      const decision = approvalDecision(state, { deploymentId, ...pkg }, this.nowSeconds());
      switch (decision.kind) {
        case 'resume':
          return this.advance(settings, decision.inFlight);
        case 'ignore':
          return ignored(decision.reason);
        case 'queue':
          if (await this.options.store.enqueue(settings.pipeline, pkg, this.nowSeconds())) {
            return { kind: 'queued', pipeline: settings.pipeline, modelVersion: pkg.modelVersion };
          }
          break;
        case 'claim': {
          const started = await this.claimApproved(settings, pkg, deploymentId, requestedBy, state, {
            kind: 'approval',
          });
          if (started !== undefined) return started;
          break;
        }
      }
    }
    throw new ContendedStateError(settings.pipeline, MAX_ATTEMPTS);
  }

  /** An endpoint of a pipeline changed state: move its deployment on. */
  public async onEndpointChange(endpointName: string): Promise<RunResult> {
    const settings = settingsForEndpoint(this.options.settings, endpointName);
    if (settings === undefined) return ignored(`no pipeline deploys to endpoint ${endpointName}`);
    return this.settle(settings);
  }

  /**
   * Redeploys the previous champion's endpoint config through the guarded update: with the pipeline's alarms
   * (`pipeline`), or with the guardrails of the endpoint's last deployment (`retain`; the CLI, which does not know
   * the alarms).
   */
  public async rollback(
    pipeline: string,
    request: RollbackRequest,
    guardrails: 'pipeline' | 'retain',
  ): Promise<RunResult> {
    const settings = this.options.settings.find((s) => s.pipeline === pipeline);
    if (settings === undefined) return ignored(`no deployment settings for pipeline ${pipeline}`);
    const deploymentId = rollbackDeploymentId(request.requestId);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const state = await this.options.store.getState(pipeline);
      const decision = rollbackDecision(state, request, deploymentId, this.nowSeconds());
      if (decision.kind === 'resume') return this.advance(settings, decision.inFlight);
      if (decision.kind === 'refuse') return { kind: 'refused', pipeline, reason: decision.reason };
      const { target, champion } = decision;
      if (!(await this.options.hosting.endpointConfigExists(target.endpointConfigName))) {
        return {
          kind: 'refused',
          pipeline,
          reason: `endpoint config ${target.endpointConfigName} of v${target.modelVersion} no longer exists`,
        };
      }
      const endpoint = await this.options.hosting.describeEndpoint(settings.endpointName);
      const alarms: RollbackAlarmSelection =
        guardrails === 'pipeline' ? await this.rollbackAlarms(settings) : { alarmNames: [], leftOut: [] };
      const { inFlight, record } = this.newDeployment(settings, {
        deploymentId,
        trigger: 'rollback',
        requestedBy: request.requestedBy,
        modelPackageArn: target.modelPackageArn,
        modelVersion: target.modelVersion,
        endpointConfigName: target.endpointConfigName,
        previousEndpointConfigName: endpoint?.status === 'Failed' ? undefined : endpoint?.endpointConfigName,
        previousModelVersion: champion.modelVersion,
        retainDeploymentConfig: guardrails === 'retain',
        alarms,
      });
      const mode: ClaimMode = {
        kind: 'rollback',
        requestId: request.requestId,
        championVersion: champion.modelVersion,
      };
      if (await this.options.store.claim(pipeline, inFlight, record, mode, this.nowSeconds())) {
        return this.advance(settings, inFlight);
      }
    }
    throw new ContendedStateError(pipeline, MAX_ATTEMPTS);
  }

  /** Claims the slot for an approved package; undefined when the state changed first (decide again). */
  private async claimApproved(
    settings: DeploymentSettings,
    pkg: ModelPackageView,
    deploymentId: string,
    requestedBy: string,
    state: PipelineDeploymentState,
    mode: ClaimMode,
  ): Promise<RunResult | undefined> {
    const plan = hostingPlan(settings, pkg, this.requireResources());
    const endpoint = await this.options.hosting.describeEndpoint(settings.endpointName);
    const { inFlight, record } = this.newDeployment(settings, {
      deploymentId,
      trigger: 'approval',
      requestedBy,
      modelPackageArn: pkg.modelPackageArn,
      modelVersion: pkg.modelVersion,
      modelName: plan.model.ModelName,
      endpointConfigName: plan.endpointConfig.EndpointConfigName,
      // A Failed endpoint (a create that failed) has no config to go back to.
      previousEndpointConfigName: endpoint?.status === 'Failed' ? undefined : endpoint?.endpointConfigName,
      previousModelVersion: state.champion?.modelVersion,
      retainDeploymentConfig: false,
      alarms: await this.rollbackAlarms(settings),
    });
    const abandoned = this.abandonedBy(state, inFlight);
    if (!(await this.options.store.claim(settings.pipeline, inFlight, record, mode, this.nowSeconds(), abandoned))) {
      return undefined;
    }
    if (abandoned !== undefined) await this.announce(settings.pipeline, abandoned.inFlight.sortKey);
    return this.advance(settings, inFlight, plan);
  }

  /** The deployment whose expired lock `next` takes over, with why it is recorded as failed. */
  private abandonedBy(
    state: PipelineDeploymentState,
    next: InFlightDeployment,
  ): { inFlight: InFlightDeployment; reason: string } | undefined {
    const old = state.inFlight;
    if (old === undefined || holdsSlot(old, this.nowSeconds())) return undefined;
    return {
      inFlight: old,
      reason:
        `abandoned: no end of the deployment was seen before its lock expired at ` +
        `${new Date(old.lockExpiresAt * 1000).toISOString()}; deployment ${next.deploymentId} took the endpoint over`,
    };
  }

  private newDeployment(
    settings: DeploymentSettings,
    d: {
      deploymentId: string;
      trigger: InFlightDeployment['trigger'];
      requestedBy: string;
      modelPackageArn: string;
      modelVersion: number;
      modelName?: string;
      endpointConfigName: string;
      previousEndpointConfigName: string | undefined;
      previousModelVersion: number | undefined;
      retainDeploymentConfig: boolean;
      alarms: RollbackAlarmSelection;
    },
  ): { inFlight: InFlightDeployment; record: DeploymentRecord } {
    const now = this.now();
    const startedAt = now.toISOString();
    const previous = {
      ...(d.previousEndpointConfigName === undefined
        ? {}
        : { previousEndpointConfigName: d.previousEndpointConfigName }),
      ...(d.previousModelVersion === undefined ? {} : { previousModelVersion: d.previousModelVersion }),
    };
    const inFlight: InFlightDeployment = {
      deploymentId: d.deploymentId,
      sortKey: deploymentSortKey(startedAt, d.deploymentId),
      trigger: d.trigger,
      modelPackageArn: d.modelPackageArn,
      modelVersion: d.modelVersion,
      endpointConfigName: d.endpointConfigName,
      ...previous,
      claimedAt: startedAt,
      lockExpiresAt:
        Math.floor(now.getTime() / 1000) + settings.strategy.maximumExecutionTimeoutSeconds + LOCK_MARGIN_SECONDS,
      requested: false,
    };
    const record: DeploymentRecord = {
      pipeline: settings.pipeline,
      deploymentId: d.deploymentId,
      trigger: d.trigger,
      requestedBy: d.requestedBy,
      endpointName: settings.endpointName,
      modelPackageArn: d.modelPackageArn,
      modelVersion: d.modelVersion,
      ...(d.modelName === undefined ? {} : { modelName: d.modelName }),
      endpointConfigName: d.endpointConfigName,
      strategy: settings.strategy.type,
      ...previous,
      retainDeploymentConfig: d.retainDeploymentConfig,
      rollbackAlarms: [...d.alarms.alarmNames],
      alarmsLeftOut: d.alarms.leftOut.map((a) => `${a.alarmName}: ${a.reason}`),
      status: 'in-progress',
      startedAt,
      startedEventSent: false,
      outcomeEventSent: false,
      resourcesDeleted: false,
    };
    return { inFlight, record };
  }

  /**
   * Makes sure the deployment's model and config exist and the endpoint got its request, notes the request,
   * announces the deployment, then settles (the endpoint may have finished already).
   */
  private async advance(
    settings: DeploymentSettings,
    inFlight: InFlightDeployment,
    plan?: HostingPlan,
  ): Promise<RunResult> {
    const { store, hosting } = this.options;
    const record = await store.getDeployment(settings.pipeline, inFlight.sortKey);
    if (record === undefined) {
      throw new DeploymentError(`deployment ${inFlight.deploymentId} holds the slot but has no record`);
    }
    if (!inFlight.requested) {
      if (inFlight.trigger === 'approval') {
        const resources = plan ?? (await this.planFor(settings, inFlight.modelPackageArn));
        if (resources.endpointConfig.EndpointConfigName !== inFlight.endpointConfigName) {
          throw new SettingsChangedError(
            inFlight.deploymentId,
            inFlight.endpointConfigName,
            resources.endpointConfig.EndpointConfigName,
          );
        }
        await hosting.ensureModel(resources.model);
        await hosting.ensureEndpointConfig(resources.endpointConfig);
      }
      await this.request(settings, inFlight, record);
      await store.markRequested(settings.pipeline, inFlight, this.now().toISOString());
    }
    await this.announce(settings.pipeline, inFlight.sortKey);
    const settled = await this.settle(settings);
    return settled.kind === 'settled'
      ? { ...settled, started: { deploymentId: inFlight.deploymentId, modelVersion: inFlight.modelVersion } }
      : settled;
  }

  private async planFor(settings: DeploymentSettings, modelPackageArn: string): Promise<HostingPlan> {
    const pkg = await this.options.hosting.describeModelPackage(modelPackageArn);
    return hostingPlan(settings, pkg, this.requireResources());
  }

  /** `CreateEndpoint` or `UpdateEndpoint`, unless an earlier attempt of this deployment already made the request. */
  private async request(
    settings: DeploymentSettings,
    inFlight: InFlightDeployment,
    record: DeploymentRecord,
  ): Promise<void> {
    const { hosting } = this.options;
    const name = settings.endpointName;
    const target = inFlight.endpointConfigName;
    const endpoint = await hosting.describeEndpoint(name);
    if (endpoint === undefined) return hosting.createEndpoint(name, target, endpointTags(settings));
    if (endpoint.pendingEndpointConfigName === target) return;
    if (endpoint.endpointConfigName === target && (endpoint.status === 'Creating' || endpoint.status === 'InService')) {
      return;
    }
    if (endpoint.status === 'InService') {
      return hosting.updateEndpoint(
        name,
        target,
        record.retainDeploymentConfig
          ? { kind: 'retain' }
          : { kind: 'explicit', config: endpointDeploymentConfig(settings.strategy, record.rollbackAlarms) },
      );
    }
    if (endpoint.status === 'Failed' && inFlight.previousEndpointConfigName === undefined) {
      await hosting.deleteEndpoint(name);
      throw new EndpointBusyError(
        name,
        endpoint.status,
        `endpoint ${name} was left Failed; deleted it, the retry creates it`,
      );
    }
    throw new EndpointBusyError(
      name,
      endpoint.status,
      `endpoint ${name} is ${endpoint.status}; the retry requests again`,
    );
  }

  /**
   * Moves the pipeline's deployment on from the endpoint's current state: advances a claimed deployment whose
   * request was never made (its invocation failed), or judges and concludes the one in flight; sends events not
   * sent yet; starts the queued model when the slot is free; cleans up after a conclusion.
   */
  private async settle(settings: DeploymentSettings): Promise<RunResult> {
    const { store, hosting } = this.options;
    const pipeline = settings.pipeline;
    const state = await store.getState(pipeline);
    const inFlight = state.inFlight;
    let concluded: { deploymentId: string; outcome: string; byThisCall: boolean } | undefined;
    if (inFlight !== undefined) {
      if (!inFlight.requested && (inFlight.trigger === 'rollback' || this.options.resources !== undefined)) {
        return this.advance(settings, inFlight);
      }
      const endpoint = await hosting.describeEndpoint(settings.endpointName);
      const outcome = decideOutcome(inFlight, endpoint);
      if (outcome.kind === 'pending') {
        return {
          kind: 'settled',
          pipeline,
          inFlight: { deploymentId: inFlight.deploymentId, modelVersion: inFlight.modelVersion },
        };
      }
      if (outcome.kind === 'failed' && outcome.deleteEndpoint) await hosting.deleteEndpoint(settings.endpointName);
      const next = succession(state, inFlight, outcome, settings.keepPrevious);
      const byThisCall = await store.conclude(pipeline, inFlight, outcome, next, this.now().toISOString());
      concluded = { deploymentId: inFlight.deploymentId, outcome: outcome.kind, byThisCall };
      await this.announce(pipeline, inFlight.sortKey);
    } else {
      // A retry after a PutEvents that failed: the deployment is concluded, its event not sent yet.
      const [latest] = await store.latestDeployments(pipeline, 1);
      if (latest !== undefined && latest.status !== 'in-progress') await this.announce(pipeline, latest.sortKey);
    }
    const next = await this.startQueued(settings);
    const deleted = concluded?.byThisCall ? await this.housekeep(settings) : undefined;
    return {
      kind: 'settled',
      pipeline,
      ...(concluded ? { concluded } : {}),
      ...(next ? { next } : {}),
      ...(deleted ? { deleted } : {}),
    };
  }

  /** Deploys the queued model once the slot is free (only where models can be created: the deploy function). */
  private async startQueued(settings: DeploymentSettings): Promise<RunResult | undefined> {
    if (this.options.resources === undefined) return undefined;
    const { store, hosting } = this.options;
    const state = await store.getState(settings.pipeline);
    const queued = state.queued;
    if (queued === undefined || holdsSlot(state.inFlight, this.nowSeconds())) return undefined;
    const pkg = await hosting.describeModelPackage(queued.modelPackageArn);
    if (pkg.approvalStatus !== 'Approved') {
      await store.dropQueued(settings.pipeline, queued);
      return ignored(`queued v${queued.modelVersion} is ${pkg.approvalStatus} now; dropped from the queue`);
    }
    // Deterministic per queue turn: the turn follows the newest deployment, whichever invocation takes it.
    const [latest] = await store.latestDeployments(settings.pipeline, 1);
    const deploymentId = deploymentIdFor(
      pkg.modelVersion,
      `queued after ${latest?.deploymentId ?? '-'}`,
      pkg.modelPackageArn,
    );
    const requestedBy = `approval of v${pkg.modelVersion} (queued)`;
    return this.claimApproved(settings, pkg, deploymentId, requestedBy, state, { kind: 'queued' });
  }

  /** Deletes the models and endpoint configs no longer kept (see `selectForDeletion`). */
  private async housekeep(
    settings: DeploymentSettings,
  ): Promise<{ models: readonly string[]; endpointConfigs: readonly string[] }> {
    const { store, hosting } = this.options;
    const state = await store.getState(settings.pipeline);
    const endpoint = await hosting.describeEndpoint(settings.endpointName);
    const inUse = [endpoint?.endpointConfigName, endpoint?.pendingEndpointConfigName].filter(
      (name): name is string => name !== undefined,
    );
    const deployments = await store.deploymentsWithResources(settings.pipeline);
    const selection = selectForDeletion(
      state,
      deployments.map((d) => ({
        sortKey: d.sortKey,
        modelVersion: d.modelVersion,
        ...(d.modelName === undefined ? {} : { modelName: d.modelName }),
        endpointConfigName: d.endpointConfigName,
        ended: d.status !== 'in-progress',
        resourcesDeleted: d.resourcesDeleted,
      })),
      inUse,
    );
    // Configs first: a config refers to its model.
    for (const name of selection.endpointConfigs) await hosting.deleteEndpointConfig(name);
    for (const name of selection.models) await hosting.deleteModel(name);
    await store.markResourcesDeleted(settings.pipeline, selection.sortKeys);
    return { models: selection.models, endpointConfigs: selection.endpointConfigs };
  }

  /** Sends the deployment's events not sent yet: `Deployment Started`, then its outcome once it has one. */
  private async announce(pipeline: string, sortKey: string): Promise<void> {
    const record = await this.options.store.getDeployment(pipeline, sortKey);
    if (record === undefined) return;
    if (!record.startedEventSent) {
      await this.sendOnce(pipeline, sortKey, 'started', startedEntry(record, this.options.busName));
    }
    const outcome = record.outcomeEventSent ? undefined : outcomeEntry(record, this.options.busName);
    if (outcome !== undefined) await this.sendOnce(pipeline, sortKey, 'outcome', outcome);
  }

  /** Sends `entry` if this caller wins the right to; gives the right back when sending fails. */
  private async sendOnce(
    pipeline: string,
    sortKey: string,
    which: 'started' | 'outcome',
    entry: PutEventsEntry,
  ): Promise<void> {
    const { store, publish } = this.options;
    if (!(await store.claimEvent(pipeline, sortKey, which))) return;
    try {
      await publish(entry);
    } catch (error) {
      await store.releaseEvent(pipeline, sortKey, which);
      throw error;
    }
  }

  private async rollbackAlarms(settings: DeploymentSettings): Promise<RollbackAlarmSelection> {
    const names = settings.alarms.map((a) => a.name);
    const states = this.options.alarmStates && names.length > 0 ? await this.options.alarmStates(names) : new Map();
    return selectRollbackAlarms(settings.alarms, states);
  }

  private requireResources(): HostingResources {
    if (this.options.resources === undefined) {
      throw new DeploymentError('creating a model needs the execution role, capture bucket and key of the deployment');
    }
    return this.options.resources;
  }

  private nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}
