/**
 * Hard limits of the validator and the failures that turn hostile input into a rejection with a reason. The limits
 * of the contract (`ContractPlan.limits`) bound the input; the engine limits below bound the validator's own memory,
 * so that no input can make it run out of memory (the issue: "never a crash, a timeout or an out-of-memory").
 */
import type { ValidationLimits } from './contract-plan';

/** Limits of the engine's own state, on top of the contract's input limits. */
export interface EngineLimits extends ValidationLimits {
  /**
   * Distinct values a uniqueness check keeps per column. Strings and sparse numbers are 64-bit hashes in slots of
   * 8 bytes, at most 75 % full (10.7 to 21 bytes per value, 16 on average): the default caps such a table at 64 MB.
   * Dense integers (sequential ids) take 1 bit each. Past the limit, in either form, the check is "not evaluated"
   * with the reason rather than an out-of-memory; the same count decides in one pass and in byte ranges.
   * @default 6_291_456
   */
  readonly maxDistinctKeys: number;
  /**
   * Distinct values counted exactly per string or boolean column for the profile's top values and the categorical
   * drift; a column with more is not categorical (no top values).
   * @default 1000
   */
  readonly maxCategories: number;
  /**
   * Uncompressed bytes of one Parquet row group at most: hyparquet decodes a row group in memory.
   * @default 256 MiB
   */
  readonly maxRowGroupBytes: number;
}

/** The engine's defaults (see {@link EngineLimits}). */
export const ENGINE_LIMIT_DEFAULTS = {
  maxDistinctKeys: 6_291_456,
  maxCategories: 1000,
  maxRowGroupBytes: 256 * 1024 * 1024,
} as const;

/** The contract's limits completed with the engine's, each overridable by the caller. */
export function resolveLimits(contract: ValidationLimits, overrides: Partial<EngineLimits> = {}): EngineLimits {
  return { ...ENGINE_LIMIT_DEFAULTS, ...contract, ...overrides };
}

/** Why the data could not be read to the end: each is a rejection, never an exception. */
export type FailureCode =
  | 'empty-file'
  | 'no-rows'
  | 'unsupported-format'
  | 'format-mismatch'
  | 'malformed-csv'
  | 'malformed-parquet'
  | 'invalid-utf8'
  | 'line-too-long'
  | 'too-many-columns'
  | 'duplicate-column'
  | 'too-large'
  | 'corrupt-compression'
  | 'read-error';

/**
 * A failure that stops reading: where it is and why. `line` is the physical line (1-based, header included) where the
 * offending record starts; in a byte range it is local to the range until the partial results are merged.
 */
export interface ReadFailure {
  readonly code: FailureCode;
  readonly message: string;
  readonly line: number | null;
  /** For Parquet, the 1-based row. */
  readonly row?: number | null;
}

/** A failure as a value (the validator never throws on bad data). */
export function readFailure(code: FailureCode, message: string, line: number | null = null): ReadFailure {
  return { code, message, line };
}

/** The message of a failure with its line, as the report's `rejectionReason`: `line 3: unterminated quoted field`. */
export function describeFailure(failure: ReadFailure): string {
  if (failure.line !== null) return `line ${failure.line}: ${failure.message}`;
  if (failure.row !== undefined && failure.row !== null) return `row ${failure.row}: ${failure.message}`;
  return failure.message;
}
