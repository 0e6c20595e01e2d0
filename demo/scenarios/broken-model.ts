/**
 * Scenario 5: a deliberately broken model is approved. A data scientist trains a model by hand whose artifact is
 * cut in half (`corrupt_model=truncated`: its metrics look fine, but the server cannot load it), registers it for
 * manual approval, and an operator approves it with `mlops approve`. The guarded deployment starts the new fleet,
 * the fleet never passes its health check, SageMaker rolls back, and the champion keeps serving.
 */
import {
  CreateModelPackageCommand,
  CreateTrainingJobCommand,
  DescribeEndpointCommand,
  DescribeModelPackageCommand,
  DescribeTrainingJobCommand,
  type TrainingInstanceType,
} from '@aws-sdk/client-sagemaker';
import * as z from 'zod';
import {
  DeploymentFailed,
  DeploymentRolledBack,
  DeploymentStarted,
  DeploymentSucceeded,
  TrainingStarted,
} from '../../functions/events/lifecycle';
import { PIPELINE_TAG } from '../../local/sagemaker/pipeline-commands';
import type { DemoContext } from '../demo-context';
import { predictChurn } from '../endpoint-traffic';
import { pipelineRecords } from '../metadata-records';
import { mlopsCommand, runMlops } from '../mlops-cli';
import { DemoExpectationError, expectThat } from '../progress';
import type { Scenario } from '../scenario';

export interface BrokenModelOutcome {
  readonly trainingJobName: string;
  readonly modelVersion: number;
  readonly modelPackageArn: string;
  /** `Deployment Rolled Back` or `Deployment Failed`. */
  readonly deploymentOutcome: string;
  readonly reason: string;
  readonly championVersion: number;
  readonly scores: readonly number[];
}

const ApproveOutputSchema = z.object({ modelVersion: z.number(), changed: z.boolean(), deploys: z.boolean() });

export const brokenModel: Scenario<BrokenModelOutcome> = {
  number: 5,
  title: 'A broken model is approved: its deployment rolls back, the champion keeps serving',
  async run(context) {
    const { progress, runtime, outputs, pipeline } = context;
    const { sagemaker } = runtime.clients;
    const before = await context.deployments.getState(pipeline.name);
    const champion = before.champion;
    if (champion === undefined) throw new DemoExpectationError('there is no champion to protect (scenario 1 first)');
    const since = context.events.count;

    const job = await progress.step(
      'a data scientist trains a model by hand with corrupt_model=truncated',
      async () => {
        const image = await championImage(context, champion.modelPackageArn);
        const dataset = (
          await pipelineRecords(context.documents, outputs.metadataTableName, pipeline.name, 'DATASET')
        ).find((d) => d.status === 'accepted');
        if (dataset?.key === undefined) throw new DemoExpectationError('no accepted dataset to train on');
        // Not `<pipeline>-<stage>-…`: the pipeline's gate only judges the runs it started itself.
        const name = `${pipeline.name}-experiment-${Date.now().toString(36)}`;
        await sagemaker.send(
          new CreateTrainingJobCommand({
            TrainingJobName: name,
            RoleArn: outputs.sageMakerExecutionRoleArn,
            AlgorithmSpecification: {
              TrainingImage: image,
              TrainingInputMode: 'File',
              MetricDefinitions: pipeline.training.metricDefinitions.map((d) => ({ Name: d.name, Regex: d.regex })),
            },
            HyperParameters: { ...pipeline.training.hyperparameters, corrupt_model: 'truncated' },
            InputDataConfig: [
              {
                ChannelName: 'train',
                DataSource: {
                  S3DataSource: {
                    S3DataType: 'S3Prefix',
                    S3Uri: `s3://${outputs.landingBucketName}/${dataset.key}`,
                  },
                },
              },
            ],
            OutputDataConfig: { S3OutputPath: `s3://${outputs.artifactsBucketName}/experiments/${pipeline.name}` },
            ResourceConfig: {
              // pipeline.yaml's instance type was validated as an `ml.*` type at synth; the SDK types it as a union.
              InstanceType: pipeline.training.instanceType as TrainingInstanceType,
              InstanceCount: 1,
              VolumeSizeInGB: 10,
            },
            StoppingCondition: { MaxRuntimeInSeconds: 3600 },
            Tags: [{ Key: PIPELINE_TAG, Value: pipeline.name }],
          }),
        );
        const described = await context.until(`training job ${name}`, async () => {
          const current = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
          return current.TrainingJobStatus === 'InProgress' || current.TrainingJobStatus === 'Stopping'
            ? undefined
            : current;
        });
        expectThat(
          described.TrainingJobStatus === 'Completed',
          `the job ended ${described.TrainingJobStatus}: ${described.FailureReason}`,
        );
        const modelDataUrl = described.ModelArtifacts?.S3ModelArtifacts;
        if (modelDataUrl === undefined) throw new DemoExpectationError(`${name} left no model artifact`);
        const auc = described.FinalMetricDataList?.find((m) => m.MetricName === pipeline.gate.metric)?.Value;
        expectThat(
          context.events.events(TrainingStarted, since).length === 0,
          'the hand-made job started a pipeline run',
        );
        return { name, image, modelDataUrl, auc };
      },
      ({ name, auc }) => ({
        result: `${pipeline.gate.metric} ${auc?.toFixed(3) ?? '?'}: looks fine, but model.json is cut in half`,
        lookAt: [`training job ${name}`],
      }),
    );

    const registered = await progress.step(
      'it is registered by hand, pending manual approval',
      async () => {
        const created = await sagemaker.send(
          new CreateModelPackageCommand({
            ModelPackageGroupName: pipeline.registry.modelPackageGroupName,
            ModelPackageDescription: `trained by hand (${job.name}) with corrupt_model=truncated`,
            ModelApprovalStatus: 'PendingManualApproval',
            InferenceSpecification: {
              Containers: [{ Image: job.image, ModelDataUrl: job.modelDataUrl }],
              SupportedContentTypes: ['text/csv'],
              SupportedResponseMIMETypes: ['text/csv'],
            },
          }),
        );
        const arn = created.ModelPackageArn ?? '';
        const version = Number(arn.split('/').at(-1));
        expectThat(Number.isInteger(version) && version > champion.modelVersion, `unexpected package ARN ${arn}`);
        await runtime.settle();
        await context.events.drain();
        expectThat(
          context.events.events(DeploymentStarted, since).length === 0,
          'a deployment started before anyone approved the model',
        );
        return { arn, version };
      },
      ({ version }) => ({
        result: `v${version}`,
        lookAt: [mlopsCommand(`status ${pipeline.name}`)],
      }),
    );

    await progress.step(
      `an operator approves it: mlops approve ${pipeline.name} ${registered.version}`,
      async () => {
        const result = await runMlops(context, ['approve', pipeline.name, String(registered.version), '--json']);
        expectThat(result.exitCode === 0, `mlops approve exited ${result.exitCode}: ${result.stderr.trim()}`);
        const output = ApproveOutputSchema.parse(JSON.parse(result.stdout));
        expectThat(output.changed && output.deploys, `mlops approve says: ${result.stdout.trim()}`);
        return output;
      },
      () => ({ result: 'its guarded deployment follows (canary, rollback alarms)' }),
    );

    const concluded = await progress.step(
      `the new fleet never gets healthy: v${registered.version} is rolled back`,
      async () => {
        const ended = await context.until(`the end of the deployment of v${registered.version}`, () => {
          const ofVersion = <T extends { detail: { modelVersion: number } }>(events: T[]) =>
            events.find((e) => e.detail.modelVersion === registered.version);
          const succeeded = ofVersion(context.events.events(DeploymentSucceeded, since));
          if (succeeded !== undefined) {
            throw new DemoExpectationError(`the broken v${registered.version} was deployed as the champion`);
          }
          const rolledBack = ofVersion(context.events.events(DeploymentRolledBack, since));
          if (rolledBack !== undefined) return { outcome: DeploymentRolledBack.detailType, detail: rolledBack.detail };
          const failed = ofVersion(context.events.events(DeploymentFailed, since));
          return failed === undefined ? undefined : { outcome: DeploymentFailed.detailType, detail: failed.detail };
        });
        const state = await context.deployments.getState(pipeline.name);
        expectThat(
          state.champion?.modelVersion === champion.modelVersion,
          `the champion is v${state.champion?.modelVersion}, not v${champion.modelVersion}`,
        );
        expectThat(state.inFlight === undefined, 'a deployment is still in flight');
        return ended;
      },
      ({ outcome, detail }) => ({ result: outcome, lookAt: [detail.reason] }),
    );

    const serving = await progress.step(
      `the champion v${champion.modelVersion} keeps serving`,
      async () => {
        const endpoint = await sagemaker.send(
          new DescribeEndpointCommand({ EndpointName: pipeline.deployment.endpointName }),
        );
        expectThat(endpoint.EndpointStatus === 'InService', `the endpoint is ${endpoint.EndpointStatus}`);
        expectThat(
          endpoint.EndpointConfigName === champion.endpointConfigName,
          `the endpoint serves ${endpoint.EndpointConfigName}, not the champion's ${champion.endpointConfigName}`,
        );
        return predictChurn(context, 55, 20);
      },
      (scores) => ({
        result: `20 of 20 InvokeEndpoint calls answered, e.g. ${scores
          .slice(0, 3)
          .map((s) => s.toFixed(2))
          .join(' ')}`,
        lookAt: [mlopsCommand(`status ${pipeline.name}`)],
      }),
    );

    return {
      trainingJobName: job.name,
      modelVersion: registered.version,
      modelPackageArn: registered.arn,
      deploymentOutcome: concluded.outcome,
      reason: concluded.detail.reason,
      championVersion: champion.modelVersion,
      scores: serving,
    };
  },
};

/** The image of the champion's package: the broken model is served by the same container. */
async function championImage(context: DemoContext, modelPackageArn: string): Promise<string> {
  const described = await context.runtime.clients.sagemaker.send(
    new DescribeModelPackageCommand({ ModelPackageName: modelPackageArn }),
  );
  const image = described.InferenceSpecification?.Containers?.[0]?.Image;
  if (image === undefined) throw new DemoExpectationError(`the champion's package ${modelPackageArn} has no image`);
  return image;
}
