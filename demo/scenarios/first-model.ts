/**
 * Scenario 1: a first batch arrives, passes its contract, trains, passes the gate, is registered and auto-approved,
 * and is deployed; the endpoint serves the champion.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, DescribeModelPackageCommand } from '@aws-sdk/client-sagemaker';
import * as z from 'zod';
import {
  DatasetAccepted,
  DatasetRejected,
  DeploymentFailed,
  DeploymentRolledBack,
  DeploymentSucceeded,
  ModelRegistered,
  ModelRejected,
  TrainingFailed,
  TrainingSucceeded,
} from '../../functions/events/lifecycle';
import { goodBatch } from '../../pipelines/churn/world/batch-files';
import { predictChurn } from '../endpoint-traffic';
import { pipelineRecords } from '../metadata-records';
import { mlopsCommand } from '../mlops-cli';
import { DemoExpectationError, expectThat } from '../progress';
import { readJsonObject, s3Uri } from '../s3-objects';
import type { Scenario } from '../scenario';

/** What scenario 1 established. */
export interface FirstModelOutcome {
  readonly datasetId: string;
  readonly landingKey: string;
  readonly trainingJobName: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly modelVersion: number;
  readonly modelPackageArn: string;
  readonly endpointConfigName: string;
  readonly scores: readonly number[];
}

/** Seed of the first batch: 20,000 rows of the steady market (validation AUC about 0.81). */
const BATCH_SEED = 1;

const ReportSchema = z.looseObject({ status: z.string(), rows: z.number() });

export const firstModel: Scenario<FirstModelOutcome> = {
  number: 1,
  title: 'A first batch becomes the serving champion',
  async run(context) {
    const { progress, runtime, outputs, pipeline } = context;
    const batch = goodBatch(BATCH_SEED);
    const landingKey = `${pipeline.data.landingPrefix}${batch.name}`;
    const since = context.events.count;

    await progress.step(
      `a batch of ${batch.rows.length.toLocaleString('en')} customers lands in the landing bucket`,
      () =>
        runtime.clients.s3.send(
          new PutObjectCommand({
            Bucket: outputs.landingBucketName,
            Key: landingKey,
            Body: batch.bytes,
            ContentType: batch.contentType,
          }),
        ),
      () => ({ lookAt: [s3Uri(outputs.landingBucketName, landingKey)] }),
    );

    const accepted = await progress.step(
      'the contract check accepts it',
      async () => {
        const verdict = await context.until('the contract check of the batch', () => {
          const rejected = context.events.events(DatasetRejected, since).find((e) => e.detail.key === landingKey);
          if (rejected !== undefined) {
            const first = rejected.detail.failedChecks[0];
            throw new DemoExpectationError(
              `the good batch was rejected: ${rejected.detail.failedCheckCount} failed checks, first: ${first?.name}`,
            );
          }
          return context.events.events(DatasetAccepted, since).find((e) => e.detail.key === landingKey);
        });
        const report = ReportSchema.parse(
          await readJsonObject(runtime.clients.s3, outputs.artifactsBucketName, verdict.detail.reportKey),
        );
        expectThat(report.status === 'accepted', `the contract report says ${report.status}, not accepted`);
        const records = await pipelineRecords(context.documents, outputs.metadataTableName, pipeline.name, 'DATASET');
        const record = records.find((r) => r.datasetId === verdict.detail.datasetId);
        expectThat(record?.status === 'accepted', `dataset ${verdict.detail.datasetId} is not recorded as accepted`);
        return verdict.detail;
      },
      (detail) => ({
        result: `${detail.rows.toLocaleString('en')} rows, contract ${detail.contractId} v${detail.contractVersion}`,
        lookAt: [`contract report: ${s3Uri(outputs.artifactsBucketName, detail.reportKey)}`],
      }),
    );

    const trained = await progress.step(
      'a training job runs on it (the local training command)',
      async () => {
        const ended = await context.until('the end of the training job', () => {
          const ofDataset = <T extends { detail: { datasetIds: readonly string[] } }>(events: T[]) =>
            events.find((e) => e.detail.datasetIds.includes(accepted.datasetId));
          const failed = ofDataset(context.events.events(TrainingFailed, since));
          if (failed !== undefined) throw new DemoExpectationError(`training failed: ${failed.detail.reason}`);
          return ofDataset(context.events.events(TrainingSucceeded, since));
        });
        return ended.detail;
      },
      (detail) => ({
        result: formatMetrics(detail.metrics),
        lookAt: [`training job ${detail.trainingJobName}`, mlopsCommand(`runs ${pipeline.name}`)],
      }),
    );

    const registered = await progress.step(
      'the quality gate passes; the model is registered and auto-approved',
      async () => {
        const judged = await context.until('the quality gate', () => {
          const rejected = context.events.events(ModelRejected, since).find((e) => e.detail.runId === trained.runId);
          if (rejected !== undefined) {
            throw new DemoExpectationError(`the gate rejected the model: ${rejected.detail.reasons.join('; ')}`);
          }
          return context.events.events(ModelRegistered, since).find((e) => e.detail.runId === trained.runId);
        });
        const detail = judged.detail;
        expectThat(detail.approvalStatus === 'Approved', `v${detail.modelVersion} is ${detail.approvalStatus}`);
        const described = await runtime.clients.sagemaker.send(
          new DescribeModelPackageCommand({ ModelPackageName: detail.modelPackageArn }),
        );
        expectThat(
          described.ModelApprovalStatus === 'Approved',
          `the registry has v${detail.modelVersion} as ${described.ModelApprovalStatus}, not Approved`,
        );
        const models = await pipelineRecords(context.documents, outputs.metadataTableName, pipeline.name, 'MODEL');
        expectThat(
          models.some((m) => m.modelVersion === detail.modelVersion),
          `model v${detail.modelVersion} is not recorded in the metadata table`,
        );
        return detail;
      },
      (detail) => ({
        result: `v${detail.modelVersion} in ${detail.modelPackageGroupName}: ${gateSummary(detail.comparison)}`,
        lookAt: [mlopsCommand(`lineage ${pipeline.name} ${detail.modelVersion}`)],
      }),
    );

    const deployed = await progress.step(
      `v${registered.modelVersion} is deployed: the endpoint is InService with the champion`,
      async () => {
        const ended = await context.until(`the deployment of v${registered.modelVersion}`, () => {
          const ofVersion = <T extends { detail: { modelVersion: number } }>(events: T[]) =>
            events.find((e) => e.detail.modelVersion === registered.modelVersion);
          const failed =
            ofVersion(context.events.events(DeploymentFailed, since)) ??
            ofVersion(context.events.events(DeploymentRolledBack, since));
          if (failed !== undefined)
            throw new DemoExpectationError(`deployment did not succeed: ${failed.detail.reason}`);
          return ofVersion(context.events.events(DeploymentSucceeded, since));
        });
        const state = await context.deployments.getState(pipeline.name);
        expectThat(
          state.champion?.modelVersion === registered.modelVersion,
          `the champion is ${state.champion === undefined ? 'none' : `v${state.champion.modelVersion}`}, not v${registered.modelVersion}`,
        );
        const endpoint = await runtime.clients.sagemaker.send(
          new DescribeEndpointCommand({ EndpointName: pipeline.deployment.endpointName }),
        );
        expectThat(endpoint.EndpointStatus === 'InService', `the endpoint is ${endpoint.EndpointStatus}`);
        expectThat(
          endpoint.EndpointConfigName === state.champion.endpointConfigName,
          `the endpoint serves ${endpoint.EndpointConfigName}, not the champion's ${state.champion.endpointConfigName}`,
        );
        const scores = await predictChurn(context, 11, 5);
        return { endpointConfigName: state.champion.endpointConfigName, scores, detail: ended.detail };
      },
      ({ scores, detail }) => ({
        result: `${detail.endpointName}, churn probabilities ${scores.map((s) => s.toFixed(2)).join(' ')}`,
        lookAt: [mlopsCommand(`status ${pipeline.name}`)],
      }),
    );

    return {
      datasetId: accepted.datasetId,
      landingKey,
      trainingJobName: trained.trainingJobName,
      metrics: trained.metrics,
      modelVersion: registered.modelVersion,
      modelPackageArn: registered.modelPackageArn,
      endpointConfigName: deployed.endpointConfigName,
      scores: deployed.scores,
    };
  },
};

function formatMetrics(metrics: Readonly<Record<string, number>>): string {
  return Object.entries(metrics)
    .map(([name, value]) => `${name} ${value.toFixed(3)}`)
    .join(', ');
}

function gateSummary(comparison: {
  metric: string;
  value: number;
  minimum?: number | undefined;
  championValue?: number | undefined;
}): string {
  const against =
    comparison.championValue === undefined
      ? `no champion yet, minimum ${comparison.minimum ?? '-'}`
      : `champion ${comparison.championValue.toFixed(3)}`;
  return `${comparison.metric} ${comparison.value.toFixed(3)} (${against})`;
}
