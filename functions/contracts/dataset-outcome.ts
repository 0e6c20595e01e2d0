import { createHash } from 'node:crypto';
import {
  MAX_EXAMPLE_VALUE_LENGTH,
  MAX_EXAMPLES_PER_CHECK,
  MAX_FAILED_CHECKS,
  type DatasetAcceptedDetail,
  type DatasetRejectedDetail,
  type FailedCheck,
} from '../events/lifecycle';
import type { Threshold } from './contract-plan';
import type { CheckResult, ValidationReport } from './contract-report';

/** The S3 object version a dataset is made of. */
export interface DatasetObject {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly etag?: string;
  readonly size: number;
  /** Dedup identity (`objectIdentity` of functions/events/aws-s3.ts). */
  readonly identity: string;
  /** When S3 reported the object (the event's `time`). */
  readonly receivedAt: string;
}

/** Where a dataset's artifacts go, in the artifacts and quarantine buckets. */
export interface DatasetKeys {
  readonly reportKey: string;
  readonly profileKey: string;
  /** Baseline profile of the pipeline (drift reference). */
  readonly baselineKey: string;
  readonly quarantineKey: string;
}

/**
 * Stable id of a dataset version, from its object identity, so a redelivered S3 event maps to the same dataset:
 * the arrival time (sortable, readable) and 12 hex characters of a hash of bucket, key and version.
 */
export function datasetId(object: Pick<DatasetObject, 'identity' | 'receivedAt'>): string {
  const stamp = object.receivedAt.replace(/[-:]/g, '').replace(/\.\d+/, '').replace('T', '-').replace('Z', '');
  return `ds-${stamp}-${createHash('sha256').update(object.identity).digest('hex').slice(0, 12)}`;
}

/** Keys of a dataset's report, profile and quarantined copy; the quarantined copy keeps the original key. */
export function datasetKeys(pipeline: string, id: string, object: Pick<DatasetObject, 'key'>): DatasetKeys {
  return {
    reportKey: `reports/${pipeline}/${id}/report.json`,
    profileKey: `profiles/${pipeline}/${id}.json`,
    baselineKey: `baselines/${pipeline}/profile.json`,
    quarantineKey: object.key,
  };
}

/** `= 0`, `≥ 1000`, `between 1 and 5`: a threshold as people read it. */
export function describeThreshold(threshold: Threshold | null): string | null {
  if (threshold === null) return null;
  switch (threshold.operator) {
    case 'mustBe':
      return `= ${threshold.value}`;
    case 'mustNotBe':
      return `≠ ${threshold.value}`;
    case 'mustBeGreaterThan':
      return `> ${threshold.value}`;
    case 'mustBeGreaterOrEqualTo':
      return `≥ ${threshold.value}`;
    case 'mustBeLessThan':
      return `< ${threshold.value}`;
    case 'mustBeLessOrEqualTo':
      return `≤ ${threshold.value}`;
    case 'mustBeBetween':
      return `between ${threshold.value[0]} and ${threshold.value[1]}`;
    case 'mustNotBeBetween':
      return `not between ${threshold.value[0]} and ${threshold.value[1]}`;
  }
}

const truncate = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** A failed check as `Dataset Rejected` lists it: small, with at most a few examples. */
export function failedCheckSummary(check: CheckResult): FailedCheck {
  return {
    name: truncate(check.name, 128),
    ...(check.property ? { property: truncate(check.property, 128) } : {}),
    observed: check.observed,
    expected: check.reason && check.expected === null ? truncate(check.reason, 256) : describeThreshold(check.expected),
    examples: check.examples.slice(0, MAX_EXAMPLES_PER_CHECK).map((e) => ({
      ...(e.line !== null && e.line > 0 ? { line: e.line } : {}),
      ...(e.column ? { column: truncate(e.column, 128) } : {}),
      value: truncate(e.value ?? (e.reason ? `(${e.reason})` : '(null)'), MAX_EXAMPLE_VALUE_LENGTH),
    })),
  };
}

/** What recording a checked dataset means: the event to emit and the facts of the record. */
export type DatasetOutcome =
  | { readonly status: 'accepted'; readonly detail: DatasetAcceptedDetail }
  | {
      readonly status: 'rejected';
      readonly detail: DatasetRejectedDetail;
      readonly quarantineTags: Readonly<Record<string, string>>;
    };

/**
 * Turns a validation report into the dataset's outcome. Only failed checks of severity `error` reject; the report
 * lists every check either way.
 */
export function datasetOutcome(pipeline: string, object: DatasetObject, report: ValidationReport): DatasetOutcome {
  const id = datasetId(object);
  const keys = datasetKeys(pipeline, id, object);
  const base = {
    pipeline,
    datasetId: id,
    bucket: object.bucket,
    key: object.key,
    ...(object.versionId ? { versionId: object.versionId } : {}),
    ...(object.etag ? { etag: object.etag } : {}),
    rows: report.rows,
    contractId: report.contractId,
    contractVersion: report.contractVersion,
    reportKey: keys.reportKey,
  };
  if (report.status === 'accepted') return { status: 'accepted', detail: base };
  const failed = report.checks.filter((c) => c.status === 'failed' && c.severity === 'error');
  // A rejection always names at least one reason, even when the report only has a rejection reason.
  const listed: FailedCheck[] =
    failed.length > 0
      ? failed.slice(0, MAX_FAILED_CHECKS).map(failedCheckSummary)
      : [
          {
            name: 'file is readable',
            observed: null,
            expected: truncate(report.rejectionReason ?? 'rejected', 256),
            examples: [],
          },
        ];
  const reason =
    report.rejectionReason ??
    failed
      .map((c) => c.name)
      .slice(0, 3)
      .join('; ');
  return {
    status: 'rejected',
    detail: {
      ...base,
      failedChecks: listed,
      failedCheckCount: Math.max(failed.length, listed.length),
      quarantineKey: keys.quarantineKey,
    },
    quarantineTags: {
      'mlops:pipeline': pipeline,
      'mlops:datasetId': id,
      'mlops:report': keys.reportKey,
      // S3 tag values: at most 256 characters of letters, digits, spaces and + - = . _ : / @
      'mlops:reason': truncate(reason.replace(/[^\p{L}\p{N} +\-=._:/@]/gu, ' '), 256),
    },
  };
}
