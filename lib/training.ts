import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EnvironmentContext } from '../functions/config/environment-context';
import type { PipelineConfig } from '../functions/config/pipeline-config';
import { TERMINAL_TRAINING_JOB_STATUSES, trainingJobStateChangePattern } from '../functions/events/aws-sagemaker';
import { DatasetAccepted, DriftDetected, lifecyclePattern, ModelDegraded } from '../functions/events/lifecycle';
import { trainingSettingsOf } from '../functions/train/training-events';
import { jobNameProblem, trainingJobPrefix } from '../functions/training/run-naming';
import type { DataPlane } from './data-plane';
import { acknowledge } from './acknowledge';
import { grantMetadataTable, grantObjectAccess, nagResourceId, validateSettingsSize } from './grants';
import { MlopsFunction } from './mlops-function';
import type { Observability } from './observability';

export interface TrainingProps {
  readonly dataPlane: DataPlane;
  readonly observability: Observability;
  readonly environment: EnvironmentContext;
  readonly pipelines: readonly PipelineConfig[];
}

/**
 * Training, the quality gate and the registry: one function that starts at most one SageMaker training job per
 * pipeline (on `Dataset Accepted`, on retrain requests of the live evaluation, and when a debounce window ends),
 * and judges each of this deployment's jobs when SageMaker reports its end. One model package group per pipeline.
 * Wiring only: the logic is in functions/train and functions/training.
 */
export class Training extends Construct {
  public readonly trainer: MlopsFunction;
  public readonly debounceQueue: sqs.Queue;
  public readonly modelPackageGroups: readonly sagemaker.CfnModelPackageGroup[];

  public constructor(scope: Construct, id: string, props: TrainingProps) {
    super(scope, id);
    const { dataPlane, environment, pipelines } = props;
    const stack = Stack.of(this);
    const names = pipelines.map((p) => p.name);
    this.node.addValidation({
      validate: () => pipelines.flatMap((p) => jobNameProblem(p.name, environment.stage) ?? []),
    });

    this.modelPackageGroups = pipelines.map(
      (p) =>
        new sagemaker.CfnModelPackageGroup(this, `ModelPackageGroup-${p.name}`, {
          modelPackageGroupName: p.registry.modelPackageGroupName,
          modelPackageGroupDescription: `Models of the ${p.name} pipeline (${environment.stage})`,
          tags: [
            { key: 'mlops:pipeline', value: p.name },
            { key: 'mlops:stage', value: environment.stage },
          ],
        }),
    );

    this.trainer = new MlopsFunction(this, 'Trainer', {
      entry: 'functions/train/handler.ts',
      description: 'Starts training runs, judges finished jobs and registers models that pass the gate',
      encryptionKey: dataPlane.key,
      stage: environment.stage,
      memorySize: 512,
      timeout: Duration.minutes(2),
      environment: {},
      maxEventAge: Duration.hours(6),
    });
    // A debounce window ends with a delayed message (SQS delays at most 15 minutes).
    this.debounceQueue = new sqs.Queue(this, 'DebounceQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: dataPlane.key,
      enforceSSL: true,
      visibilityTimeout: Duration.minutes(12),
      deadLetterQueue: { queue: this.trainer.deadLetterQueue, maxReceiveCount: 5 },
    });
    this.trainer.function.addEventSource(new lambdaEventSources.SqsEventSource(this.debounceQueue, { batchSize: 10 }));

    const settings = trainingSettingsOf(pipelines);
    const variables: Record<string, string> = {
      METADATA_TABLE: dataPlane.metadataTable.tableName,
      ARTIFACTS_BUCKET: dataPlane.artifactsBucket.bucketName,
      LANDING_BUCKET: dataPlane.landingBucket.bucketName,
      EVENT_BUS_NAME: dataPlane.bus.eventBusName,
      SAGEMAKER_ROLE_ARN: dataPlane.sageMakerExecutionRole.roleArn,
      KMS_KEY_ARN: dataPlane.key.keyArn,
      STAGE: environment.stage,
      PIPELINES: settings,
      DEBOUNCE_QUEUE_URL: this.debounceQueue.queueUrl,
      NETWORK_ISOLATION: String(environment.networkIsolation),
      ...(environment.vpc ? { VPC_CONFIG: JSON.stringify(environment.vpc) } : {}),
    };
    for (const [name, value] of Object.entries(variables)) this.trainer.function.addEnvironment(name, value);
    validateSettingsSize(this, 'training', names.length, settings);

    const role = this.trainer.role;
    const arn = (resource: string) => `arn:${stack.partition}:sagemaker:${stack.region}:${stack.account}:${resource}`;
    const jobArns = pipelines.map((p) => arn(`training-job/${trainingJobPrefix(p.name, environment.stage)}*`));
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:AddTags'],
        resources: jobArns,
      }),
    );
    for (const jobArn of jobArns) {
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::${nagResourceId(stack, jobArn)}]`,
        'Training job names are <pipeline>-<stage>-<run id>, made per run: the pattern covers exactly this pipeline and stage.',
      );
    }
    const packageArns = pipelines.map((p) => arn(`model-package/${p.registry.modelPackageGroupName}/*`));
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sagemaker:CreateModelPackage'],
        resources: [
          ...pipelines.map((p) => arn(`model-package-group/${p.registry.modelPackageGroupName}`)),
          ...packageArns,
        ],
      }),
    );
    for (const packageArn of packageArns) {
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::${nagResourceId(stack, packageArn)}]`,
        'Model package versions are numbered by SageMaker on creation: the pattern covers the versions of this pipeline group only.',
      );
    }
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [dataPlane.sageMakerExecutionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    );
    for (const prefix of ['manifests/', 'reports/']) {
      grantObjectAccess(role, dataPlane.artifactsBucket, 'write', { key: dataPlane.key, prefix });
    }
    grantMetadataTable(role, dataPlane.metadataTable, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
    ]);
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [dataPlane.bus.eventBusArn] }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.debounceQueue.queueArn] }),
    );

    const target = () =>
      new targets.LambdaFunction(this.trainer.function, {
        deadLetterQueue: this.trainer.deadLetterQueue,
        maxEventAge: Duration.hours(6),
        retryAttempts: 8,
      });
    new events.Rule(this, 'OnDatasetAccepted', {
      description: 'Accepted datasets start (or queue) a training run',
      eventBus: dataPlane.bus,
      eventPattern: lifecyclePattern([DatasetAccepted], names),
      targets: [target()],
    });
    const retrain = lifecyclePattern([ModelDegraded, DriftDetected], names);
    new events.Rule(this, 'OnRetrainRequested', {
      description: 'The live evaluation asks for retraining',
      eventBus: dataPlane.bus,
      eventPattern: { ...retrain, detail: { ...retrain.detail, action: ['retrain'] } },
      targets: [target()],
    });
    new events.Rule(this, 'OnTrainingJobEnded', {
      description: "This deployment's training jobs reaching a final status",
      eventPattern: trainingJobStateChangePattern(
        pipelines.map((p) => trainingJobPrefix(p.name, environment.stage)),
        [...TERMINAL_TRAINING_JOB_STATUSES],
      ),
      targets: [target()],
    });
    props.observability.monitorFunction(this.trainer);
  }
}
