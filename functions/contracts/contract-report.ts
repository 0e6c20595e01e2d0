/**
 * The validation report and the data profile: what `validateStream` returns, what the contract-check function writes
 * to S3 and what `mlops validate --json` prints. The profile of accepted data is saved by the caller and comes back as
 * the `baseline` of later runs (drift), so it is parsed with {@link parseDatasetProfile}, never cast.
 */
import * as z from 'zod';
import type { CheckMetric, LogicalType, NotEvaluated, Threshold } from './contract-plan';

/** Checks the engine adds to the plan's: the data could be read, records are well formed, no undeclared columns. */
export type StructuralMetric = 'readable' | 'wellFormedRecords' | 'extraColumns';

/** The outcome of one check. A check whose column is absent, or which could not run, is `not evaluated`. */
export type CheckStatus = 'passed' | 'failed' | 'not evaluated';

/** One offending value, with where it is. */
export interface CheckExample {
  /** Physical line (1-based, header included) where the record starts; null for Parquet. */
  readonly line: number | null;
  /** 1-based data row (record) in the dataset; null when the failure is not in a row (a header problem). */
  readonly row: number | null;
  readonly column: string | null;
  /** The value as read (truncated to 200 characters); null for a missing value. */
  readonly value: string | null;
  /** Why the value fails, e.g. `below minimum 10000`. */
  readonly reason?: string;
  /** The file, when the dataset has several. */
  readonly file?: string;
}

/** The result of one check: passed or failed, the observed value and the threshold, and the first examples. */
export interface CheckResult {
  /** The plan's stable key (`population.invalidValues`), or `data.readable`, `data.records`, `schema.extraColumns`. */
  readonly id: string;
  readonly name: string;
  readonly metric: CheckMetric | StructuralMetric;
  /** The ODCS property, for column checks. */
  readonly property?: string;
  /** The column in the data, for column checks. */
  readonly column?: string;
  readonly status: CheckStatus;
  readonly severity: 'error' | 'warning' | 'info';
  /** The observed metric in `unit`; null when not evaluated. */
  readonly observed: number | null;
  readonly expected: Threshold | null;
  readonly unit: 'rows' | 'percent' | 'seconds' | 'psi' | 'columns';
  /** The first offending values in file order (at most `maxExamples`). */
  readonly examples: readonly CheckExample[];
  /** Why the check failed or was not evaluated, in words. */
  readonly reason?: string;
  /** Where the rule is in the contract file. */
  readonly source?: string;
}

/** Bins of a histogram: `counts[i]` counts values `v` with `edges[i-1] <= v < edges[i]` (open at both ends). */
export interface Histogram {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

/** A category and how often it occurs. */
export interface CategoryCount {
  readonly value: string;
  readonly count: number;
}

/**
 * The profile of one column. Numeric statistics describe integer and number columns, and date and timestamp columns
 * in milliseconds since the epoch (with `minTime`/`maxTime` in ISO-8601); top values describe string and boolean
 * columns with at most `maxCategories` distinct values.
 */
export interface ColumnProfile {
  readonly name: string;
  readonly logicalType: LogicalType;
  /** Non-null values of the column's type (those in the statistics; see `invalid`). */
  readonly count: number;
  readonly nulls: number;
  /** Non-null values of the wrong type (not in the statistics). */
  readonly invalid: number;
  readonly min?: number;
  readonly max?: number;
  readonly mean?: number;
  readonly stddev?: number;
  readonly minTime?: string;
  readonly maxTime?: string;
  /** Approximate quantiles (relative error under 1 %), keyed `p1` ... `p99`. */
  readonly quantiles?: Readonly<Record<string, number>>;
  /** Fixed bins: the baseline's when one was given, else cut at the deciles of this data; counts are exact. */
  readonly histogram?: Histogram;
  /** Distinct values, when the column is categorical. */
  readonly distinctValues?: number;
  /** The most frequent values (up to 50), most frequent first. */
  readonly topValues?: readonly CategoryCount[];
  /** Values not in `topValues`. */
  readonly otherCount?: number;
}

/** The profile of a dataset, built in the same pass as the checks; the baseline of drift checks. */
export interface DatasetProfile {
  readonly version: 1;
  readonly contractId: string;
  readonly schemaName: string;
  readonly createdAt: string;
  readonly rows: number;
  readonly columns: readonly ColumnProfile[];
}

/** Which of the contract's columns the data has. */
export interface ColumnPresence {
  readonly present: readonly string[];
  readonly missing: readonly string[];
  /** Columns in the data the contract does not declare. */
  readonly extra: readonly string[];
}

/** One file of a dataset made of several. */
export interface FileSummary {
  readonly name: string;
  readonly format: DataFormat;
  readonly compression: Compression;
  readonly bytes: number;
  readonly rows: number;
}

export type DataFormat = 'csv' | 'jsonl' | 'parquet';
export type Compression = 'none' | 'gzip';

/** The verdict on a dataset, with every check, the profile and what was not evaluated. */
export interface ValidationReport {
  readonly status: 'accepted' | 'rejected';
  readonly contractId: string;
  readonly contractVersion: string;
  readonly schemaName: string;
  /** The object's name (or the names, comma-separated). */
  readonly source: string;
  /** Null when the format could not be determined. */
  readonly format: DataFormat | null;
  readonly compression: Compression | null;
  /** Bytes read from the source (compressed). */
  readonly bytes: number;
  /** Bytes after decompression. */
  readonly decompressedBytes: number;
  readonly rows: number;
  readonly durationMs: number;
  /** Worker threads used (1: a single sequential pass). */
  readonly workers: number;
  /** Why the data was rejected before every check could run (limits, format): e.g. `line 3: unterminated quoted field`. */
  readonly rejectionReason?: string;
  readonly checks: readonly CheckResult[];
  readonly profile: DatasetProfile;
  readonly columns: ColumnPresence;
  readonly notEvaluated: readonly NotEvaluated[];
  readonly warnings: readonly string[];
  /** Present when the dataset is made of several files. */
  readonly files?: readonly FileSummary[];
}

const histogramSchema = z.object({ edges: z.array(z.number()), counts: z.array(z.number().nonnegative()) });
const columnProfileSchema = z.object({
  name: z.string(),
  logicalType: z.enum(['string', 'integer', 'number', 'boolean', 'date', 'timestamp']),
  count: z.number().nonnegative(),
  nulls: z.number().nonnegative(),
  invalid: z.number().nonnegative(),
  min: z.number().optional(),
  max: z.number().optional(),
  mean: z.number().optional(),
  stddev: z.number().optional(),
  minTime: z.string().optional(),
  maxTime: z.string().optional(),
  quantiles: z.record(z.string(), z.number()).optional(),
  histogram: histogramSchema
    .refine((h) => h.counts.length === h.edges.length + 1, 'counts must have one bin more than edges')
    .optional(),
  distinctValues: z.number().nonnegative().optional(),
  topValues: z.array(z.object({ value: z.string(), count: z.number().nonnegative() })).optional(),
  otherCount: z.number().nonnegative().optional(),
});
const datasetProfileSchema = z.object({
  version: z.literal(1),
  contractId: z.string(),
  schemaName: z.string(),
  createdAt: z.string(),
  rows: z.number().nonnegative(),
  columns: z.array(columnProfileSchema),
});

/** A profile read back from JSON (a baseline) was not one. */
export class ProfileFormatError extends Error {
  public override readonly name = 'ProfileFormatError';
  constructor(
    message: string,
    public readonly issues: readonly string[],
  ) {
    super(message);
  }
}

/** Validates parsed JSON as a {@link DatasetProfile} (a baseline saved by an earlier run). */
export function parseDatasetProfile(json: unknown): DatasetProfile {
  const result = datasetProfileSchema.safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new ProfileFormatError(`not a dataset profile: ${issues.slice(0, 3).join('; ')}`, issues);
}
