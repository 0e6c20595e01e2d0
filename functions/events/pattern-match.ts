import { BlockList, isIP } from 'node:net';
import { EventPatternSyntaxError } from './errors';

/**
 * EventBridge pattern matching for the JSON form of a pattern (`detail-type`), as EventBridge's engine
 * (aws/event-ruler, `rulesForJSONEvent`) does it:
 *
 * - Fields of one level are AND'ed; the elements of a field's array are OR'ed; `$or` (an array of at least two
 *   levels) ORs whole levels.
 * - Exact values are typed: `"5"` does not match `5`, `true` does not match `"true"`; numbers compare numerically.
 * - An array in the event matches if any of its elements matches (`resources`, lists in `detail`). Arrays of
 *   objects are matched element by element, so two fields of a level must come from the same element
 *   (array consistency).
 * - Only leaves (strings, numbers, booleans, null) carry values. A missing field, or one holding an object or an
 *   empty array, has no value: it matches only `{"exists": false}`, never `anything-but`.
 * - `anything-but` matches a value that is not excluded; its string forms (`prefix`, `suffix`,
 *   `equals-ignore-case`, `wildcard`) exclude only strings, so a number or null passes them.
 *
 * A pattern EventBridge would refuse throws {@link EventPatternSyntaxError} when it is compiled, whatever the event:
 * moto instead matches everything on an unknown operator (MOTO.md section 1), which would hide typos locally.
 *
 * One documented difference: for `{"exists": false}` on a field inside an array of objects, the engine's answer
 * depends on the order in which it visits fields; here the level is tried against each element on its own.
 */

/** A compiled pattern: tells whether an event (a parsed JSON object) matches. */
export type CompiledEventPattern = (event: unknown) => boolean;

type Leaf = string | number | boolean | null;
/** Tests the leaf values found at one field (empty when the field is missing or not a leaf). */
type FieldTest = (leaves: readonly Leaf[]) => boolean;
/** Tests one level of the event (an object, or `undefined` when the level is missing). */
type LevelTest = (node: Readonly<Record<string, unknown>> | undefined) => boolean;

/** Ruler's RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP: names that cannot be fields inside `$or`. */
const RESERVED_IN_OR: ReadonlySet<string> = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

/** Envelope keys of the CDK form: seeing one at the root means `toEventBridgePattern` was forgotten. */
const CDK_ONLY_KEYS = ['detailType'];

/**
 * Compiles `pattern` (EventBridge JSON form) once; the returned function can be called for many events.
 * @throws EventPatternSyntaxError if EventBridge would refuse the pattern (unknown operator, empty array, ...).
 */
export function compileEventPattern(pattern: unknown): CompiledEventPattern {
  if (!isRecord(pattern))
    throw new EventPatternSyntaxError('', `a pattern must be a JSON object, got ${describe(pattern)}`);
  for (const key of CDK_ONLY_KEYS) {
    if (key in pattern) {
      throw new EventPatternSyntaxError(key, 'this is the CDK form of a pattern; render it with toEventBridgePattern');
    }
  }
  const root = compileLevel(pattern, '', false);
  return (event) => root(isRecord(event) ? event : undefined);
}

const compiledCache = new WeakMap<object, CompiledEventPattern>();

/**
 * Whether `event` matches `pattern` (EventBridge JSON form). Compiled patterns are cached per pattern object, so
 * treat a pattern as immutable once it has been used.
 * @throws EventPatternSyntaxError if EventBridge would refuse the pattern.
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (typeof pattern !== 'object' || pattern === null) return compileEventPattern(pattern)(event);
  let compiled = compiledCache.get(pattern);
  if (compiled === undefined) {
    compiled = compileEventPattern(pattern);
    compiledCache.set(pattern, compiled);
  }
  return compiled(event);
}

function compileLevel(level: Readonly<Record<string, unknown>>, path: string, insideOr: boolean): LevelTest {
  const keys = Object.keys(level);
  if (keys.length === 0) throw new EventPatternSyntaxError(path, 'empty objects are not allowed');
  const tests: LevelTest[] = [];
  for (const key of keys) {
    const value = level[key];
    const here = path === '' ? key : `${path}.${key}`;
    if (key === '$or') {
      tests.push(compileOr(value, here));
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      throw new EventPatternSyntaxError(here, `"${key}" is a reserved word and cannot be a field name inside $or`);
    }
    if (Array.isArray(value)) {
      const field = compileField(value, here);
      tests.push((node) => field(leavesOf(childOf(node, key))));
    } else if (isRecord(value)) {
      const nested = compileLevel(value, here, insideOr);
      tests.push((node) => matchLevel(nested, childOf(node, key)));
    } else {
      throw new EventPatternSyntaxError(here, `must be an array of values or an object, got ${describe(value)}`);
    }
  }
  return (node) => tests.every((test) => test(node));
}

function compileOr(value: unknown, path: string): LevelTest {
  if (!Array.isArray(value) || value.length < 2) {
    throw new EventPatternSyntaxError(path, '$or must be an array of at least two objects');
  }
  const alternatives = value.map((alternative: unknown, i) => {
    if (!isRecord(alternative)) {
      throw new EventPatternSyntaxError(`${path}[${i}]`, `$or elements must be objects, got ${describe(alternative)}`);
    }
    return compileLevel(alternative, `${path}[${i}]`, true);
  });
  return (node) => alternatives.some((alternative) => alternative(node));
}

/** A nested level against the event value found there; arrays of objects are tried element by element. */
function matchLevel(level: LevelTest, value: unknown): boolean {
  if (Array.isArray(value)) {
    const objects = flatten(value).filter(isRecord);
    return objects.length === 0 ? level(undefined) : objects.some((o) => level(o));
  }
  return level(isRecord(value) ? value : undefined);
}

function compileField(matchers: readonly unknown[], path: string): FieldTest {
  if (matchers.length === 0) throw new EventPatternSyntaxError(path, 'empty arrays are not allowed');
  const tests = matchers.map((m, i) => compileMatcher(m, `${path}[${i}]`));
  return (leaves) => tests.some((test) => test(leaves));
}

function compileMatcher(matcher: unknown, path: string): FieldTest {
  if (typeof matcher === 'string' || typeof matcher === 'boolean' || matcher === null) {
    return (leaves) => leaves.includes(matcher);
  }
  if (typeof matcher === 'number') {
    assertFinite(matcher, path);
    return (leaves) => leaves.includes(matcher);
  }
  if (!isRecord(matcher)) {
    throw new EventPatternSyntaxError(
      path,
      `a match value must be a string, number, true, false, null or an operator object, got ${describe(matcher)}`,
    );
  }
  const keys = Object.keys(matcher);
  const [operator] = keys;
  if (operator === undefined || keys.length !== 1) {
    throw new EventPatternSyntaxError(path, `an operator object must have exactly one key, got ${keys.length}`);
  }
  const operand = matcher[operator];
  const here = `${path}.${operator}`;
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      const test = compileAffix(operator, operand, here);
      return (leaves) => leaves.some((l) => typeof l === 'string' && test(l));
    }
    case 'equals-ignore-case': {
      const expected = requireString(operand, here).toLowerCase();
      return (leaves) => leaves.some((l) => typeof l === 'string' && l.toLowerCase() === expected);
    }
    case 'wildcard': {
      const re = compileWildcard(requireString(operand, here), here);
      return (leaves) => leaves.some((l) => typeof l === 'string' && re.test(l));
    }
    case 'anything-but': {
      const excluded = compileAnythingBut(operand, here);
      return (leaves) => leaves.some((l) => !excluded(l));
    }
    case 'numeric': {
      const inRange = compileNumeric(operand, here);
      return (leaves) => leaves.some((l) => typeof l === 'number' && inRange(l));
    }
    case 'exists': {
      if (typeof operand !== 'boolean') throw new EventPatternSyntaxError(here, 'exists must be true or false');
      return operand ? (leaves) => leaves.length > 0 : (leaves) => leaves.length === 0;
    }
    case 'cidr': {
      const inBlock = compileCidr(operand, here);
      return (leaves) => leaves.some((l) => typeof l === 'string' && inBlock(l));
    }
    default:
      throw new EventPatternSyntaxError(path, `unknown operator "${operator}"`);
  }
}

/** `prefix`/`suffix` with a string, or with `{ "equals-ignore-case": string }`. */
function compileAffix(operator: 'prefix' | 'suffix', operand: unknown, path: string): (value: string) => boolean {
  const has = operator === 'prefix' ? startsWith : endsWith;
  if (typeof operand === 'string') return (value) => has(value, operand);
  if (isRecord(operand)) {
    const keys = Object.keys(operand);
    if (keys.length === 1 && keys[0] === 'equals-ignore-case') {
      const affix = requireString(operand['equals-ignore-case'], `${path}.equals-ignore-case`).toLowerCase();
      return (value) => has(value.toLowerCase(), affix);
    }
    throw new EventPatternSyntaxError(path, `${operator} accepts a string or { "equals-ignore-case": string } only`);
  }
  throw new EventPatternSyntaxError(path, `${operator} must be a string, got ${describe(operand)}`);
}

const startsWith = (value: string, affix: string): boolean => value.startsWith(affix);
const endsWith = (value: string, affix: string): boolean => value.endsWith(affix);

/** Returns a predicate telling whether a leaf is excluded by `anything-but`. */
function compileAnythingBut(operand: unknown, path: string): (leaf: Leaf) => boolean {
  if (typeof operand === 'string') return (leaf) => leaf === operand;
  if (typeof operand === 'number') {
    assertFinite(operand, path);
    return (leaf) => leaf === operand;
  }
  if (Array.isArray(operand)) {
    if (operand.length === 0) throw new EventPatternSyntaxError(path, 'empty arrays are not allowed');
    const allStrings = operand.every((v) => typeof v === 'string');
    const allNumbers = operand.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (!allStrings && !allNumbers) {
      throw new EventPatternSyntaxError(path, 'an anything-but list must hold only strings or only numbers');
    }
    const set = new Set<unknown>(operand);
    return (leaf) => set.has(leaf);
  }
  if (isRecord(operand)) {
    const keys = Object.keys(operand);
    const [inner] = keys;
    if (inner === undefined || keys.length !== 1) {
      throw new EventPatternSyntaxError(path, 'anything-but takes one of prefix, suffix, equals-ignore-case, wildcard');
    }
    const here = `${path}.${inner}`;
    const values = stringOrStrings(operand[inner], here);
    let test: (value: string) => boolean;
    switch (inner) {
      case 'prefix':
        test = (value) => values.some((v) => value.startsWith(v));
        break;
      case 'suffix':
        test = (value) => values.some((v) => value.endsWith(v));
        break;
      case 'equals-ignore-case': {
        const lowered = new Set(values.map((v) => v.toLowerCase()));
        test = (value) => lowered.has(value.toLowerCase());
        break;
      }
      case 'wildcard': {
        const res = values.map((v) => compileWildcard(v, here));
        test = (value) => res.some((re) => re.test(value));
        break;
      }
      default:
        throw new EventPatternSyntaxError(path, `unsupported anything-but operator "${inner}"`);
    }
    return (leaf) => typeof leaf === 'string' && test(leaf);
  }
  throw new EventPatternSyntaxError(
    path,
    `anything-but must be a string, a number, a list or an operator object, got ${describe(operand)}`,
  );
}

const LOWER_BOUNDS = new Set(['>', '>=']);
const UPPER_BOUNDS = new Set(['<', '<=']);

/** `["=", n]`, `[op, n]` or `[">"|">=", low, "<"|"<=", high]` with `low < high`. */
function compileNumeric(operand: unknown, path: string): (value: number) => boolean {
  if (!Array.isArray(operand)) throw new EventPatternSyntaxError(path, 'numeric must be an array');
  const terms: readonly unknown[] = operand;
  const [op1, v1, op2, v2] = terms;
  if (terms.length === 2 && typeof op1 === 'string' && typeof v1 === 'number') {
    assertFinite(v1, path);
    if (op1 === '=' || LOWER_BOUNDS.has(op1) || UPPER_BOUNDS.has(op1)) return (value) => compare(value, op1, v1);
  }
  if (
    terms.length === 4 &&
    typeof op1 === 'string' &&
    typeof v1 === 'number' &&
    typeof op2 === 'string' &&
    typeof v2 === 'number' &&
    LOWER_BOUNDS.has(op1) &&
    UPPER_BOUNDS.has(op2)
  ) {
    assertFinite(v1, path);
    assertFinite(v2, path);
    if (!(v1 < v2))
      throw new EventPatternSyntaxError(path, `the lower bound ${v1} must be below the upper bound ${v2}`);
    return (value) => compare(value, op1, v1) && compare(value, op2, v2);
  }
  throw new EventPatternSyntaxError(
    path,
    `numeric must be ["=", n], [op, n] or [">"|">=", low, "<"|"<=", high], got ${JSON.stringify(operand)}`,
  );
}

function compare(value: number, operator: string, bound: number): boolean {
  switch (operator) {
    case '=':
      return value === bound;
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    default:
      return value >= bound;
  }
}

function compileCidr(operand: unknown, path: string): (value: string) => boolean {
  const cidr = requireString(operand, path);
  const slash = cidr.indexOf('/');
  const address = slash === -1 ? '' : cidr.slice(0, slash);
  const bits = slash === -1 ? '' : cidr.slice(slash + 1);
  const family = isIP(address);
  const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (family === 0 || !(prefix <= (family === 4 ? 32 : 128))) {
    throw new EventPatternSyntaxError(path, `cidr must be an IPv4 or IPv6 block like 10.0.0.0/24, got "${cidr}"`);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const block = new BlockList();
  block.addSubnet(address, prefix, type);
  return (value) => isIP(value) === family && block.check(value, type);
}

/**
 * `*` matches any run of characters (including none); `\*` is a literal star and `\\` a literal backslash. Two
 * consecutive wildcards and any other escape are refused, as EventBridge does.
 */
function compileWildcard(source: string, path: string): RegExp {
  let re = '^';
  let previousWasWildcard = false;
  for (let i = 0; i < source.length; i++) {
    const c = source.charAt(i);
    if (c === '\\') {
      const next = source.charAt(i + 1);
      if (next !== '*' && next !== '\\') {
        throw new EventPatternSyntaxError(path, `invalid escape at position ${i} of "${source}" (only \\* and \\\\)`);
      }
      re += `\\${next}`;
      i++;
      previousWasWildcard = false;
    } else if (c === '*') {
      if (previousWasWildcard) {
        throw new EventPatternSyntaxError(path, `consecutive wildcard characters at position ${i} of "${source}"`);
      }
      re += '[\\s\\S]*';
      previousWasWildcard = true;
    } else {
      re += c.replace(/[.+?^${}()|[\]/]/g, '\\$&');
      previousWasWildcard = false;
    }
  }
  return new RegExp(`${re}$`);
}

/** The leaf values at a field: none if it is missing or an object; every non-object element if it is an array. */
function leavesOf(value: unknown): Leaf[] {
  if (value === undefined || isRecord(value)) return [];
  if (Array.isArray(value)) return flatten(value).filter(isLeaf);
  return isLeaf(value) ? [value] : [];
}

function flatten(values: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    if (Array.isArray(v)) out.push(...flatten(v));
    else out.push(v);
  }
  return out;
}

function childOf(node: Readonly<Record<string, unknown>> | undefined, key: string): unknown {
  return node !== undefined && Object.hasOwn(node, key) ? node[key] : undefined;
}

function isLeaf(value: unknown): value is Leaf {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    value === null ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new EventPatternSyntaxError(path, `must be a string, got ${describe(value)}`);
  return value;
}

function stringOrStrings(value: unknown, path: string): readonly string[] {
  if (typeof value === 'string') return [value];
  if (isStringList(value) && value.length > 0) return value;
  throw new EventPatternSyntaxError(path, `must be a string or a non-empty list of strings, got ${describe(value)}`);
}

function isStringList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function assertFinite(value: number, path: string): void {
  if (!Number.isFinite(value)) throw new EventPatternSyntaxError(path, `numbers must be finite, got ${value}`);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
