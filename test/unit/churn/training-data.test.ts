import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterEach, describe, expect, it } from 'vitest';

import { readChannel, readTrainingFile } from '../../../pipelines/churn/local/training-data';
import { goodBatch, malformedBatch } from '../../../pipelines/churn/world/batch-files';

const HEADER =
  'customer_id,snapshot_date,tenure_months,monthly_charges,total_charges,contract_type,payment_method,support_calls,plan,churned';
const folders: string[] = [];
function channel(files: Record<string, string | Uint8Array>): string {
  const folder = mkdtempSync(join(tmpdir(), 'churn-channel-'));
  folders.push(folder);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(folder, name, '..'), { recursive: true });
    writeFileSync(join(folder, name), content);
  }
  return folder;
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('readChannel', () => {
  it('reads every file as it landed: several files, gzip, CRLF, a BOM, quoting, any column order', () => {
    const plain = goodBatch(71, {
      rows: 200,
      dialect: { lineEnding: '\n', byteOrderMark: false, quoteText: false, gzip: false },
    });
    const quirky = goodBatch(72, {
      rows: 300,
      dialect: { lineEnding: '\r\n', byteOrderMark: true, quoteText: true, gzip: true },
    });
    const reordered = goodBatch(73, {
      rows: 100,
      dialect: { lineEnding: '\n', byteOrderMark: false, quoteText: false, gzip: false },
      columns: [
        'plan',
        'churned',
        'customer_id',
        'tenure_months',
        'support_calls',
        'snapshot_date',
        'monthly_charges',
        'contract_type',
        'total_charges',
        'payment_method',
      ],
    });
    const folder = channel({
      'churn/incoming/a.csv': plain.bytes,
      'churn/incoming/b.csv.gz': quirky.bytes,
      'churn/incoming/c.csv': reordered.bytes,
      '.hidden': 'not data',
    });

    const { rows, files } = readChannel(folder);

    expect(files).toEqual(['churn/incoming/a.csv', 'churn/incoming/b.csv.gz', 'churn/incoming/c.csv']);
    const expected = [...plain.rows, ...quirky.rows, ...reordered.rows].map(
      ({ dissatisfaction: _d, probability: _p, snapshot_date: _s, ...row }) => row,
    );
    expect(rows).toEqual(expected);
  });

  it('ignores extra columns', () => {
    const folder = channel({ 'a.csv': `${HEADER},region\nid-1,2026-01-15,3,20,60,one-year,x,0,basic,1,emea\n` });

    expect(readChannel(folder).rows).toEqual([
      {
        customer_id: 'id-1',
        tenure_months: 3,
        monthly_charges: 20,
        total_charges: 60,
        contract_type: 'one-year',
        payment_method: 'x',
        support_calls: 0,
        plan: 'basic',
        churned: 1,
      },
    ]);
  });
});

describe('readTrainingFile refuses bad input with a ClientError naming the place', () => {
  it('a missing column', () => {
    const file = malformedBatch(74, { defects: ['missing-column'], rows: 50 });
    const folder = channel({ 'bad.csv': file.bytes });

    expect(() => readChannel(folder)).toThrow(
      /^ClientError: bad\.csv: missing column\(s\) support_calls in the header \(found: customer_id, /,
    );
  });

  it.each([
    [
      `${HEADER}\nid-1,2026-01-15,3,-20,60,one-year,x,0,basic,1\n`,
      /a\.csv:2: column monthly_charges: expected a number >= 0, got "-20"/,
    ],
    [
      `${HEADER}\nid-1,2026-01-15,3,20,60,one-year,x,0,basic,yes\n`,
      /a\.csv:2: column churned: expected 0 or 1, got "yes"/,
    ],
    [`${HEADER}\nid-1,2026-01-15,3,20,60,one-year,x,0,basic\n`, /a\.csv:2: expected 10 fields as in the header, got 9/],
    [`${HEADER}\n,2026-01-15,3,20,60,one-year,x,0,basic,1\n`, /a\.csv:2: column customer_id: expected an id/],
    [`${HEADER}\n"id-1,2026-01-15\n`, /a\.csv: malformed CSV: line 2: unterminated quoted field/],
    ['', /a\.csv: the file is empty/],
  ])('%j', (content, reason) => {
    const folder = channel({ 'a.csv': content });

    expect(() => readTrainingFile(join(folder, 'a.csv'))).toThrow(reason);
    expect(() => readTrainingFile(join(folder, 'a.csv'))).toThrow(/^ClientError: /);
  });

  it('corrupt gzip', () => {
    const bytes = gzipSync(`${HEADER}\n`).subarray(0, 12);
    const folder = channel({ 'a.csv.gz': bytes });

    expect(() => readTrainingFile(join(folder, 'a.csv.gz'))).toThrow(/^ClientError: a\.csv\.gz: corrupt gzip data/);
  });

  it('a channel folder that does not exist', () => {
    expect(() => readChannel('/nonexistent/churn/train')).toThrow(/^ClientError: cannot read the channel folder/);
  });
});
