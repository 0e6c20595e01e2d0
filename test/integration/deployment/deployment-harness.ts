/**
 * The deployment capability on the local runtime: a stack of the real data plane, observability and Deployment
 * constructs for two test pipelines served by the SageMaker fixture (`test/fixtures/sagemaker/serve.ts`, which
 * predicts the `positiveRate` of its `model.json`), plus helpers to register packages, drive the runtime until
 * deployments end, and read what happened (bus events, state, endpoint).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { App, Stack } from 'aws-cdk-lib';
import { parsePipelineConfig } from '../../../functions/config/load-pipelines';
import type { PipelineConfig } from '../../../functions/config/pipeline-config';
import { endpointDeploymentStateChangePattern } from '../../../functions/events/aws-sagemaker';
import { toEventBridgePattern, type EventPattern } from '../../../functions/events/event-pattern';
import {
  DeploymentFailed,
  DeploymentRolledBack,
  DeploymentStarted,
  DeploymentSucceeded,
  lifecyclePattern,
} from '../../../functions/events/lifecycle';
import { DeploymentStore } from '../../../functions/metadata/deployment-store';
import { DataPlane } from '../../../lib/data-plane';
import { Deployment } from '../../../lib/deployment';
import { Observability } from '../../../lib/observability';
import { addStackOutputs } from '../../../lib/stack-outputs';
import { startLocalRuntime, type LocalRuntime } from '../../../local/runtime';
import { packFolder } from '../../../local/sagemaker/model-archive';
import { cdkJsonContext } from '../../infra/cdk-context';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const STAGE = 'itest';
export const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';

/**
 * `pipeline.yaml` of a pipeline served by the fixture: canary 50 % on one instance, a "300 s" bake and "60 s"
 * termination wait (3 s and 0.6 s at the runtime's time factor), two previous champions kept, rollback on degradation.
 */
export function testPipelineYaml(name: string): string {
  return `
problemType: binary
target: label
data: { landingPrefix: ${name}/incoming/ }
training:
  image: xgboost
  instanceType: ml.m5.large
  metricDefinitions: [{ name: 'validation:auc', regex: 'validation-auc:([0-9.]+)' }]
gate: { metric: 'validation:auc', direction: maximize }
deployment:
  instanceType: ml.m5.large
  instanceCount: 1
  dataCapture: { samplingPercentage: 100 }
  strategy: { type: canary, canaryPercent: 50, waitSeconds: 300, terminationWaitSeconds: 60 }
  keepPrevious: 2
  local: { command: ['node', '--import', 'tsx', 'test/fixtures/sagemaker/serve.ts'] }
evaluation:
  schedule: rate(1 hour)
  degradation: { metric: roc_auc, minimum: 0.6 }
  onDegradation: rollback
`;
}

/** The parsed {@link testPipelineYaml}. */
export function testPipeline(name: string): PipelineConfig {
  return parsePipelineConfig(testPipelineYaml(name), `pipelines/${name}/pipeline.yaml`, name);
}

/** A received event, as the test queues get it. */
export interface ReceivedEvent {
  readonly 'detail-type': string;
  readonly detail: Record<string, unknown>;
}

/** One local runtime with the deployment stack, for one test file. */
export class DeploymentHarness {
  private workDir = '';
  private lifecycleQueueUrl = '';
  private progressQueueUrl = '';
  public runtime!: LocalRuntime;
  public store!: DeploymentStore;

  public constructor(public readonly pipelines: readonly PipelineConfig[]) {}

  public async start(motoEndpoint: string): Promise<void> {
    this.workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-deployment-test-'));
    const cdkOut = path.join(this.workDir, 'cdk.out');
    const app = new App({
      outdir: cdkOut,
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: false,
    });
    const stack = new Stack(app, 'DeploymentLocal');
    const dataPlane = new DataPlane(stack, 'DataPlane', { stage: STAGE });
    addStackOutputs(stack, dataPlane);
    const observability = new Observability(stack, 'Observability', { stage: STAGE, encryptionKey: dataPlane.key });
    new Deployment(stack, 'Deployment', {
      dataPlane,
      observability,
      stage: STAGE,
      pipelines: this.pipelines,
      environment: { networkIsolation: false },
    });
    app.synth();
    this.runtime = await startLocalRuntime({
      projectRoot: ROOT,
      cdkOutDir: cdkOut,
      motoEndpoint,
      pipelines: this.pipelines,
      timeFactor: 0.01,
      retryDelaysMs: [200, 400],
      workDir: path.join(this.workDir, 'runtime'),
    });
    this.store = new DeploymentStore(
      DynamoDBDocumentClient.from(this.runtime.clients.dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
      this.runtime.physicalId('DataPlaneMetadataTable'),
    );
    const names = this.pipelines.map((p) => p.name);
    this.lifecycleQueueUrl = await this.captureEvents(
      'test-deployment-events',
      this.runtime.physicalId('DataPlaneBus'),
      lifecyclePattern([DeploymentStarted, DeploymentSucceeded, DeploymentFailed, DeploymentRolledBack], names),
    );
    this.progressQueueUrl = await this.captureEvents(
      'test-deployment-progress',
      'default',
      endpointDeploymentStateChangePattern(this.pipelines.map((p) => p.deployment.endpointName)),
    );
    for (const name of names) {
      await this.runtime.clients.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: name }));
    }
  }

  public async stop(): Promise<void> {
    await this.runtime?.close();
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }

  /** A rule on `bus` with an SQS target, so the test sees what matches `pattern`. */
  private async captureEvents(queueName: string, bus: string, pattern: EventPattern): Promise<string> {
    const { sqs, eventbridge } = this.runtime.clients;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl ?? '';
    const queueArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    await eventbridge.send(
      new PutRuleCommand({
        Name: queueName,
        EventBusName: bus,
        EventPattern: JSON.stringify(toEventBridgePattern(pattern)),
      }),
    );
    await eventbridge.send(
      new PutTargetsCommand({ Rule: queueName, EventBusName: bus, Targets: [{ Id: 'q', Arn: queueArn }] }),
    );
    return queueUrl;
  }

  private async drain(queueUrl: string): Promise<ReceivedEvent[]> {
    const all: ReceivedEvent[] = [];
    for (;;) {
      const batch = await this.runtime.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
      );
      if (!batch.Messages?.length) return all;
      all.push(...batch.Messages.map((m): ReceivedEvent => JSON.parse(m.Body ?? '{}')));
      // Received but not deleted, a message would come back after the visibility timeout.
      await this.runtime.clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }

  /** Deployment lifecycle events put on the project's bus since the last call. */
  public lifecycleEvents(): Promise<ReceivedEvent[]> {
    return this.drain(this.lifecycleQueueUrl);
  }

  /** `SageMaker Endpoint Deployment State Change` events since the last call. */
  public deploymentProgress(): Promise<ReceivedEvent[]> {
    return this.drain(this.progressQueueUrl);
  }

  /** Uploads a `model.tar.gz` whose `model.json` predicts `positiveRate`; returns its S3 URL. */
  public async uploadModel(key: string, positiveRate: number): Promise<string> {
    const folder = fs.mkdtempSync(path.join(this.workDir, 'model-'));
    fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify({ positiveRate }));
    const archive = `${folder}.tar.gz`;
    await packFolder(folder, archive);
    const bucket = this.runtime.physicalId('DataPlaneArtifactsBucket');
    await this.runtime.clients.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: fs.readFileSync(archive) }),
    );
    return `s3://${bucket}/${key}`;
  }

  /** Registers a package version in `group` (as the training capability does); returns its ARN and version. */
  public async registerPackage(
    group: string,
    modelDataUrl: string,
    approval: 'Approved' | 'PendingManualApproval',
  ): Promise<{ arn: string; version: number }> {
    const created = await this.runtime.clients.sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: group,
        ModelApprovalStatus: approval,
        InferenceSpecification: {
          Containers: [{ Image: IMAGE, ModelDataUrl: modelDataUrl }],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['text/csv'],
        },
      }),
    );
    const arn = created.ModelPackageArn ?? '';
    return { arn, version: Number(arn.split('/').at(-1)) };
  }

  /** Approves a package, as a person would in Studio or with the AWS CLI. */
  public async approve(arn: string): Promise<void> {
    await this.runtime.clients.sagemaker.send(
      new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: 'Approved' }),
    );
  }

  /**
   * Delivers events and lets the endpoints work until nothing is left: deployments end, their state changes are
   * delivered, queued models start, and so on.
   */
  public async settle(): Promise<void> {
    for (let pass = 0; pass < 60; pass++) {
      await this.runtime.settle();
      await Promise.all(this.pipelines.map((p) => this.runtime.endpoints.waitFor(p.deployment.endpointName)));
      if ((await this.runtime.settle()).length === 0) return;
    }
    throw new Error('deployments did not settle');
  }

  /** The predictions of `endpointName` for two CSV rows. */
  public async predict(endpointName: string): Promise<string[]> {
    const output = await this.runtime.clients.sagemakerRuntime.send(
      new InvokeEndpointCommand({ EndpointName: endpointName, Body: '3,1\n5,0\n', ContentType: 'text/csv' }),
    );
    return new TextDecoder().decode(output.Body).split('\n');
  }
}
