import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type ByteSource, bufferSource } from '../../../functions/contracts/byte-source';
import type { CheckSpec, ContractPlan } from '../../../functions/contracts/contract-plan';
import { parseDatasetProfile, type ValidationReport } from '../../../functions/contracts/contract-report';
import { validateSources, validateStream, type ValidateOptions } from '../../../functions/contracts/validate-stream';
import { check, column, plan, planWithPresence } from '../../fixtures/contracts/plans';

const run = (p: ContractPlan, data: string | Uint8Array, name = 'data.csv', options: ValidateOptions = {}) =>
  validateStream(p, bufferSource(data, name, 7), options);

const result = (report: ValidationReport, id: string) => {
  const found = report.checks.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no check ${id} in ${report.checks.map((c) => c.id).join(', ')}`);
  return found;
};
const failedIds = (report: ValidationReport) => report.checks.filter((c) => c.status === 'failed').map((c) => c.id);

/** A source of `total` bytes made of `byte`, produced on the fly (never in memory at once). */
function generated(name: string, head: string, total: number, byte: number): ByteSource {
  return {
    name,
    async *read() {
      yield Buffer.from(head);
      const chunk = Buffer.alloc(1 << 20, byte);
      for (let sent = 0; sent < total; sent += chunk.length) {
        await Promise.resolve();
        yield chunk;
      }
    },
  };
}

const ids = column('id', { logicalType: 'integer', required: true, unique: true, primaryKey: true });
const name = column('name', { logicalType: 'string', required: true });
const basic = planWithPresence(
  [ids, name],
  [
    check('nullValues', 'id'),
    check('duplicateValues', 'id'),
    check('invalidValues', 'id'),
    check('nullValues', 'name'),
  ],
);

describe('validateStream: the report', () => {
  it('accepts good data with every check passed, the observed value and the threshold', async () => {
    const report = await run(basic, 'id,name\n1,Ann\n2,Bob\n');
    expect(report).toMatchObject({ status: 'accepted', rows: 2, format: 'csv', compression: 'none', workers: 1 });
    expect(report.checks.every((c) => c.status === 'passed')).toBe(true);
    expect(result(report, 'id.duplicateValues')).toMatchObject({
      property: 'id',
      column: 'id',
      observed: 0,
      expected: { operator: 'mustBe', value: 0 },
      examples: [],
    });
    expect(report.rejectionReason).toBeUndefined();
    expect(report.columns).toEqual({ present: ['id', 'name'], missing: [], extra: [] });
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining([
        'status',
        'rows',
        'checks',
        'profile',
        'format',
        'compression',
        'bytes',
        'durationMs',
        'notEvaluated',
        'warnings',
      ]),
    );
  });

  it('gives the first examples of a failure with line, row, column, value and reason, at most maxExamples', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i % 2 === 0 ? 'x' : i},n`).join('\n');
    const report = await run(basic, `id,name\n${rows}\n`, 'data.csv', { maxExamples: 3 });
    const invalid = result(report, 'id.invalidValues');
    expect(invalid).toMatchObject({ status: 'failed', observed: 15 });
    expect(invalid.examples).toEqual([
      { line: 2, row: 1, column: 'id', value: 'x', reason: 'not an integer' },
      { line: 4, row: 3, column: 'id', value: 'x', reason: 'not an integer' },
      { line: 6, row: 5, column: 'id', value: 'x', reason: 'not an integer' },
    ]);
  });

  it('copies what the plan did not evaluate and its warnings', async () => {
    const p = plan([ids], [], {
      notEvaluated: [{ path: 'schema[0].quality[1]', reason: 'sql is not supported' }],
      warnings: ['w'],
      allowExtraColumns: true,
    });
    const report = await run(p, 'id\n1\n');
    expect(report.notEvaluated).toEqual([{ path: 'schema[0].quality[1]', reason: 'sql is not supported' }]);
    expect(report.warnings).toContain('w');
  });

  it('reports a failed check of severity warning without rejecting', async () => {
    const p = planWithPresence([ids], [check('invalidValues', 'id', { severity: 'warning' })]);
    const report = await run(p, 'id\nx\n');
    expect(report.status).toBe('accepted');
    expect(result(report, 'id.invalidValues').status).toBe('failed');
    expect(report.warnings.join('\n')).toContain('id.invalidValues failed (severity warning)');
  });
});

describe('validateStream: every check type, passing and failing', () => {
  const one = (spec: Parameters<typeof column>[1], checks: CheckSpec[] = [check('invalidValues', 'v')]) =>
    planWithPresence([column('v', spec)], checks);
  // A second column keeps an empty value from being an empty (skipped) line.
  const verdict = async (p: ContractPlan, values: readonly string[]) => {
    const report = await run(
      { ...p, allowExtraColumns: true },
      `k,v\n${values.map((v, i) => `${i},${v}`).join('\n')}\n`,
    );
    return { status: report.status, failed: failedIds(report), report };
  };

  it.each([
    ['integer', { logicalType: 'integer' }, ['1', '-2', '+3', '0'], ['1.5']],
    ['integer bounds', { logicalType: 'integer', minimum: 0, maximum: 10 }, ['0', '10'], ['11']],
    ['exclusive bounds', { logicalType: 'integer', minimum: 0, exclusiveMinimum: true }, ['1'], ['0']],
    ['number', { logicalType: 'number', minimum: -1.5, maximum: 1e3 }, ['-1.5', '.5', '5.', '1e3', '12.25'], ['abc']],
    ['number range', { logicalType: 'number', maximum: 1 }, ['1'], ['1.0001']],
    ['boolean', { logicalType: 'boolean' }, ['true', 'FALSE', 't', 'n', '1', '0', 'yes'], ['maybe']],
    ['date', { logicalType: 'date' }, ['2024-02-29', '2000-01-01'], ['2023-02-29']],
    ['date bounds', { logicalType: 'date', minimum: '2020-01-01' }, ['2020-01-01'], ['2019-12-31']],
    ['date format', { logicalType: 'date', format: 'dd/MM/yyyy' }, ['31/12/2024'], ['2024-12-31']],
    [
      'timestamp',
      { logicalType: 'timestamp' },
      ['2024-01-31T10:00:00Z', '2024-01-31 10:00:00.123+02:00', '2024-01-31T10:00'],
      ['2024-01-31T25:00:00'],
    ],
    ['string length', { logicalType: 'string', minLength: 2, maxLength: 3 }, ['ab', 'äöü'], ['abcd']],
    ['string too short', { logicalType: 'string', minLength: 2 }, ['ab'], ['é']],
    ['pattern', { logicalType: 'string', pattern: '^[A-Z]{2}\\d$' }, ['AB1'], ['ab1']],
    [
      'uuid',
      { logicalType: 'string', format: 'uuid' },
      ['0e3d6a1c-97b2-4d5e-8c1f-2a3b4c5d6e7f'],
      ['0e3d6a1c-97b2-4d5e-8c1f-2a3b4c5d6e7'],
    ],
    ['email', { logicalType: 'string', format: 'email' }, ['a@b.io'], ['a@b']],
    ['ipv4', { logicalType: 'string', format: 'ipv4' }, ['10.0.0.1'], ['10.0.0.256']],
    ['valid values', { logicalType: 'string', validValues: ['a', 'b'] }, ['a', 'b'], ['c']],
    ['numeric valid values', { logicalType: 'integer', validValues: [1, 2] }, ['1', '2'], ['3']],
  ] as const)('invalidValues: %s', async (_, spec, good, bad) => {
    const p = one(spec);
    expect((await verdict(p, good)).failed).toEqual([]);
    const failing = await verdict(p, [...good, ...bad]);
    expect(failing.failed).toEqual(['v.invalidValues']);
    expect(result(failing.report, 'v.invalidValues').observed).toBe(bad.length);
  });

  it('invalidValues with its own arguments (validValues, pattern) checks only those', async () => {
    const p = one({ logicalType: 'string' }, [
      check('invalidValues', 'v', { id: 'v.allowed', validValues: ['x', 'y'] }),
      check('invalidValues', 'v', { id: 'v.pattern', pattern: '[a-z]' }),
    ]);
    expect((await verdict(p, ['x', 'y'])).failed).toEqual([]);
    expect((await verdict(p, ['x', 'z', 'Q'])).failed).toEqual(['v.allowed', 'v.pattern']);
  });

  it('nullValues in rows and in percent', async () => {
    const rows = one({ logicalType: 'string' }, [check('nullValues', 'v')]);
    expect((await verdict(rows, ['a', 'b'])).failed).toEqual([]);
    const failing = await verdict(rows, ['a', '', '""']);
    expect(failing.failed).toEqual(['v.nullValues']);
    expect(result(failing.report, 'v.nullValues')).toMatchObject({
      observed: 2,
      examples: [
        { line: 3, value: null, reason: 'missing value' },
        { line: 4, value: '', reason: 'empty value' },
      ],
    });
    const percent = one({ logicalType: 'string' }, [
      check('nullValues', 'v', { unit: 'percent', threshold: { operator: 'mustBeLessOrEqualTo', value: 25 } }),
    ]);
    expect((await verdict(percent, ['a', 'b', 'c', ''])).failed).toEqual([]);
    const over = await verdict(percent, ['a', '', '', 'd']);
    expect(result(over.report, 'v.nullValues')).toMatchObject({ status: 'failed', observed: 50 });
  });

  it('missingValues with the default and with its own list', async () => {
    const p = one({ logicalType: 'string' }, [
      check('missingValues', 'v', { id: 'v.default', threshold: { operator: 'mustBeLessThan', value: 2 } }),
      check('missingValues', 'v', { id: 'v.listed', missingValues: ['N/A', -1] }),
    ]);
    expect((await verdict(p, ['a', ''])).failed).toEqual([]);
    expect((await verdict(p, ['a', '', '""', 'N/A', '-1'])).failed).toEqual(['v.default', 'v.listed']);
  });

  it('duplicateValues on strings and on numbers by value', async () => {
    const p = one({ logicalType: 'string' }, [check('duplicateValues', 'v')]);
    expect((await verdict(p, ['a', 'b', 'A'])).failed).toEqual([]);
    const strings = await verdict(p, ['a', 'b', 'a', 'a']);
    expect(result(strings.report, 'v.duplicateValues')).toMatchObject({
      observed: 2,
      examples: [
        { line: 4, row: 3, value: 'a', reason: 'duplicate value' },
        { line: 5, row: 4, value: 'a' },
      ],
    });
    const numbers = one({ logicalType: 'number' }, [check('duplicateValues', 'v')]);
    expect(result((await verdict(numbers, ['7', '7.0', '07', '8'])).report, 'v.duplicateValues').observed).toBe(2);
  });

  it('rowCount', async () => {
    const p = one({ logicalType: 'string' }, [
      check('rowCount', undefined, { threshold: { operator: 'mustBeBetween', value: [2, 3] } }),
    ]);
    expect((await verdict(p, ['a', 'b'])).failed).toEqual([]);
    expect((await verdict(p, ['a', 'b', 'c', 'd'])).failed).toEqual(['schema.rowCount']);
  });

  it('columnPresent, with the column checks not evaluated when it is missing', async () => {
    const p = planWithPresence(
      [ids, column('population', { logicalType: 'integer', minimum: 10 })],
      [check('invalidValues', 'population')],
    );
    const report = await run(p, 'id\n1\n');
    expect(failedIds(report)).toEqual(['population.columnPresent']);
    expect(result(report, 'population.columnPresent')).toMatchObject({
      observed: 0,
      reason: 'column population is not in the data',
    });
    expect(result(report, 'population.invalidValues')).toMatchObject({ status: 'not evaluated', observed: null });
    expect(report.columns.missing).toEqual(['population']);
  });

  it('freshness of the newest date or timestamp, against `now`', async () => {
    const p = one({ logicalType: 'timestamp' }, [
      check('freshness', 'v', { unit: 'seconds', threshold: { operator: 'mustBeLessOrEqualTo', value: 3600 } }),
    ]);
    const now = new Date('2025-01-01T12:00:00Z');
    const fresh = await run(p, 'v\n2025-01-01T08:00:00Z\n2025-01-01T11:30:00Z\n', 'a.csv', { now });
    expect(result(fresh, 'v.freshness')).toMatchObject({ status: 'passed', observed: 1800 });
    const stale = await run(p, 'v\n2025-01-01T08:00:00Z\n', 'a.csv', { now });
    expect(result(stale, 'v.freshness')).toMatchObject({ status: 'failed', observed: 14400 });
  });

  it('drift: PSI against the baseline, numeric on its bins and categorical on its categories', async () => {
    const p = planWithPresence(
      [column('x', { logicalType: 'number' }), column('c', { logicalType: 'string' })],
      [
        check('drift', 'x', { unit: 'psi', threshold: { operator: 'mustBeLessThan', value: 0.2 } }),
        check('drift', 'c', { unit: 'psi', threshold: { operator: 'mustBeLessThan', value: 0.2 } }),
      ],
    );
    const rows = (n: number, shift: number, cat: (i: number) => string) =>
      `x,c\n${Array.from({ length: n }, (_, i) => `${((i * 37) % 100) + shift},${cat(i)}`).join('\n')}\n`;
    const base = await run(
      p,
      rows(1000, 0, (i) => (i % 3 === 0 ? 'a' : 'b')),
    );
    expect(result(base, 'x.drift')).toMatchObject({ status: 'not evaluated', reason: 'no baseline profile was given' });
    const baseline = parseDatasetProfile(JSON.parse(JSON.stringify(base.profile)));
    const same = await run(
      p,
      rows(1000, 0, (i) => (i % 3 === 0 ? 'a' : 'b')),
      'a.csv',
      { baseline },
    );
    expect(result(same, 'x.drift')).toMatchObject({ status: 'passed', observed: 0 });
    expect(result(same, 'c.drift')).toMatchObject({ status: 'passed', observed: 0 });
    expect(same.profile.columns[0]!.histogram!.edges).toEqual(baseline.columns[0]!.histogram!.edges);
    const shifted = await run(
      p,
      rows(1000, 60, (i) => (i % 3 === 0 ? 'b' : 'z')),
      'a.csv',
      { baseline },
    );
    expect(failedIds(shifted)).toEqual(['x.drift', 'c.drift']);
    expect(result(shifted, 'x.drift').observed).toBeGreaterThan(1);
    const few = await run(
      planWithPresence(
        [column('x', { logicalType: 'number' })],
        [check('drift', 'x', { unit: 'psi', minRows: 10, threshold: { operator: 'mustBeLessThan', value: 0.2 } })],
      ),
      'x\n1\n',
      'a.csv',
      { baseline },
    );
    expect(result(few, 'x.drift')).toMatchObject({
      status: 'not evaluated',
      reason: '1 rows, fewer than the 10 a drift check needs',
    });
  });

  it('rejects columns the contract does not declare unless it allows them', async () => {
    const report = await run(basic, 'id,name,extra\n1,a,z\n');
    expect(failedIds(report)).toEqual(['schema.extraColumns']);
    expect(result(report, 'schema.extraColumns').examples).toEqual([
      { line: 1, row: null, column: 'extra', value: 'extra', reason: 'undeclared column' },
    ]);
    const allowed = await run({ ...basic, allowExtraColumns: true }, 'id,name,extra\n1,a,z\n');
    expect(allowed.status).toBe('accepted');
  });
});

describe('validateStream: hostile and broken input is a precise rejection', () => {
  const reason = async (data: string | Uint8Array | ByteSource, name = 'data.csv', options: ValidateOptions = {}) => {
    const report =
      typeof data === 'object' && 'read' in data
        ? await validateStream(basic, data, options)
        : await run(basic, data, name, options);
    expect(report.status).toBe('rejected');
    return report;
  };

  it('an empty file', async () => {
    expect((await reason('')).rejectionReason).toBe('the file is empty (0 bytes)');
    expect((await reason('', 'data.jsonl')).rejectionReason).toBe('the file is empty (0 bytes)');
  });

  it('a header without rows', async () => {
    const report = await reason('id,name\n');
    expect(report.rejectionReason).toBe('the file has a header but no data rows');
    expect(result(report, 'data.readable').status).toBe('failed');
  });

  it('a wrong delimiter', async () => {
    expect((await reason('id;name\n1;a\n')).rejectionReason).toBe(
      "line 1: the header has a single column that contains ';': the file seems to use ';' as its delimiter, not ','",
    );
  });

  it('missing and extra columns', async () => {
    expect(failedIds(await reason('id\n1\n'))).toEqual(['name.columnPresent']);
    expect(failedIds(await reason('id,name,zip\n1,a,b\n'))).toEqual(['schema.extraColumns']);
  });

  it('rows with the wrong number of fields', async () => {
    const report = await reason('id,name\n1,a\n2\n3,c,d\n');
    expect(result(report, 'data.records')).toMatchObject({
      observed: 2,
      examples: [
        { line: 3, reason: 'expected 2 fields, found 1' },
        { line: 4, reason: 'expected 2 fields, found 3' },
      ],
    });
  });

  it('an unterminated quote, at the line where the record starts', async () => {
    const report = await reason('id,name\n1,a\n2,"b\nc\n');
    expect(report.rejectionReason).toBe('line 3: unterminated quoted field');
    expect(result(report, 'id.duplicateValues')).toMatchObject({ status: 'not evaluated' });
    expect(report.rows).toBe(1);
  });

  it('a character after a closing quote', async () => {
    expect((await reason('id,name\n1,"a"b\n')).rejectionReason).toMatch(
      /^line 2: unexpected character 'b' after the closing quote/,
    );
  });

  it('invalid UTF-8, at its line', async () => {
    const data = Buffer.concat([Buffer.from('id,name\n1,a\n2,"x\ny'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n')]);
    const report = await reason(data);
    expect(report.rejectionReason).toBe('line 4: invalid UTF-8 (byte 0xc3)');
    expect(report.rows).toBe(1);
  });

  it('binary garbage', async () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    expect((await reason(garbage)).rejectionReason).toMatch(/^line \d+: invalid UTF-8/);
    expect((await reason(garbage, 'data')).rejectionReason).toMatch(/invalid UTF-8/);
  });

  it('a truncated gzip stream', async () => {
    const gz = gzipSync(Buffer.from(`id,name\n${Array.from({ length: 5000 }, (_, i) => `${i},n${i}`).join('\n')}\n`));
    const report = await reason(gz.subarray(0, gz.length - 20), 'data.csv.gz');
    expect(report.rejectionReason).toBe('truncated gzip stream (unexpected end of file)');
    expect(report.compression).toBe('gzip');
    expect((await reason(gz.subarray(0, 5), 'data.csv.gz')).rejectionReason).toMatch(/gzip/);
  });

  it('a gzip bomb stops at the decompressed-size limit', async () => {
    const bomb = gzipSync(Buffer.concat([Buffer.from('id,name\n'), Buffer.from('1,a\n'.repeat(16 << 20))]));
    expect(bomb.length).toBeLessThan(1 << 20);
    const small = { ...basic, limits: { ...basic.limits, maxBytes: 8 << 20 } };
    const report = await validateStream(small, bufferSource(bomb, 'bomb.csv.gz'));
    expect(report.rejectionReason).toBe(`more than ${8 << 20} bytes (decompressed)`);
    expect(report.decompressedBytes).toBeLessThanOrEqual((8 << 20) + (1 << 20));
  });

  it('a gzip bomb of zeros (one endless line) stops at the line limit', async () => {
    const zeros = gzipSync(Buffer.concat([Buffer.from('id,name\n'), Buffer.alloc(64 << 20)]));
    const report = await reason(zeros, 'zeros.csv.gz');
    expect(report.rejectionReason).toBe('line 2: record longer than 1048576 bytes');
  });

  it('a single 100 MB line, in constant memory', async () => {
    const before = process.memoryUsage().rss;
    const report = await reason(generated('line.csv', 'id,name\n1,', 100 << 20, 0x61));
    expect(report.rejectionReason).toBe('line 2: record longer than 1048576 bytes');
    expect(process.memoryUsage().rss - before).toBeLessThan(64 << 20);
    const json = await validateStream(basic, generated('line.jsonl', '{"id":', 100 << 20, 0x31));
    expect(json.rejectionReason).toBe('line 1: line longer than 1048576 bytes');
  });

  it('too many columns', async () => {
    const header = Array.from({ length: 3000 }, (_, i) => `c${i}`).join(',');
    expect((await reason(`${header}\n`)).rejectionReason).toBe('line 1: more than 2048 fields');
  });

  it('a duplicate column name', async () => {
    expect((await reason('id,name,id\n1,a,2\n')).rejectionReason).toBe(
      "line 1: duplicate column name 'id' in the header",
    );
  });

  it('a mixed-type column', async () => {
    const report = await reason('id,name\n1,a\ntwo,b\n3.5,c\n4,d\n');
    expect(result(report, 'id.invalidValues')).toMatchObject({
      observed: 2,
      examples: [
        { line: 3, value: 'two', reason: 'not an integer' },
        { line: 4, value: '3.5', reason: 'not an integer' },
      ],
    });
    expect(report.profile.columns[0]).toMatchObject({ count: 2, invalid: 2, min: 1, max: 4 });
  });

  it('duplicate primary keys', async () => {
    const report = await reason('id,name\n1,a\n2,b\n1,c\n2,d\n3,e\n');
    expect(result(report, 'id.duplicateValues')).toMatchObject({
      observed: 2,
      examples: [
        { line: 4, row: 3, column: 'id', value: '1' },
        { line: 5, row: 4, column: 'id', value: '2' },
      ],
    });
  });

  it('an unsupported or mislabelled format', async () => {
    expect((await reason(Buffer.from([0x50, 0x4b, 3, 4, 0, 0]))).rejectionReason).toMatch(
      /ZIP archive, which is not supported/,
    );
    expect((await reason('id,name\n1,a\n', 'data.parquet')).rejectionReason).toBe(
      'data.parquet is not a Parquet file: it does not start with the magic bytes PAR1',
    );
    expect((await reason('id,name\n1,a\n', 'data.csv.gz')).rejectionReason).toMatch(
      /does not start with the gzip magic bytes/,
    );
  });

  it('an object larger than the limit is rejected before it is read', async () => {
    const report = await validateStream(
      { ...basic, limits: { ...basic.limits, maxBytes: 10 } },
      bufferSource('id,name\n1,a\n2,b\n', 'a.csv'),
    );
    expect(report.rejectionReason).toBe('the object has 16 bytes, more than the limit of 10');
  });

  it('a failing source is a fault, not a verdict: the error propagates', async () => {
    const source: ByteSource = {
      name: 'a.csv',
      async *read() {
        yield Buffer.from('id,name\n1,a\n');
        await Promise.resolve();
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      },
    };
    await expect(validateStream(basic, source)).rejects.toThrow('socket hang up');
  });
});

describe('validateStream: CSV dialect', () => {
  it('CRLF, a byte-order mark, quoted delimiters, escaped quotes and embedded newlines', async () => {
    const p = planWithPresence(
      [ids, column('note', { logicalType: 'string', maxLength: 3 })],
      [check('invalidValues', 'note'), check('nullValues', 'id')],
    );
    const report = await run(p, '\ufeffid,note\r\n1,"a,b"\r\n2,"say ""hi"""\r\n3,"x\r\ny"\r\n\r\n,ok\r\n');
    expect(report.columns.present).toEqual(['id', 'note']);
    expect(report.rows).toBe(4);
    expect(result(report, 'note.invalidValues').examples).toEqual([
      { line: 3, row: 2, column: 'note', value: 'say "hi"', reason: 'longer than 3 characters' },
      { line: 4, row: 3, column: 'note', value: 'x\r\ny', reason: 'longer than 3 characters' },
    ]);
    // Line 5 is the second line of record 3 and line 6 is empty: the record with the missing id is on line 7.
    expect(result(report, 'id.nullValues').examples).toEqual([
      { line: 7, row: 4, column: 'id', value: null, reason: 'missing value' },
    ]);
  });

  it('TSV by extension', async () => {
    const report = await run(basic, 'id\tname\n1\ta,b\n', 'data.tsv');
    expect(report.status).toBe('accepted');
  });

  it('a last record without a line break', async () => {
    expect((await run(basic, 'id,name\n1,a\n2,b')).rows).toBe(2);
  });
});

describe('validateStream: JSON Lines', () => {
  const jsonPlan = planWithPresence(
    [
      ids,
      name,
      column('score', { logicalType: 'number' }),
      column('day', { logicalType: 'date' }),
      column('ok', { logicalType: 'boolean' }),
    ],
    [
      check('invalidValues', 'id'),
      check('invalidValues', 'score'),
      check('invalidValues', 'day'),
      check('invalidValues', 'ok'),
      check('nullValues', 'name'),
    ],
  );

  it('checks typed values; a missing key is a null', async () => {
    const data = [
      '{"id": 1, "name": "a", "score": 1.5, "day": "2024-01-01", "ok": true}',
      '{"id": 2, "name": null, "score": 2, "day": "2024-01-02", "ok": false}',
      '{"id": 3, "score": 3, "day": "2024-01-03", "ok": true}',
    ].join('\n');
    const report = await run(jsonPlan, data, 'data.jsonl');
    expect(report.format).toBe('jsonl');
    expect(failedIds(report)).toEqual(['name.nullValues']);
    expect(result(report, 'name.nullValues').examples.map((e) => e.line)).toEqual([2, 3]);
  });

  it('strict types: a string is not a number, a number is not a string', async () => {
    const data = '{"id": "1", "name": 5, "score": "2", "day": 20240101, "ok": "true"}\n';
    const report = await run(jsonPlan, data, 'data.ndjson');
    expect(failedIds(report)).toEqual([
      'id.invalidValues',
      'score.invalidValues',
      'day.invalidValues',
      'ok.invalidValues',
    ]);
    expect(result(report, 'id.invalidValues').examples[0]).toMatchObject({
      line: 1,
      value: '1',
      reason: 'not an integer',
    });
  });

  it('a line that is not an object is an invalid record with its reason; empty lines are skipped', async () => {
    const data = '{"id": 1, "name": "a"}\n\n[1]\n"x"\n{"id": 2, oops}\n{"id": 3, "name": "c"}\n';
    const report = await run(jsonPlan, data, 'data.jsonl');
    expect(report.rows).toBe(2);
    expect(result(report, 'data.records').examples.map((e) => [e.line, e.reason?.slice(0, 26)])).toEqual([
      [3, 'not a JSON object (array)'],
      [4, 'not a JSON object (string)'],
      [5, 'invalid JSON: Expected dou'],
    ]);
    expect(report.columns.extra).toEqual([]);
  });

  it('detects JSON Lines from the content when the name does not tell', async () => {
    const report = await run(basic, '{"id": 1, "name": "a"}\n', 'object');
    expect(report.format).toBe('jsonl');
    expect(report.warnings.join()).toMatch(/content looks like jsonl/);
  });

  it('gzip-compressed, by magic bytes whatever the name', async () => {
    const gz = gzipSync(Buffer.from('{"id": 1, "name": "a"}\n{"id": 2, "name": "b"}\n'));
    const report = await run(basic, gz, 'data.jsonl.gz');
    expect(report).toMatchObject({ status: 'accepted', format: 'jsonl', compression: 'gzip', rows: 2 });
    expect(
      (await validateStream(basic, { ...bufferSource(gz, 'blob'), contentType: 'application/x-ndjson' })).rows,
    ).toBe(2);
  });

  it('records an undeclared key as an extra column', async () => {
    const report = await run(basic, '{"id": 1, "name": "a", "zip": 1}\n', 'data.jsonl');
    expect(report.columns.extra).toEqual(['zip']);
  });
});

describe('validateStream: gzip CSV', () => {
  it('reads gzip (several members too) like the plain file', async () => {
    const text = 'id,name\n1,a\n2,b\n';
    const plain = await run(basic, text);
    const gz = await run(basic, Buffer.concat([gzipSync(text.slice(0, 10)), gzipSync(text.slice(10))]), 'data.csv.gz');
    expect(gz).toMatchObject({ status: 'accepted', rows: 2, compression: 'gzip', decompressedBytes: text.length });
    expect(gz.checks).toEqual(plain.checks);
  });
});

describe('validateSources: several files are one dataset', () => {
  it('unions columns by name, counts rows together, and finds duplicates across files', async () => {
    const p = planWithPresence(
      [ids, name, column('population', { logicalType: 'integer' })],
      [check('duplicateValues', 'id'), check('invalidValues', 'population')],
    );
    const report = await validateSources(p, [
      bufferSource('id,name\n1,a\n2,b\n', 'v1.csv'),
      bufferSource('name,id,population\nc,3,10\nd,1,x\n', 'v2.csv'),
    ]);
    expect(report.rows).toBe(4);
    expect(report.columns).toEqual({ present: ['id', 'name', 'population'], missing: [], extra: [] });
    expect(report.files?.map((f) => [f.name, f.rows])).toEqual([
      ['v1.csv', 2],
      ['v2.csv', 2],
    ]);
    expect(result(report, 'id.duplicateValues').examples).toEqual([
      { line: 3, row: 4, column: 'id', value: '1', reason: 'duplicate value', file: 'v2.csv' },
    ]);
    expect(result(report, 'population.invalidValues').examples[0]).toMatchObject({
      file: 'v2.csv',
      line: 3,
      value: 'x',
    });
  });
});

describe('validateStream: the profile', () => {
  it('has count, nulls, min, max, mean, standard deviation, quantiles, a histogram and top values', async () => {
    const p = plan(
      [
        column('x', { logicalType: 'integer' }),
        column('c', { logicalType: 'string' }),
        column('d', { logicalType: 'date' }),
        column('b', { logicalType: 'boolean' }),
      ],
      [],
    );
    const rows = Array.from(
      { length: 1000 },
      (_, i) =>
        `${i + 1},${['a', 'b', 'b', 'c'][i % 4]},2024-01-${String((i % 28) + 1).padStart(2, '0')},${i % 10 === 0}`,
    );
    const report = await run(p, `x,c,d,b\n${rows.join('\n')}\n,,,\n`);
    const [x, c, d, b] = report.profile.columns;
    expect(x).toMatchObject({ name: 'x', count: 1000, nulls: 1, invalid: 0, min: 1, max: 1000, mean: 500.5 });
    expect(x!.stddev).toBeCloseTo(288.82, 1);
    expect(x!.quantiles!.p50).toBeGreaterThan(495);
    expect(x!.quantiles!.p50).toBeLessThan(506);
    expect(x!.quantiles!.p99).toBeGreaterThan(985);
    expect(x!.histogram!.counts.reduce((s, n) => s + n, 0)).toBe(1000);
    expect(x!.histogram!.counts.length).toBe(x!.histogram!.edges.length + 1);
    expect(c).toMatchObject({
      count: 1000,
      distinctValues: 3,
      topValues: [
        { value: 'b', count: 500 },
        { value: 'a', count: 250 },
        { value: 'c', count: 250 },
      ],
      otherCount: 0,
    });
    expect(d).toMatchObject({ minTime: '2024-01-01T00:00:00.000Z', maxTime: '2024-01-28T00:00:00.000Z' });
    expect(b).toMatchObject({
      topValues: [
        { value: 'false', count: 900 },
        { value: 'true', count: 100 },
      ],
    });
    expect(parseDatasetProfile(JSON.parse(JSON.stringify(report.profile)))).toEqual(report.profile);
  });
});
