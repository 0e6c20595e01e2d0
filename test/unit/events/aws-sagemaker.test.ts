import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ENDPOINT_STATUSES,
  endpointDeploymentStateChangePattern,
  endpointStateChangePattern,
  modelPackageApprovedPattern,
  normaliseEndpointStatus,
  normaliseTrainingJobStatus,
  parseEndpointDeploymentStateChange,
  parseEndpointStateChange,
  parseModelPackageStateChange,
  parseTrainingJobStateChange,
  trainingJobStateChangePattern,
} from '../../../functions/events/aws-sagemaker';
import { PatternArgumentError } from '../../../functions/events/errors';
import { toEventBridgePattern } from '../../../functions/events/event-pattern';
import { matchesPattern } from '../../../functions/events/pattern-match';
import { SAMPLES_DIR } from '../../fixtures/samples';

const SAMPLES = SAMPLES_DIR;
const text = (name: string): string => readFileSync(join(SAMPLES, 'events/awsdocs-sagemaker', name), 'utf8');

/** A sample as a fresh mutable object, so each test can change fields without affecting the others. */
function sample(name: string): Record<string, unknown> & { detail: Record<string, unknown> } {
  const parsed: unknown = JSON.parse(text(name));
  if (!isRecord(parsed) || !isRecord(parsed.detail)) throw new Error(`${name} is not an event`);
  return { ...parsed, detail: { ...parsed.detail } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const TRAINING = 'sagemaker-training-job-state-change.json';
const ENDPOINT = 'sagemaker-endpoint-state-change.json';
const MODEL_PACKAGE = 'sagemaker-model-package-state-change.json';
const CANARY = 'sagemaker-endpoint-deployment-state-change-canary.malformed.json';
const CAPACITY = 'sagemaker-endpoint-deployment-state-change-capacity.malformed.json';

/**
 * The documentation's deployment samples are broken (SOURCES.md): a bare `Timestamp` placeholder, trailing commas,
 * a missing final brace. This applies exactly those three repairs and nothing else.
 */
function repaired(name: string): unknown {
  let json = text(name)
    .replace(/"StartTime": Timestamp/, '"StartTime": 1635195269000')
    .replace(/,(\s*[}\]])/g, '$1');
  const missing = (json.match(/{/g) ?? []).length - (json.match(/}/g) ?? []).length;
  json += '}'.repeat(missing);
  return JSON.parse(json);
}

describe('parseTrainingJobStateChange', () => {
  it('parses the AWS documentation sample, turning epoch-millisecond strings into ISO times', () => {
    const result = parseTrainingJobStateChange(sample(TRAINING));

    expect(result).toEqual({
      ok: true,
      value: {
        time: '2018-10-06T12:26:13.000Z',
        region: 'us-east-1',
        account: '123456789012',
        trainingJobName: '89c96cc8-dded-4739-afcc-6f1dc936701d',
        trainingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/kmeans-1',
        status: 'Completed',
        secondaryStatus: 'Completed',
        hyperParameters: { Hyper: 'Parameters' },
        tags: {},
        creationTime: '2020-03-10T09:18:09.050Z',
        trainingStartTime: '2020-03-10T09:18:09.050Z',
        trainingEndTime: '2020-03-10T09:18:09.050Z',
        lastModifiedTime: '2020-03-10T09:18:09.050Z',
      },
    });
  });

  it('accepts times as numbers, as the schema registry declares them', () => {
    const event = sample(TRAINING);
    event.detail.CreationTime = 1583831889050;

    const result = parseTrainingJobStateChange(event);

    expect(result.ok && result.value.creationTime).toBe('2020-03-10T09:18:09.050Z');
  });

  it('normalises Tags given as a [{Key, Value}] array and as a map to the same record', () => {
    const asArray = sample(TRAINING);
    asArray.detail.Tags = [
      { Key: 'pipeline', Value: 'churn' },
      { Key: 'runId', Value: 'r-1' },
    ];
    const asMap = sample(TRAINING);
    asMap.detail.Tags = { pipeline: 'churn', runId: 'r-1' };

    const a = parseTrainingJobStateChange(asArray);
    const b = parseTrainingJobStateChange(asMap);

    expect(a.ok && a.value.tags).toEqual({ pipeline: 'churn', runId: 'r-1' });
    expect(b.ok && b.value.tags).toEqual({ pipeline: 'churn', runId: 'r-1' });
  });

  it('reads the failure reason and the model artifacts when present', () => {
    const failed = sample(TRAINING);
    failed.detail.TrainingJobStatus = 'Failed';
    failed.detail.FailureReason = 'AlgorithmError: out of memory';
    const completed = sample(TRAINING);
    completed.detail.ModelArtifacts = { S3ModelArtifacts: 's3://artifacts/churn/r-1/output/model.tar.gz' };

    const f = parseTrainingJobStateChange(failed);
    const c = parseTrainingJobStateChange(completed);

    expect(f.ok && [f.value.status, f.value.failureReason]).toEqual(['Failed', 'AlgorithmError: out of memory']);
    expect(c.ok && c.value.modelArtifactsS3Uri).toBe('s3://artifacts/churn/r-1/output/model.tar.gz');
  });

  it('tolerates an UPPER_SNAKE status and returns the PascalCase one', () => {
    const event = sample(TRAINING);
    event.detail.TrainingJobStatus = 'IN_PROGRESS';

    const result = parseTrainingJobStateChange(event);

    expect(result.ok && result.value.status).toBe('InProgress');
  });

  it('rejects an unknown status, listing the known ones', () => {
    const event = sample(TRAINING);
    event.detail.TrainingJobStatus = 'Exploded';

    const result = parseTrainingJobStateChange(event);

    expect(!result.ok && result.error).toMatch(
      /detail\.TrainingJobStatus: unknown status "Exploded"; expected one of InProgress, Completed, Failed/,
    );
  });

  it('rejects a time that is neither epoch milliseconds nor ISO-8601', () => {
    const event = sample(TRAINING);
    event.detail.TrainingEndTime = 'soon';

    const result = parseTrainingJobStateChange(event);

    expect(!result.ok && result.error).toMatch(
      /detail\.TrainingEndTime: expected epoch milliseconds or an ISO-8601 time/,
    );
  });

  it('rejects another SageMaker event, naming the detail-type it got', () => {
    const result = parseTrainingJobStateChange(sample(ENDPOINT));

    expect(!result.ok && result.error).toMatch(
      /detail-type: expected "SageMaker Training Job State Change", got "SageMaker Endpoint State Change"/,
    );
  });
});

describe('parseEndpointStateChange', () => {
  it('parses the AWS documentation sample: IN_SERVICE becomes InService, epoch-ms time becomes ISO', () => {
    const result = parseEndpointStateChange(sample(ENDPOINT));

    expect(result).toEqual({
      ok: true,
      value: {
        time: '2020-03-10T09:18:09.050Z',
        region: 'us-west-2',
        account: '123456789012',
        endpointName: 'MyEndpoint',
        endpointArn: 'arn:aws:sagemaker:us-west-2:123456789012:endpoint/myendpoint',
        endpointConfigName: 'MyEndpointConfig',
        status: 'InService',
        productionVariants: [{ desiredWeight: 1, desiredInstanceCount: 1, statuses: [] }],
        tags: {},
        creationTime: '2020-06-17T16:39:52.203Z',
        lastModifiedTime: '2020-06-17T16:39:54.287Z',
      },
    });
  });

  it('keeps the failure reason of a failed endpoint', () => {
    const event = sample(ENDPOINT);
    event.detail.EndpointStatus = 'FAILED';
    event.detail.FailureReason =
      'The primary container for production variant AllTraffic did not pass the ping health check.';

    const result = parseEndpointStateChange(event);

    expect(result.ok && result.value.status).toBe('Failed');
    expect(result.ok && result.value.failureReason).toMatch(/ping health check/);
  });

  it('rejects an unknown endpoint status', () => {
    const event = sample(ENDPOINT);
    event.detail.EndpointStatus = 'ON_FIRE';

    const result = parseEndpointStateChange(event);

    expect(!result.ok && result.error).toMatch(/detail\.EndpointStatus: unknown status "ON_FIRE"/);
  });
});

describe('normaliseEndpointStatus', () => {
  it.each([
    ['OUT_OF_SERVICE', 'OutOfService'],
    ['CREATING', 'Creating'],
    ['UPDATING', 'Updating'],
    ['SYSTEM_UPDATING', 'SystemUpdating'],
    ['ROLLING_BACK', 'RollingBack'],
    ['IN_SERVICE', 'InService'],
    ['DELETING', 'Deleting'],
    ['FAILED', 'Failed'],
    ['UPDATE_ROLLBACK_FAILED', 'UpdateRollbackFailed'],
  ])('maps the event form %s to the API form %s', (event, api) => {
    expect(normaliseEndpointStatus(event)).toBe(api);
  });

  it('maps every API form to itself', () => {
    for (const status of ENDPOINT_STATUSES) expect(normaliseEndpointStatus(status)).toBe(status);
  });

  it('returns undefined for an unknown status', () => {
    expect(normaliseEndpointStatus('IN_ORBIT')).toBeUndefined();
    expect(normaliseTrainingJobStatus('')).toBeUndefined();
  });
});

describe('parseEndpointDeploymentStateChange', () => {
  it.each([CANARY, CAPACITY])('cannot even read %s: the published sample is not JSON', (name) => {
    expect(() => JSON.parse(text(name))).toThrow(SyntaxError);
  });

  it('rejects the unparsed text of a broken sample with a clear error', () => {
    const result = parseEndpointDeploymentStateChange(text(CANARY));

    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^not a valid "SageMaker Endpoint Deployment State Change" event: \(event\): .*expected object/,
      ),
    });
  });

  it('parses the canary sample once repaired, with its pending deployment baking', () => {
    const result = parseEndpointDeploymentStateChange(repaired(CANARY));

    expect(result.ok && result.value.status).toBe('Updating');
    expect(result.ok && result.value.endpointConfigName).toBe('sample-endpoint-config-1');
    expect(result.ok && result.value.pendingDeployment).toEqual({
      endpointConfigName: 'sample-endpoint-config-2',
      startTime: '2021-10-25T20:54:29.000Z',
      productionVariants: [
        {
          variantName: 'AllTraffic',
          currentWeight: 1,
          desiredWeight: 1,
          currentInstanceCount: 1,
          desiredInstanceCount: 3,
          statuses: [
            {
              status: 'Baking',
              message:
                'Baking for 600 seconds (TerminationWaitInSeconds) with traffic enabled on canary capacity of 1 instance(s).',
              startTime: '2021-10-25T20:54:29.181Z',
            },
          ],
        },
      ],
    });
  });

  it('parses the capacity sample once repaired: no pending deployment, the variant is updating', () => {
    const result = parseEndpointDeploymentStateChange(repaired(CAPACITY));

    expect(result.ok && 'pendingDeployment' in result.value).toBe(false);
    expect(result.ok && result.value.productionVariants[0]?.statuses).toEqual([
      {
        status: 'Updating',
        message: 'Scaling out desired instance count to 6.',
        startTime: '2021-10-25T20:54:29.181Z',
      },
    ]);
  });

  it('does not accept an Endpoint State Change as a deployment event', () => {
    expect(parseEndpointDeploymentStateChange(sample(ENDPOINT)).ok).toBe(false);
  });
});

describe('parseModelPackageStateChange', () => {
  it('parses the AWS documentation sample despite its duplicate "source" key', () => {
    const result = parseModelPackageStateChange(sample(MODEL_PACKAGE));

    expect(result).toEqual({
      ok: true,
      value: {
        time: '2021-02-24T17:00:14.000Z',
        region: 'us-east-2',
        account: '123456789012',
        modelPackageGroupName: 'versionedmp-p-idy6c3e1fiqj',
        modelPackageVersion: 2,
        modelPackageArn: 'arn:aws:sagemaker:us-east-2:123456789012:model-package/versionedmp-p-idy6c3e1fiqj/2',
        status: 'Completed',
        approvalStatus: 'Rejected',
        modelDataUrls: [
          's3://sagemaker-project-p-idy6c3e1fiqj/versionedmp-p-idy6c3e1fiqj/AbaloneTrain/pipelines-4r83jejmhorv-TrainAbaloneModel-xw869y8C4a/output/model.tar.gz',
        ],
        customerMetadata: {},
        creationTime: '2021-02-24T17:00:14.000Z',
        lastModifiedTime: '2021-02-24T17:00:14.000Z',
      },
    });
  });

  it('reads customer metadata when the event carries it', () => {
    const event = sample(MODEL_PACKAGE);
    event.detail.CustomerMetadataProperties = { pipeline: 'churn', runId: 'r-1' };

    const result = parseModelPackageStateChange(event);

    expect(result.ok && result.value.customerMetadata).toEqual({ pipeline: 'churn', runId: 'r-1' });
  });

  it('rejects a version that is not a positive integer', () => {
    const event = sample(MODEL_PACKAGE);
    event.detail.ModelPackageVersion = '2';

    expect(parseModelPackageStateChange(event).ok).toBe(false);
  });

  it('rejects an event whose source is not SageMaker', () => {
    expect(parseModelPackageStateChange({ ...sample(MODEL_PACKAGE), source: 'mlops.training' }).ok).toBe(false);
  });
});

describe('SageMaker rule patterns', () => {
  const matches = (pattern: Parameters<typeof toEventBridgePattern>[0], event: unknown): boolean =>
    matchesPattern(toEventBridgePattern(pattern), event);

  it('training: matches a terminal status of a job with a listed name prefix', () => {
    const pattern = trainingJobStateChangePattern(['89c96cc8-', 'churn-'], ['Completed', 'Failed', 'Stopped']);
    const inProgress = sample(TRAINING);
    inProgress.detail.TrainingJobStatus = 'InProgress';
    const otherJob = sample(TRAINING);
    otherJob.detail.TrainingJobName = 'fraud-r-1';

    expect(matches(pattern, sample(TRAINING))).toBe(true);
    expect(matches(pattern, inProgress)).toBe(false);
    expect(matches(pattern, otherJob)).toBe(false);
    expect(matches(pattern, sample(ENDPOINT))).toBe(false);
  });

  it('training: renders the JSON form of REFERENCE 2.2', () => {
    expect(toEventBridgePattern(trainingJobStateChangePattern(['churn-'], ['Completed', 'Failed', 'Stopped']))).toEqual(
      {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Training Job State Change'],
        detail: { TrainingJobStatus: ['Completed', 'Failed', 'Stopped'], TrainingJobName: [{ prefix: 'churn-' }] },
      },
    );
  });

  it('endpoint: matches state changes of the listed endpoints only', () => {
    expect(matches(endpointStateChangePattern(['MyEndpoint']), sample(ENDPOINT))).toBe(true);
    expect(matches(endpointStateChangePattern(['myendpoint']), sample(ENDPOINT))).toBe(false);
    expect(matches(endpointStateChangePattern(['sample-endpoint']), repaired(CANARY))).toBe(false);
  });

  it('endpoint deployment: matches both repaired deployment samples', () => {
    const pattern = endpointDeploymentStateChangePattern(['sample-endpoint']);

    expect(matches(pattern, repaired(CANARY))).toBe(true);
    expect(matches(pattern, repaired(CAPACITY))).toBe(true);
    expect(matches(pattern, sample(ENDPOINT))).toBe(false);
  });

  it('model package: matches approvals in the listed groups, not the rejected sample', () => {
    const pattern = modelPackageApprovedPattern(['versionedmp-p-idy6c3e1fiqj']);
    const approved = sample(MODEL_PACKAGE);
    approved.detail.ModelApprovalStatus = 'Approved';

    expect(matches(pattern, sample(MODEL_PACKAGE))).toBe(false);
    expect(matches(pattern, approved)).toBe(true);
    expect(matches(modelPackageApprovedPattern(['churn-models']), approved)).toBe(false);
  });

  it('fails on empty argument lists', () => {
    expect(() => trainingJobStateChangePattern([], ['Completed'])).toThrow(PatternArgumentError);
    expect(() => trainingJobStateChangePattern(['churn-'], [])).toThrow(/training job statuses/);
    expect(() => endpointStateChangePattern([])).toThrow(PatternArgumentError);
    expect(() => endpointDeploymentStateChangePattern([])).toThrow(PatternArgumentError);
    expect(() => modelPackageApprovedPattern([])).toThrow(PatternArgumentError);
  });
});
