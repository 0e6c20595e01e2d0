/**
 * ODCS `quality[]` rules as draft checks, in both forms:
 * - 3.1.0 `metric:` (`nullValues`, `missingValues`, `invalidValues`, `duplicateValues`, `rowCount`) with `arguments`
 *   and exactly one operator;
 * - 3.0.x `rule:` (free text, so the names below are our vocabulary) with arguments as sibling keys and possibly
 *   several operators, each becoming its own check.
 * `sql`, `custom` and `text` rules, unknown rule names and unsupported units are reported as not evaluated.
 */
import type { CheckMetric, CheckSpec, ColumnSpec, Threshold } from './contract-plan';
import { describeValue, formatPath } from './odcs-definition-error';
import type { Finding } from './odcs-extensions';
import type { OdcsQualityRule } from './odcs-model';

type Path = readonly (string | number)[];

/** The ODCS library metrics. */
export type LibraryMetric = 'nullValues' | 'missingValues' | 'invalidValues' | 'duplicateValues' | 'rowCount';

/** A check before it gets its id and name; `origin` says whether an explicit rule may replace it. */
export interface DraftCheck {
  readonly metric: CheckMetric;
  readonly column?: string;
  readonly threshold: Threshold;
  readonly unit: CheckSpec['unit'];
  readonly severity: CheckSpec['severity'];
  readonly source: Path;
  readonly missingValues?: readonly (string | number | null)[];
  readonly validValues?: readonly (string | number | boolean)[];
  readonly pattern?: string;
  readonly qualityId?: string;
  readonly dimension?: string;
  readonly minRows?: number;
  /** `implicit`: from `required`/`unique`/`primaryKey`/`logicalType`; an identical explicit rule replaces it. */
  readonly origin: 'implicit' | 'rule' | 'extension';
}

/** A key the compiler does not evaluate, with the reason. */
export interface NotEvaluatedAt {
  readonly path: Path;
  readonly reason: string;
}

/** Where compiled output and problems go. */
export interface CompileSink {
  readonly findings: Finding[];
  readonly notEvaluated: NotEvaluatedAt[];
  readonly warnings: string[];
}

/** The column a property-level rule applies to, and how to find other columns by name. */
export interface RuleTarget {
  /** Absent for schema-level rules. */
  readonly column?: ColumnSpec;
  /** A declared column by property name or column name. */
  readonly findColumn: (name: string) => ColumnSpec | undefined;
}

/** The ODCS comparison operators, in the order their checks are planned when a 3.0.x rule has several. */
export const OPERATORS = [
  'mustBe',
  'mustNotBe',
  'mustBeGreaterThan',
  'mustBeGreaterOrEqualTo',
  'mustBeLessThan',
  'mustBeLessOrEqualTo',
  'mustBeBetween',
  'mustNotBeBetween',
] as const;

/**
 * 3.0.x `rule:` names we evaluate (case-insensitive): the names used in the ODCS 3.0 documentation and examples,
 * plus the 3.1 metric names, since 3.1 keeps `rule` as a deprecated alias of `metric`.
 */
export const RULE_VOCABULARY: Readonly<Record<string, LibraryMetric>> = {
  nullcheck: 'nullValues',
  notnull: 'nullValues',
  nullvalues: 'nullValues',
  missingvalues: 'missingValues',
  validvalues: 'invalidValues',
  invalidvalues: 'invalidValues',
  duplicatecount: 'duplicateValues',
  unique: 'duplicateValues',
  duplicatevalues: 'duplicateValues',
  rowcount: 'rowCount',
};
const VOCABULARY_NAMES =
  'nullCheck, notNull, nullValues, missingValues, validValues, invalidValues, duplicateCount, unique, duplicateValues, rowCount';

const METRICS: readonly LibraryMetric[] = [
  'nullValues',
  'missingValues',
  'invalidValues',
  'duplicateValues',
  'rowCount',
];

/** Arguments each metric reads (3.1 `arguments`, 3.0.x sibling keys). */
const METRIC_ARGUMENTS: Readonly<Record<LibraryMetric, readonly string[]>> = {
  nullValues: [],
  missingValues: ['missingValues'],
  invalidValues: ['validValues', 'pattern'],
  duplicateValues: ['properties'],
  rowCount: [],
};

/**
 * DataQuality keys that are read above or only describe the rule (every rule runs on every file, so `schedule` has no
 * meaning here); any other sibling key of a 3.0.x rule is reported as not evaluated.
 */
const KNOWN_RULE_KEYS = new Set([
  'id',
  'name',
  'description',
  'dimension',
  'businessImpact',
  'method',
  'schedule',
  'scheduler',
  'tags',
  'customProperties',
  'authoritativeDefinitions',
  'type',
  'rule',
  'metric',
  'arguments',
  'unit',
  'severity',
  ...OPERATORS,
]);

const DEFAULT_MISSING_VALUES: readonly (string | null)[] = [null, ''];

/** The keys of a rule the compiler reads, as strings where ODCS has strings (anything else is absent). */
interface RuleFields {
  readonly type?: string;
  readonly metric?: unknown;
  readonly rule?: string;
  readonly unit?: string;
  readonly severity?: string;
  readonly id?: string;
  readonly dimension?: string;
  readonly engine?: string;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function ruleFields(rule: OdcsQualityRule): RuleFields {
  return {
    type: text(rule.type),
    metric: rule.metric,
    rule: text(rule.rule),
    unit: text(rule.unit),
    severity: text(rule.severity),
    id: text(rule.id),
    dimension: text(rule.dimension),
    engine: text(rule.engine),
  };
}

/** ODCS severity (free text) as the plan's; an unknown word counts as `error` with a warning. */
function severityOf(rule: RuleFields, sink: CompileSink, where: string): CheckSpec['severity'] {
  const severity = rule.severity?.toLowerCase();
  if (severity === undefined || severity === 'error') return 'error';
  if (severity === 'warning' || severity === 'warn') return 'warning';
  if (severity === 'info') return 'info';
  sink.warnings.push(`${where}.severity: "${rule.severity}" is not error, warning or info; treated as error`);
  return 'error';
}

/** `rows` (default) or `percent`; undefined (not evaluated) for any other unit. */
function unitOf(rule: RuleFields): 'rows' | 'percent' | undefined {
  const unit = rule.unit?.toLowerCase();
  if (unit === undefined || unit === 'rows' || unit === 'row') return 'rows';
  if (unit === 'percent' || unit === '%') return 'percent';
  return undefined;
}

/** One threshold per operator present on the rule; findings for operator values that are not numbers. */
function thresholdsOf(
  rule: Record<string, unknown>,
  path: Path,
  unit: 'rows' | 'percent',
  findings: Finding[],
): Threshold[] {
  const thresholds: Threshold[] = [];
  const inRange = (value: number): boolean =>
    Number.isFinite(value) && (unit !== 'percent' || (value >= 0 && value <= 100));
  const expectedNumber = unit === 'percent' ? 'a percentage between 0 and 100' : 'a number';
  for (const operator of OPERATORS) {
    const value = rule[operator];
    if (value === undefined) continue;
    const at = [...path, operator];
    if (operator === 'mustBeBetween' || operator === 'mustNotBeBetween') {
      if (
        !Array.isArray(value) ||
        value.length !== 2 ||
        !value.every((bound) => typeof bound === 'number' && inRange(bound))
      ) {
        findings.push({ path: at, message: `expected a list of two numbers [low, high], got ${describeValue(value)}` });
        continue;
      }
      const [low, high] = value.filter((bound): bound is number => typeof bound === 'number');
      if (low === undefined || high === undefined || low >= high) {
        findings.push({ path: at, message: `expected the smaller number first, got ${describeValue(value)}` });
        continue;
      }
      thresholds.push({ operator, value: [low, high] });
      continue;
    }
    if (typeof value !== 'number' || !inRange(value)) {
      findings.push({
        path: at,
        message: `expected ${expectedNumber} (the ${unit} counted), got ${describeValue(value)}`,
      });
      continue;
    }
    thresholds.push({ operator, value });
  }
  return thresholds;
}

function readMissingValues(value: unknown, path: Path, findings: Finding[]): (string | number | null)[] | undefined {
  if (value === undefined) return [...DEFAULT_MISSING_VALUES];
  if (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item) => item === null || typeof item === 'string' || typeof item === 'number')
  ) {
    return value.filter((item): item is string | number | null => item === null || typeof item !== 'object');
  }
  findings.push({
    path,
    message: `expected a non-empty list of strings, numbers or null, got ${describeValue(value)}`,
  });
  return undefined;
}

function readValidValues(
  value: unknown,
  path: Path,
  sink: CompileSink,
  where: string,
): (string | number | boolean)[] | undefined {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((item) => item === null || ['string', 'number', 'boolean'].includes(typeof item))
  ) {
    sink.findings.push({
      path,
      message: `expected a non-empty list of strings, numbers or booleans, got ${describeValue(value)}`,
    });
    return undefined;
  }
  if (value.includes(null)) {
    sink.warnings.push(
      `${where}: null in validValues is ignored: a null is never counted as invalid (nullValues and required count nulls)`,
    );
  }
  return value.filter((item): item is string | number | boolean => item !== null && typeof item !== 'object');
}

function readPattern(value: unknown, path: Path, findings: Finding[]): string | undefined {
  if (typeof value === 'string') {
    try {
      new RegExp(value);
      return value;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      findings.push({
        path,
        message: `expected an ECMA-262 regular expression, got ${describeValue(value)} (${reason})`,
      });
      return undefined;
    }
  }
  findings.push({ path, message: `expected a regular expression string, got ${describeValue(value)}` });
  return undefined;
}

/** Which metric a library rule asks for, or why it is not evaluated. */
function metricOf(rule: RuleFields): { metric: LibraryMetric; form: '3.1' | '3.0' } | { reason: string } {
  if (rule.metric !== undefined) {
    const metric = METRICS.find((known) => known === rule.metric);
    return metric === undefined
      ? { reason: `metric ${describeValue(rule.metric)} is not one of ${METRICS.join(', ')}` }
      : { metric, form: '3.1' };
  }
  if (rule.rule !== undefined) {
    const metric = RULE_VOCABULARY[rule.rule.toLowerCase()];
    return metric === undefined
      ? {
          reason: `rule "${rule.rule}" is not in the evaluated vocabulary (${VOCABULARY_NAMES}); write it as a 3.1 metric or an mlops extension`,
        }
      : { metric, form: '3.0' };
  }
  return { reason: 'a library rule without metric or rule has nothing to evaluate' };
}

/**
 * The checks one quality rule compiles to (none when it is not evaluated or is broken).
 *
 * @param path - the rule's path, e.g. `['schema', 0, 'properties', 2, 'quality', 0]`
 */
export function compileQualityRule(
  raw: OdcsQualityRule,
  path: Path,
  target: RuleTarget,
  sink: CompileSink,
): DraftCheck[] {
  const where = formatPath(path);
  const rule = ruleFields(raw);
  const type = rule.type ?? 'library';
  switch (type) {
    case 'text':
      sink.notEvaluated.push({ path, reason: 'a text rule is a description for people; there is nothing to run' });
      return [];
    case 'sql':
      sink.notEvaluated.push({
        path,
        reason: 'SQL rules are not run: the validator streams files and has no SQL engine',
      });
      return [];
    case 'custom':
      sink.notEvaluated.push({
        path,
        reason: `custom rules are not run (engine ${rule.engine === undefined ? 'not given' : `"${rule.engine}"`})`,
      });
      return [];
    case 'library':
      break;
    default:
      sink.notEvaluated.push({ path, reason: `quality type "${type}" is not one of library, sql, custom, text` });
      return [];
  }

  const chosen = metricOf(rule);
  if ('reason' in chosen) {
    sink.notEvaluated.push({ path, reason: chosen.reason });
    return [];
  }
  const { metric, form } = chosen;
  const unit = unitOf(rule);
  if (unit === undefined) {
    sink.notEvaluated.push({
      path: [...path, 'unit'],
      reason: `unit "${rule.unit}" is not supported (rows or percent)`,
    });
    return [];
  }
  if (metric === 'rowCount' && unit === 'percent') {
    sink.findings.push({ path: [...path, 'unit'], message: 'expected rows (rowCount counts rows), got "percent"' });
    return [];
  }

  // Arguments: 3.1 puts them in `arguments`; 3.0.x as sibling keys (we read both in the 3.0 form).
  const allowedArguments = METRIC_ARGUMENTS[metric];
  const args: Record<string, unknown> = {};
  const argumentsPath = [...path, 'arguments'];
  const given: unknown = raw.arguments;
  const isMapping = typeof given === 'object' && given !== null && !Array.isArray(given);
  if (given !== undefined && !isMapping) {
    sink.findings.push({
      path: argumentsPath,
      message: `expected a mapping of arguments, got ${describeValue(given)}`,
    });
    return [];
  }
  const fromArguments: [string, unknown][] = isMapping ? Object.entries(given) : [];
  for (const [key, value] of fromArguments) {
    if (allowedArguments.includes(key)) args[key] = value;
    else {
      sink.findings.push({
        path: [...argumentsPath, key],
        message:
          allowedArguments.length === 0
            ? `expected no arguments for ${metric}, got ${JSON.stringify(key)}`
            : `expected ${allowedArguments.join(' or ')} for ${metric}, got unknown argument ${JSON.stringify(key)}`,
      });
    }
  }
  const inArguments = new Set(Object.keys(args));
  const siblingPath = (key: string): Path => (inArguments.has(key) ? [...argumentsPath, key] : [...path, key]);
  if (form === '3.0') {
    for (const [key, value] of Object.entries(raw)) {
      if (allowedArguments.includes(key)) {
        if (!(key in args)) args[key] = value;
      } else if (!KNOWN_RULE_KEYS.has(key)) {
        sink.notEvaluated.push({
          path: [...path, key],
          reason: `not an argument of rule "${rule.rule}" (${metric} reads ${allowedArguments.length === 0 ? 'no arguments' : allowedArguments.join(', ')})`,
        });
      }
    }
  }

  let thresholds = thresholdsOf(raw, path, unit, sink.findings);
  const hadOperator = OPERATORS.some((operator) => raw[operator] !== undefined);
  if (hadOperator && thresholds.length === 0) return [];
  if (!hadOperator) {
    if (metric === 'rowCount') {
      sink.notEvaluated.push({
        path,
        reason: 'rowCount without a threshold (mustBe, mustBeGreaterThan, ...) has nothing to compare',
      });
      return [];
    }
    if (form === '3.1') sink.warnings.push(`${where}: ${metric} without an operator; checked as mustBe: 0`);
    thresholds = [{ operator: 'mustBe', value: 0 }];
  }

  let column = target.column?.name;
  const missingValues =
    metric === 'missingValues'
      ? readMissingValues(args.missingValues, siblingPath('missingValues'), sink.findings)
      : undefined;
  let validValues: (string | number | boolean)[] | undefined;
  let pattern: string | undefined;
  if (metric === 'invalidValues') {
    if (args.validValues !== undefined)
      validValues = readValidValues(args.validValues, siblingPath('validValues'), sink, where);
    if (args.pattern !== undefined) pattern = readPattern(args.pattern, siblingPath('pattern'), sink.findings);
    if (form === '3.0' && args.validValues === undefined && args.pattern === undefined) {
      sink.findings.push({
        path,
        message: `expected a validValues list (or a pattern) next to rule "${rule.rule}", got neither`,
      });
      return [];
    }
  }
  if (metric === 'duplicateValues' && args.properties !== undefined) {
    const properties = args.properties;
    const names = Array.isArray(properties)
      ? properties.filter((name): name is string => typeof name === 'string')
      : [];
    if (!Array.isArray(properties) || names.length !== properties.length || names.length === 0) {
      sink.findings.push({
        path: siblingPath('properties'),
        message: `expected a list of property names, got ${describeValue(properties)}`,
      });
      return [];
    }
    if (names.length > 1) {
      sink.notEvaluated.push({
        path,
        reason: `uniqueness of the combination (${names.join(', ')}) is not checked; only single columns are`,
      });
      return [];
    }
    const [name] = names;
    const found = name === undefined ? undefined : target.findColumn(name);
    if (found === undefined) {
      sink.findings.push({
        path: siblingPath('properties'),
        message: `expected the name of a declared property, got ${describeValue(name)}`,
      });
      return [];
    }
    column = found.name;
  }
  if (metric !== 'rowCount' && column === undefined) {
    sink.notEvaluated.push({
      path,
      reason: `${metric} at schema level has no column to count; put the rule under the property's quality`,
    });
    return [];
  }
  if (
    (metric === 'missingValues' && missingValues === undefined) ||
    (metric === 'invalidValues' && args.validValues !== undefined && validValues === undefined) ||
    (metric === 'invalidValues' && args.pattern !== undefined && pattern === undefined)
  ) {
    return [];
  }

  const severity = severityOf(rule, sink, where);
  return thresholds.map((threshold): DraftCheck => ({
    metric,
    threshold,
    unit,
    severity,
    source: path,
    origin: 'rule',
    ...(metric === 'rowCount' || column === undefined ? {} : { column }),
    ...(missingValues === undefined ? {} : { missingValues }),
    ...(validValues === undefined ? {} : { validValues }),
    ...(pattern === undefined ? {} : { pattern }),
    ...(rule.id === undefined ? {} : { qualityId: rule.id }),
    ...(rule.dimension === undefined ? {} : { dimension: rule.dimension }),
  }));
}
