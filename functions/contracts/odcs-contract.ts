/**
 * Reads an ODCS data contract (3.0.x or 3.1.x) and compiles it into the engine-neutral {@link ContractPlan} the
 * streaming validator executes. Two steps, as in datacontract-cli: `parseContract` (YAML + official JSON Schema) and
 * `compileContract` (columns, checks, and what is not evaluated). docs/contracts.md describes the supported subset.
 */
import {
  DEFAULT_LIMITS,
  type CheckMetric,
  type CheckSpec,
  type ContractPlan,
  type NotEvaluated,
  type Threshold,
  type ValidationLimits,
} from './contract-plan';
import { compileColumns, type CompiledColumn } from './odcs-column-specs';
import { ContractDefinitionError, describeValue, formatPath, type ContractProblem } from './odcs-definition-error';
import { readObjectExtensions, DEFAULT_PSI_THRESHOLD, type Finding } from './odcs-extensions';
import { contractSchema, type OdcsContract, type OdcsSchemaObject } from './odcs-model';
import { compileQualityRule, type CompileSink, type DraftCheck, type RuleTarget } from './odcs-quality-rules';
import { validateAgainstOdcsSchema, type OdcsSchemaVersion } from './odcs-schema-validation';
import { readYamlSource, type LineLookup } from './odcs-yaml-source';

export { ContractDefinitionError, type ContractProblem } from './odcs-definition-error';
export type { OdcsSchemaVersion } from './odcs-schema-validation';
export type { OdcsContract } from './odcs-model';

/** A contract file that is valid YAML and valid ODCS, ready to compile. */
export interface ContractDocument {
  /** The name given to {@link parseContract}, used in every message. */
  readonly fileName: string;
  /** `apiVersion` as declared in the file, e.g. `v3.0.2`. */
  readonly apiVersion: string;
  /** The official schema the file matched (may differ from `apiVersion`; see `warnings`). */
  readonly schemaVersion: OdcsSchemaVersion;
  /** The contract, typed where the compiler reads it. */
  readonly contract: OdcsContract;
  /** Problems that do not stop the contract from being used, e.g. a 3.0.2 file written in 3.1 syntax. */
  readonly warnings: readonly string[];
}

/** Options of {@link compileContract}. */
export interface CompileOptions {
  /** Which `schema[]` object the data is checked against; required when the contract has several. */
  readonly schemaName?: string;
}

/** A parsed and compiled contract. */
export interface ContractLoadResult {
  readonly document: ContractDocument;
  readonly plan: ContractPlan;
}

/** Lines of each document's nodes, kept out of the document so that it stays plain data. */
const documentLines = new WeakMap<ContractDocument, LineLookup>();

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses a contract file: YAML 1.2 core schema (unquoted dates stay strings; a key given twice is an error), then the
 * official ODCS JSON Schema of its `apiVersion` (v3.0.x -> 3.0.2, v3.1.x -> 3.1.0). A file valid under either schema
 * is accepted, with a warning when it matches the other one; unknown keys on `servers[]` entries are tolerated with
 * a warning (servers are not evaluated).
 *
 * @param text - the file's content
 * @param fileName - the file as it should appear in messages, e.g. `pipelines/churn/contract.yaml`
 * @throws ContractDefinitionError listing every problem as `<fileName>: <path>: <expected ..., got ...>`
 */
export function parseContract(text: string, fileName: string): ContractDocument {
  const source = readYamlSource(text);
  if (!source.ok) throw new ContractDefinitionError(fileName, source.problems, { cause: source.cause });
  if (!isRecord(source.content)) {
    throw new ContractDefinitionError(fileName, [
      {
        path: '',
        message: `expected a mapping (an ODCS data contract), got ${describeValue(source.content ?? undefined)}`,
      },
    ]);
  }
  const validation = validateAgainstOdcsSchema(source.content, source.lineOf);
  if (!validation.valid) throw new ContractDefinitionError(fileName, validation.problems);
  const parsed = contractSchema.safeParse(source.content);
  if (!parsed.success) {
    // The official schemas already require these shapes; this only fires if they and the typed view disagree.
    throw new ContractDefinitionError(
      fileName,
      parsed.error.issues.map((issue) => ({
        path: formatPath(issue.path.filter((segment) => typeof segment !== 'symbol')),
        message: issue.message,
      })),
      { cause: parsed.error },
    );
  }
  const document: ContractDocument = {
    fileName,
    apiVersion: parsed.data.apiVersion,
    schemaVersion: validation.schemaVersion,
    contract: parsed.data,
    warnings: validation.warnings,
  };
  documentLines.set(document, source.lineOf);
  return document;
}

/** Top-level keys that bear on the data but are not evaluated, with the reason. */
const NOT_EVALUATED_TOP_LEVEL: Readonly<Record<string, string>> = {
  servers: 'servers are not evaluated: the data checked is the object that landed under the pipeline prefix',
  support: 'support channels are for people; nothing to check',
  price: 'pricing is not checked',
  team: 'team membership is not checked',
  roles: 'access roles are enforced by IAM, not by the validator',
  slaDefaultElement: 'service levels are not checked; use mlops.freshness for the age of the data',
  slaProperties:
    'service levels (latency, retention, frequency, ...) are not checked; use mlops.freshness for the age of the data',
  authoritativeDefinitions: 'authoritative definitions are links for people; they are not checked',
};

/** Schema-object keys that bear on the data but are not evaluated. */
const NOT_EVALUATED_SCHEMA_OBJECT: Readonly<Record<string, string>> = {
  relationships: 'relationships (foreign keys) need the other dataset; they are not checked',
  authoritativeDefinitions: 'authoritative definitions are links for people; they are not checked',
};

function selectSchemaObject(
  contract: OdcsContract,
  schemaName: string | undefined,
): { readonly object: OdcsSchemaObject; readonly index: number } | Finding {
  const objects = contract.schema ?? [];
  const names = objects.map((object) => JSON.stringify(object.name)).join(', ');
  if (schemaName !== undefined) {
    const index = objects.findIndex((object) => object.name === schemaName);
    const object = objects[index];
    if (object !== undefined) return { object, index };
    return {
      path: ['schema'],
      message: `expected a schema object named ${JSON.stringify(schemaName)}, got ${objects.length === 0 ? 'none' : names}`,
    };
  }
  const [only] = objects;
  if (objects.length === 1 && only !== undefined) return { object: only, index: 0 };
  return objects.length === 0
    ? { path: ['schema'], message: 'expected a schema object to check the data against, got none' }
    : { path: ['schema'], message: `expected one schema object or a schemaName, got ${objects.length} (${names})` };
}

const METRIC_LABELS: Readonly<Record<CheckMetric, string>> = {
  columnPresent: 'presence',
  nullValues: 'null values',
  missingValues: 'missing values',
  invalidValues: 'invalid values',
  duplicateValues: 'duplicate values',
  rowCount: 'row count',
  freshness: 'age of the newest value',
  drift: 'drift (PSI)',
};

function thresholdPhrase(threshold: Threshold, unit: CheckSpec['unit']): string {
  const suffix = unit === 'percent' ? '%' : unit === 'seconds' ? ' seconds' : '';
  switch (threshold.operator) {
    case 'mustBe':
      return `must be ${threshold.value}${suffix}`;
    case 'mustNotBe':
      return `must not be ${threshold.value}${suffix}`;
    case 'mustBeGreaterThan':
      return `must be more than ${threshold.value}${suffix}`;
    case 'mustBeGreaterOrEqualTo':
      return `must be at least ${threshold.value}${suffix}`;
    case 'mustBeLessThan':
      return `must be less than ${threshold.value}${suffix}`;
    case 'mustBeLessOrEqualTo':
      return `must be at most ${threshold.value}${suffix}`;
    case 'mustBeBetween':
      return `must be between ${threshold.value[0]}${suffix} and ${threshold.value[1]}${suffix}`;
    case 'mustNotBeBetween':
      return `must not be between ${threshold.value[0]}${suffix} and ${threshold.value[1]}${suffix}`;
  }
}

/** A readable name: `customer_id has no duplicate values`, `row count must be at least 100`. */
function checkName(draft: DraftCheck): string {
  const label = METRIC_LABELS[draft.metric];
  if (draft.metric === 'columnPresent') return `column ${draft.column ?? '?'} is present`;
  if (draft.column === undefined) return `${label} ${thresholdPhrase(draft.threshold, draft.unit)}`;
  if (draft.metric === 'freshness') return `newest ${draft.column} ${thresholdPhrase(draft.threshold, draft.unit)} old`;
  const restricted =
    draft.validValues !== undefined || draft.pattern !== undefined
      ? ` (${[
          ...(draft.validValues === undefined
            ? []
            : [`allowed: ${draft.validValues.map((value) => JSON.stringify(value)).join(', ')}`]),
          ...(draft.pattern === undefined ? [] : [`pattern ${draft.pattern}`]),
        ].join('; ')})`
      : '';
  const { threshold } = draft;
  if (threshold.operator === 'mustBe' && threshold.value === 0) return `${draft.column} has no ${label}${restricted}`;
  return `${draft.column} ${label} ${thresholdPhrase(threshold, draft.unit)}${restricted}`;
}

/** Two drafts that check the same thing (whatever their source). */
const sameCheck = (a: DraftCheck, b: DraftCheck): boolean =>
  a.metric === b.metric &&
  a.column === b.column &&
  a.unit === b.unit &&
  a.severity === b.severity &&
  JSON.stringify(a.threshold) === JSON.stringify(b.threshold) &&
  JSON.stringify(a.missingValues) === JSON.stringify(b.missingValues) &&
  JSON.stringify(a.validValues) === JSON.stringify(b.validValues) &&
  a.pattern === b.pattern;

/**
 * Adds an explicit rule's check to `drafts`. It replaces the implicit check it restates (`required: true` plus a
 * `nullValues mustBe 0` rule is one check, traced to the rule), and an `invalidValues` rule without arguments
 * replaces the implicit type check of its column, since its threshold is the one the author chose.
 */
function addRuleCheck(drafts: DraftCheck[], draft: DraftCheck): void {
  const replaced = drafts.findIndex(
    (existing) =>
      existing.origin === 'implicit' &&
      (sameCheck(existing, draft) ||
        (draft.metric === 'invalidValues' &&
          existing.metric === 'invalidValues' &&
          existing.column === draft.column &&
          draft.validValues === undefined &&
          draft.pattern === undefined)),
  );
  if (replaced === -1) drafts.push(draft);
  else drafts[replaced] = draft;
}

const DRIFTABLE_TYPES = new Set(['integer', 'number', 'boolean', 'string']);

/** Whether drift applies to a column by default: numeric or categorical, not an identifier or formatted text. */
const isDefaultDriftColumn = (column: CompiledColumn): boolean =>
  column.spec.typeChecked !== false &&
  DRIFTABLE_TYPES.has(column.spec.logicalType) &&
  !column.spec.unique &&
  !column.spec.primaryKey &&
  column.spec.format === undefined;

function driftChecks(
  columns: readonly CompiledColumn[],
  objectDrift: ReturnType<typeof readObjectExtensions>['drift'],
  findColumn: (name: string) => CompiledColumn | undefined,
  sink: CompileSink,
): DraftCheck[] {
  const selected: { column: CompiledColumn; listedAt?: readonly (string | number)[] }[] = [];
  if (objectDrift?.columns !== undefined) {
    objectDrift.columns.forEach((name, index) => {
      const at = [...objectDrift.source, 'columns', index];
      const column = findColumn(name);
      if (column === undefined) {
        sink.findings.push({
          path: at,
          message: `expected the name of a declared property, got ${JSON.stringify(name)}`,
        });
      } else if (column.spec.typeChecked === false || !DRIFTABLE_TYPES.has(column.spec.logicalType)) {
        sink.findings.push({
          path: at,
          message: `expected a numeric or categorical column, got ${JSON.stringify(name)} (${column.property.logicalType ?? 'no logicalType'})`,
        });
      } else {
        selected.push({ column, listedAt: at });
      }
    });
  } else if (objectDrift !== undefined) {
    for (const column of columns) if (isDefaultDriftColumn(column)) selected.push({ column });
  }
  // A property-level threshold turns drift on for that column even without an object-level mlops.drift.
  for (const column of columns) {
    if (column.drift === undefined || column.drift.excluded || selected.some((entry) => entry.column === column))
      continue;
    if (column.spec.typeChecked === false || !DRIFTABLE_TYPES.has(column.spec.logicalType)) {
      sink.findings.push({
        path: column.drift.source,
        message: `expected mlops.drift on a numeric or categorical column, got it on ${column.spec.name} (${column.property.logicalType ?? 'no logicalType'})`,
      });
      continue;
    }
    selected.push({ column });
  }
  const checks: DraftCheck[] = [];
  for (const { column, listedAt } of selected) {
    const override = column.drift;
    if (override?.excluded === true) {
      if (listedAt !== undefined) {
        sink.findings.push({
          path: override.source,
          message: `expected the column not to be listed in mlops.drift columns (${formatPath(listedAt)}) when it is excluded here, got both`,
        });
      }
      continue;
    }
    const psiThreshold = override?.psiThreshold ?? objectDrift?.psiThreshold ?? DEFAULT_PSI_THRESHOLD;
    checks.push({
      metric: 'drift',
      column: column.spec.name,
      threshold: { operator: 'mustBeLessThan', value: psiThreshold },
      unit: 'psi',
      severity: objectDrift?.severity ?? 'error',
      source: override?.source ?? objectDrift?.source ?? column.path,
      origin: 'extension',
      ...(objectDrift?.minRows === undefined ? {} : { minRows: objectDrift.minRows }),
    });
  }
  return checks;
}

/**
 * Compiles a parsed contract into the plan the validator executes: one {@link ColumnSpec} per declared property
 * and the checks (`columnPresent` for every column, `nullValues` for `required`, `duplicateValues` for `unique` and a
 * single-column `primaryKey`, one `invalidValues` per typed column, the quality rules of both ODCS forms and the
 * `mlops.*` extensions). Whatever the validator cannot check is listed in `notEvaluated` with the reason.
 *
 * @param options - `schemaName` picks the schema object when the contract has several
 * @throws ContractDefinitionError listing every problem (unknown schema name, bad extension values, bad operators, ...)
 */
export function compileContract(doc: ContractDocument, options: CompileOptions = {}): ContractPlan {
  const lineOf = documentLines.get(doc);
  const sink: CompileSink = { findings: [], notEvaluated: [], warnings: [] };
  const fail = (findings: readonly Finding[]): ContractDefinitionError =>
    new ContractDefinitionError(
      doc.fileName,
      findings.map(({ path, message }): ContractProblem => {
        const line = lineOf?.(path);
        return line === undefined ? { path: formatPath(path), message } : { path: formatPath(path), message, line };
      }),
    );
  const { contract } = doc;
  const selected = selectSchemaObject(contract, options.schemaName);
  if ('message' in selected) throw fail([selected]);
  const { object, index: schemaIndex } = selected;
  const schemaPath = ['schema', schemaIndex] as const;

  for (const [key, reason] of Object.entries(NOT_EVALUATED_TOP_LEVEL)) {
    if (contract[key] !== undefined) sink.notEvaluated.push({ path: [key], reason });
  }
  const others = (contract.schema ?? []).filter((_, index) => index !== schemaIndex).map((other) => other.name);
  if (others.length > 0) {
    // One entry, not one per object: the adventureworks example has 68 schema objects.
    const listed =
      others.length > 5 ? `${others.slice(0, 5).join(', ')} and ${others.length - 5} more` : others.join(', ');
    sink.notEvaluated.push({
      path: ['schema'],
      reason: `only schema object ${JSON.stringify(object.name)} is checked; not ${listed}`,
    });
  }
  for (const [key, reason] of Object.entries(NOT_EVALUATED_SCHEMA_OBJECT)) {
    if (object[key] !== undefined) sink.notEvaluated.push({ path: [...schemaPath, key], reason });
  }

  const topExtensions = readObjectExtensions(contract.customProperties, [], sink.findings);
  const objectExtensions = readObjectExtensions(object.customProperties, schemaPath, sink.findings);
  const columns = compileColumns(object, schemaPath, sink);
  if (columns.length === 0) {
    sink.warnings.push(
      `${formatPath(schemaPath)}: schema object ${JSON.stringify(object.name)} declares no properties, so every column of the data is an extra column`,
    );
  }
  const findCompiled = (name: string): CompiledColumn | undefined =>
    columns.find((column) => column.property.name === name) ?? columns.find((column) => column.spec.name === name);
  const findColumn = (name: string) => findCompiled(name)?.spec;

  const drafts: DraftCheck[] = [];
  for (const column of columns) {
    drafts.push(...column.checks);
    const target: RuleTarget = { column: column.spec, findColumn };
    (column.property.quality ?? []).forEach((rule, index) => {
      for (const draft of compileQualityRule(rule, [...column.path, 'quality', index], target, sink)) {
        addRuleCheck(drafts, draft);
      }
    });
  }
  (object.quality ?? []).forEach((rule, index) => {
    for (const draft of compileQualityRule(rule, [...schemaPath, 'quality', index], { findColumn }, sink)) {
      addRuleCheck(drafts, draft);
    }
  });

  const freshness = objectExtensions.freshness ?? topExtensions.freshness;
  if (freshness !== undefined) {
    const column = findCompiled(freshness.column);
    if (column === undefined) {
      sink.findings.push({
        path: [...freshness.source, 'column'],
        message: `expected the name of a declared property, got ${JSON.stringify(freshness.column)}`,
      });
    } else if (column.spec.typeChecked === false || !['date', 'timestamp'].includes(column.spec.logicalType)) {
      sink.findings.push({
        path: [...freshness.source, 'column'],
        message: `expected a date or timestamp column, got ${JSON.stringify(freshness.column)} (${column.property.logicalType ?? 'no logicalType'})`,
      });
    } else {
      drafts.push({
        metric: 'freshness',
        column: column.spec.name,
        threshold: { operator: 'mustBeLessOrEqualTo', value: freshness.maxAgeSeconds },
        unit: 'seconds',
        severity: freshness.severity,
        source: freshness.source,
        origin: 'extension',
      });
    }
  }
  drafts.push(...driftChecks(columns, objectExtensions.drift ?? topExtensions.drift, findCompiled, sink));

  if (sink.findings.length > 0) throw fail(sink.findings);

  const usedIds = new Set<string>();
  const checks = drafts.map((draft): CheckSpec => {
    const base = `${draft.column ?? 'schema'}.${draft.metric}`;
    let id = base;
    for (let n = 2; usedIds.has(id); n++) id = `${base}.${n}`;
    usedIds.add(id);
    return {
      id,
      name: checkName(draft),
      metric: draft.metric,
      ...(draft.column === undefined ? {} : { column: draft.column }),
      threshold: draft.threshold,
      unit: draft.unit,
      ...(draft.missingValues === undefined ? {} : { missingValues: draft.missingValues }),
      ...(draft.validValues === undefined ? {} : { validValues: draft.validValues }),
      ...(draft.pattern === undefined ? {} : { pattern: draft.pattern }),
      ...(draft.qualityId === undefined ? {} : { qualityId: draft.qualityId }),
      ...(draft.dimension === undefined ? {} : { dimension: draft.dimension }),
      ...(draft.minRows === undefined ? {} : { minRows: draft.minRows }),
      severity: draft.severity,
      source: formatPath(draft.source),
    };
  });
  const limits: ValidationLimits = { ...DEFAULT_LIMITS, ...topExtensions.limits, ...objectExtensions.limits };
  const notEvaluated = sink.notEvaluated.map(({ path, reason }): NotEvaluated => ({ path: formatPath(path), reason }));
  return {
    contractId: contract.id,
    contractVersion: contract.version,
    apiVersion: contract.apiVersion,
    schemaName: object.name,
    columns: columns.map((column) => column.spec),
    checks,
    allowExtraColumns: objectExtensions.allowExtraColumns ?? topExtensions.allowExtraColumns ?? false,
    notEvaluated,
    warnings: [...doc.warnings, ...sink.warnings],
    limits,
  };
}

/**
 * {@link parseContract} then {@link compileContract}.
 *
 * @throws ContractDefinitionError
 */
export function loadContract(text: string, fileName: string, options: CompileOptions = {}): ContractLoadResult {
  const document = parseContract(text, fileName);
  return { document, plan: compileContract(document, options) };
}
