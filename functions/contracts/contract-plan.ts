/**
 * The engine-neutral plan a data contract compiles into (datacontract-cli's "plan, then execute"): the columns with
 * what each value must be, and the dataset-level checks with their thresholds. `odcs-contract.ts` builds it from an
 * ODCS 3.0.x or 3.1.x file; the streaming validator executes it on CSV, JSON Lines or Parquet. Pure data: no I/O.
 */

/** ODCS logical types the validator evaluates (3.0.x has no timestamp/time; 3.1.0 adds them). */
export type LogicalType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'timestamp';

/** What every value of one column must satisfy. Bounds of dates and timestamps are ISO-8601 strings. */
export interface ColumnSpec {
  /** Column name in the data (ODCS `physicalName` when set, else `name`). */
  readonly name: string;
  /** The ODCS property name, for reports. */
  readonly property: string;
  readonly logicalType: LogicalType;
  /** `required: true` (or a primary key): null or empty values fail. */
  readonly required: boolean;
  /** `unique: true` (or a single-column primary key): duplicate non-null values fail. */
  readonly unique: boolean;
  readonly primaryKey: boolean;
  readonly minimum?: number | string;
  readonly maximum?: number | string;
  /** Bound excluded (3.0.x booleans and 3.1.x numbers both normalise to this plus `minimum`/`maximum`). */
  readonly exclusiveMinimum?: boolean;
  readonly exclusiveMaximum?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** ECMA-262 regular expression, matched against the whole value (anchored by the engine if not already). */
  readonly pattern?: string;
  /**
   * `format` of `logicalTypeOptions`: for strings `email`, `uuid`, `uri`, `hostname`, `ipv4`, `ipv6`; for dates and
   * timestamps a Java DateTimeFormatter pattern such as `yyyy-MM-dd` (default ISO-8601).
   */
  readonly format?: string;
  /** Allowed values (from an `invalidValues` rule with `validValues`, 3.0.x `validValues`). */
  readonly validValues?: readonly (string | number | boolean)[];
  /**
   * `false` when ODCS declares a type the plan has none for (`object`, `array`, `time`) or no `logicalType` at all:
   * `logicalType` is then `string` only as a placeholder, any value is valid, and the column is checked for
   * presence, nulls and duplicates only (no `invalidValues` check is planned for it).
   * @default true
   */
  readonly typeChecked?: boolean;
}

/** The ODCS comparison operators (`mustBe`, ...) as one threshold; `unit` says what the observed value counts. */
export type Threshold =
  | { readonly operator: 'mustBe' | 'mustNotBe'; readonly value: number }
  | {
      readonly operator: 'mustBeGreaterThan' | 'mustBeGreaterOrEqualTo' | 'mustBeLessThan' | 'mustBeLessOrEqualTo';
      readonly value: number;
    }
  | { readonly operator: 'mustBeBetween' | 'mustNotBeBetween'; readonly value: readonly [number, number] };

/** The dataset-level metric a check observes. */
export type CheckMetric =
  /** The column exists in the data (every declared column must): observed 1 or 0, planned as `mustBe: 1`. */
  | 'columnPresent'
  /** Null/empty values (`required`, ODCS `nullValues`). */
  | 'nullValues'
  /** Values in `missingValues` (ODCS `missingValues`, default `[null, '']`). */
  | 'missingValues'
  /** Values that break the column's type, bounds, length, pattern, format or allowed values (ODCS `invalidValues`). */
  | 'invalidValues'
  /** Non-null values seen before in the column (`unique`, ODCS `duplicateValues`). */
  | 'duplicateValues'
  /** Rows in the dataset (ODCS object-level `rowCount`). */
  | 'rowCount'
  /** Age of the newest value of a date/timestamp column, in seconds (extension `mlops.freshness`). */
  | 'freshness'
  /** Population stability index of a column against the baseline profile (extension `mlops.drift`). */
  | 'drift';

/** One check of the plan: a metric, where it applies and its threshold. */
export interface CheckSpec {
  /** Stable key, e.g. `customer_id.duplicateValues` or `schema.rowCount`; unique within the plan. */
  readonly id: string;
  /** Readable name, e.g. `customer_id has no duplicate values`. */
  readonly name: string;
  readonly metric: CheckMetric;
  /** Column the check applies to; absent for dataset-level checks (rowCount). */
  readonly column?: string;
  readonly threshold: Threshold;
  /** `rows` (counts) or `percent` (of rows, 0 to 100). Freshness is in seconds, drift is the PSI. */
  readonly unit: 'rows' | 'percent' | 'seconds' | 'psi';
  /** For `missingValues`: the values that count as missing (`null` means absent or JSON null). */
  readonly missingValues?: readonly (string | number | null)[];
  /**
   * For `invalidValues` rules with their own arguments (3.1 `arguments.validValues` / `arguments.pattern`); without
   * them the check counts values that break the column's spec.
   */
  readonly validValues?: readonly (string | number | boolean)[];
  readonly pattern?: string;
  /** ODCS quality rule `id` (3.1.0), e.g. `orders_not_empty`, to select or trace a rule. */
  readonly qualityId?: string;
  /** ODCS quality `dimension` (`completeness`, `uniqueness`, ...), to select or group checks. */
  readonly dimension?: string;
  /** For `drift`: fewer rows than this and the check is skipped, since PSI on a small sample is noise. */
  readonly minRows?: number;
  /** ODCS severity; `error` (the default) rejects the dataset, anything else only reports. */
  readonly severity: 'error' | 'warning' | 'info';
  /** Where the rule is in the contract file, e.g. `schema[0].properties[2].quality[0]`. */
  readonly source: string;
}

/** A contract key the validator does not evaluate, reported as "not evaluated", never ignored silently. */
export interface NotEvaluated {
  /** Path in the contract file, e.g. `schema[0].quality[1]`. */
  readonly path: string;
  readonly reason: string;
}

/** Hard limits that turn hostile input into a rejection with a reason. */
export interface ValidationLimits {
  /** Decompressed bytes at most. */
  readonly maxBytes: number;
  /** Bytes in one line/record at most. */
  readonly maxLineBytes: number;
  readonly maxColumns: number;
}

export const DEFAULT_LIMITS: ValidationLimits = {
  maxBytes: 10 * 1024 ** 3,
  maxLineBytes: 1024 * 1024,
  maxColumns: 2048,
};

/** A compiled contract: what the validator executes. */
export interface ContractPlan {
  readonly contractId: string;
  readonly contractVersion: string;
  readonly apiVersion: string;
  /** Name of the schema object (ODCS `schema[].name`) the data is checked against. */
  readonly schemaName: string;
  readonly columns: readonly ColumnSpec[];
  readonly checks: readonly CheckSpec[];
  /** Whether columns the contract does not declare are allowed (`customProperties` `mlops.allowExtraColumns`). */
  readonly allowExtraColumns: boolean;
  readonly notEvaluated: readonly NotEvaluated[];
  /** Problems with the contract file that do not stop validation (e.g. a 3.0.2 file written in 3.1 syntax). */
  readonly warnings: readonly string[];
  readonly limits: ValidationLimits;
}
