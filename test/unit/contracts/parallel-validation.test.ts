import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferSource, fileSource } from '../../../functions/contracts/byte-source';
import type { ValidationReport } from '../../../functions/contracts/contract-report';
import { validateStream } from '../../../functions/contracts/validate-stream';
import { check, column, planWithPresence } from '../../fixtures/contracts/plans';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-parallel-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const plan = planWithPresence(
  [
    column('id', { logicalType: 'integer', required: true, unique: true }),
    column('amount', { logicalType: 'number', minimum: 0 }),
    column('note', { logicalType: 'string', maxLength: 50 }),
    column('day', { logicalType: 'date' }),
  ],
  [
    check('nullValues', 'id'),
    check('duplicateValues', 'id'),
    check('invalidValues', 'id'),
    check('invalidValues', 'amount'),
    check('invalidValues', 'note'),
    check('invalidValues', 'day'),
    check('rowCount', undefined, { threshold: { operator: 'mustBeGreaterThan', value: 0 } }),
  ],
);

/** The report without what legitimately differs between runs (time, threads, float rounding of mean and stddev). */
function comparable(report: ValidationReport) {
  return {
    ...report,
    durationMs: 0,
    workers: 0,
    profile: {
      ...report.profile,
      columns: report.profile.columns.map((c) => ({
        ...c,
        mean: c.mean === undefined ? undefined : Number(c.mean.toPrecision(9)),
        stddev: c.stddev === undefined ? undefined : Number(c.stddev.toPrecision(9)),
      })),
    },
  };
}

/** Rows with quoted newlines and commas, bad values and, at `duplicateAt` (a share of the file), repeated keys. */
function csv(rows: number, options: { giantQuoteAt?: number; duplicateEvery?: number } = {}): string {
  const lines = ['id,amount,note,day'];
  for (let i = 1; i <= rows; i++) {
    const id = options.duplicateEvery !== undefined && i % options.duplicateEvery === 0 ? Math.floor(i / 7) : i;
    const amount = i % 997 === 0 ? '-1' : (i * 1.25).toFixed(2);
    const note =
      options.giantQuoteAt !== undefined && i === Math.floor(rows * options.giantQuoteAt)
        ? `"${'spans\nmany lines, '.repeat(20000)}"`
        : i % 13 === 0
          ? `"multi\nline, ""quoted"" ${i}"`
          : i % 501 === 0
            ? 'x'.repeat(60)
            : `note ${i}`;
    const day = i % 1009 === 0 ? '2024-02-30' : `2024-0${(i % 9) + 1}-1${i % 10}`;
    lines.push(`${id},${amount},${note},${day}`);
  }
  return `${lines.join('\n')}\n`;
}

const write = (name: string, text: string | Buffer) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};

async function sequentialAndParallel(file: string, workers: number, minRangeBytes?: number) {
  const now = new Date('2025-01-01T00:00:00Z');
  const one = await validateStream(plan, fileSource(file), { now, maxExamples: 5 });
  const many = await validateStream(plan, fileSource(file), {
    now,
    maxExamples: 5,
    workers,
    minParallelBytes: 0,
    // Small ranges come with several per worker: the ranges are handed out as workers become free.
    ...(minRangeBytes === undefined ? {} : { minRangeBytes, rangesPerWorker: 4 }),
  });
  return { one, many };
}

describe('validateStream with worker threads: the same result as one pass', () => {
  it('CSV with quoted newlines, bad values and duplicates across byte ranges (3 workers)', async () => {
    const file = write('mixed.csv', csv(60_000, { duplicateEvery: 5 }));
    const { one, many } = await sequentialAndParallel(file, 3);
    expect(many.workers).toBe(3);
    expect(one.status).toBe('rejected');
    const dups = one.checks.find((c) => c.id === 'id.duplicateValues')!;
    expect(dups.observed).toBeGreaterThan(1000);
    expect(comparable(many)).toEqual(comparable(one));
  });

  it('more ranges than workers, each taken by the first free worker, merged in file order', async () => {
    const file = write('many-ranges.csv', csv(60_000, { duplicateEvery: 5 }));
    const { one, many } = await sequentialAndParallel(file, 2, 64 * 1024);
    expect(many.workers).toBe(2);
    expect(comparable(many)).toEqual(comparable(one));
  });

  it('chunks passed by the main thread (a source that is not a local file) give the same result', async () => {
    const text = csv(30_000, { duplicateEvery: 7 });
    const now = new Date('2025-01-01T00:00:00Z');
    const one = await validateStream(plan, bufferSource(text, 'data.csv'), { now, maxExamples: 5 });
    const many = await validateStream(plan, bufferSource(text, 'data.csv'), {
      now,
      maxExamples: 5,
      workers: 2,
      minParallelBytes: 0,
      minRangeBytes: 64 * 1024,
      rangesPerWorker: 4,
    });
    expect(many.workers).toBe(2);
    expect(comparable(many)).toEqual(comparable(one));
  });

  it('a byte range guessed inside a quoted field is checked again from the true boundary', async () => {
    const file = write('giant-quote.csv', csv(20_000, { giantQuoteAt: 0.4 }));
    const { one, many } = await sequentialAndParallel(file, 2);
    expect(many.workers).toBe(2);
    expect(comparable(many)).toEqual(comparable(one));
    // Small ranges: several start inside the giant field, and the ranges after it are handed out meanwhile.
    const small = await sequentialAndParallel(file, 2, 16 * 1024);
    expect(comparable(small.many)).toEqual(comparable(small.one));
  });

  it('duplicates of earlier ranges get their exact first examples', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `${i < 30_000 ? i : i - 29_990},1,n,2024-01-01`);
    const file = write('late-dups.csv', `id,amount,note,day\n${rows.join('\n')}\n`);
    const { one, many } = await sequentialAndParallel(file, 4);
    const dups = many.checks.find((c) => c.id === 'id.duplicateValues')!;
    expect(dups.observed).toBe(10_000);
    expect(dups.examples[0]).toEqual({
      line: 30_002,
      row: 30_001,
      column: 'id',
      value: '10',
      reason: 'duplicate value',
    });
    expect(comparable(many)).toEqual(comparable(one));
  });

  it('a failure in a later range stops where one pass stops (invalid UTF-8)', async () => {
    const text = csv(30_000);
    const cut = Math.floor(text.length * 0.8);
    const bytes = Buffer.concat([Buffer.from(text.slice(0, cut)), Buffer.from([0xff]), Buffer.from(text.slice(cut))]);
    const { one, many } = await sequentialAndParallel(write('bad-utf8.csv', bytes), 3);
    expect(one.rejectionReason).toMatch(/^line \d+: invalid UTF-8 \(byte 0xff\)$/);
    // Bytes read differ when reading stops early (one pass stops in its current chunk); the verdict does not.
    const read = { bytes: 0, decompressedBytes: 0 };
    expect({ ...comparable(many), ...read }).toEqual({ ...comparable(one), ...read });
  });

  it('an unterminated quote at the end, and a too-long record in a later range', async () => {
    const unterminated = await sequentialAndParallel(write('open-quote.csv', `${csv(20_000)}99,1,"never closed\n`), 2);
    expect(unterminated.one.rejectionReason).toMatch(/unterminated quoted field/);
    expect(comparable(unterminated.many)).toEqual(comparable(unterminated.one));
    const text = csv(20_000);
    const at = text.indexOf('\n', Math.floor(text.length * 0.7)) + 1;
    const long = `${text.slice(0, at)}1,1,${'y'.repeat(1_100_000)},2024-01-01\n${text.slice(at)}`;
    const tooLong = await sequentialAndParallel(write('long.csv', long), 3);
    expect(tooLong.one.rejectionReason).toMatch(/record longer than 1048576 bytes/);
    const read = { bytes: 0, decompressedBytes: 0 };
    expect({ ...comparable(tooLong.many), ...read }).toEqual({ ...comparable(tooLong.one), ...read });
  });

  it('JSON Lines', async () => {
    const lines = Array.from({ length: 30_000 }, (_, i) =>
      i % 1000 === 999
        ? '[not an object]'
        : JSON.stringify({ id: i % 10_007, amount: i % 3 === 0 ? 'x' : i, note: `n${i}`, day: '2024-01-01' }),
    );
    const file = write('data.jsonl', `${lines.join('\n')}\n`);
    const { one, many } = await sequentialAndParallel(file, 3);
    expect(one.format).toBe('jsonl');
    expect(many.workers).toBe(3);
    expect(comparable(many)).toEqual(comparable(one));
  });

  it('small objects and gzip are read in one pass', async () => {
    const small = await validateStream(plan, bufferSource(csv(10), 'small.csv'), { workers: 4 });
    expect(small.workers).toBe(1);
  });
});
