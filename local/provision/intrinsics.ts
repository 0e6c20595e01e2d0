import { IntrinsicResolutionError } from './errors';
import type { CfnTemplate } from './template';

/** What intrinsic functions resolve against: the stack's environment and the resources provisioned so far. */
export interface IntrinsicContext {
  readonly stackName: string;
  readonly accountId: string;
  readonly region: string;
  /** @default derived from the region (`aws`, `aws-cn`, `aws-us-gov`) */
  readonly partition?: string;
  /** @default `amazonaws.com` (`amazonaws.com.cn` in China regions) */
  readonly urlSuffix?: string;
  /** Parameter values by name (a `CommaDelimitedList` or `List<...>` parameter is a string array). */
  readonly parameters?: Readonly<Record<string, string | readonly string[]>>;
  readonly mappings?: CfnTemplate['Mappings'];
  /** The template's `Conditions` section (definitions, evaluated on demand). */
  readonly conditions?: CfnTemplate['Conditions'];
  /** `Ref` of a resource. Throws an `Error` whose message says why when there is no value. */
  readonly ref: (logicalId: string) => string;
  /** `Fn::GetAtt` of a resource. Throws an `Error` whose message says why when there is no value. */
  readonly getAtt: (logicalId: string, attribute: string) => string;
}

/** Where a value sits, for error messages: the logical id and a dotted path inside it. */
export interface ValueLocation {
  readonly logicalId: string;
  readonly path: string;
}

/** Marks a value removed by `{"Ref": "AWS::NoValue"}`; never escapes {@link resolveValue}. */
const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** The partition of a region. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Returns the `Fn::*`, `Ref` or `Condition` name when `value` is an intrinsic function object. */
export function intrinsicName(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  const [key] = keys;
  if (keys.length !== 1 || key === undefined) return undefined;
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? key : undefined;
}

/**
 * Resolves every intrinsic function in `value`: `Ref` (resources, parameters, pseudo parameters),
 * `Fn::GetAtt`, `Fn::Join`, `Fn::Sub` (both forms), `Fn::Select`, `Fn::Split`, `Fn::If`, `Fn::FindInMap`,
 * `Fn::Base64`, `Fn::GetAZs`, `Fn::ToJsonString` and `Fn::Length`. `AWS::NoValue` removes the property or
 * array element. Anything unresolvable throws an {@link IntrinsicResolutionError} naming the logical id and path.
 */
export function resolveValue(value: unknown, ctx: IntrinsicContext, where: ValueLocation): unknown {
  const resolved = resolve(value, ctx, where.logicalId, where.path);
  return resolved === NO_VALUE ? undefined : resolved;
}

/** Resolves `value` and requires a string (numbers and booleans are turned into strings, as CloudFormation does). */
export function resolveString(value: unknown, ctx: IntrinsicContext, where: ValueLocation): string {
  const resolved = resolveValue(value, ctx, where);
  if (typeof resolved === 'string') return resolved;
  if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
  throw new IntrinsicResolutionError(where.logicalId, where.path, `expected a string, got ${describe(resolved)}`);
}

/** Evaluates a named condition of the template's `Conditions` section. */
export function evaluateCondition(name: string, ctx: IntrinsicContext, where: ValueLocation): boolean {
  return conditionValue(name, ctx, where.logicalId, `${where.path} (Condition ${name})`, new Set());
}

/** Logical ids that `value` refers to through `Ref`, `Fn::GetAtt` and `Fn::Sub` (including pseudo parameters). */
export function referencedIds(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (isList(value)) {
    for (const item of value) referencedIds(item, found);
    return found;
  }
  if (!isRecord(value)) return found;
  const name = intrinsicName(value);
  const argument = name === undefined ? undefined : value[name];
  if (name === 'Ref' && typeof argument === 'string') found.add(argument);
  else if (name === 'Fn::GetAtt') {
    const target = isList(argument) ? argument[0] : typeof argument === 'string' ? argument.split('.')[0] : undefined;
    if (typeof target === 'string') found.add(target);
  } else if (name === 'Fn::Sub') {
    const template = isList(argument) ? argument[0] : argument;
    const variables = isList(argument) && isRecord(argument[1]) ? argument[1] : {};
    if (typeof template === 'string') {
      for (const variable of subVariables(template)) {
        const id = variable.split('.')[0] ?? variable;
        if (!(variable in variables)) found.add(id);
      }
    }
    referencedIds(variables, found);
    return found;
  }
  for (const item of Object.values(value)) referencedIds(item, found);
  return found;
}

function resolve(value: unknown, ctx: IntrinsicContext, logicalId: string, path: string): unknown {
  if (isList(value)) {
    const out: unknown[] = [];
    value.forEach((item, index) => {
      const resolved = resolve(item, ctx, logicalId, `${path}[${index}]`);
      if (resolved !== NO_VALUE) out.push(resolved);
    });
    return out;
  }
  if (!isRecord(value)) return value;
  const name = intrinsicName(value);
  if (name !== undefined && name !== 'Condition')
    return resolveIntrinsic(name, value[name], ctx, logicalId, `${path}.${name}`);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const resolved = resolve(item, ctx, logicalId, path === '' ? key : `${path}.${key}`);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}

function resolveIntrinsic(
  name: string,
  argument: unknown,
  ctx: IntrinsicContext,
  logicalId: string,
  path: string,
): unknown {
  const fail = (reason: string, cause?: unknown): never => {
    throw new IntrinsicResolutionError(logicalId, path, reason, cause === undefined ? undefined : { cause });
  };
  switch (name) {
    case 'Ref': {
      if (typeof argument !== 'string')
        return fail(`Ref needs a logical id or parameter name, got ${describe(argument)}`);
      return refValue(argument, ctx, logicalId, path);
    }
    case 'Fn::GetAtt': {
      const parts =
        typeof argument === 'string'
          ? splitOnce(argument, '.')
          : isList(argument) && argument.length === 2
            ? [argument[0], resolve(argument[1], ctx, logicalId, path)]
            : undefined;
      const [target, attribute] = parts ?? [];
      if (typeof target !== 'string' || typeof attribute !== 'string') {
        return fail(`Fn::GetAtt needs [logicalId, attribute], got ${describe(argument)}`);
      }
      try {
        return ctx.getAtt(target, attribute);
      } catch (error) {
        return fail(`Fn::GetAtt ${target}.${attribute}: ${message(error)}`, error);
      }
    }
    case 'Fn::Join': {
      if (!isList(argument) || argument.length !== 2 || typeof argument[0] !== 'string') {
        return fail(`Fn::Join needs [delimiter, list], got ${describe(argument)}`);
      }
      const list = resolve(argument[1], ctx, logicalId, `${path}[1]`);
      if (!isList(list)) return fail(`Fn::Join needs a list, got ${describe(list)}`);
      return list
        .map((item, index) => scalarString(item, () => fail(`Fn::Join element ${index} is ${describe(item)}`)))
        .join(argument[0]);
    }
    case 'Fn::Sub':
      return resolveSub(argument, ctx, logicalId, path, fail);
    case 'Fn::Select': {
      if (!isList(argument) || argument.length !== 2)
        return fail(`Fn::Select needs [index, list], got ${describe(argument)}`);
      const index = Number(resolve(argument[0], ctx, logicalId, `${path}[0]`));
      const list = resolve(argument[1], ctx, logicalId, `${path}[1]`);
      if (!isList(list)) return fail(`Fn::Select needs a list, got ${describe(list)}`);
      if (!Number.isInteger(index) || index < 0 || index >= list.length) {
        return fail(`Fn::Select index ${String(index)} is outside the list of ${list.length}`);
      }
      return list[index];
    }
    case 'Fn::Split': {
      if (!isList(argument) || argument.length !== 2 || typeof argument[0] !== 'string') {
        return fail(`Fn::Split needs [delimiter, string], got ${describe(argument)}`);
      }
      const source = resolve(argument[1], ctx, logicalId, `${path}[1]`);
      if (typeof source !== 'string') return fail(`Fn::Split needs a string, got ${describe(source)}`);
      return source.split(argument[0]);
    }
    case 'Fn::If': {
      if (!isList(argument) || argument.length !== 3 || typeof argument[0] !== 'string') {
        return fail(`Fn::If needs [condition, valueIfTrue, valueIfFalse], got ${describe(argument)}`);
      }
      const chosen = conditionValue(argument[0], ctx, logicalId, path, new Set()) ? 1 : 2;
      return resolve(argument[chosen], ctx, logicalId, `${path}[${chosen}]`);
    }
    case 'Fn::FindInMap':
      return resolveFindInMap(argument, ctx, logicalId, path, fail);
    case 'Fn::Base64': {
      const text = resolve(argument, ctx, logicalId, path);
      if (typeof text !== 'string') return fail(`Fn::Base64 needs a string, got ${describe(text)}`);
      return Buffer.from(text, 'utf8').toString('base64');
    }
    case 'Fn::GetAZs': {
      const region = resolve(argument, ctx, logicalId, path);
      const name = typeof region === 'string' && region !== '' ? region : ctx.region;
      return [`${name}a`, `${name}b`, `${name}c`];
    }
    case 'Fn::ToJsonString':
      return JSON.stringify(resolve(argument, ctx, logicalId, path));
    case 'Fn::Length': {
      const list = resolve(argument, ctx, logicalId, path);
      return isList(list) ? list.length : fail(`Fn::Length needs a list, got ${describe(list)}`);
    }
    case 'Fn::ImportValue':
      return fail(
        "Fn::ImportValue reads another stack's exports; provision that stack first and pass the value as a parameter",
      );
    default:
      return fail(`${name} is not supported by the local provisioner`);
  }
}

function refValue(name: string, ctx: IntrinsicContext, logicalId: string, path: string): unknown {
  const partition = ctx.partition ?? partitionOf(ctx.region);
  switch (name) {
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::AccountId':
      return ctx.accountId;
    case 'AWS::Partition':
      return partition;
    case 'AWS::URLSuffix':
      return ctx.urlSuffix ?? (partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com');
    case 'AWS::StackName':
      return ctx.stackName;
    case 'AWS::StackId':
      return `arn:${partition}:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName}/00000000-0000-4000-8000-000000000000`;
    case 'AWS::NoValue':
      return NO_VALUE;
    case 'AWS::NotificationARNs':
      return [];
    default:
      break;
  }
  const parameter = ctx.parameters?.[name];
  if (parameter !== undefined) return parameter;
  try {
    return ctx.ref(name);
  } catch (error) {
    throw new IntrinsicResolutionError(logicalId, `${path}`, `Ref ${name}: ${message(error)}`, { cause: error });
  }
}

function resolveSub(
  argument: unknown,
  ctx: IntrinsicContext,
  logicalId: string,
  path: string,
  fail: (reason: string, cause?: unknown) => never,
): string {
  const template = isList(argument) ? argument[0] : argument;
  if (typeof template !== 'string' || (isList(argument) && argument.length !== 2)) {
    return fail(`Fn::Sub needs a string or [string, variables], got ${describe(argument)}`);
  }
  const rawVariables = isList(argument) ? argument[1] : {};
  if (!isRecord(rawVariables)) return fail(`Fn::Sub variables must be an object, got ${describe(rawVariables)}`);
  const variables = new Map<string, string>();
  for (const [key, raw] of Object.entries(rawVariables)) {
    const resolved = resolve(raw, ctx, logicalId, `${path}[1].${key}`);
    variables.set(
      key,
      scalarString(resolved, () => fail(`Fn::Sub variable ${key} is ${describe(resolved)}`)),
    );
  }
  return template.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    // `${!Literal}` is written out as `${Literal}`.
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    const variable = variables.get(name);
    if (variable !== undefined) return variable;
    const dot = name.indexOf('.');
    const value =
      dot > 0 && !name.startsWith('AWS::')
        ? resolveIntrinsic('Fn::GetAtt', name, ctx, logicalId, `${path} \${${name}}`)
        : refValue(name, ctx, logicalId, `${path} \${${name}}`);
    return scalarString(value, () => fail(`Fn::Sub ${whole} is ${describe(value)}`));
  });
}

function resolveFindInMap(
  argument: unknown,
  ctx: IntrinsicContext,
  logicalId: string,
  path: string,
  fail: (reason: string, cause?: unknown) => never,
): unknown {
  if (!isList(argument) || argument.length < 3) {
    return fail(`Fn::FindInMap needs [map, topLevelKey, secondLevelKey], got ${describe(argument)}`);
  }
  const [map, top, second] = argument
    .slice(0, 3)
    .map((item, index) => resolve(item, ctx, logicalId, `${path}[${index}]`));
  const options = argument[3];
  const value =
    typeof map === 'string' && typeof top === 'string' && typeof second === 'string'
      ? ctx.mappings?.[map]?.[top]?.[second]
      : undefined;
  if (value !== undefined) return resolve(value, ctx, logicalId, path);
  if (isRecord(options) && 'DefaultValue' in options)
    return resolve(options['DefaultValue'], ctx, logicalId, `${path}[3]`);
  return fail(`Fn::FindInMap: no value at Mappings.${String(map)}.${String(top)}.${String(second)}`);
}

function conditionValue(
  name: string,
  ctx: IntrinsicContext,
  logicalId: string,
  path: string,
  visiting: Set<string>,
): boolean {
  const definition = ctx.conditions?.[name];
  if (definition === undefined) {
    throw new IntrinsicResolutionError(logicalId, path, `condition ${name} is not defined in the template`);
  }
  if (visiting.has(name)) throw new IntrinsicResolutionError(logicalId, path, `condition ${name} refers to itself`);
  visiting.add(name);
  const result = conditionExpression(definition, ctx, logicalId, `Conditions.${name}`, visiting);
  visiting.delete(name);
  return result;
}

function conditionExpression(
  expression: unknown,
  ctx: IntrinsicContext,
  logicalId: string,
  path: string,
  visiting: Set<string>,
): boolean {
  const name = intrinsicName(expression);
  const argument = name === undefined || !isRecord(expression) ? undefined : expression[name];
  const operands = (expected?: number): readonly unknown[] => {
    if (!isList(argument) || (expected !== undefined && argument.length !== expected)) {
      throw new IntrinsicResolutionError(
        logicalId,
        path,
        `${String(name)} has malformed operands: ${describe(argument)}`,
      );
    }
    return argument;
  };
  switch (name) {
    case 'Condition':
      if (typeof argument !== 'string') throw new IntrinsicResolutionError(logicalId, path, 'Condition needs a name');
      return conditionValue(argument, ctx, logicalId, path, visiting);
    case 'Fn::Equals': {
      const [left, right] = operands(2).map((operand, index) =>
        resolve(operand, ctx, logicalId, `${path}.Fn::Equals[${index}]`),
      );
      return JSON.stringify(left) === JSON.stringify(right);
    }
    case 'Fn::And':
      return operands().every((operand, index) =>
        conditionExpression(operand, ctx, logicalId, `${path}.Fn::And[${index}]`, visiting),
      );
    case 'Fn::Or':
      return operands().some((operand, index) =>
        conditionExpression(operand, ctx, logicalId, `${path}.Fn::Or[${index}]`, visiting),
      );
    case 'Fn::Not': {
      const [operand] = operands(1);
      return !conditionExpression(operand, ctx, logicalId, `${path}.Fn::Not[0]`, visiting);
    }
    default: {
      const value = resolve(expression, ctx, logicalId, path);
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw new IntrinsicResolutionError(logicalId, path, `not a condition: ${describe(expression)}`);
    }
  }
}

function subVariables(template: string): string[] {
  return [...template.matchAll(/\$\{([^}!][^}]*)\}/g)].map((match) => (match[1] ?? '').trim());
}

function scalarString(value: unknown, otherwise: () => never): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return otherwise();
}

function splitOnce(text: string, separator: string): [string, string] | undefined {
  const index = text.indexOf(separator);
  return index < 0 ? undefined : [text.slice(0, index), text.slice(index + 1)];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Array.isArray narrows `unknown` to `any[]`; this keeps the elements `unknown`.
function isList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === NO_VALUE) return 'AWS::NoValue';
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
