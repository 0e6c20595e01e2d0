import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTrainingJobCommand, SageMakerClient, SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadPipelines } from '../../../functions/config/load-pipelines';
import type { RunRecord, TrainingState, TrainingStore } from '../../../functions/metadata/training-store';
import { TrainingRuns } from '../../../functions/train/training-runs';
import { PROJECT_ROOT } from '../../infra/cdk-context';

/** The table as far as a start needs it, in memory: one pipeline's state and runs. */
class MemoryStore {
  public state_: { -readonly [K in keyof TrainingState]: TrainingState[K] } = {};
  public runs_ = new Map<string, RunRecord>();
  public triggers = new Set<string>();
  state = (): Promise<TrainingState> => Promise.resolve({ ...this.state_ });
  recordTrigger = (_p: string, id: string): Promise<'recorded' | 'duplicate'> => {
    if (this.triggers.has(id)) return Promise.resolve('duplicate');
    this.triggers.add(id);
    this.state_.retrainPending = true;
    return Promise.resolve('recorded');
  };
  openDebounce = (_p: string, now: Date, seconds: number): Promise<boolean> => {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if ((this.state_.debounceUntil ?? 0) > nowSeconds) return Promise.resolve(false);
    this.state_.debounceUntil = nowSeconds + seconds;
    return Promise.resolve(true);
  };
  closeDebounce = (_p: string, now: Date): Promise<void> => {
    if ((this.state_.debounceUntil ?? Infinity) <= Math.floor(now.getTime() / 1000) + 1)
      delete this.state_.debounceUntil;
    return Promise.resolve();
  };
  claimSlot = (run: RunRecord, now: Date): Promise<'claimed' | 'busy'> => {
    const windowOpen = (this.state_.debounceUntil ?? 0) > Math.floor(now.getTime() / 1000);
    if (!this.state_.retrainPending || this.state_.trainingRunId || windowOpen) return Promise.resolve('busy');
    Object.assign(this.state_, { trainingRunId: run.runId, trainingRunStatus: 'starting', retrainPending: false });
    this.runs_.set(run.runId, { ...run, status: 'starting' });
    return Promise.resolve('claimed');
  };
  acceptedDatasets = () =>
    Promise.resolve([
      {
        datasetId: 'ds-1',
        bucket: 'landing',
        key: 'churn/incoming/a.csv',
        receivedAt: '2026-11-23T00:00:00.000Z',
        rows: 10,
        sortKey: 'DATASET#1',
      },
    ]);
  transitionRun = (run: RunRecord, from: string[], status: RunRecord['status'], fields = {}): Promise<boolean> => {
    const current = this.runs_.get(run.runId)!;
    if (!from.includes(current.status)) return Promise.resolve(false);
    this.runs_.set(run.runId, { ...current, ...fields, status });
    return Promise.resolve(true);
  };
  markSlotTraining = () => Promise.resolve();
  releaseSlot = (_p: string, runId: string) => {
    const released = this.state_.trainingRunId === runId;
    if (released) delete this.state_.trainingRunId;
    return Promise.resolve({ released, retrainPending: this.state_.retrainPending === true });
  };
  run = (runId: string) => Promise.resolve(this.runs_.get(runId));
}

const sagemaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
const events = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
const churn = loadPipelines(PROJECT_ROOT).find((p) => p.name === 'churn')!;
const debounced = { ...churn, name: 'burst', training: { ...churn.training, debounceSeconds: 60 } };
let store: MemoryStore;
let runs: TrainingRuns;
let clock: Date;

const fault = (name: string, status: number) =>
  new SageMakerServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} happened`,
  });

beforeEach(() => {
  sagemaker.reset();
  s3.reset();
  events.reset();
  sqs.reset();
  clock = new Date('2026-11-23T10:00:00.000Z');
  s3.on(PutObjectCommand).resolves({});
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
  store = new MemoryStore();
  runs = new TrainingRuns({
    store: store as unknown as TrainingStore,
    evaluations: { recent: () => Promise.resolve([]) },
    s3: new S3Client({}),
    sagemaker: new SageMakerClient({}),
    events: new EventBridgeClient({}),
    sqs: new SQSClient({}),
    environment: {
      stage: 'dev',
      region: 'eu-west-1',
      roleArn: 'arn:aws:iam::123456789012:role/sm',
      artifactsBucket: 'artifacts',
      landingBucket: 'landing',
      kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/k',
      networkIsolation: false,
    },
    busName: 'bus',
    debounceQueueUrl: 'https://sqs/q',
    pipelines: [churn, debounced],
    now: () => clock,
  });
});

const sentEvents = () =>
  events.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.[0]?.DetailType);

describe('training start faults', () => {
  it('fails the run at once on a ValidationException: clear event, slot released, no retry', async () => {
    sagemaker.on(CreateTrainingJobCommand).rejects(fault('ValidationException', 400));
    const outcome = await runs.trigger(churn, 'ds-1');
    expect(outcome).toMatchObject({
      kind: 'failed',
      reason: expect.stringContaining('SageMaker refused the training job: ValidationException happened'),
    });
    expect(sentEvents()).toEqual(['Training Failed']);
    expect(store.state_.trainingRunId).toBeUndefined();
    expect([...store.runs_.values()][0]).toMatchObject({ status: 'failed' });
  });

  it.each([
    ['ThrottlingException', 400],
    ['ResourceLimitExceeded', 400],
    ['InternalFailure', 500],
  ])(
    'rethrows %s so Lambda retries with backoff and then dead-letters, keeping the slot for the retry',
    async (name, status) => {
      sagemaker.on(CreateTrainingJobCommand).rejects(fault(name, status));
      await expect(runs.trigger(churn, 'ds-1')).rejects.toThrow(`${name} happened`);
      expect(sentEvents()).toEqual([]);
      expect(store.state_.trainingRunId).toBeDefined();
      expect([...store.runs_.values()][0]).toMatchObject({ status: 'starting', manifestKey: expect.any(String) });
    },
  );

  it('treats ResourceInUse as the job created by an earlier attempt', async () => {
    sagemaker.on(CreateTrainingJobCommand).rejects(fault('ResourceInUse', 400));
    const outcome = await runs.trigger(churn, 'ds-1');
    expect(outcome).toMatchObject({ kind: 'started' });
    expect(sentEvents()).toEqual(['Training Started']);
  });

  it('sends the job SageMaker expects: manifest input, spot with checkpoints, KMS, tags', async () => {
    sagemaker.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn' });
    await runs.trigger(churn, 'ds-1');
    const request = sagemaker.commandCalls(CreateTrainingJobCommand)[0]!.args[0].input;
    expect(request.TrainingJobName).toMatch(/^churn-dev-\d{8}t\d{6}-[0-9a-f]{4}$/);
    expect(request.AlgorithmSpecification?.TrainingImage).toBe(
      '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1',
    );
    expect(request.InputDataConfig?.[0]?.DataSource?.S3DataSource).toMatchObject({ S3DataType: 'ManifestFile' });
    expect(request).toMatchObject({
      EnableManagedSpotTraining: true,
      StoppingCondition: { MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 },
      OutputDataConfig: { KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k' },
      ResourceConfig: { VolumeKmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k' },
    });
    expect(request.CheckpointConfig?.S3Uri).toMatch(/^s3:\/\/artifacts\/checkpoints\/churn\//);
    expect(request.Tags).toEqual(expect.arrayContaining([{ Key: 'mlops:datasets', Value: 'ds-1' }]));
  });
});

describe('debounce faults', () => {
  const delays = () => sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input.DelaySeconds);

  it('schedules the end of the window again when the trigger that opened it is redelivered after a failed send', async () => {
    sagemaker.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn' });
    sqs.on(SendMessageCommand).rejectsOnce(new Error('SQS throttled')).resolves({ MessageId: 'm' });
    await expect(runs.trigger(debounced, 'ds-1')).rejects.toThrow('SQS throttled');
    expect(store.state_.debounceUntil).toBe(Math.floor(clock.getTime() / 1000) + 60);

    clock = new Date(clock.getTime() + 15_000); // Lambda's retry, 15 s later
    expect(await runs.trigger(debounced, 'ds-1')).toMatchObject({ kind: 'pending' });
    expect(delays()).toEqual([60, 45]);

    clock = new Date(clock.getTime() + 45_000);
    expect(await runs.debounceElapsed(debounced)).toMatchObject({ kind: 'started' });
    expect(sagemaker.commandCalls(CreateTrainingJobCommand)).toHaveLength(1);
  });

  it('sends no second end for a trigger that arrives while the window is open', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    expect(await runs.trigger(debounced, 'ds-1')).toMatchObject({ kind: 'pending' });
    clock = new Date(clock.getTime() + 5_000);
    expect(await runs.trigger(debounced, 'ds-2')).toMatchObject({ kind: 'pending' });
    expect(delays()).toEqual([60]);
    expect(sagemaker.commandCalls(CreateTrainingJobCommand)).toHaveLength(0);
  });
});
