import type { LocalFunction, ProvisionedApp } from '../runtime-model';
import { IntrinsicResolutionError, ProvisionError, TemplateError, UnknownResourceTypeError } from './errors';
import {
  evaluateCondition,
  partitionOf,
  referencedIds,
  resolveString,
  resolveValue,
  type IntrinsicContext,
} from './intrinsics';
import { physicalName } from './physical-names';
import type { FunctionRecord, LocalRegistry, Provisioned, ProvisionClients, ResourceContext } from './resource-context';
import { HANDLED_TYPES, IGNORED_TYPES, placeholderFor } from './resource-types';
import type { CfnTemplate, TemplateResource } from './template';

/** Options of {@link provision}. */
export interface ProvisionOptions {
  /** Stack name: the prefix of generated physical names and `AWS::StackName`. */
  readonly stackName: string;
  /** Account the clients' calls run in (the gateway's account). */
  readonly accountId: string;
  readonly region: string;
  /** Values for template parameters; a parameter without one uses its `Default`. */
  readonly parameters?: Readonly<Record<string, string | readonly string[]>>;
  /**
   * How many resources are created at once (those whose dependencies are done).
   * @default 8
   */
  readonly concurrency?: number;
}

/** A resource property the provisioner did not apply, or another remark about one resource. */
export interface ProvisionWarning {
  readonly logicalId: string;
  readonly message: string;
}

/** {@link ProvisionedApp} plus what the report needs. */
export interface ProvisionedStack extends ProvisionedApp {
  readonly stackName: string;
  readonly accountId: string;
  readonly region: string;
  /** Resource types created in the emulator or registered for the local runtime, with their logical ids. */
  readonly provisioned: readonly { readonly type: string; readonly logicalIds: readonly string[] }[];
  readonly warnings: readonly ProvisionWarning[];
  /** The template's `Outputs`, resolved (outputs that cannot be resolved locally are left out, with a warning). */
  readonly outputs: Readonly<Record<string, string>>;
}

// Lambda's asynchronous-invocation defaults (REFERENCE.md 8.2).
const DEFAULT_MAX_RETRY_ATTEMPTS = 2;
const DEFAULT_MAX_EVENT_AGE_SECONDS = 21_600;

/**
 * Provisions the emulator from a synthesized template with the project's own SDK calls (MOTO.md 6: moto's
 * CloudFormation cannot deploy a CDK template). Every resource type must be in the handled or the ignored table
 * of `resource-types.ts`; an unknown type fails before any call is made. Resources are created in dependency
 * order, independent ones concurrently.
 *
 * Idempotent: provisioning the same template into the same account again finds or updates what exists
 * (generated names are deterministic), so it returns the same physical ids.
 */
export async function provision(
  template: CfnTemplate,
  clients: ProvisionClients,
  opts: ProvisionOptions,
): Promise<ProvisionedStack> {
  const resources = Object.entries(template.Resources);
  const order = new Map(resources.map(([id], index) => [id, index]));
  rejectUnknownTypes(resources);

  const partition = partitionOf(opts.region);
  const physicalIds: Record<string, string> = {};
  const attributes: Record<string, Record<string, string>> = {};
  const skipped = new Map<string, string>();
  const notProvisioned = new Map<string, { type: string; logicalIds: string[]; reason: string }>();
  const warnings: ProvisionWarning[] = [];
  const registry: LocalRegistry = {
    functions: [],
    invokeConfigs: [],
    ruleTargets: [],
    schedules: [],
    queueSources: [],
    queueUrlByArn: new Map(),
  };

  const intrinsics: IntrinsicContext = {
    stackName: opts.stackName,
    accountId: opts.accountId,
    region: opts.region,
    partition,
    parameters: parameterValues(template, opts.parameters),
    mappings: template.Mappings,
    conditions: template.Conditions,
    ref: (logicalId) => physicalIds[logicalId] ?? missing(logicalId),
    getAtt: (logicalId, attribute) => {
      if (physicalIds[logicalId] === undefined) return missing(logicalId);
      const value = attributes[logicalId]?.[attribute];
      if (value === undefined) {
        throw new Error(
          `${template.Resources[logicalId]?.Type ?? 'the resource'} has no local value for attribute ${attribute}`,
        );
      }
      return value;
    },
  };
  function missing(logicalId: string): never {
    const resource = template.Resources[logicalId];
    if (resource === undefined) throw new Error(`no resource, parameter or pseudo parameter is named ${logicalId}`);
    const reason = skipped.get(logicalId);
    throw new Error(reason ?? `${resource.Type} ${logicalId} has no local value yet`);
  }
  const report = (type: string, logicalId: string, reason: string): void => {
    const key = `${type}\n${reason}`;
    const entry = notProvisioned.get(key) ?? { type, logicalIds: [], reason };
    entry.logicalIds.push(logicalId);
    notProvisioned.set(key, entry);
  };

  const provisionOne = async (logicalId: string, resource: TemplateResource): Promise<void> => {
    if (resource.Condition !== undefined) {
      const where = { logicalId, path: 'Condition' };
      if (!evaluateCondition(resource.Condition, intrinsics, where)) {
        skipped.set(logicalId, `${logicalId} is not created: condition ${resource.Condition} is false`);
        report(resource.Type, logicalId, `condition ${resource.Condition} is false`);
        return;
      }
    }
    const handler = HANDLED_TYPES[resource.Type];
    let result: Provisioned;
    if (handler === undefined) {
      report(resource.Type, logicalId, IGNORED_TYPES[resource.Type] ?? 'ignored');
      result = placeholderFor(resource.Type, literalName(resource) ?? generated(logicalId, 64), {
        partition,
        region: opts.region,
        accountId: opts.accountId,
      });
    } else {
      result = await handler(resourceContext(logicalId, resource));
    }
    physicalIds[logicalId] = result.physicalId;
    attributes[logicalId] = { ...result.attributes };
  };

  const generated = (logicalId: string, maxLength: number): string =>
    physicalName(opts.stackName, logicalId, { maxLength });

  function resourceContext(logicalId: string, resource: TemplateResource): ResourceContext {
    const properties = resource.Properties ?? {};
    return {
      logicalId,
      type: resource.Type,
      resource,
      stackName: opts.stackName,
      accountId: opts.accountId,
      region: opts.region,
      partition,
      clients,
      registry,
      properties: () => {
        const value = resolveValue(properties, intrinsics, { logicalId, path: 'Properties' });
        return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
      },
      property: (name) => resolveValue(properties[name], intrinsics, { logicalId, path: `Properties.${name}` }),
      generatedName: (nameOpts) => physicalName(opts.stackName, logicalId, nameOpts),
      warn: (message) => warnings.push({ logicalId, message }),
      notProvisioned: report,
      functionByNameOrArn: (nameOrArn) => findFunction(registry.functions, nameOrArn),
    };
  }

  await inDependencyOrder(template, opts.concurrency ?? 8, provisionOne);

  const byTemplateOrder = <T>(items: readonly T[], id: (item: T) => string): T[] =>
    [...items].sort((a, b) => (order.get(id(a)) ?? 0) - (order.get(id(b)) ?? 0));
  const functions = byTemplateOrder(
    registry.functions.filter((fn) => fn.local),
    (fn) => fn.logicalId,
  ).map((fn) => localFunction(fn, registry));
  const notProvisionedIds = new Set(
    [...notProvisioned.values()].flatMap((entry) => entry.logicalIds.map((id) => `${entry.type}\n${id}`)),
  );
  const provisionedTypes = new Map<string, string[]>();
  for (const [logicalId, resource] of resources) {
    if (HANDLED_TYPES[resource.Type] === undefined || notProvisionedIds.has(`${resource.Type}\n${logicalId}`)) continue;
    provisionedTypes.set(resource.Type, [...(provisionedTypes.get(resource.Type) ?? []), logicalId]);
  }

  const inTemplateOrder = <T>(record: Record<string, T>): Record<string, T> =>
    Object.fromEntries(resources.flatMap(([id]) => (record[id] === undefined ? [] : [[id, record[id]]])));
  return {
    stackName: opts.stackName,
    accountId: opts.accountId,
    region: opts.region,
    physicalIds: inTemplateOrder(physicalIds),
    attributes: inTemplateOrder(attributes),
    functions,
    ruleTargets: byTemplateOrder(registry.ruleTargets, (target) => target.ruleLogicalId),
    schedules: byTemplateOrder(registry.schedules, (schedule) => schedule.logicalId),
    queueSources: byTemplateOrder(registry.queueSources, (source) => source.logicalId),
    notProvisioned: [...notProvisioned.values()].map((entry) => ({
      ...entry,
      logicalIds: byTemplateOrder(entry.logicalIds, (id) => id.split('/')[0] ?? id),
    })),
    provisioned: [...provisionedTypes].map(([type, logicalIds]) => ({ type, logicalIds })),
    warnings,
    outputs: resolveOutputs(template, intrinsics, warnings),
  };
}

function rejectUnknownTypes(resources: readonly (readonly [string, TemplateResource])[]): void {
  const unknown: Record<string, string[]> = {};
  for (const [logicalId, resource] of resources) {
    if (HANDLED_TYPES[resource.Type] !== undefined || IGNORED_TYPES[resource.Type] !== undefined) continue;
    (unknown[resource.Type] ??= []).push(logicalId);
  }
  if (Object.keys(unknown).length > 0) throw new UnknownResourceTypeError(unknown);
}

/** Runs `work` for every resource once all resources it refers to (or `DependsOn`) are done. */
async function inDependencyOrder(
  template: CfnTemplate,
  concurrency: number,
  work: (logicalId: string, resource: TemplateResource) => Promise<void>,
): Promise<void> {
  const pending = new Map<string, Set<string>>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const dependsOn = typeof resource.DependsOn === 'string' ? [resource.DependsOn] : (resource.DependsOn ?? []);
    const dependencies = new Set(
      [...referencedIds(resource.Properties ?? {}), ...dependsOn].filter(
        (id) => id !== logicalId && template.Resources[id] !== undefined,
      ),
    );
    pending.set(logicalId, dependencies);
  }
  const done = new Set<string>();
  while (pending.size > 0) {
    const ready = [...pending]
      .filter(([, dependencies]) => [...dependencies].every((id) => done.has(id)))
      .map(([id]) => id);
    if (ready.length === 0) {
      throw new ProvisionError(`the template's dependencies form a cycle among: ${[...pending.keys()].join(', ')}`);
    }
    for (let start = 0; start < ready.length; start += concurrency) {
      const batch = ready.slice(start, start + concurrency);
      const results = await Promise.allSettled(
        batch.map(async (logicalId) => {
          const resource = template.Resources[logicalId];
          if (resource !== undefined) await work(logicalId, resource);
        }),
      );
      const failure = results.find((result) => result.status === 'rejected');
      if (failure !== undefined) throw failure.reason;
      for (const logicalId of batch) {
        pending.delete(logicalId);
        done.add(logicalId);
      }
    }
  }
}

function parameterValues(
  template: CfnTemplate,
  overrides: Readonly<Record<string, string | readonly string[]>> | undefined,
): Record<string, string | readonly string[]> {
  const values: Record<string, string | readonly string[]> = {};
  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    const value = overrides?.[name] ?? parameter.Default;
    if (value === undefined) continue;
    const text = parameterText(name, value);
    const isList = parameter.Type === 'CommaDelimitedList' || parameter.Type.startsWith('List<');
    values[name] = isList ? text.split(',') : text;
  }
  for (const [name, value] of Object.entries(overrides ?? {})) values[name] ??= value;
  return values;
}

function parameterText(name: string, value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join(',');
  throw new TemplateError(`parameter ${name} has a value CloudFormation does not accept: ${JSON.stringify(value)}`);
}

function localFunction(fn: FunctionRecord, registry: LocalRegistry): LocalFunction {
  const config = registry.invokeConfigs.find((candidate) => candidate.functionLogicalId === fn.logicalId);
  const failureArn = config?.onFailureArn ?? fn.deadLetterArn;
  const failureQueue = failureArn === undefined ? undefined : registry.queueUrlByArn.get(failureArn);
  return {
    logicalId: fn.logicalId,
    functionName: fn.functionName,
    entry: fn.entry ?? '',
    handlerExport: fn.handlerExport ?? 'handler',
    environment: fn.environment ?? {},
    timeoutSeconds: fn.timeoutSeconds ?? 3,
    memorySizeMb: fn.memorySizeMb ?? 128,
    ...(fn.reservedConcurrentExecutions === undefined
      ? {}
      : { reservedConcurrentExecutions: fn.reservedConcurrentExecutions }),
    asyncInvoke: {
      maximumRetryAttempts: config?.maximumRetryAttempts ?? DEFAULT_MAX_RETRY_ATTEMPTS,
      maximumEventAgeSeconds: config?.maximumEventAgeSeconds ?? DEFAULT_MAX_EVENT_AGE_SECONDS,
      ...(failureQueue !== undefined ? { onFailureQueueUrl: failureQueue } : {}),
      ...(failureArn !== undefined && failureQueue === undefined ? { onFailureDestinationArn: failureArn } : {}),
    },
  };
}

function findFunction(functions: readonly FunctionRecord[], nameOrArn: string): FunctionRecord | undefined {
  // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
  const name = nameOrArn.startsWith('arn:') ? nameOrArn.split(':')[6] : nameOrArn.split(':')[0];
  return functions.find((fn) => fn.functionName === name || fn.arn === nameOrArn);
}

function literalName(resource: TemplateResource): string | undefined {
  const properties = resource.Properties ?? {};
  for (const key of [
    'RoleName',
    'ManagedPolicyName',
    'PolicyName',
    'LogGroupName',
    'TopicName',
    'ModelName',
    'EndpointName',
    'EndpointConfigName',
    'Name',
  ]) {
    const value = properties[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

function resolveOutputs(
  template: CfnTemplate,
  intrinsics: IntrinsicContext,
  warnings: ProvisionWarning[],
): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    if (typeof output !== 'object' || output === null || !('Value' in output)) continue;
    try {
      const where = { logicalId: `Outputs.${name}`, path: 'Condition' };
      if (
        'Condition' in output &&
        typeof output.Condition === 'string' &&
        !evaluateCondition(output.Condition, intrinsics, where)
      ) {
        continue;
      }
      outputs[name] = resolveString(output.Value, intrinsics, { logicalId: `Outputs.${name}`, path: 'Value' });
    } catch (error) {
      if (!(error instanceof IntrinsicResolutionError)) throw error;
      warnings.push({ logicalId: `Outputs.${name}`, message: error.message });
    }
  }
  return outputs;
}
