import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferSource, fileSource } from '../../../functions/contracts/byte-source';
import { validateStream } from '../../../functions/contracts/validate-stream';
import { check, column, planWithPresence } from '../../fixtures/contracts/plans';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-parquet-'));
const file = path.join(dir, 'orders.parquet');

beforeAll(async () => {
  // DuckDB (a devDependency of the benchmarks) writes the test files: three row groups, typed columns, nulls.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  await connection.run(`COPY (
      SELECT i AS id, 'n' || i AS name, i * 1.5 AS amount, DATE '2024-01-01' + (i % 300)::INTEGER AS day,
             TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i) MINUTE AS ts, i % 2 = 0 AS ok,
             CASE WHEN i % 10 = 0 THEN NULL ELSE i END AS maybe, CASE WHEN i = 20000 THEN 5 ELSE i END AS code
      FROM range(0, 25000) t(i)
    ) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 10000)`);
  connection.closeSync();
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const plan = planWithPresence(
  [
    column('id', { logicalType: 'integer', unique: true }),
    column('name', { logicalType: 'string', pattern: '^n\\d+$' }),
    column('amount', { logicalType: 'number', maximum: 30000 }),
    column('day', { logicalType: 'date', minimum: '2024-01-01' }),
    column('ts', { logicalType: 'timestamp' }),
    column('ok', { logicalType: 'boolean' }),
    column('maybe', { logicalType: 'integer', required: true }),
    column('code', { logicalType: 'integer', unique: true }),
  ],
  [
    check('duplicateValues', 'id'),
    check('duplicateValues', 'code'),
    check('invalidValues', 'name'),
    check('invalidValues', 'amount'),
    check('invalidValues', 'day'),
    check('invalidValues', 'ts'),
    check('invalidValues', 'ok'),
    check('nullValues', 'maybe'),
  ],
);

describe('Parquet', () => {
  it('checks typed values row group by row group, with row numbers for examples', async () => {
    const report = await validateStream(plan, fileSource(file));
    expect(report).toMatchObject({ format: 'parquet', rows: 25_000, status: 'rejected' });
    expect(report.checks.filter((c) => c.status === 'failed').map((c) => [c.id, c.observed])).toEqual([
      ['code.duplicateValues', 1],
      ['amount.invalidValues', 4999],
      ['maybe.nullValues', 2500],
    ]);
    const dup = report.checks.find((c) => c.id === 'code.duplicateValues')!;
    expect(dup.examples).toEqual([{ line: null, row: 20_001, column: 'code', value: '5', reason: 'duplicate value' }]);
    const [id, , , day] = report.profile.columns;
    expect(id).toMatchObject({ count: 25_000, min: 0, max: 24_999 });
    expect(day).toMatchObject({ minTime: '2024-01-01T00:00:00.000Z' });
  });

  it('is recognised by its magic bytes whatever its name, with a warning', async () => {
    const report = await validateStream(plan, { ...fileSource(file), name: 'orders.csv' });
    expect(report.format).toBe('parquet');
    expect(report.warnings.join()).toMatch(/named or typed as csv but its content is Parquet/);
  });

  it('rejects a truncated or corrupt file with the reason', async () => {
    const bytes = fs.readFileSync(file);
    const truncated = await validateStream(plan, bufferSource(bytes.subarray(0, bytes.length - 100), 'orders.parquet'));
    expect(truncated.rejectionReason).toBe('not a Parquet file: the last bytes are not PAR1 (truncated?)');
    const corrupt = Buffer.from(bytes);
    corrupt.fill(0x41, 4, 20_000);
    const broken = await validateStream(plan, bufferSource(corrupt, 'orders.parquet'));
    expect(broken.status).toBe('rejected');
    expect(broken.rejectionReason).toMatch(/^cannot decode the Parquet file/);
    const footer = Buffer.from(bytes);
    footer.writeUInt32LE(0x7fffffff, footer.length - 8);
    expect((await validateStream(plan, bufferSource(footer, 'orders.parquet'))).rejectionReason).toMatch(
      /invalid footer length/,
    );
  });

  it('rejects a row group larger than the limit before decoding it', async () => {
    const report = await validateStream(plan, fileSource(file), { limits: { maxRowGroupBytes: 1000 } });
    expect(report.rejectionReason).toMatch(/^row group 0 holds \d+ bytes uncompressed, more than 1000$/);
  });
});
