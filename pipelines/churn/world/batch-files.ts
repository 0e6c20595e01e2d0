/**
 * Batch files of the simulated world, as they land under `churn/incoming/`: pure functions from a seed to the
 * file's bytes. A good batch passes `contract.yaml` with the quirks real exports have (quoted payment methods with a
 * comma, empty total_charges for first-month customers, skewed and outlying values inside the ranges, CRLF line
 * endings, a UTF-8 byte order mark, gzip); a malformed one breaks the contract in precise, listed ways; a drifted
 * one is well formed but drawn from another population, so the drift check rejects it against the baseline.
 */
import { gzipSync } from 'node:zlib';

import { formatCsvField } from '../local/csv-records';
import { CONTRACT_COLUMNS, type ContractColumn } from '../local/feature-order';
import { churnProbability, STEADY_MARKET, type ChurnConcept } from './churn-concepts';
import { BASELINE_POPULATION, drawCustomer, PRICE_HIKE_POPULATION, type Customer, type Population } from './customers';
import { SeededRandom } from './seeded-random';

/** How a file is written. */
export interface BatchDialect {
  readonly lineEnding: '\n' | '\r\n';
  /** Starts with a UTF-8 byte order mark, as Excel's "CSV UTF-8" export does. */
  readonly byteOrderMark: boolean;
  /** Quotes every text field (Python's `QUOTE_NONNUMERIC`); fields with a comma are quoted either way. */
  readonly quoteText: boolean;
  /** Gzip-compressed, named `.csv.gz`. */
  readonly gzip: boolean;
}

/** One row of a batch, with the hidden truth kept beside it. */
export interface BatchRow extends Customer {
  readonly snapshot_date: string;
  readonly churned: 0 | 1;
  /** The true churn probability the label was drawn from. */
  readonly probability: number;
}

/** A file ready to upload. */
export interface BatchFile {
  /** File name only (`snapshot-2026-01-15-seed-1.csv`); the caller picks the prefix. */
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly contentType: 'text/csv' | 'application/gzip';
  readonly dialect: BatchDialect;
  readonly rows: readonly BatchRow[];
}

export interface GoodBatchOptions {
  /** @default 20_000 */
  readonly rows?: number;
  /** Who the customers are. @default BASELINE_POPULATION */
  readonly population?: Population;
  /** Why they churn. @default STEADY_MARKET */
  readonly concept?: ChurnConcept;
  /** @default '2026-01-15' */
  readonly snapshotDate?: string;
  /** Each field not given is drawn from the seed (about a third of files use CRLF, a quarter have a BOM, ...). */
  readonly dialect?: Partial<BatchDialect>;
  /** Column order in the file (a permutation of the contract's); files are matched by header name. */
  readonly columns?: readonly ContractColumn[];
}

/** Enough rows for a first model well above the gate (validation AUC about 0.82 at 20k rows). */
export const DEFAULT_BATCH_ROWS = 20_000;
export const DEFAULT_SNAPSHOT_DATE = '2026-01-15';

/** The dialect a seed's file uses when the options leave it open. */
export function dialectForSeed(seed: number, given: Partial<BatchDialect> = {}): BatchDialect {
  const random = new SeededRandom(seed).fork('dialect');
  const drawn: BatchDialect = {
    lineEnding: random.bernoulli(0.35) ? '\r\n' : '\n',
    byteOrderMark: random.bernoulli(0.25),
    quoteText: random.bernoulli(0.4),
    gzip: random.bernoulli(0.2),
  };
  return { ...drawn, ...given };
}

/** Draws labelled rows: customers from the population, labels from the concept. */
export function drawBatchRows(
  seed: number,
  count: number,
  options: Pick<GoodBatchOptions, 'population' | 'concept' | 'snapshotDate'> = {},
): BatchRow[] {
  const root = new SeededRandom(seed);
  const customers = root.fork('customers');
  const labels = root.fork('labels');
  const concept = options.concept ?? STEADY_MARKET;
  const snapshotDate = options.snapshotDate ?? DEFAULT_SNAPSHOT_DATE;
  return Array.from({ length: count }, () => {
    const customer = drawCustomer(customers, options.population ?? BASELINE_POPULATION);
    const probability = churnProbability(customer, concept);
    return { ...customer, snapshot_date: snapshotDate, churned: labels.next() < probability ? 1 : 0, probability };
  });
}

/** A column's value as an export writes it: numbers as short as they are, an empty field for null. */
export function columnText(row: BatchRow, column: ContractColumn): string {
  const value = row[column];
  return value === null ? '' : String(value);
}

const TEXT_COLUMNS: ReadonlySet<ContractColumn> = new Set([
  'customer_id',
  'snapshot_date',
  'contract_type',
  'payment_method',
  'plan',
]);

/** Renders rows (already as text) into a file's bytes in a dialect. */
export function renderCsv(
  header: readonly string[],
  records: readonly (readonly string[])[],
  dialect: BatchDialect,
  textColumns: ReadonlySet<string> = TEXT_COLUMNS,
): Uint8Array {
  const quoteAt = header.map((name) => dialect.quoteText && textColumns.has(name));
  // An empty text field stays unquoted: `""` and nothing both read as null, but exports write nothing.
  const line = (values: readonly string[]) =>
    values.map((value, i) => formatCsvField(value, quoteAt[i] === true && value !== '')).join(',');
  const text =
    (dialect.byteOrderMark ? '\uFEFF' : '') +
    [header.join(','), ...records.map(line)].join(dialect.lineEnding) +
    dialect.lineEnding;
  const bytes = new TextEncoder().encode(text);
  // mtime 0 in the gzip header: the same seed gives the same bytes.
  return dialect.gzip ? new Uint8Array(gzipSync(bytes)) : bytes;
}

function fileName(kind: string, snapshotDate: string, seed: number, dialect: BatchDialect): string {
  return `${kind}-${snapshotDate}-seed-${seed}.csv${dialect.gzip ? '.gz' : ''}`;
}

function batchFile(name: string, bytes: Uint8Array, dialect: BatchDialect, rows: readonly BatchRow[]): BatchFile {
  return { name, bytes, contentType: dialect.gzip ? 'application/gzip' : 'text/csv', dialect, rows };
}

/** A batch that passes the contract, labelled under `options.concept`. */
export function goodBatch(seed: number, options: GoodBatchOptions = {}): BatchFile {
  const snapshotDate = options.snapshotDate ?? DEFAULT_SNAPSHOT_DATE;
  const rows = drawBatchRows(seed, options.rows ?? DEFAULT_BATCH_ROWS, options);
  const dialect = dialectForSeed(seed, options.dialect);
  const columns = options.columns ?? CONTRACT_COLUMNS;
  const records = rows.map((row) => columns.map((column) => columnText(row, column)));
  return batchFile(
    fileName('snapshot', snapshotDate, seed, dialect),
    renderCsv(columns, records, dialect),
    dialect,
    rows,
  );
}

/**
 * A well-formed batch from a drifted population (by default {@link PRICE_HIKE_POPULATION}: much higher monthly
 * charges, a premium-heavy plan mix, mostly month-to-month contracts). Its PSI on monthly_charges, total_charges,
 * contract_type and plan is far above the contract's threshold.
 */
export function driftedBatch(seed: number, options: GoodBatchOptions = {}): BatchFile {
  const batch = goodBatch(seed, { population: PRICE_HIKE_POPULATION, ...options });
  return { ...batch, name: batch.name.replace(/^snapshot-/, 'snapshot-drifted-') };
}

/** Ways a malformed batch breaks the contract; each names the check that must fail. */
export const MALFORMED_DEFECTS = {
  /** A plan the contract does not allow. */
  'unknown-plan': 'plan.invalidValues',
  /** A negative monthly charge (the contract's minimum is 0). */
  'negative-charge': 'monthly_charges.invalidValues',
  /** A customer_id repeated from an earlier row. */
  'duplicate-id': 'customer_id.duplicateValues',
  /** A date that does not exist (30 February). */
  'impossible-date': 'snapshot_date.invalidValues',
  /** A label that is not 0 or 1. */
  'label-out-of-range': 'churned.invalidValues',
  /** The support_calls column is missing from the header and every row. */
  'missing-column': 'support_calls.columnPresent',
} as const;

export type MalformedDefect = keyof typeof MALFORMED_DEFECTS;

/** What was broken, where: the check that must fail and, for a value, its line (the header is line 1). */
export interface DefectReport {
  readonly defect: MalformedDefect;
  readonly checkId: (typeof MALFORMED_DEFECTS)[MalformedDefect];
  readonly column: ContractColumn;
  /** Null for a missing column. */
  readonly line: number | null;
  /** The offending value; null for a missing column. */
  readonly value: string | null;
}

export interface MalformedBatchOptions {
  /** @default 500 */
  readonly rows?: number;
  /** @default every defect */
  readonly defects?: readonly MalformedDefect[];
  /** @default '2026-01-15' */
  readonly snapshotDate?: string;
  /** @default drawn from the seed */
  readonly dialect?: Partial<BatchDialect>;
}

export interface MalformedBatchFile extends BatchFile {
  readonly defects: readonly DefectReport[];
}

const DEFECT_COLUMNS: Readonly<Record<MalformedDefect, ContractColumn>> = {
  'unknown-plan': 'plan',
  'negative-charge': 'monthly_charges',
  'duplicate-id': 'customer_id',
  'impossible-date': 'snapshot_date',
  'label-out-of-range': 'churned',
  'missing-column': 'support_calls',
};

/**
 * A batch that breaks the contract exactly as listed in `defects` (each value defect on its own row, at a line drawn
 * from the seed) and is otherwise good, so the report's failures are exactly the listed ones.
 */
export function malformedBatch(seed: number, options: MalformedBatchOptions = {}): MalformedBatchFile {
  const count = Math.max(options.rows ?? 500, 20);
  const snapshotDate = options.snapshotDate ?? DEFAULT_SNAPSHOT_DATE;
  const defects = options.defects ?? (Object.keys(MALFORMED_DEFECTS) as MalformedDefect[]);
  const rows = drawBatchRows(seed, count, { snapshotDate });
  const dialect = dialectForSeed(seed, options.dialect);
  const columns = CONTRACT_COLUMNS.filter((c) => !(defects.includes('missing-column') && c === 'support_calls'));
  const records = rows.map((row) => columns.map((column) => columnText(row, column)));
  const random = new SeededRandom(seed).fork('defects');
  // Distinct rows in the second half, so a duplicate can copy an id from the first half.
  const free = Array.from({ length: count - Math.floor(count / 2) }, (_, i) => Math.floor(count / 2) + i);
  const takeRow = (): number => free.splice(random.int(0, free.length - 1), 1)[0]!;
  const reports: DefectReport[] = [];
  for (const defect of defects) {
    const column = DEFECT_COLUMNS[defect];
    if (defect === 'missing-column') {
      reports.push({ defect, checkId: MALFORMED_DEFECTS[defect], column, line: null, value: null });
      continue;
    }
    const row = takeRow();
    const value = defectValue(defect, random, records, columns.indexOf('customer_id'));
    records[row]![columns.indexOf(column)] = value;
    reports.push({ defect, checkId: MALFORMED_DEFECTS[defect], column, line: row + 2, value });
  }
  reports.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return {
    ...batchFile(
      fileName('snapshot-malformed', snapshotDate, seed, dialect),
      renderCsv(columns, records, dialect),
      dialect,
      rows,
    ),
    defects: reports,
  };
}

function defectValue(
  defect: Exclude<MalformedDefect, 'missing-column'>,
  random: SeededRandom,
  records: readonly (readonly string[])[],
  idColumn: number,
): string {
  switch (defect) {
    case 'unknown-plan':
      return random.pick(['platinum', 'Basic', 'enterprise']);
    case 'negative-charge':
      return `-${random.uniform(5, 80).toFixed(2)}`;
    case 'duplicate-id':
      return records[random.int(0, Math.floor(records.length / 2) - 1)]![idColumn]!;
    case 'impossible-date':
      return random.pick(['2026-02-30', '2026-13-01', '2026-04-31']);
    case 'label-out-of-range':
      return random.pick(['2', '-1']);
  }
}
