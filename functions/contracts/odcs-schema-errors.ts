/**
 * Turns ajv's errors into one readable problem per mistake. ajv reports every branch of a `oneOf`/`anyOf`, a "must
 * match then schema" for every failed `if`, and follow-on `unevaluatedProperties` errors for keys a failed branch
 * would have accepted: for one missing operator on a quality rule of a 3.1.0 contract that is twelve errors. Here it
 * is one: `expected exactly one of mustBe, mustNotBe, ..., got none`.
 */
import type { ErrorObject } from 'ajv/dist/2019';
import { describeValue, formatPath, type ContractProblem } from './odcs-definition-error';
import type { LineLookup } from './odcs-yaml-source';

/** What the formatter needs besides the errors. */
export interface ErrorContext {
  /** ODCS version of the schema, for messages (`not an ODCS 3.1.0 field`). */
  readonly version: string;
  /** Field names the schema defines anywhere. */
  readonly knownFields: ReadonlySet<string>;
  readonly lineOf: LineLookup;
  /** The validated value, to tell list indexes from keys in JSON pointers. */
  readonly content: unknown;
  /** The JSON Schema, to describe what a `$ref` expects. */
  readonly schema: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON pointer (`/schema/0/name`) as path segments; a segment is a number only where the value is a list. */
export function pointerToPath(pointer: string, content: unknown): (string | number)[] {
  if (pointer === '') return [];
  const segments: (string | number)[] = [];
  let node: unknown = content;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(key)) {
      const index = Number(key);
      segments.push(index);
      node = node[index];
    } else {
      segments.push(key);
      node = isRecord(node) ? node[key] : undefined;
    }
  }
  return segments;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  null: 'null',
};

const typeName = (type: unknown): string => {
  if (Array.isArray(type)) return type.map(typeName).join(' or ');
  return typeof type === 'string' ? (TYPE_NAMES[type] ?? type) : 'a value';
};

/** What a (sub)schema accepts, in words, for "expected ..." messages; `$ref`s are followed into `root`. */
function describeSchema(schema: unknown, root: unknown, depth = 0): string {
  if (!isRecord(schema) || depth > 4) return 'a value';
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((value) => JSON.stringify(value)).join(', ')}`;
  if (schema.type !== undefined) return typeName(schema.type);
  if (typeof schema.$ref === 'string') return describeSchema(resolveRef(schema.$ref, root), root, depth + 1);
  const alternatives = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : [];
  const described = alternatives.map((alternative) => describeSchema(alternative, root, depth + 1));
  if (described.length === 0 || described.length > 3 || described.includes('a value')) return 'a value';
  return described.join(' or ');
}

/** The subschema a local `$ref` (`#/$defs/Team`) points to. */
function resolveRef(ref: string, root: unknown): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const segment of ref.slice(2).split('/')) node = isRecord(node) ? node[segment] : undefined;
  return node;
}

/**
 * One alternative of a oneOf/anyOf: a key (`{required: [mustBe]}`), the alternative's own description, or what it
 * accepts.
 */
function describeAlternative(
  schema: unknown,
  index: number,
  root: unknown,
): { readonly key?: string; readonly text: string } {
  if (isRecord(schema) && Array.isArray(schema.required) && schema.required.length === 1) {
    const key: unknown = schema.required[0];
    if (typeof key === 'string') return { key, text: key };
  }
  if (isRecord(schema) && typeof schema.description === 'string') {
    const text = schema.description.replace(/\.$/, '');
    return { text: text.charAt(0).toLowerCase() + text.slice(1) };
  }
  const text = describeSchema(schema, root);
  return { text: text === 'a value' ? `alternative ${index + 1}` : text };
}

const joinWords = (words: readonly string[], last: 'and' | 'or'): string =>
  words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} ${last} ${words[words.length - 1]}`;

/** Hints for mistakes that are easy to make when moving between ODCS versions or writing YAML. */
function hint(path: readonly (string | number)[], error: ErrorObject, version: string): string {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (error.keyword !== 'type') return '';
  if (parent === 'logicalTypeOptions' && typeof last === 'string') {
    const isBound = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'].includes(last);
    if (isBound && error.schema === 'string') {
      return ` (date and time bounds are strings: quote them, e.g. ${last}: "2020-01-01")`;
    }
    if (last.startsWith('exclusive') && error.schema === 'number' && typeof error.data === 'boolean') {
      return ` (in ODCS ${version} ${last} is the bound itself, e.g. ${last}: 100; true/false is the 3.0.x form)`;
    }
    if (last.startsWith('exclusive') && error.schema === 'boolean') {
      return ` (in ODCS ${version} ${last} is true or false and applies to ${last === 'exclusiveMinimum' ? 'minimum' : 'maximum'}; a bound is the 3.1.0 form)`;
    }
  }
  if (error.data === null) return ' (an empty value in YAML is null: give it a value or remove the key)';
  return '';
}

const param = (error: ErrorObject, name: string): unknown => {
  const params: unknown = error.params;
  return isRecord(params) ? params[name] : undefined;
};

/** The unknown key an `additionalProperties`/`unevaluatedProperties` error is about. */
export function unknownKeyOf(error: ErrorObject): string | undefined {
  const key = param(error, error.keyword === 'additionalProperties' ? 'additionalProperty' : 'unevaluatedProperty');
  return typeof key === 'string' ? key : undefined;
}

interface Located {
  readonly path: (string | number)[];
  readonly message: string;
}

/** One error that is not a combinator, as a path and a message. */
function simpleProblem(error: ErrorObject, context: ErrorContext): Located {
  const path = pointerToPath(error.instancePath, context.content);
  const got = describeValue(error.data);
  switch (error.keyword) {
    case 'required': {
      const key = String(param(error, 'missingProperty'));
      const parent: unknown = error.parentSchema;
      const properties = isRecord(parent) ? parent.properties : undefined;
      const expected = isRecord(properties) ? describeSchema(properties[key], context.schema) : 'a value';
      const rule = isRecord(error.data) ? error.data.rule : undefined;
      const ruleHint =
        key === 'metric' && typeof rule === 'string'
          ? ` (rule: ${JSON.stringify(rule)} is the 3.0.x form; ODCS ${context.version} library rules name a metric)`
          : '';
      return { path: [...path, key], message: `expected ${expected} (required), got nothing${ruleHint}` };
    }
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const key = unknownKeyOf(error) ?? '?';
      return {
        path: [...path, key],
        message: `expected a field defined by ODCS ${context.version} (extensions go in customProperties), got unknown key ${JSON.stringify(key)}${key === 'rule' && path.includes('quality') ? ` (the 3.0.x form; ODCS ${context.version} library rules name a metric)` : ''}`,
      };
    }
    case 'type':
      return {
        path,
        message: `expected ${typeName(error.schema)}, got ${got}${hint(path, error, context.version)}`,
      };
    case 'enum':
    case 'const':
      return { path, message: `expected ${describeSchema(error.parentSchema, context.schema)}, got ${got}` };
    case 'format':
      return { path, message: `expected a string in ${String(param(error, 'format'))} format, got ${got}` };
    case 'pattern':
      return { path, message: `expected a string matching ${String(param(error, 'pattern'))}, got ${got}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        path,
        message: `expected a number ${String(param(error, 'comparison'))} ${String(param(error, 'limit'))}, got ${got}`,
      };
    case 'minLength':
    case 'maxLength':
      return {
        path,
        message: `expected a string of ${error.keyword === 'minLength' ? 'at least' : 'at most'} ${String(param(error, 'limit'))} characters, got ${got}`,
      };
    case 'minItems':
    case 'maxItems':
      return {
        path,
        message: `expected a list of ${error.keyword === 'minItems' ? 'at least' : 'at most'} ${String(param(error, 'limit'))} items, got ${got}`,
      };
    case 'minProperties':
    case 'maxProperties':
      return {
        path,
        message: `expected a mapping of ${error.keyword === 'minProperties' ? 'at least' : 'at most'} ${String(param(error, 'limit'))} keys, got ${got}`,
      };
    case 'uniqueItems':
      return {
        path,
        message: `expected a list without duplicates (items ${String(param(error, 'j'))} and ${String(param(error, 'i'))} are equal), got ${got}`,
      };
    case 'multipleOf':
      return { path, message: `expected a multiple of ${String(param(error, 'multipleOf'))}, got ${got}` };
    default:
      return { path, message: `expected a value that ${error.message ?? `passes "${error.keyword}"`}, got ${got}` };
  }
}

const isCombinator = (error: ErrorObject): boolean => error.keyword === 'oneOf' || error.keyword === 'anyOf';

/** A oneOf whose alternatives are each one required key (the ODCS operators). */
const isKeyChoice = (error: ErrorObject): boolean =>
  Array.isArray(error.schema) &&
  error.schema.every((branch) => isRecord(branch) && Array.isArray(branch.required) && branch.required.length === 1);

const isUnder = (pointer: string, parent: string): boolean => pointer === parent || pointer.startsWith(`${parent}/`);

/**
 * The problems a oneOf/anyOf error stands for. When one alternative has the right shape and only its content is
 * wrong, that alternative's problems are the useful ones; otherwise one message lists the alternatives.
 */
function combinatorProblems(
  error: ErrorObject,
  branchErrors: readonly (readonly ErrorObject[])[],
  context: ErrorContext,
): Located[] {
  const path = pointerToPath(error.instancePath, context.content);
  const alternatives = Array.isArray(error.schema)
    ? error.schema.map((branch, index) => describeAlternative(branch, index, context.schema))
    : [];
  const keys = alternatives.flatMap((alternative) => (alternative.key === undefined ? [] : [alternative.key]));
  const allKeys = alternatives.length > 0 && keys.length === alternatives.length;
  const passing = param(error, 'passingSchemas');
  if (Array.isArray(passing)) {
    const matching = passing.flatMap((index) =>
      typeof index === 'number' && alternatives[index] !== undefined ? [alternatives[index].text] : [],
    );
    return [
      {
        path,
        message: `expected exactly one of ${alternatives.map((a) => a.text).join(', ')}, got ${allKeys ? joinWords(matching, 'and') : `a value matching ${joinWords(matching, 'and')}`}`,
      },
    ];
  }
  const deeper = branchErrors
    .filter((errors) => errors.length > 0 && errors.every((branch) => branch.instancePath !== error.instancePath))
    .sort((a, b) => a.length - b.length);
  const [closest] = deeper;
  if (closest !== undefined) return closest.map((branch) => simpleProblem(branch, context));
  const many = error.keyword === 'oneOf' ? 'exactly one' : 'at least one';
  if (allKeys) return [{ path, message: `expected ${many} of ${keys.join(', ')}, got none` }];
  const got = describeValue(error.data);
  return [
    {
      path,
      message: `expected ${joinWords(
        alternatives.map((a) => a.text),
        'or',
      )}, got ${got}`,
    },
  ];
}

/**
 * ajv errors as readable problems: one per mistake, without duplicates, in file order.
 *
 * @param errors - `validate.errors` of an ajv validator compiled with `allErrors` and `verbose`
 */
export function readableProblems(errors: readonly ErrorObject[], context: ErrorContext): ContractProblem[] {
  // `if` errors only say that a `then` failed; the `then` errors are reported themselves.
  let remaining = errors.filter((error) => error.keyword !== 'if');
  const located: Located[] = [];
  const combinators = remaining.filter(isCombinator).sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  const consumed = new Set<ErrorObject>();
  for (const combinator of combinators) {
    if (consumed.has(combinator)) continue;
    const count = Array.isArray(combinator.schema) ? combinator.schema.length : 0;
    const branches: ErrorObject[][] = [];
    for (let index = 0; index < count; index++) {
      const prefix = `${combinator.schemaPath}/${index}/`;
      const branch = remaining.filter(
        (error) =>
          error !== combinator &&
          error.schemaPath.startsWith(prefix) &&
          isUnder(error.instancePath, combinator.instancePath),
      );
      // Nested combinators inside a branch are summarised by this one.
      branches.push(branch.filter((error) => !isCombinator(error)));
      for (const error of branch) consumed.add(error);
    }
    consumed.add(combinator);
    // Two alternatives both match only because the keys that tell them apart are missing, which another error reports.
    const isFollowOn =
      Array.isArray(param(combinator, 'passingSchemas')) &&
      !isKeyChoice(combinator) &&
      remaining.some(
        (error) =>
          !consumed.has(error) &&
          error.keyword !== 'unevaluatedProperties' &&
          isUnder(error.instancePath, combinator.instancePath),
      );
    if (!isFollowOn) located.push(...combinatorProblems(combinator, branches, context));
  }
  remaining = remaining.filter((error) => !consumed.has(error));

  // A key that a failed branch would have accepted comes back as "unevaluated": drop those when the object has
  // another problem, but keep keys no ODCS object defines (a real typo).
  const hasOtherProblem = (pointer: string): boolean =>
    errors.some(
      (error) =>
        error.keyword !== 'unevaluatedProperties' && error.keyword !== 'if' && isUnder(error.instancePath, pointer),
    );
  for (const error of remaining) {
    if (error.keyword === 'unevaluatedProperties') {
      const key = unknownKeyOf(error);
      if (key !== undefined && context.knownFields.has(key) && hasOtherProblem(error.instancePath)) continue;
    }
    located.push(simpleProblem(error, context));
  }

  const seen = new Set<string>();
  const problems: ContractProblem[] = [];
  for (const { path, message } of located) {
    const formatted = formatPath(path);
    const id = `${formatted}\u0000${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    let line = context.lineOf(path);
    // A missing key has no line of its own: use its parent's.
    for (let depth = path.length - 1; line === undefined && depth >= 0; depth--)
      line = context.lineOf(path.slice(0, depth));
    problems.push(line === undefined ? { path: formatted, message } : { path: formatted, message, line });
  }
  return problems
    .map((problem, index) => ({ problem, index }))
    .sort((a, b) => (a.problem.line ?? Infinity) - (b.problem.line ?? Infinity) || a.index - b.index)
    .map(({ problem }) => problem);
}
