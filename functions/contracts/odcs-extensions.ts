/**
 * The project's extensions to ODCS, carried where ODCS allows extensions: `customProperties` entries whose `property`
 * starts with `mlops.` (docs/contracts.md lists them). Other custom properties belong to other tools and are left
 * alone; an `mlops.` name that is not one of ours is a typo and refuses the contract.
 */
import type { CheckSpec, ValidationLimits } from './contract-plan';
import { describeValue } from './odcs-definition-error';
import type { OdcsCustomProperty } from './odcs-model';

/** A problem found while compiling, with the path as segments so that its line can be found. */
export interface Finding {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

type Path = readonly (string | number)[];
type Severity = CheckSpec['severity'];

/** `mlops.freshness`: the newest value of a date or timestamp column is at most this old. */
export interface FreshnessExtension {
  readonly column: string;
  readonly maxAgeSeconds: number;
  readonly severity: Severity;
  readonly source: Path;
}

/** `mlops.drift` on a contract or schema object: PSI of each column against the training baseline. */
export interface DriftExtension {
  /** @default 0.2 */
  readonly psiThreshold: number;
  /** Columns to check (property or column names); default every numeric or categorical column. */
  readonly columns?: readonly string[];
  /** Skip drift on smaller datasets. */
  readonly minRows?: number;
  readonly severity: Severity;
  readonly source: Path;
}

/** `mlops.drift` on a property: `false` excludes the column, a number (or `{psiThreshold}`) sets its threshold. */
export type PropertyDrift =
  | { readonly excluded: true; readonly source: Path }
  | { readonly excluded: false; readonly psiThreshold?: number; readonly source: Path };

/** The extensions found on one level (contract or schema object). */
export interface ObjectExtensions {
  readonly allowExtraColumns?: boolean;
  readonly freshness?: FreshnessExtension;
  readonly drift?: DriftExtension;
  readonly limits?: Partial<ValidationLimits>;
}

/** Default PSI threshold: 0.1-0.2 is the usual "moderate shift" band, above 0.2 a significant one. */
export const DEFAULT_PSI_THRESHOLD = 0.2;

const PREFIX = 'mlops.';
const OBJECT_EXTENSIONS = ['mlops.allowExtraColumns', 'mlops.freshness', 'mlops.drift', 'mlops.limits'] as const;
const PROPERTY_EXTENSIONS = ['mlops.drift'] as const;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Levenshtein distance, for "did you mean" suggestions. */
function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] ?? 0;
      previous[j] = Math.min(above + 1, (previous[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
}

/** ` (did you mean "x"?)` when a known name is close, else an empty string. */
export function suggestion(name: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 4))
    ? ` (did you mean "${best}"?)`
    : '';
}

/** Reads the fields of one extension value, collecting every problem rather than stopping at the first. */
class ValueReader {
  public constructor(
    private readonly findings: Finding[],
    private readonly path: Path,
  ) {}

  /** The value as a mapping with only `allowed` keys, or undefined (and a finding). */
  public mapping(value: unknown, allowed: readonly string[], what: string): Record<string, unknown> | undefined {
    if (!isRecord(value)) {
      this.findings.push({ path: this.path, message: `expected ${what}, got ${describeValue(value)}` });
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.findings.push({
          path: [...this.path, key],
          message: `expected one of the keys ${allowed.join(', ')}, got unknown key ${JSON.stringify(key)}${suggestion(key, allowed)}`,
        });
      }
    }
    return value;
  }

  public positiveInteger(record: Record<string, unknown>, key: string): number | undefined {
    const value = record[key];
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
    this.findings.push({
      path: [...this.path, key],
      message: `expected a positive integer, got ${describeValue(value)}`,
    });
    return undefined;
  }

  public positiveNumber(record: Record<string, unknown>, key: string): number | undefined {
    const value = record[key];
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
    this.findings.push({
      path: [...this.path, key],
      message: `expected a positive number, got ${describeValue(value)}`,
    });
    return undefined;
  }

  public text(record: Record<string, unknown>, key: string, required: boolean): string | undefined {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return value;
    if (value === undefined && !required) return undefined;
    this.findings.push({
      path: [...this.path, key],
      message: `expected a non-empty string${required ? ' (required)' : ''}, got ${describeValue(value)}`,
    });
    return undefined;
  }

  public textList(record: Record<string, unknown>, key: string): string[] | undefined {
    const value = record[key];
    if (value === undefined) return undefined;
    if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item !== '')) {
      return value.filter((item): item is string => typeof item === 'string');
    }
    this.findings.push({
      path: [...this.path, key],
      message: `expected a non-empty list of column names, got ${describeValue(value)}`,
    });
    return undefined;
  }

  public severity(record: Record<string, unknown>, key: string): Severity {
    const value = record[key];
    if (value === undefined) return 'error';
    if (value === 'error' || value === 'warning' || value === 'info') return value;
    this.findings.push({
      path: [...this.path, key],
      message: `expected one of "error", "warning", "info", got ${describeValue(value)}`,
    });
    return 'error';
  }
}

const DURATION =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Seconds in an ISO-8601 duration of weeks, days, hours, minutes and seconds (`P1D`, `PT36H`, `P1DT12H`); undefined
 * for anything else. Years and months are refused: their length depends on the calendar.
 */
export function durationSeconds(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null || text === 'P' || text.endsWith('T')) return undefined;
  const [, weeks, days, hours, minutes, seconds] = match.map((part) => (part === undefined ? 0 : Number(part)));
  const total =
    (weeks ?? 0) * 604_800 + (days ?? 0) * 86_400 + (hours ?? 0) * 3_600 + (minutes ?? 0) * 60 + (seconds ?? 0);
  return total > 0 ? total : undefined;
}

function readFreshness(value: unknown, path: Path, findings: Finding[]): FreshnessExtension | undefined {
  const reader = new ValueReader(findings, path);
  const record = reader.mapping(
    value,
    ['column', 'maxAgeSeconds', 'maxAge', 'severity'],
    'a mapping {column, maxAgeSeconds} or {column, maxAge}',
  );
  if (record === undefined) return undefined;
  const column = reader.text(record, 'column', true);
  const severity = reader.severity(record, 'severity');
  let maxAgeSeconds: number | undefined;
  if (record.maxAgeSeconds !== undefined && record.maxAge !== undefined) {
    findings.push({ path, message: 'expected either maxAgeSeconds or maxAge, got both' });
  } else if (record.maxAge !== undefined) {
    maxAgeSeconds = typeof record.maxAge === 'string' ? durationSeconds(record.maxAge) : undefined;
    if (maxAgeSeconds === undefined) {
      findings.push({
        path: [...path, 'maxAge'],
        message: `expected an ISO-8601 duration in weeks, days, hours, minutes or seconds such as "P1D" or "PT6H", got ${describeValue(record.maxAge)}`,
      });
    }
  } else if (record.maxAgeSeconds !== undefined) {
    maxAgeSeconds = reader.positiveNumber(record, 'maxAgeSeconds');
  } else {
    findings.push({ path, message: 'expected maxAgeSeconds or maxAge (required), got neither' });
  }
  if (column === undefined || maxAgeSeconds === undefined) return undefined;
  return { column, maxAgeSeconds, severity, source: path };
}

function readDrift(value: unknown, path: Path, findings: Finding[]): DriftExtension | undefined {
  const reader = new ValueReader(findings, path);
  const record = reader.mapping(
    value,
    ['psiThreshold', 'columns', 'minRows', 'severity'],
    'a mapping {psiThreshold, columns, minRows, severity}',
  );
  if (record === undefined) return undefined;
  const psiThreshold = reader.positiveNumber(record, 'psiThreshold') ?? DEFAULT_PSI_THRESHOLD;
  const columns = reader.textList(record, 'columns');
  const minRows = reader.positiveInteger(record, 'minRows');
  const severity = reader.severity(record, 'severity');
  return {
    psiThreshold,
    severity,
    source: path,
    ...(columns === undefined ? {} : { columns }),
    ...(minRows === undefined ? {} : { minRows }),
  };
}

function readLimits(value: unknown, path: Path, findings: Finding[]): Partial<ValidationLimits> | undefined {
  const reader = new ValueReader(findings, path);
  const record = reader.mapping(value, ['maxBytes', 'maxLineBytes', 'maxColumns'], 'a mapping of positive integers');
  if (record === undefined) return undefined;
  const limits: { -readonly [K in keyof ValidationLimits]?: number } = {};
  for (const key of ['maxBytes', 'maxLineBytes', 'maxColumns'] as const) {
    const limit = reader.positiveInteger(record, key);
    if (limit !== undefined) limits[key] = limit;
  }
  return limits;
}

/** The `mlops.` entries of a customProperties list, each with its path; a name given twice is a finding. */
function ourEntries(
  customProperties: readonly OdcsCustomProperty[] | undefined,
  basePath: Path,
  allowed: readonly string[],
  where: string,
  findings: Finding[],
): Map<string, { readonly value: unknown; readonly path: Path }> {
  const entries = new Map<string, { readonly value: unknown; readonly path: Path }>();
  (customProperties ?? []).forEach((entry, index) => {
    if (entry.property === undefined || !entry.property.startsWith(PREFIX)) return;
    const entryPath = [...basePath, 'customProperties', index];
    if (!allowed.includes(entry.property)) {
      const isOurs = (OBJECT_EXTENSIONS as readonly string[]).includes(entry.property);
      findings.push({
        path: [...entryPath, 'property'],
        message: isOurs
          ? `expected ${allowed.map((name) => JSON.stringify(name)).join(' or ')} on ${where}, got ${JSON.stringify(entry.property)} (it belongs on the contract or a schema object)`
          : `expected one of ${allowed.map((name) => JSON.stringify(name)).join(', ')}, got unknown extension ${JSON.stringify(entry.property)}${suggestion(entry.property, allowed)}`,
      });
      return;
    }
    if (entries.has(entry.property)) {
      findings.push({
        path: [...entryPath, 'property'],
        message: `expected ${JSON.stringify(entry.property)} once, got it again`,
      });
      return;
    }
    entries.set(entry.property, { value: entry.value, path: [...entryPath, 'value'] });
  });
  return entries;
}

/**
 * The extensions in the `customProperties` of the contract (`basePath` empty) or of a schema object.
 *
 * @param findings - receives every problem with the extension values
 */
export function readObjectExtensions(
  customProperties: readonly OdcsCustomProperty[] | undefined,
  basePath: Path,
  findings: Finding[],
): ObjectExtensions {
  const where = basePath.length === 0 ? 'the contract' : 'a schema object';
  const entries = ourEntries(customProperties, basePath, OBJECT_EXTENSIONS, where, findings);
  const result: {
    allowExtraColumns?: boolean;
    freshness?: FreshnessExtension;
    drift?: DriftExtension;
    limits?: Partial<ValidationLimits>;
  } = {};
  const allowExtra = entries.get('mlops.allowExtraColumns');
  if (allowExtra !== undefined) {
    if (typeof allowExtra.value === 'boolean') result.allowExtraColumns = allowExtra.value;
    else
      findings.push({
        path: allowExtra.path,
        message: `expected true or false, got ${describeValue(allowExtra.value)}`,
      });
  }
  const freshness = entries.get('mlops.freshness');
  if (freshness !== undefined) {
    const read = readFreshness(freshness.value, freshness.path, findings);
    if (read !== undefined) result.freshness = read;
  }
  const drift = entries.get('mlops.drift');
  if (drift !== undefined) {
    const read = readDrift(drift.value, drift.path, findings);
    if (read !== undefined) result.drift = read;
  }
  const limits = entries.get('mlops.limits');
  if (limits !== undefined) {
    const read = readLimits(limits.value, limits.path, findings);
    if (read !== undefined) result.limits = read;
  }
  return result;
}

/** `mlops.drift` in a property's `customProperties`, if any. */
export function readPropertyDrift(
  customProperties: readonly OdcsCustomProperty[] | undefined,
  basePath: Path,
  findings: Finding[],
): PropertyDrift | undefined {
  const entries = ourEntries(customProperties, basePath, PROPERTY_EXTENSIONS, 'a property', findings);
  const drift = entries.get('mlops.drift');
  if (drift === undefined) return undefined;
  const { value, path } = drift;
  if (value === false) return { excluded: true, source: path };
  if (value === true) return { excluded: false, source: path };
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    return { excluded: false, psiThreshold: value, source: path };
  }
  if (isRecord(value)) {
    const reader = new ValueReader(findings, path);
    const record = reader.mapping(value, ['psiThreshold'], 'a mapping {psiThreshold}');
    if (record === undefined) return undefined;
    if (record.psiThreshold === undefined) {
      findings.push({ path: [...path, 'psiThreshold'], message: 'expected a positive number (required), got nothing' });
      return undefined;
    }
    const psiThreshold = reader.positiveNumber(record, 'psiThreshold');
    return psiThreshold === undefined ? undefined : { excluded: false, psiThreshold, source: path };
  }
  findings.push({
    path,
    message: `expected false (exclude the column), true, a PSI threshold such as 0.25, or {psiThreshold}, got ${describeValue(value)}`,
  });
  return undefined;
}
