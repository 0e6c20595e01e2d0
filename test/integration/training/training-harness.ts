/**
 * The training tests' local runtime: the stack synthesized for chosen variants of the churn pipeline, provisioned on
 * the run's moto server, with every lifecycle event of those pipelines copied to a queue the test reads.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ListTrainingJobsCommand, type TrainingJobSummary } from '@aws-sdk/client-sagemaker';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { App } from 'aws-cdk-lib';
import { expect, inject } from 'vitest';
import { parseEnvironmentContext } from '../../../functions/config/environment-context';
import { loadPipelines } from '../../../functions/config/load-pipelines';
import type { PipelineConfig } from '../../../functions/config/pipeline-config';
import { toEventBridgePattern } from '../../../functions/events/event-pattern';
import {
  DatasetAccepted,
  LIFECYCLE_EVENTS,
  lifecyclePattern,
  toPutEventsEntry,
} from '../../../functions/events/lifecycle';
import { DatasetStore } from '../../../functions/metadata/dataset-store';
import { EvaluationStore } from '../../../functions/metadata/evaluation-store';
import { TrainingStore } from '../../../functions/metadata/training-store';
import { MlopsStack } from '../../../lib/mlops-stack';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime';
import { churnCsv } from '../../fixtures/churn/small-batch';
import { cdkJsonContext } from '../../infra/cdk-context';
import { MOTO_ENDPOINT_KEY } from '../setup/provided-context';

export const ROOT = path.resolve(import.meta.dirname, '../../..');

/** A lifecycle event as the test's queue received it. */
export interface SeenEvent {
  readonly 'detail-type': string;
  readonly detail: Record<string, unknown>;
}

/**
 * The churn pipeline under another name, prefix and training command (test/fixtures/sagemaker/train-table.ts, whose
 * hyperparameters choose the reported metrics), with no debounce window unless `overrides` sets one.
 */
export function churnVariant(
  name: string,
  hyperparameters: Record<string, string>,
  overrides: { readonly debounceSeconds?: number; readonly gate?: Partial<PipelineConfig['gate']> } = {},
): PipelineConfig {
  const base = loadPipelines(ROOT).find((p) => p.name === 'churn')!;
  return {
    ...base,
    name,
    data: { ...base.data, landingPrefix: `${name}/incoming/`, contract: '../churn/contract.yaml' },
    training: {
      ...base.training,
      hyperparameters,
      debounceSeconds: overrides.debounceSeconds ?? 0,
      window: { lastDatasets: 50 },
      local: { command: ['node', '--import', 'tsx', 'test/fixtures/sagemaker/train-table.ts'] },
    },
    gate: { ...base.gate, ...overrides.gate },
    registry: { approval: 'manual', modelPackageGroupName: name },
    deployment: { ...base.deployment, endpointName: name },
  };
}

export interface TrainingHarness {
  readonly runtime: LocalRuntime;
  /** Every lifecycle event received so far, oldest first. */
  readonly seen: readonly SeenEvent[];
  readonly eventsOf: (pipeline: string, detailType?: string) => SeenEvent[];
  readonly jobsOf: (pipeline: string) => Promise<TrainingJobSummary[]>;
  /** True when none of the pipeline's training jobs is running. */
  readonly allJobsEnded: (pipeline: string) => () => Promise<boolean>;
  /** Delivers events and waits for training jobs (local processes) until `done` holds. */
  readonly settleUntil: (done: () => Promise<boolean>, timeoutMs?: number) => Promise<void>;
  readonly stores: () => {
    training: TrainingStore;
    datasets: DatasetStore;
    evaluations: EvaluationStore;
    client: DynamoDBDocumentClient;
  };
  /** Records an accepted dataset as the contract check would, with its object in the landing bucket. */
  readonly seedDataset: (pipeline: string, index: number) => Promise<string>;
  /** Puts `Dataset Accepted` for each dataset on the project's bus, as the contract check does. */
  readonly announce: (pipeline: string, datasetIds: readonly string[]) => Promise<void>;
  /** The object at `key` of the artifacts bucket, parsed as JSON. */
  readonly artifactJson: (key: string) => Promise<unknown>;
  readonly close: () => Promise<void>;
}

async function listJobs(runtime: LocalRuntime, pipeline: string): Promise<TrainingJobSummary[]> {
  const listed = await runtime.clients.sagemaker.send(
    new ListTrainingJobsCommand({ NameContains: `${pipeline}-dev-`, MaxResults: 100 }),
  );
  return listed.TrainingJobSummaries ?? [];
}

/** Synthesizes `stackName` for `pipelines`, starts the local runtime on it and subscribes to the lifecycle events. */
export async function startTrainingHarness(
  stackName: string,
  pipelines: readonly PipelineConfig[],
): Promise<TrainingHarness> {
  const cdkOut = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-training-test-'));
  const app = new App({
    outdir: cdkOut,
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  new MlopsStack(app, stackName, {
    pipelines,
    environment: parseEnvironmentContext((key) => app.node.tryGetContext(key)),
  });
  app.synth();
  const runtime = await startLocalRuntime({
    projectRoot: ROOT,
    cdkOutDir: cdkOut,
    stackName,
    pipelines,
    motoEndpoint: inject(MOTO_ENDPOINT_KEY),
    retryDelaysMs: [10, 10],
  });
  const bus = runtime.physicalId('DataPlaneBus');
  const queueName = `test-${stackName.toLowerCase()}-events`;
  const eventsQueueUrl =
    (await runtime.clients.sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl ?? '';
  const queueArn = (
    await runtime.clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: eventsQueueUrl, AttributeNames: ['QueueArn'] }),
    )
  ).Attributes?.QueueArn;
  await runtime.clients.eventbridge.send(
    new PutRuleCommand({
      Name: `${queueName}-rule`,
      EventBusName: bus,
      EventPattern: JSON.stringify(
        toEventBridgePattern(
          lifecyclePattern(
            LIFECYCLE_EVENTS,
            pipelines.map((p) => p.name),
          ),
        ),
      ),
    }),
  );
  await runtime.clients.eventbridge.send(
    new PutTargetsCommand({ Rule: `${queueName}-rule`, EventBusName: bus, Targets: [{ Id: 'q', Arn: queueArn }] }),
  );

  const seen: SeenEvent[] = [];
  const drainEvents = async (): Promise<void> => {
    for (;;) {
      const batch = await runtime.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: eventsQueueUrl, MaxNumberOfMessages: 10 }),
      );
      if (!batch.Messages?.length) return;
      seen.push(...batch.Messages.map((m) => JSON.parse(m.Body ?? '{}') as SeenEvent));
    }
  };
  const client = DynamoDBDocumentClient.from(runtime.clients.dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const table = runtime.physicalId('DataPlaneMetadataTable');
  const stores = {
    training: new TrainingStore(client, table),
    datasets: new DatasetStore(client, table),
    evaluations: new EvaluationStore(client, table),
    client,
  };
  const jobsOf = (pipeline: string) => listJobs(runtime, pipeline);

  return {
    runtime,
    seen,
    eventsOf: (pipeline, detailType) =>
      seen.filter(
        (e) => e.detail.pipeline === pipeline && (detailType === undefined || e['detail-type'] === detailType),
      ),
    jobsOf,
    allJobsEnded: (pipeline) => async () =>
      (await jobsOf(pipeline)).every((j) => j.TrainingJobStatus !== 'InProgress' && j.TrainingJobStatus !== 'Stopping'),
    async settleUntil(done, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await runtime.settle();
        await drainEvents();
        if (await done()) return;
        if (Date.now() > deadline) {
          const history = runtime.dispatcher.history.map(
            (d) => `${d.functionLogicalId} ${d.source}: ${JSON.stringify(d.outcome).slice(0, 400)}`,
          );
          throw new Error(`timed out waiting for the training flow; deliveries:\n${history.slice(-12).join('\n')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    },
    stores: () => stores,
    async seedDataset(pipeline, index) {
      const bucket = runtime.physicalId('DataPlaneLandingBucket');
      const key = `seed/${pipeline}/batch-${index}.csv`; // outside every landing prefix: no contract check runs
      await runtime.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: churnCsv(120, index + 1) }));
      const receivedAt = new Date(Date.UTC(2026, 10, 1, 0, index)).toISOString();
      const datasetId = `ds-${pipeline}-${String(index).padStart(3, '0')}`;
      await stores.datasets.recordOnce(
        `s3://${bucket}/${key}#${index}`,
        {
          pipeline,
          datasetId,
          status: 'accepted',
          bucket,
          key,
          size: 1000,
          rows: 120,
          contractId: 'c',
          contractVersion: '1',
          reportKey: `reports/${pipeline}/${datasetId}/report.json`,
          receivedAt,
          checkedAt: receivedAt,
        },
        undefined,
      );
      return datasetId;
    },
    async announce(pipeline, datasetIds) {
      const entries = datasetIds.map((datasetId) =>
        toPutEventsEntry(
          DatasetAccepted,
          {
            pipeline,
            datasetId,
            bucket: runtime.physicalId('DataPlaneLandingBucket'),
            key: `seed/${pipeline}/${datasetId}.csv`,
            rows: 120,
            contractId: 'c',
            contractVersion: '1',
            reportKey: `reports/${pipeline}/${datasetId}/report.json`,
          },
          bus,
        ),
      );
      for (let i = 0; i < entries.length; i += 10) {
        const result = await runtime.clients.eventbridge.send(
          new PutEventsCommand({ Entries: entries.slice(i, i + 10) }),
        );
        expect(result.FailedEntryCount ?? 0).toBe(0);
      }
    },
    async artifactJson(key) {
      const object = await runtime.clients.s3.send(
        new GetObjectCommand({ Bucket: runtime.physicalId('DataPlaneArtifactsBucket'), Key: key }),
      );
      return JSON.parse((await object.Body?.transformToString()) ?? '');
    },
    async close() {
      await runtime.close();
      fs.rmSync(cdkOut, { recursive: true, force: true });
    },
  };
}
