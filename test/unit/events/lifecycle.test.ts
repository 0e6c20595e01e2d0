import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { EventDetailValidationError, EventTooLargeError } from '../../../functions/events/errors';
import { toEventBridgePattern } from '../../../functions/events/event-pattern';
import {
  type AnyLifecycleEvent,
  CONTRACTS_SOURCE,
  DatasetAccepted,
  type DatasetAcceptedDetail,
  DatasetRejected,
  type DatasetRejectedDetail,
  DeploymentFailed,
  DeploymentRolledBack,
  DeploymentStarted,
  DeploymentSucceeded,
  DriftDetected,
  EvaluationCompleted,
  type FailedCheck,
  LIFECYCLE_DETAIL_TARGET_BYTES,
  LIFECYCLE_EVENTS,
  LIFECYCLE_SOURCES,
  type LifecycleEventDefinition,
  type LifecycleEventName,
  MAX_EXAMPLE_VALUE_LENGTH,
  MAX_EXAMPLES_PER_CHECK,
  MAX_FAILED_CHECKS,
  MAX_PUT_EVENTS_ENTRY_BYTES,
  ModelDegraded,
  ModelRegistered,
  ModelRejected,
  type PutEventsEntry,
  TrainingFailed,
  TrainingStarted,
  TrainingSucceeded,
  lifecyclePattern,
  parseLifecycleEvent,
  putEventsEntrySize,
  toPutEventsEntry,
} from '../../../functions/events/lifecycle';
import { matchesPattern } from '../../../functions/events/pattern-match';

const BUS = 'mlops-dev';
const MODEL_PACKAGE_ARN = 'arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn-models/7';

const datasetAccepted: DatasetAcceptedDetail = {
  pipeline: 'churn',
  datasetId: 'ds-20250115-5d41402a',
  bucket: 'mlops-landing-123456789012',
  key: 'churn/incoming/2025-01-15.csv',
  etag: '5d41402abc4b2a76b9719d911017c592',
  rows: 120_000,
  contractId: 'churn-snapshots',
  contractVersion: '1.2.0',
  reportKey: 'reports/churn/ds-20250115-5d41402a/contract-report.json',
};

const failedCheck: FailedCheck = {
  name: 'tenure_months is within [0, 600]',
  property: 'tenure_months',
  observed: 'min -3',
  expected: '>= 0',
  examples: [
    { line: 1042, column: 'tenure_months', value: '-3' },
    { line: 5310, column: 'tenure_months', value: '-1' },
  ],
};

const datasetRejected: DatasetRejectedDetail = {
  ...datasetAccepted,
  failedChecks: [failedCheck, { name: 'row count is at least 1000', observed: 12, expected: 1000, examples: [] }],
  failedCheckCount: 2,
  quarantineKey: 'churn/incoming/2025-01-15.csv',
};

const trainingRun = {
  pipeline: 'churn',
  runId: 'run-20250115-0001',
  trainingJobName: 'churn-run-20250115-0001',
  datasetIds: ['ds-20250111-aa', 'ds-20250115-5d41402a'],
  manifestKey: 'manifests/churn/run-20250115-0001.json',
};
const metrics = { 'validation:auc': 0.91, 'validation:logloss': 0.31 };
const comparison = {
  metric: 'validation:auc',
  direction: 'maximize' as const,
  value: 0.91,
  championValue: 0.89,
  championModelVersion: 6,
  minimum: 0.7,
  minImprovement: 0.005,
};
const deployment = {
  pipeline: 'churn',
  deploymentId: 'dep-churn-7',
  endpointName: 'churn-prod',
  modelPackageArn: MODEL_PACKAGE_ARN,
  modelVersion: 7,
  strategy: 'canary' as const,
  endpointConfigName: 'churn-prod-v7',
  previousModelVersion: 6,
};
const evaluation = {
  pipeline: 'churn',
  evaluationId: 'eval-churn-20250116T10',
  endpointName: 'churn-prod',
  modelVersion: 7,
  reportKey: 'evaluations/churn/eval-churn-20250116T10/report.json',
};

/** One valid detail for every event of the project. */
const EXAMPLES: Record<LifecycleEventName, Readonly<Record<string, unknown>>> = {
  'Dataset Accepted': datasetAccepted,
  'Dataset Rejected': datasetRejected,
  'Training Started': trainingRun,
  'Training Succeeded': { ...trainingRun, metrics },
  'Training Failed': { ...trainingRun, reason: 'AlgorithmError: out of memory', trainingJobStatus: 'Failed' },
  'Model Registered': {
    pipeline: 'churn',
    runId: trainingRun.runId,
    modelPackageArn: MODEL_PACKAGE_ARN,
    modelVersion: 7,
    modelPackageGroupName: 'churn-models',
    approvalStatus: 'Approved',
    metrics,
    comparison,
  },
  'Model Rejected': {
    pipeline: 'churn',
    runId: trainingRun.runId,
    reasons: ['validation:auc 0.68 is below the minimum 0.7'],
    metrics: { 'validation:auc': 0.68 },
  },
  'Deployment Started': deployment,
  'Deployment Succeeded': deployment,
  'Deployment Failed': { ...deployment, reason: 'ping health check failed' },
  'Deployment Rolled Back': { ...deployment, reason: 'alarm churn-prod-p99-latency went to ALARM during baking' },
  'Evaluation Completed': {
    ...evaluation,
    windowStart: '2025-01-15T10:00:00Z',
    windowEnd: '2025-01-16T10:00:00Z',
    verdict: 'drift',
    samples: 48_000,
    matched: 45_210,
    metrics: { roc_auc: 0.88, accuracy: 0.83 },
    driftedFeatures: [{ feature: 'monthly_charges', psi: 0.31, ks: 0.12 }],
  },
  'Model Degraded': {
    ...evaluation,
    metric: 'roc_auc',
    bound: 'minimum',
    threshold: 0.7,
    value: 0.64,
    consecutiveWindows: 3,
    action: 'retrain',
  },
  'Drift Detected': {
    ...evaluation,
    features: [{ feature: 'monthly_charges', psi: 0.31 }],
    threshold: 0.2,
    consecutiveWindows: 2,
    action: 'notify',
  },
};

/** The event EventBridge delivers for an entry (as an EventBridge target or moto's SQS target sees it). */
function delivered(entry: PutEventsEntry, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const detail: unknown = JSON.parse(entry.Detail);
  return {
    version: '0',
    id: 'a1b2c3d4-0000-4000-8000-000000000000',
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: '123456789012',
    time: '2025-01-15T10:00:05Z',
    region: 'eu-west-1',
    resources: entry.Resources,
    detail,
    ...extra,
  };
}

/** Sends any definition's example; the loose schema type lets one loop cover every definition. */
const entryFor = (def: AnyLifecycleEvent, resources?: readonly string[]): PutEventsEntry =>
  toPutEventsEntry<z.ZodType>(def, EXAMPLES[def.detailType], BUS, resources);

function validationError(run: () => unknown): EventDetailValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof EventDetailValidationError) return error;
    throw error;
  }
  throw new Error('expected an EventDetailValidationError');
}

describe('LIFECYCLE_EVENTS', () => {
  it('defines exactly the project events, each under its source', () => {
    expect(LIFECYCLE_EVENTS.map((d) => [d.source, d.detailType])).toEqual([
      ['mlops.contracts', 'Dataset Accepted'],
      ['mlops.contracts', 'Dataset Rejected'],
      ['mlops.training', 'Training Started'],
      ['mlops.training', 'Training Succeeded'],
      ['mlops.training', 'Training Failed'],
      ['mlops.training', 'Model Registered'],
      ['mlops.training', 'Model Rejected'],
      ['mlops.deployment', 'Deployment Started'],
      ['mlops.deployment', 'Deployment Succeeded'],
      ['mlops.deployment', 'Deployment Failed'],
      ['mlops.deployment', 'Deployment Rolled Back'],
      ['mlops.evaluation', 'Evaluation Completed'],
      ['mlops.evaluation', 'Model Degraded'],
      ['mlops.evaluation', 'Drift Detected'],
    ]);
    expect(LIFECYCLE_SOURCES).toEqual(['mlops.contracts', 'mlops.training', 'mlops.deployment', 'mlops.evaluation']);
  });

  it('has unique detail-types, so a pattern listing sources and detail-types side by side is exact', () => {
    const detailTypes = LIFECYCLE_EVENTS.map((d) => d.detailType);

    expect(new Set(detailTypes).size).toBe(detailTypes.length);
  });

  it.each(LIFECYCLE_EVENTS.map((d) => [d.detailType, d] as const))(
    '%s: the example is valid, keeps a pipeline, and stays under the size target',
    (_name, def) => {
      const entry = entryFor(def);

      expect(JSON.parse(entry.Detail)).toMatchObject({ pipeline: 'churn' });
      expect(Buffer.byteLength(entry.Detail)).toBeLessThan(LIFECYCLE_DETAIL_TARGET_BYTES);
    },
  );

  it.each(LIFECYCLE_EVENTS.map((d) => [d.detailType, d] as const))('%s: requires pipeline', (_name, def) => {
    const { pipeline: _pipeline, ...withoutPipeline } = EXAMPLES[def.detailType];

    expect(validationError(() => toPutEventsEntry<z.ZodType>(def, withoutPipeline, BUS)).issues).toContainEqual({
      path: 'pipeline',
      message: expect.stringMatching(/expected string/),
    });
  });
});

describe('toPutEventsEntry', () => {
  it('returns the entry PutEvents takes, with the detail as JSON', () => {
    const entry = toPutEventsEntry(DatasetAccepted, datasetAccepted, BUS, ['arn:aws:s3:::mlops-landing-123456789012']);

    expect(entry).toEqual({
      Source: 'mlops.contracts',
      DetailType: 'Dataset Accepted',
      Detail: JSON.stringify(datasetAccepted),
      EventBusName: BUS,
      Resources: ['arn:aws:s3:::mlops-landing-123456789012'],
    });
  });

  it('gives an entry the EventBridge client accepts as is', () => {
    const entries: PutEventsRequestEntry[] = [toPutEventsEntry(DatasetAccepted, datasetAccepted, BUS)];

    expect(entries[0]?.EventBusName).toBe(BUS);
  });

  it('sends an empty resource list by default', () => {
    expect(toPutEventsEntry(TrainingStarted, trainingRun, BUS).Resources).toEqual([]);
  });

  it('drops fields the schema does not know, so consumers get exactly what they parse', () => {
    const wider = { ...trainingRun, hugeDebugDump: 'x'.repeat(1000) };

    const entry = toPutEventsEntry(TrainingStarted, wider, BUS);

    expect(JSON.parse(entry.Detail)).toEqual(trainingRun);
  });

  it('fails with the path of each invalid field', () => {
    const tooManyExamples = { ...failedCheck, examples: [...failedCheck.examples, ...failedCheck.examples] };
    const error = validationError(() =>
      toPutEventsEntry(DatasetRejected, { ...datasetRejected, rows: -1, failedChecks: [tooManyExamples] }, BUS),
    );

    expect(error.name).toBe('EventDetailValidationError');
    expect(error.detailType).toBe('Dataset Rejected');
    expect(error.issues.map((i) => i.path)).toEqual(['rows', 'failedChecks.0.examples']);
    expect(error.message).toMatch(/^invalid detail for "Dataset Rejected": rows: .*; failedChecks\.0\.examples: /);
  });

  it('bounds what a rejection may list', () => {
    const tooMany = Array.from({ length: MAX_FAILED_CHECKS + 1 }, () => failedCheck);
    const longValue = { ...failedCheck, examples: [{ value: 'v'.repeat(MAX_EXAMPLE_VALUE_LENGTH + 1) }] };

    expect(
      validationError(() => toPutEventsEntry(DatasetRejected, { ...datasetRejected, failedChecks: tooMany }, BUS))
        .issues,
    ).toHaveLength(1);
    expect(
      validationError(() => toPutEventsEntry(DatasetRejected, { ...datasetRejected, failedChecks: [longValue] }, BUS))
        .issues[0]?.path,
    ).toBe('failedChecks.0.examples.0.value');
    expect(
      validationError(() => toPutEventsEntry(DatasetRejected, { ...datasetRejected, failedCheckCount: 1 }, BUS)).issues,
    ).toEqual([{ path: 'failedCheckCount', message: 'failedCheckCount must count at least the listed failedChecks' }]);
  });

  it('checks cross-field rules of an evaluation', () => {
    const detail = { ...EXAMPLES['Evaluation Completed'], matched: 50_000, windowEnd: '2025-01-15T09:00:00Z' };

    const error = validationError(() => toPutEventsEntry<z.ZodType>(EvaluationCompleted, detail, BUS));

    expect(error.issues.map((i) => i.path)).toEqual(['matched', 'windowEnd']);
  });

  it.each([
    ['Training Failed without a reason', TrainingFailed, { ...trainingRun }],
    ['Deployment Failed without a reason', DeploymentFailed, { ...deployment }],
    ['Deployment Rolled Back without a reason', DeploymentRolledBack, { ...deployment }],
    ['a deployment with an unknown strategy', DeploymentStarted, { ...deployment, strategy: 'bigBang' }],
    [
      'a registration with a non-integer version',
      ModelRegistered,
      { ...EXAMPLES['Model Registered'], modelVersion: 7.5 },
    ],
    ['a rejection without reasons', ModelRejected, { ...EXAMPLES['Model Rejected'], reasons: [] }],
    ['a metric that is not a number', TrainingSucceeded, { ...trainingRun, metrics: { auc: '0.9' } }],
    ['a training without datasets', TrainingStarted, { ...trainingRun, datasetIds: [] }],
    ['an invalid training job name', TrainingStarted, { ...trainingRun, trainingJobName: 'churn_run_1' }],
    ['an ARN that is not one', DeploymentSucceeded, { ...deployment, modelPackageArn: 'churn-models/7' }],
    ['an unknown action', ModelDegraded, { ...EXAMPLES['Model Degraded'], action: 'panic' }],
    ['drift without features', DriftDetected, { ...EXAMPLES['Drift Detected'], features: [] }],
  ])('rejects %s', (_what, def: LifecycleEventDefinition, detail) => {
    expect(() => toPutEventsEntry<z.ZodType>(def, detail, BUS)).toThrow(EventDetailValidationError);
  });

  it('keeps even a maximal rejection far below the PutEvents limit', () => {
    const maximal: DatasetRejectedDetail = {
      ...datasetRejected,
      key: 'k'.repeat(1024),
      quarantineKey: 'q'.repeat(1024),
      reportKey: 'r'.repeat(1024),
      failedChecks: Array.from({ length: MAX_FAILED_CHECKS }, () => ({
        name: 'n'.repeat(128),
        property: 'p'.repeat(128),
        observed: 'o'.repeat(256),
        expected: 'e'.repeat(256),
        examples: Array.from({ length: MAX_EXAMPLES_PER_CHECK }, () => ({
          line: 1_000_000,
          column: 'c'.repeat(128),
          value: 'ü'.repeat(MAX_EXAMPLE_VALUE_LENGTH),
        })),
      })),
      failedCheckCount: 5000,
    };

    const entry = toPutEventsEntry(DatasetRejected, maximal, BUS);

    expect(putEventsEntrySize(entry)).toBeLessThan(MAX_PUT_EVENTS_ENTRY_BYTES / 4);
  });

  it('computes the entry size as EventBridge does: 14 bytes for Time plus UTF-8 bytes', () => {
    const size = putEventsEntrySize({
      Source: 'mlops.x',
      DetailType: 'T',
      Detail: '{"k":"ü"}',
      Resources: ['ab', 'c'],
    });

    expect(size).toBe(14 + 7 + 1 + 10 + 3);
  });

  it('accepts an entry one byte under 256 KB and refuses one at 256 KB', () => {
    const base = toPutEventsEntry(TrainingStarted, trainingRun, BUS);
    const room = MAX_PUT_EVENTS_ENTRY_BYTES - putEventsEntrySize(base);

    expect(putEventsEntrySize(toPutEventsEntry(TrainingStarted, trainingRun, BUS, ['r'.repeat(room - 1)]))).toBe(
      MAX_PUT_EVENTS_ENTRY_BYTES - 1,
    );
    expect(() => toPutEventsEntry(TrainingStarted, trainingRun, BUS, ['r'.repeat(room)])).toThrow(EventTooLargeError);
  });

  it('says how large the refused entry was', () => {
    let caught: unknown;
    try {
      toPutEventsEntry(
        TrainingStarted,
        trainingRun,
        BUS,
        Array.from({ length: 300 }, () => 'a'.repeat(1024)),
      );
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(EventTooLargeError);
    expect(caught).toMatchObject({ name: 'EventTooLargeError', detailType: 'Training Started', limitBytes: 262_144 });
    expect(caught instanceof EventTooLargeError && caught.sizeBytes).toBeGreaterThan(300 * 1024);
  });

  it('refuses an empty bus name', () => {
    expect(() => toPutEventsEntry(TrainingStarted, trainingRun, '')).toThrow(/busName/);
  });
});

describe('lifecyclePattern', () => {
  it('builds a CDK-shaped pattern filtering on source, detail-type and pipeline', () => {
    expect(lifecyclePattern([DatasetAccepted], ['churn'])).toEqual({
      source: ['mlops.contracts'],
      detailType: ['Dataset Accepted'],
      detail: { pipeline: ['churn'] },
    });
  });

  it('lists each source once when several events share it', () => {
    const pattern = lifecyclePattern([DatasetAccepted, DatasetRejected, TrainingFailed], ['churn', 'fraud']);

    expect(pattern.source).toEqual([CONTRACTS_SOURCE, 'mlops.training']);
    expect(pattern.detailType).toEqual(['Dataset Accepted', 'Dataset Rejected', 'Training Failed']);
  });

  it.each(LIFECYCLE_EVENTS.map((d) => [d.detailType, d] as const))(
    '%s: matches the delivered event of its pipelines and no other event',
    (_name, def) => {
      const pattern = toEventBridgePattern(lifecyclePattern([def], ['churn']));
      const others = LIFECYCLE_EVENTS.filter((d) => d !== def);

      expect(matchesPattern(pattern, delivered(entryFor(def)))).toBe(true);
      expect(matchesPattern(toEventBridgePattern(lifecyclePattern([def], ['fraud'])), delivered(entryFor(def)))).toBe(
        false,
      );
      for (const other of others) expect(matchesPattern(pattern, delivered(entryFor(other)))).toBe(false);
    },
  );

  it('matches every event when given them all (what notifications subscribe to)', () => {
    const pattern = toEventBridgePattern(lifecyclePattern(LIFECYCLE_EVENTS, ['churn']));

    for (const def of LIFECYCLE_EVENTS) expect(matchesPattern(pattern, delivered(entryFor(def)))).toBe(true);
  });

  it('fails on empty lists', () => {
    expect(() => lifecyclePattern([], ['churn'])).toThrow(/at least one event definition/);
    expect(() => lifecyclePattern([DatasetAccepted], [])).toThrow(/pipelines/);
  });
});

describe('parseLifecycleEvent', () => {
  it.each(LIFECYCLE_EVENTS.map((d) => [d.detailType, d] as const))(
    '%s: gives back the detail that was sent',
    (_name, def) => {
      const entry = entryFor(def, ['arn:aws:sagemaker:eu-west-1:123456789012:endpoint/churn-prod']);

      const result = parseLifecycleEvent<z.ZodType>(def, delivered(entry));

      expect(result).toEqual({
        ok: true,
        value: {
          id: 'a1b2c3d4-0000-4000-8000-000000000000',
          time: '2025-01-15T10:00:05Z',
          source: def.source,
          detailType: def.detailType,
          account: '123456789012',
          region: 'eu-west-1',
          resources: ['arn:aws:sagemaker:eu-west-1:123456789012:endpoint/churn-prod'],
          detail: EXAMPLES[def.detailType],
        },
      });
    },
  );

  it('types the detail from the definition', () => {
    const result = parseLifecycleEvent(
      DatasetRejected,
      delivered(toPutEventsEntry(DatasetRejected, datasetRejected, BUS)),
    );
    if (!result.ok) throw new Error(result.error);

    const firstCheck: FailedCheck | undefined = result.value.detail.failedChecks[0];
    expect(firstCheck?.examples[0]?.line).toBe(1042);
  });

  it('accepts the envelope moto delivers through SQS, without account', () => {
    const { account: _account, ...event } = delivered(toPutEventsEntry(DatasetAccepted, datasetAccepted, BUS));

    const result = parseLifecycleEvent(DatasetAccepted, event);

    expect(result.ok && 'account' in result.value).toBe(false);
  });

  it('reports the replay name of a replayed event', () => {
    const event = delivered(toPutEventsEntry(DatasetAccepted, datasetAccepted, BUS), { 'replay-name': 'redrive-1' });

    const result = parseLifecycleEvent(DatasetAccepted, event);

    expect(result.ok && result.value.replayName).toBe('redrive-1');
  });

  it('rejects another event, saying what it got and what it expected', () => {
    const event = delivered(toPutEventsEntry(DatasetRejected, datasetRejected, BUS));

    const result = parseLifecycleEvent(DatasetAccepted, event);

    expect(result).toEqual({
      ok: false,
      error:
        'not a "Dataset Accepted" event: got source "mlops.contracts" and detail-type "Dataset Rejected", expected "mlops.contracts" and "Dataset Accepted"',
    });
  });

  it('rejects an invalid detail, with the path inside the event', () => {
    const event = delivered(toPutEventsEntry(DatasetAccepted, datasetAccepted, BUS));
    const broken = { ...event, detail: { ...datasetAccepted, rows: 'many' } };

    const result = parseLifecycleEvent(DatasetAccepted, broken);

    expect(!result.ok && result.error).toMatch(/^not a valid "Dataset Accepted" event: detail\.rows: /);
  });

  it.each([null, 'Dataset Accepted', { detail: datasetAccepted }])('rejects %j', (event) => {
    expect(parseLifecycleEvent(DatasetAccepted, event).ok).toBe(false);
  });
});
