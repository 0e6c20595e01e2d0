/**
 * ODCS `properties[]` as the plan's columns: the name in the data, the logical type with its `logicalTypeOptions`
 * normalised across versions (3.0.x `exclusiveMinimum: true` + `minimum: 0` and 3.1.0 `exclusiveMinimum: 0` give the
 * same spec), and the checks the declaration implies (`required`, `unique`, a single-column `primaryKey`, the type).
 */
import type { ColumnSpec, LogicalType } from './contract-plan';
import { describeValue, formatPath } from './odcs-definition-error';
import { readPropertyDrift, type PropertyDrift } from './odcs-extensions';
import type { OdcsProperty, OdcsSchemaObject } from './odcs-model';
import type { CompileSink, DraftCheck } from './odcs-quality-rules';

type Path = readonly (string | number)[];

/** One declared column with what it implies. */
export interface CompiledColumn {
  readonly spec: ColumnSpec;
  readonly property: OdcsProperty;
  readonly path: Path;
  /** columnPresent, then the implicit nullValues / duplicateValues / invalidValues checks. */
  readonly checks: readonly DraftCheck[];
  /** `mlops.drift` on the property. */
  readonly drift?: PropertyDrift;
}

/** String formats the engine checks; the others listed by ODCS (password, byte, binary) are not evaluated. */
export const CHECKED_STRING_FORMATS: readonly string[] = ['email', 'uuid', 'uri', 'hostname', 'ipv4', 'ipv6'];

const PLAN_TYPES: Readonly<Record<string, LogicalType>> = {
  string: 'string',
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
};

type Bound = number | string;

interface Bounds {
  minimum?: Bound;
  maximum?: Bound;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
}

/** Keys of `logicalTypeOptions` each type evaluates; any other key present is reported as not evaluated. */
const EVALUATED_OPTIONS: Readonly<Record<LogicalType, readonly string[]>> = {
  string: ['minLength', 'maxLength', 'pattern', 'format'],
  integer: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'],
  boolean: [],
  date: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'format'],
  timestamp: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'format'],
};

const OPTION_REASONS: Readonly<Record<string, string>> = {
  multipleOf: 'multipleOf is not checked',
  format: 'the bit width (i32, i64, f32, ...) of a number is not checked',
  timezone: 'whether a value carries a time zone is not checked',
  defaultTimezone: 'the default time zone is not applied; bounds are compared as written',
};

/** Compares two bounds of the same kind: numbers by value, ISO-8601 strings of the same length as text. */
function compareBounds(a: Bound, b: Bound): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string' && a.length === b.length) return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

/**
 * One side of the range. 3.0.x: `minimum` plus a boolean `exclusiveMinimum`; 3.1.0: `exclusiveMinimum` is the bound.
 * When both an inclusive and an exclusive bound are given, the stricter one wins.
 */
function readSide(
  options: Record<string, unknown>,
  side: 'minimum' | 'maximum',
  kind: 'number' | 'string',
  path: Path,
  sink: CompileSink,
): { bound?: Bound; exclusive: boolean } {
  const exclusiveKey = side === 'minimum' ? 'exclusiveMinimum' : 'exclusiveMaximum';
  const read = (key: string): Bound | boolean | undefined => {
    const value = options[key];
    if (value === undefined) return undefined;
    if (key === exclusiveKey && typeof value === 'boolean') return value;
    if (kind === 'number' && typeof value === 'number' && Number.isFinite(value)) return value;
    if (kind === 'string' && typeof value === 'string' && value !== '') return value;
    sink.findings.push({
      path: [...path, key],
      message:
        kind === 'string'
          ? `expected a date or time string, got ${describeValue(value)} (quote date and time bounds, e.g. ${key}: "2020-01-01")`
          : `expected a number, got ${describeValue(value)}`,
    });
    return undefined;
  };
  const inclusive = read(side);
  const exclusive = read(exclusiveKey);
  if (typeof inclusive === 'boolean') return { exclusive: false };
  if (typeof exclusive === 'boolean') {
    if (exclusive && inclusive === undefined) {
      sink.warnings.push(`${formatPath([...path, exclusiveKey])}: true without ${side} has no effect`);
    }
    return inclusive === undefined ? { exclusive: false } : { bound: inclusive, exclusive };
  }
  if (exclusive === undefined)
    return inclusive === undefined ? { exclusive: false } : { bound: inclusive, exclusive: false };
  if (inclusive === undefined) return { bound: exclusive, exclusive: true };
  const order = compareBounds(exclusive, inclusive);
  if (order === undefined) {
    sink.findings.push({
      path: [...path, exclusiveKey],
      message: `expected either ${side} or ${exclusiveKey}, got both in formats that cannot be compared (${describeValue(inclusive)}, ${describeValue(exclusive)})`,
    });
    return { exclusive: false };
  }
  const exclusiveIsStricter = side === 'minimum' ? order >= 0 : order <= 0;
  return exclusiveIsStricter ? { bound: exclusive, exclusive: true } : { bound: inclusive, exclusive: false };
}

function readBounds(
  options: Record<string, unknown>,
  kind: 'number' | 'string',
  path: Path,
  sink: CompileSink,
): Bounds {
  const lower = readSide(options, 'minimum', kind, path, sink);
  const upper = readSide(options, 'maximum', kind, path, sink);
  if (lower.bound !== undefined && upper.bound !== undefined) {
    const order = compareBounds(lower.bound, upper.bound);
    if (order !== undefined && (order > 0 || (order === 0 && (lower.exclusive || upper.exclusive)))) {
      sink.findings.push({
        path,
        message: `expected the lower bound below the upper bound, got ${describeValue(lower.bound)} to ${describeValue(upper.bound)}`,
      });
    }
  }
  return {
    ...(lower.bound === undefined ? {} : { minimum: lower.bound }),
    ...(upper.bound === undefined ? {} : { maximum: upper.bound }),
    ...(lower.exclusive ? { exclusiveMinimum: true } : {}),
    ...(upper.exclusive ? { exclusiveMaximum: true } : {}),
  };
}

interface TypedOptions {
  readonly bounds: Bounds;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
}

function readOptions(type: LogicalType, options: Record<string, unknown>, path: Path, sink: CompileSink): TypedOptions {
  for (const key of Object.keys(options)) {
    if (!EVALUATED_OPTIONS[type].includes(key)) {
      sink.notEvaluated.push({
        path: [...path, key],
        reason: OPTION_REASONS[key] ?? `${key} is not an option of logicalType ${type} that the validator checks`,
      });
    }
  }
  if (type === 'integer' || type === 'number') return { bounds: readBounds(options, 'number', path, sink) };
  if (type === 'date' || type === 'timestamp') {
    const result: TypedOptions = { bounds: readBounds(options, 'string', path, sink) };
    if (typeof options.format === 'string') result.format = options.format;
    return result;
  }
  const result: TypedOptions = { bounds: {} };
  if (type !== 'string') return result;
  for (const key of ['minLength', 'maxLength'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) result[key] = value;
    else
      sink.findings.push({
        path: [...path, key],
        message: `expected a non-negative integer, got ${describeValue(value)}`,
      });
  }
  if (result.minLength !== undefined && result.maxLength !== undefined && result.minLength > result.maxLength) {
    sink.findings.push({
      path: [...path, 'maxLength'],
      message: `expected at least minLength (${result.minLength}), got ${result.maxLength}`,
    });
  }
  if (options.pattern !== undefined) {
    try {
      if (typeof options.pattern !== 'string') throw new TypeError('not a string');
      new RegExp(options.pattern);
      result.pattern = options.pattern;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      sink.findings.push({
        path: [...path, 'pattern'],
        message: `expected an ECMA-262 regular expression, got ${describeValue(options.pattern)} (${reason})`,
      });
    }
  }
  if (typeof options.format === 'string') {
    if (CHECKED_STRING_FORMATS.includes(options.format)) result.format = options.format;
    else {
      sink.notEvaluated.push({
        path: [...path, 'format'],
        reason: `string format "${options.format}" is not checked (${CHECKED_STRING_FORMATS.join(', ')} are)`,
      });
    }
  }
  return result;
}

/** Property keys that change what valid data is but that the validator does not check, with the reason. */
const NOT_EVALUATED_PROPERTY_KEYS: Readonly<Record<string, (value: unknown) => string | undefined>> = {
  partitioned: (value) =>
    value === true ? 'partitioning is a storage layout; how the data is partitioned is not checked' : undefined,
  classification: () => 'a classification governs access; values are not checked against it',
  encryptedName: () => 'the encrypted column is not checked',
  relationships: () => 'relationships (foreign keys) need the other dataset; they are not checked',
  authoritativeDefinitions: () => 'authoritative definitions are links for people; they are not checked',
  items: () => 'array items are not checked; the column is checked for presence, nulls and duplicates only',
  properties: () => 'nested properties are not checked; the column is checked for presence, nulls and duplicates only',
};

function compileColumn(
  property: OdcsProperty,
  path: Path,
  singlePrimaryKey: boolean,
  sink: CompileSink,
): CompiledColumn {
  const name = property.physicalName ?? property.name;
  const declared = property.logicalType;
  const planType = declared === undefined ? undefined : PLAN_TYPES[declared];
  const typeChecked = planType !== undefined;
  if (declared === undefined) {
    sink.warnings.push(`${formatPath(path)}: no logicalType; the values of ${name} are not type-checked`);
  } else if (!typeChecked) {
    sink.notEvaluated.push({
      path: [...path, 'logicalType'],
      reason: `${declared} values are not type-checked; the column is checked for presence, nulls and duplicates only`,
    });
  }
  for (const [key, reasonFor] of Object.entries(NOT_EVALUATED_PROPERTY_KEYS)) {
    if (property[key] === undefined) continue;
    const reason = reasonFor(property[key]);
    if (reason !== undefined) sink.notEvaluated.push({ path: [...path, key], reason });
  }

  const optionsPath = [...path, 'logicalTypeOptions'];
  let options: TypedOptions = { bounds: {} };
  if (property.logicalTypeOptions !== undefined) {
    if (planType === undefined) {
      sink.notEvaluated.push({
        path: optionsPath,
        reason: `options of ${declared ?? 'an untyped column'} are not checked`,
      });
    } else {
      options = readOptions(planType, property.logicalTypeOptions, optionsPath, sink);
    }
  }

  const primaryKey = property.primaryKey === true;
  const required = property.required === true || (primaryKey && singlePrimaryKey);
  const unique = property.unique === true || (primaryKey && singlePrimaryKey);
  const spec: ColumnSpec = {
    name,
    property: property.name,
    logicalType: planType ?? 'string',
    required,
    unique,
    primaryKey,
    ...options.bounds,
    ...(options.minLength === undefined ? {} : { minLength: options.minLength }),
    ...(options.maxLength === undefined ? {} : { maxLength: options.maxLength }),
    ...(options.pattern === undefined ? {} : { pattern: options.pattern }),
    ...(options.format === undefined ? {} : { format: options.format }),
    ...(typeChecked ? {} : { typeChecked: false }),
  };

  const none = { operator: 'mustBe', value: 0 } as const;
  const implicit = (metric: DraftCheck['metric'], source: Path): DraftCheck => ({
    metric,
    column: name,
    threshold: none,
    unit: 'rows',
    severity: 'error',
    source,
    origin: 'implicit',
  });
  const checks: DraftCheck[] = [{ ...implicit('columnPresent', path), threshold: { operator: 'mustBe', value: 1 } }];
  if (property.required === true) checks.push(implicit('nullValues', [...path, 'required']));
  else if (required) checks.push(implicit('nullValues', [...path, 'primaryKey']));
  if (property.unique === true) checks.push(implicit('duplicateValues', [...path, 'unique']));
  else if (unique) checks.push(implicit('duplicateValues', [...path, 'primaryKey']));
  const constrained =
    planType !== undefined &&
    (planType !== 'string' ||
      spec.minLength !== undefined ||
      spec.maxLength !== undefined ||
      spec.pattern !== undefined ||
      spec.format !== undefined);
  if (constrained) {
    checks.push(
      implicit('invalidValues', property.logicalTypeOptions === undefined ? [...path, 'logicalType'] : optionsPath),
    );
  }
  const drift = readPropertyDrift(property.customProperties, path, sink.findings);
  return { spec, property, path, checks, ...(drift === undefined ? {} : { drift }) };
}

/**
 * The columns of a schema object, in declaration order, with the checks each declaration implies.
 *
 * @param schemaPath - path of the schema object, e.g. `['schema', 0]`
 */
export function compileColumns(schemaObject: OdcsSchemaObject, schemaPath: Path, sink: CompileSink): CompiledColumn[] {
  const properties = schemaObject.properties ?? [];
  const keyIndexes = properties.flatMap((property, index) => (property.primaryKey === true ? [index] : []));
  if (keyIndexes.length > 1) {
    const names = keyIndexes.map((index) => properties[index]?.name ?? '?').join(', ');
    for (const index of keyIndexes) {
      sink.notEvaluated.push({
        path: [...schemaPath, 'properties', index, 'primaryKey'],
        reason: `composite primary key (${names}): uniqueness of the combination is not checked`,
      });
    }
  }
  const columns = properties.map((property, index) =>
    compileColumn(property, [...schemaPath, 'properties', index], keyIndexes.length === 1, sink),
  );
  const seen = new Map<string, number>();
  columns.forEach((column, index) => {
    const first = seen.get(column.spec.name);
    if (first === undefined) seen.set(column.spec.name, index);
    else {
      sink.findings.push({
        path: [...column.path, column.property.physicalName === undefined ? 'name' : 'physicalName'],
        message: `expected a column name not used before, got ${JSON.stringify(column.spec.name)} (also ${formatPath([...schemaPath, 'properties', first])})`,
      });
    }
  });
  return columns;
}
