import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';

/** Name of the synthesized sample stack. */
export const SAMPLE_STACK_NAME = 'LocalSample';

/**
 * A small but realistic stack: everything the local provisioner must handle, built with the real CDK so the
 * template has exactly the shapes CDK emits (custom resources, IAM, intrinsics).
 */
export function synthesizeSampleStack(outdir: string): void {
  const app = new App({
    outdir,
    // No asset bundling: the functions use inline code, and nothing may need Docker or esbuild here.
    context: { 'aws:cdk:bundling-stacks': [] },
    // The built-in template validation runs a WebAssembly validator: 2.6 s of a 2.7 s synth here.
    builtinCloudFormationValidation: false,
  });
  const stack = new Stack(app, SAMPLE_STACK_NAME);

  const key = new kms.Key(stack, 'DataKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
  const bucket = new s3.Bucket(stack, 'LandingBucket', {
    versioned: true,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    eventBridgeEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
  });

  const table = new dynamodb.Table(stack, 'MetadataTable', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    timeToLiveAttribute: 'expiresAt',
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  table.addGlobalSecondaryIndex({
    indexName: 'byStatus',
    partitionKey: { name: 'status', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'updatedAt', type: dynamodb.AttributeType.STRING },
  });

  const bus = new events.EventBus(stack, 'MlopsBus', { eventBusName: 'mlops-local-bus' });
  bus.archive('MlopsArchive', {
    eventPattern: { source: ['mlops.contracts'] },
    retention: Duration.days(7),
  });

  const deadLetterQueue = new sqs.Queue(stack, 'DeadLetterQueue', { retentionPeriod: Duration.days(14) });
  const workQueue = new sqs.Queue(stack, 'WorkQueue', {
    visibilityTimeout: Duration.seconds(90),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 3 },
  });
  const orderedQueue = new sqs.Queue(stack, 'OrderedQueue', { fifo: true, contentBasedDeduplication: true });

  const secret = new secretsmanager.Secret(stack, 'WebhookSecret', {
    generateSecretString: { secretStringTemplate: '{"user":"mlops"}', generateStringKey: 'token' },
  });

  const checkFunction = new lambda.Function(stack, 'ContractCheck', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
    timeout: Duration.seconds(60),
    memorySize: 512,
    retryAttempts: 1,
    maxEventAge: Duration.hours(1),
    onFailure: new destinations.SqsDestination(deadLetterQueue),
    environment: {
      TABLE_NAME: table.tableName,
      BUCKET_ARN: bucket.bucketArn,
      BUS_NAME: bus.eventBusName,
      SECRET_ARN: secret.secretArn,
      WORK_QUEUE_URL: workQueue.queueUrl,
      REGION_AND_ACCOUNT: `${stack.region}/${stack.account}`,
    },
  });
  markEntry(checkFunction, 'functions/contract-check/handler.ts', 'handler');

  const workerFunction = new lambda.Function(stack, 'Worker', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
    reservedConcurrentExecutions: 2,
  });
  markEntry(workerFunction, 'functions/worker/handler.ts');
  workerFunction.addEventSource(new SqsEventSource(workQueue, { batchSize: 5, reportBatchItemFailures: true }));

  new events.Rule(stack, 'OnLandingObject', {
    eventPattern: {
      source: ['aws.s3'],
      detailType: ['Object Created'],
      detail: { bucket: { name: [bucket.bucketName] }, object: { key: events.Match.prefix('incoming/') } },
    },
    targets: [
      new targets.LambdaFunction(checkFunction, {
        retryAttempts: 4,
        maxEventAge: Duration.hours(2),
        deadLetterQueue,
      }),
    ],
  });
  new events.Rule(stack, 'OnAcceptedToQueue', {
    eventBus: bus,
    eventPattern: { source: ['mlops.contracts'], detailType: ['Dataset Accepted'] },
    targets: [new targets.SqsQueue(workQueue)],
  });
  new events.Rule(stack, 'NightlyEvaluation', {
    schedule: events.Schedule.cron({ minute: '0', hour: '3' }),
    targets: [
      new targets.LambdaFunction(workerFunction, { event: events.RuleTargetInput.fromObject({ run: 'nightly' }) }),
    ],
  });

  new cloudwatch.Alarm(stack, 'DeadLetterAlarm', {
    metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  void orderedQueue;

  app.synth();
}

/** Records where the local runtime finds the function's handler, as the project's constructs do. */
function markEntry(fn: lambda.Function, entry: string, handlerExport?: string): void {
  const cfn = fn.node.defaultChild;
  if (!(cfn instanceof lambda.CfnFunction)) throw new Error(`${fn.node.path} has no CfnFunction`);
  cfn.addMetadata('mlops:entry', entry);
  if (handlerExport !== undefined) cfn.addMetadata('mlops:handler', handlerExport);
}
