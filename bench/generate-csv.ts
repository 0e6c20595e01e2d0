/**
 * Generates the contract-check benchmark's data: a CSV of 12 columns (integers, decimals, UUIDs, e-mails, dates,
 * timestamps, booleans, categories and free text with quotes, commas and a few embedded newlines), with a small,
 * known share of bad values so that every check has work to do, and the contract that checks it (as a plan and as
 * the ODCS file). Deterministic: the same size gives the same bytes, so a cached file is reused.
 *
 * Run alone: `node --import tsx bench/generate-csv.ts <out.csv> [megabytes]`.
 */
import * as fs from 'node:fs';
import type { CheckSpec, ColumnSpec, ContractPlan } from '../functions/contracts/contract-plan';
import { DEFAULT_LIMITS } from '../functions/contracts/contract-plan';

const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'ES', 'IT', 'NL', 'BE', 'PL', 'SE', 'NO', 'DK', 'FI', 'PT', 'AT', 'CH'];
const SEGMENTS = ['consumer', 'smb', 'enterprise', 'public'];
const DOMAINS = ['example.com', 'test.org', 'mail.example.net', 'corp.example.io'];
const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'quick', 'brown', 'fox', 'lazy', 'dog', 'data', 'contract', 'check'];

/** A small, fast deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** The header of the generated CSV. */
export const BENCH_COLUMNS = [
  'id',
  'customer_id',
  'email',
  'age',
  'amount',
  'score',
  'country',
  'active',
  'signup_date',
  'created_at',
  'segment',
  'comment',
] as const;

/** Writes about `targetBytes` of CSV to `file` (a whole number of rows) and returns the rows written. */
export function generateCsv(file: string, targetBytes: number, seed = 42): { rows: number; bytes: number } {
  const random = prng(seed);
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  let rows = 0;
  // Lines go straight into a byte buffer: an array of strings joined later costs more in GC than the rest.
  const out = Buffer.allocUnsafe(8 << 20);
  let pending = out.write(`${BENCH_COLUMNS.join(',')}\n`, 0, 'latin1');
  const hex4 = Array.from({ length: 65536 }, (_, i) => i.toString(16).padStart(4, '0'));
  const h = () => hex4[(random() * 65536) | 0]!;
  const uuid = () => `${h()}${h()}-${h()}-${h()}-${h()}-${h()}${h()}${h()}`;
  try {
    for (;;) {
      if (bytes + pending >= targetBytes) break;
      rows++;
      const r = random();
      // Rare bad values (about 1 in 20 000 per column), so that failing checks count and collect examples.
      const bad = r < 0.0005 ? ((r * 20000) | 0) % 10 : -1;
      const id = bad === 0 ? rows - 1 : rows;
      const age = bad === 1 ? '-3' : bad === 2 ? 'abc' : String(18 + ((random() * 72) | 0));
      const amount = bad === 3 ? 'n/a' : (random() * 10000).toFixed(2);
      const email =
        bad === 4 ? 'no-at-sign' : `user${(random() * 1e6) | 0}@${DOMAINS[(random() * DOMAINS.length) | 0]}`;
      const country = bad === 5 ? 'USA' : COUNTRIES[(random() * COUNTRIES.length) | 0]!;
      const active = bad === 6 ? 'maybe' : random() < 0.5 ? 'true' : 'false';
      const year = 2015 + ((random() * 10) | 0);
      const signup =
        bad === 7 ? '2024-13-01' : `${year}-${pad2(1 + ((random() * 12) | 0))}-${pad2(1 + ((random() * 28) | 0))}`;
      const created = `2024-${pad2(1 + ((random() * 12) | 0))}-${pad2(1 + ((random() * 28) | 0))}T${pad2((random() * 24) | 0)}:${pad2((random() * 60) | 0)}:${pad2((random() * 60) | 0)}Z`;
      const segment = bad === 8 ? 'government' : SEGMENTS[(random() * SEGMENTS.length) | 0]!;
      const c = random();
      let comment: string;
      if (c < 0.05) comment = '';
      else if (c < 0.1) comment = `"${WORDS[((c * 1000) % WORDS.length) | 0]}, ""quoted"" ${rows}"`;
      else if (c < 0.1003) comment = `"line one\nline two ${rows}"`;
      else
        comment = `${WORDS[((c * 997) % WORDS.length) | 0]} ${WORDS[((c * 9973) % WORDS.length) | 0]} ${rows % 1000}`;
      const score = bad === 9 ? '' : random().toFixed(6);
      const line = `${id},${uuid()},${email},${age},${amount},${score},${country},${active},${signup},${created},${segment},${comment}\n`;
      if (pending + line.length * 4 > out.length) {
        bytes += fs.writeSync(fd, out, 0, pending);
        pending = 0;
      }
      pending += out.write(line, pending, 'utf8');
    }
    if (pending > 0) bytes += fs.writeSync(fd, out, 0, pending);
  } finally {
    fs.closeSync(fd);
  }
  return { rows, bytes };
}

const column = (name: string, spec: Partial<ColumnSpec> & Pick<ColumnSpec, 'logicalType'>): ColumnSpec => ({
  name,
  property: name,
  required: false,
  unique: false,
  primaryKey: false,
  ...spec,
});

const check = (
  id: string,
  metric: CheckSpec['metric'],
  columnName: string | undefined,
  extra: Partial<CheckSpec> = {},
): CheckSpec => ({
  id,
  name: id,
  metric,
  ...(columnName === undefined ? {} : { column: columnName }),
  threshold: { operator: 'mustBe', value: 0 },
  unit: 'rows',
  severity: 'error',
  source: 'bench',
  ...extra,
});

/**
 * The benchmark's contract as a plan: required, unique key, pattern, numeric ranges, integer, string length, boolean,
 * date, timestamp, allowed values and row count (what `BENCH_CONTRACT_YAML` compiles to).
 */
export function benchPlan(): ContractPlan {
  const columns: ColumnSpec[] = [
    column('id', { logicalType: 'integer', required: true, unique: true, primaryKey: true }),
    column('customer_id', { logicalType: 'string', required: true, format: 'uuid' }),
    column('email', { logicalType: 'string', required: true, pattern: '^[^@\\s]+@[^@\\s]+\\.[a-z]+$' }),
    column('age', { logicalType: 'integer', minimum: 0, maximum: 120 }),
    column('amount', { logicalType: 'number', minimum: 0, maximum: 10000 }),
    column('score', { logicalType: 'number', required: true, minimum: 0, maximum: 1 }),
    column('country', { logicalType: 'string', minLength: 2, maxLength: 2 }),
    column('active', { logicalType: 'boolean' }),
    column('signup_date', { logicalType: 'date', minimum: '2010-01-01', maximum: '2030-12-31' }),
    column('created_at', { logicalType: 'timestamp' }),
    column('segment', { logicalType: 'string', validValues: SEGMENTS }),
    column('comment', { logicalType: 'string', maxLength: 200 }),
  ];
  const checks: CheckSpec[] = [];
  for (const c of columns) {
    checks.push(
      check(`${c.name}.columnPresent`, 'columnPresent', c.name, { threshold: { operator: 'mustBe', value: 1 } }),
    );
    if (c.required) checks.push(check(`${c.name}.nullValues`, 'nullValues', c.name));
    if (c.unique) checks.push(check(`${c.name}.duplicateValues`, 'duplicateValues', c.name));
    checks.push(check(`${c.name}.invalidValues`, 'invalidValues', c.name));
  }
  checks.push(
    check('schema.rowCount', 'rowCount', undefined, { threshold: { operator: 'mustBeGreaterThan', value: 0 } }),
  );
  return {
    contractId: 'bench-orders',
    contractVersion: '1.0.0',
    apiVersion: 'v3.1.0',
    schemaName: 'orders',
    columns,
    checks,
    allowExtraColumns: false,
    notEvaluated: [],
    warnings: [],
    limits: DEFAULT_LIMITS,
  };
}

/** The benchmark's contract as an ODCS 3.1 file (for `mlops validate`). */
export const BENCH_CONTRACT_YAML = `apiVersion: v3.1.0
kind: DataContract
id: bench-orders
version: 1.0.0
status: active
schema:
  - name: orders
    quality:
      - metric: rowCount
        mustBeGreaterThan: 0
    properties:
      - { name: id, logicalType: integer, required: true, unique: true, primaryKey: true }
      - { name: customer_id, logicalType: string, required: true, logicalTypeOptions: { format: uuid } }
      - name: email
        logicalType: string
        required: true
        logicalTypeOptions: { pattern: '^[^@\\s]+@[^@\\s]+\\.[a-z]+$' }
      - { name: age, logicalType: integer, logicalTypeOptions: { minimum: 0, maximum: 120 } }
      - { name: amount, logicalType: number, logicalTypeOptions: { minimum: 0, maximum: 10000 } }
      - { name: score, logicalType: number, required: true, logicalTypeOptions: { minimum: 0, maximum: 1 } }
      - { name: country, logicalType: string, logicalTypeOptions: { minLength: 2, maxLength: 2 } }
      - { name: active, logicalType: boolean }
      - { name: signup_date, logicalType: date, logicalTypeOptions: { minimum: '2010-01-01', maximum: '2030-12-31' } }
      - { name: created_at, logicalType: timestamp }
      - name: segment
        logicalType: string
        quality:
          - metric: invalidValues
            arguments: { validValues: [consumer, smb, enterprise, public] }
            mustBe: 0
      - { name: comment, logicalType: string, logicalTypeOptions: { maxLength: 200 } }
`;

// Run as a script (not when imported, nor when bundled into the benchmark).
if (process.argv[1]?.endsWith('generate-csv.ts') === true) {
  const out = process.argv[2];
  if (out === undefined) {
    process.stderr.write('usage: generate-csv.ts <out.csv> [megabytes]\n');
    process.exit(2);
  }
  const mb = Number(process.argv[3] ?? '512');
  const started = performance.now();
  const { rows, bytes } = generateCsv(out, mb * 1024 * 1024);
  process.stdout.write(
    `${out}: ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
}
