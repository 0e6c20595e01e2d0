import { gunzipSync } from 'node:zlib';

import { beforeAll, describe, expect, it } from 'vitest';

import type { DatasetProfile } from '../../../functions/contracts/contract-report';
import { COMPETITOR_ENTERS } from '../../../pipelines/churn/world/churn-concepts';
import {
  dialectForSeed,
  driftedBatch,
  goodBatch,
  MALFORMED_DEFECTS,
  malformedBatch,
  type BatchDialect,
  type MalformedDefect,
} from '../../../pipelines/churn/world/batch-files';
import { failedCheckIds, validateBatch } from './churn-harness';

const PLAIN: BatchDialect = { lineEnding: '\n', byteOrderMark: false, quoteText: false, gzip: false };
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const DRIFT_CHECKS = [
  'tenure_months.drift',
  'monthly_charges.drift',
  'total_charges.drift',
  'contract_type.drift',
  'payment_method.drift',
  'support_calls.drift',
  'plan.drift',
];

describe('goodBatch', () => {
  it('is a function of its seed: the same bytes again, other customers for another seed', () => {
    const first = goodBatch(7, { rows: 500 });
    const again = goodBatch(7, { rows: 500 });
    const other = goodBatch(8, { rows: 500 });

    expect(Buffer.from(again.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    expect(again.name).toBe(first.name);
    const ids = new Set(first.rows.map((row) => row.customer_id));
    expect(other.rows.filter((row) => ids.has(row.customer_id))).toEqual([]);
  });

  it('passes the contract with the quirks of real exports: CRLF, a BOM, quoted text, a quoted comma, empty totals', async () => {
    const file = goodBatch(11, {
      rows: 3000,
      dialect: { lineEnding: '\r\n', byteOrderMark: true, quoteText: true, gzip: false },
    });
    const csv = text(file.bytes);

    const report = await validateBatch(file);

    expect(failedCheckIds(report)).toEqual([]);
    expect(report).toMatchObject({ status: 'accepted', rows: 3000 });
    expect([...file.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.split('\r\n')).toHaveLength(3002); // header, rows, and the empty tail after the last CRLF
    expect(csv).toContain('"Digital wallet (Apple Pay, Google Pay)"');
    expect(csv).toContain('"Bank transfer (automatic)"');
    expect(file.rows.filter((row) => row.total_charges === null).length).toBeGreaterThan(0);
    expect(file.rows.every((row) => (row.total_charges === null) === (row.tenure_months === 0))).toBe(true);
  });

  it('passes the contract gzipped, and unquoted text still quotes the value with a comma', async () => {
    const file = goodBatch(12, { rows: 2000, dialect: { ...PLAIN, gzip: true } });
    const csv = gunzipSync(file.bytes).toString('utf8');

    const report = await validateBatch(file);

    expect(failedCheckIds(report)).toEqual([]);
    expect(report).toMatchObject({ status: 'accepted', compression: 'gzip', rows: 2000 });
    expect(file.name).toBe('snapshot-2026-01-15-seed-12.csv.gz');
    expect(file.contentType).toBe('application/gzip');
    expect(csv).toMatch(
      /\n[0-9a-f-]{36},2026-01-15,\d+,[\d.]+,[\d.]*,[a-z-]+,"Digital wallet \(Apple Pay, Google Pay\)",/,
    );
    expect(csv).toMatch(/,Bank transfer \(automatic\),/);
  });

  it('has outliers inside the contract ranges: legacy tenures, business-size charges, many support calls', () => {
    const rows = goodBatch(13, { rows: 20_000, dialect: PLAIN }).rows;

    expect(Math.max(...rows.map((r) => r.tenure_months))).toBeGreaterThan(120);
    expect(Math.max(...rows.map((r) => r.tenure_months))).toBeLessThanOrEqual(600);
    expect(Math.max(...rows.map((r) => r.monthly_charges))).toBeGreaterThan(200);
    expect(Math.min(...rows.map((r) => r.monthly_charges))).toBeGreaterThanOrEqual(0);
    expect(Math.max(...rows.map((r) => r.support_calls))).toBeGreaterThan(12);
    expect(Math.max(...rows.map((r) => r.support_calls))).toBeLessThanOrEqual(100);
  });

  it('draws its dialect from the seed unless the options fix it', () => {
    const dialects = Array.from({ length: 60 }, (_, seed) => dialectForSeed(seed));

    expect(dialects.some((d) => d.lineEnding === '\r\n')).toBe(true);
    expect(dialects.some((d) => d.lineEnding === '\n')).toBe(true);
    expect(dialects.some((d) => d.byteOrderMark)).toBe(true);
    expect(dialects.some((d) => d.gzip)).toBe(true);
    expect(dialects.some((d) => d.quoteText)).toBe(true);
    expect(dialectForSeed(3, PLAIN)).toEqual(PLAIN);
    expect(dialectForSeed(5)).toEqual(dialectForSeed(5));
  });

  it('orders columns as asked; the contract matches them by name', async () => {
    const file = goodBatch(14, {
      rows: 300,
      dialect: PLAIN,
      columns: [
        'churned',
        'plan',
        'support_calls',
        'payment_method',
        'contract_type',
        'total_charges',
        'monthly_charges',
        'tenure_months',
        'snapshot_date',
        'customer_id',
      ],
    });

    expect(text(file.bytes).split('\n')[0]).toBe(
      'churned,plan,support_calls,payment_method,contract_type,total_charges,monthly_charges,tenure_months,snapshot_date,customer_id',
    );
    expect((await validateBatch(file)).status).toBe('accepted');
  });
});

describe('drift against the baseline profile', () => {
  let baseline: DatasetProfile;

  beforeAll(async () => {
    const first = await validateBatch(goodBatch(1, { rows: 5000 }));
    expect(first.status).toBe('accepted');
    baseline = first.profile;
  });

  it('lets fresh good batches of the same world through, with every drift check evaluated', async () => {
    for (const file of [goodBatch(2, { rows: 5000 }), goodBatch(3, { rows: 4000, snapshotDate: '2026-02-01' })]) {
      const report = await validateBatch(file, baseline);

      expect(failedCheckIds(report)).toEqual([]);
      const drift = report.checks.filter((check) => check.metric === 'drift');
      expect(drift.map((check) => [check.id, check.status])).toEqual(DRIFT_CHECKS.map((id) => [id, 'passed']));
      expect(Math.max(...drift.map((check) => check.observed ?? Infinity))).toBeLessThan(0.05);
    }
  });

  it('lets a batch labelled under the shifted concept through: concept shift is invisible to the inputs', async () => {
    const report = await validateBatch(goodBatch(4, { rows: 5000, concept: COMPETITOR_ENTERS }), baseline);

    expect(report.status).toBe('accepted');
    expect(report.checks.filter((c) => c.metric === 'drift').every((c) => c.status === 'passed')).toBe(true);
  });

  it('rejects the drifted batch on drift alone: charges, contracts and plans moved', async () => {
    const report = await validateBatch(driftedBatch(5, { rows: 5000 }), baseline);

    expect(report.status).toBe('rejected');
    const failed = failedCheckIds(report);
    expect(failed).toEqual(expect.arrayContaining(['monthly_charges.drift', 'contract_type.drift', 'plan.drift']));
    expect(failed.every((id) => id.endsWith('.drift'))).toBe(true);
    const monthly = report.checks.find((check) => check.id === 'monthly_charges.drift');
    expect(monthly?.observed).toBeGreaterThan(1);
  });
});

describe('malformedBatch', () => {
  it('fails exactly the listed checks, each at the listed line with the listed value', async () => {
    const file = malformedBatch(21);
    const report = await validateBatch(file);

    expect(report.status).toBe('rejected');
    expect(failedCheckIds(report).sort()).toEqual(Object.values(MALFORMED_DEFECTS).sort());
    expect(file.defects.map((d) => d.checkId).sort()).toEqual(Object.values(MALFORMED_DEFECTS).sort());
    for (const defect of file.defects) {
      const check = report.checks.find((c) => c.id === defect.checkId);
      if (defect.line === null) {
        expect(report.columns.missing).toEqual([defect.column]);
        continue;
      }
      expect(check?.examples).toEqual(
        expect.arrayContaining([expect.objectContaining({ line: defect.line, value: defect.value })]),
      );
    }
  });

  it.each(Object.keys(MALFORMED_DEFECTS) as MalformedDefect[])('with only %s, fails only its check', async (defect) => {
    const file = malformedBatch(22, { defects: [defect], rows: 300 });

    expect(failedCheckIds(await validateBatch(file))).toEqual([MALFORMED_DEFECTS[defect]]);
  });

  it('is a function of its seed', () => {
    expect(malformedBatch(23).defects).toEqual(malformedBatch(23).defects);
    expect(malformedBatch(23).defects).not.toEqual(malformedBatch(24).defects);
  });
});
