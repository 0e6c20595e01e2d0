import { describe, expect, it } from 'vitest';
import type { CheckResult, ValidationReport } from '../../../functions/contracts/contract-report';
import {
  datasetId,
  datasetKeys,
  datasetOutcome,
  describeThreshold,
} from '../../../functions/contracts/dataset-outcome';
import { DatasetRejected, MAX_FAILED_CHECKS } from '../../../functions/events/lifecycle';

const object = {
  bucket: 'landing',
  key: 'churn/incoming/2026-11-22.csv',
  versionId: 'v1',
  etag: 'abc',
  size: 1234,
  identity: 's3://landing/churn/incoming/2026-11-22.csv#v1',
  receivedAt: '2026-11-22T10:11:12Z',
};

const check = (n: number, overrides: Partial<CheckResult> = {}): CheckResult => ({
  id: `c${n}`,
  name: `check ${n}`,
  metric: 'invalidValues',
  property: 'age',
  column: 'age',
  status: 'failed',
  severity: 'error',
  observed: n,
  expected: { operator: 'mustBe', value: 0 },
  unit: 'rows',
  examples: [1, 2, 3, 4].map((i) => ({ line: i + 1, row: i, column: 'age', value: `${'-'.repeat(200)}${i}` })),
  ...overrides,
});

const report = (checks: CheckResult[], status: 'accepted' | 'rejected' = 'rejected'): ValidationReport =>
  ({ status, contractId: 'churn', contractVersion: '1.0.0', rows: 10, checks }) as unknown as ValidationReport;

describe('datasetId', () => {
  it('is stable for the same object version and differs for another version', () => {
    expect(datasetId(object)).toBe(datasetId({ ...object }));
    expect(datasetId(object)).toMatch(/^ds-20261122-101112-[0-9a-f]{12}$/);
    expect(datasetId({ ...object, identity: `${object.identity}x` })).not.toBe(datasetId(object));
  });
});

describe('datasetOutcome', () => {
  it('accepts with the facts of the dataset', () => {
    const outcome = datasetOutcome('churn', object, report([], 'accepted'));
    expect(outcome).toEqual({
      status: 'accepted',
      detail: expect.objectContaining({
        pipeline: 'churn',
        bucket: 'landing',
        key: object.key,
        versionId: 'v1',
        rows: 10,
        reportKey: datasetKeys('churn', datasetId(object), object).reportKey,
      }),
    });
  });

  it('lists at most 20 failed checks with 3 short examples each, and counts them all', () => {
    const outcome = datasetOutcome('churn', object, report(Array.from({ length: 300 }, (_, i) => check(i + 1))));
    expect(outcome.status).toBe('rejected');
    if (outcome.status !== 'rejected') return;
    expect(outcome.detail.failedChecks).toHaveLength(MAX_FAILED_CHECKS);
    expect(outcome.detail.failedCheckCount).toBe(300);
    expect(outcome.detail.failedChecks[0]?.examples).toHaveLength(3);
    expect(outcome.detail.failedChecks[0]?.examples[0]).toEqual({
      line: 2,
      column: 'age',
      value: expect.stringMatching(/^-{79}…$/),
    });
    expect(DatasetRejected.detail.safeParse(outcome.detail).success).toBe(true);
  });

  it('rejects only on failed checks of severity error', () => {
    const outcome = datasetOutcome('churn', object, report([check(1, { severity: 'warning' }), check(2)]));
    expect(outcome.status === 'rejected' && outcome.detail.failedChecks.map((c) => c.name)).toEqual(['check 2']);
  });

  it('names the rejection reason when the file could not be read at all', () => {
    const unreadable = { ...report([]), rejectionReason: 'line 3: unterminated quoted field' } as ValidationReport;
    const outcome = datasetOutcome('churn', object, unreadable);
    expect(outcome.status === 'rejected' && outcome.detail.failedChecks).toEqual([
      { name: 'file is readable', observed: null, expected: 'line 3: unterminated quoted field', examples: [] },
    ]);
    expect(outcome.status === 'rejected' && outcome.quarantineTags['mlops:reason']).toBe(
      'line 3: unterminated quoted field',
    );
  });
});

describe('describeThreshold', () => {
  it('reads like a person would write it', () => {
    expect(describeThreshold({ operator: 'mustBeGreaterOrEqualTo', value: 1000 })).toBe('≥ 1000');
    expect(describeThreshold({ operator: 'mustBeBetween', value: [1, 5] })).toBe('between 1 and 5');
    expect(describeThreshold(null)).toBeNull();
  });
});
