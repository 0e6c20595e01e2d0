import { Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { acknowledgeActionsWithoutResourceTypes, grantObjectAccess, nagResourceId } from './grants';
import { METADATA_TABLE_KEYS } from '../functions/metadata/table-keys';

export interface DataPlaneProps {
  /** Short stage name (`dev`, `prod`), used in physical names that must be unique per account. */
  readonly stage: string;
  /**
   * What happens to stateful resources (buckets, table, key) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Name of an existing Secrets Manager secret that holds the Slack webhook URL (or a JSON map of pipeline name
   * to webhook URL).
   * @default - a secret is created holding `{}`; put the webhook in it after deploying (see README).
   */
  readonly slackSecretName?: string;
}

/**
 * The project's stateful core: one customer-managed KMS key, the S3 buckets, the metadata table, the project's
 * event bus with its archive, the Slack webhook secret and the role SageMaker assumes. Wiring only.
 */
export class DataPlane extends Construct {
  /** Encrypts every bucket (but the access-log bucket), the table, the bus, queues, logs and SageMaker volumes. */
  public readonly key: kms.Key;
  /** Receives server access logs of every other bucket. SSE-S3: S3 log delivery cannot write SSE-KMS objects. */
  public readonly accessLogsBucket: s3.Bucket;
  /** Where data arrives; sends every object event to EventBridge; versioned. */
  public readonly landingBucket: s3.Bucket;
  /** Rejected objects, moved here with tags that say why. */
  public readonly quarantineBucket: s3.Bucket;
  /** Models, contract reports, profiles (drift baselines), training manifests and evaluation reports. */
  public readonly artifactsBucket: s3.Bucket;
  /** Endpoint data capture (SageMaker writes requests and responses here). */
  public readonly dataCaptureBucket: s3.Bucket;
  /** Ground-truth labels for live evaluation. */
  public readonly groundTruthBucket: s3.Bucket;
  /** Single-table metadata store; access patterns in docs/metadata.md. */
  public readonly metadataTable: dynamodb.Table;
  /** Carries the project's lifecycle events (`mlops.*` sources). */
  public readonly bus: events.EventBus;
  /** Keeps every lifecycle event on the bus so it can be replayed. */
  public readonly archive: events.Archive;
  /** Slack incoming-webhook URL(s). Never logged. */
  public readonly slackWebhookSecret: secretsmanager.ISecret;
  /** Role that SageMaker training jobs and endpoints assume; scoped to exactly the buckets above and the key. */
  public readonly sageMakerExecutionRole: iam.Role;

  public constructor(scope: Construct, id: string, props: DataPlaneProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const stack = Stack.of(this);

    this.key = new kms.Key(this, 'Key', {
      description: `mlops ${props.stage}: buckets, metadata table, event bus, queues, logs and SageMaker volumes`,
      enableKeyRotation: true,
      alias: `alias/mlops-${props.stage}`,
      removalPolicy,
    });
    // CloudWatch Logs encrypts the functions' log groups with this key; the condition limits it to this account's groups.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogs',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'], // in a key policy, "*" means this key
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*`,
          },
        },
      }),
    );

    // EventBridge delivers to KMS-encrypted dead-letter queues and uses the bus key; only for this account's rules.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridge',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'], // in a key policy, "*" means this key
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(365) }],
      removalPolicy,
    });
    acknowledge(
      this.accessLogsBucket,
      'AwsSolutions-S1',
      'This is the server access log destination; logging it into itself would loop.',
    );

    const dataBucket = (
      bucketId: string,
      logPrefix: string,
      lifecycleRules: s3.LifecycleRule[],
      extra: Partial<s3.BucketProps> = {},
    ) =>
      new s3.Bucket(this, bucketId, {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: this.key,
        bucketKeyEnabled: true,
        enforceSSL: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        serverAccessLogsBucket: this.accessLogsBucket,
        serverAccessLogsPrefix: `${logPrefix}/`,
        lifecycleRules: [
          { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
          ...lifecycleRules,
        ],
        removalPolicy,
        ...extra,
      });

    this.landingBucket = dataBucket(
      'LandingBucket',
      'landing',
      [{ id: 'ExpireOldVersions', noncurrentVersionExpiration: Duration.days(90) }],
      { versioned: true },
    );
    // The CloudFormation property itself, not CDK's `eventBridgeEnabled`, which adds a custom-resource Lambda
    // (REFERENCE.md 1.5); with it on, S3 sends every object event of this bucket to the default bus.
    const cfnLanding = this.landingBucket.node.defaultChild as s3.CfnBucket;
    cfnLanding.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };

    this.quarantineBucket = dataBucket(
      'QuarantineBucket',
      'quarantine',
      [
        { id: 'ExpireQuarantined', expiration: Duration.days(180) },
        { id: 'ExpireOldVersions', noncurrentVersionExpiration: Duration.days(30) },
      ],
      { versioned: true },
    );
    this.artifactsBucket = dataBucket(
      'ArtifactsBucket',
      'artifacts',
      [
        { id: 'ExpireOldVersions', noncurrentVersionExpiration: Duration.days(365) },
        { id: 'TierCheckpoints', prefix: 'checkpoints/', expiration: Duration.days(30) },
      ],
      { versioned: true },
    );
    this.dataCaptureBucket = dataBucket('DataCaptureBucket', 'data-capture', [
      {
        id: 'TierAndExpireCapture',
        transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }],
        expiration: Duration.days(400),
      },
    ]);
    this.groundTruthBucket = dataBucket(
      'GroundTruthBucket',
      'ground-truth',
      [{ id: 'ExpireOldVersions', noncurrentVersionExpiration: Duration.days(90) }],
      { versioned: true },
    );

    this.metadataTable = new dynamodb.Table(this, 'MetadataTable', {
      partitionKey: { name: METADATA_TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: METADATA_TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: METADATA_TABLE_KEYS.timeToLive,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    this.metadataTable.addGlobalSecondaryIndex({
      indexName: METADATA_TABLE_KEYS.byIdIndex.name,
      partitionKey: { name: METADATA_TABLE_KEYS.byIdIndex.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: METADATA_TABLE_KEYS.byIdIndex.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: `mlops-${props.stage}`, kmsKey: this.key });
    this.archive = this.bus.archive('Archive', {
      description: 'Every mlops lifecycle event, kept for replay',
      eventPattern: { account: [stack.account] },
      retention: Duration.days(365),
      kmsKey: this.key,
    });

    this.slackWebhookSecret = props.slackSecretName
      ? secretsmanager.Secret.fromSecretNameV2(this, 'SlackWebhookSecret', props.slackSecretName)
      : new secretsmanager.Secret(this, 'SlackWebhookSecret', {
          description:
            'Slack incoming-webhook URL for mlops notifications, or a JSON map {"default": url, "<pipeline>": url}. ' +
            'Set it with: aws secretsmanager put-secret-value --secret-id <this secret> --secret-string <url>',
          encryptionKey: this.key,
          // Not a secret: the empty map that means "no webhook configured" until someone puts a URL in.
          secretStringValue: SecretValue.unsafePlainText('{}'),
          removalPolicy,
        });
    if (this.slackWebhookSecret instanceof secretsmanager.Secret) {
      acknowledge(
        this.slackWebhookSecret,
        'AwsSolutions-SMG4',
        'A Slack incoming-webhook URL cannot be rotated by a Lambda; it is replaced by hand in Slack and here.',
      );
    }

    this.sageMakerExecutionRole = new iam.Role(this, 'SageMakerExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'Assumed by mlops training jobs and endpoints; limited to the mlops buckets and key',
    });
    this.grantSageMakerAccess(this.sageMakerExecutionRole, stack);
  }

  /**
   * What a training job and an endpoint need: read the landing data and the artifacts (manifests, models),
   * write model output and checkpoints, write data capture, use the key, write their own logs and metrics,
   * and pull their container image.
   */
  private grantSageMakerAccess(role: iam.Role, stack: Stack): void {
    const sageMakerLogGroups = `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:/aws/sagemaker/*`;
    // Built-in algorithm images live in AWS-owned accounts of the region, hence the account wildcard.
    const ecrRepositories = `arn:${stack.partition}:ecr:${stack.region}:*:repository/*`;
    grantObjectAccess(role, this.landingBucket, 'read', { key: this.key });
    grantObjectAccess(role, this.artifactsBucket, 'read-write', { key: this.key });
    grantObjectAccess(role, this.dataCaptureBucket, 'write', { key: this.key });
    // Training volumes and output, and endpoint storage, are encrypted with the key (CreateTrainingJob/EndpointConfig KmsKeyId).
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'VolumeAndOutputEncryption',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant', 'kms:DescribeKey'],
        resources: [this.key.keyArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'SageMakerLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [sageMakerLogGroups],
      }),
    );
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::${nagResourceId(stack, sageMakerLogGroups)}]`,
      'SageMaker creates its log groups under /aws/sagemaker/ with job and endpoint names chosen at run time.',
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'SageMakerMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'], // PutMetricData has no resource type; the condition narrows it
        conditions: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*', 'aws/sagemaker/*'] } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PullImages',
        actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        resources: [ecrRepositories],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({ sid: 'EcrAuth', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
    );
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::${nagResourceId(stack, ecrRepositories)}]`,
      'Built-in algorithm images (e.g. xgboost) live in AWS-owned ECR accounts that differ by region.',
    );
    acknowledgeActionsWithoutResourceTypes(role, [
      'cloudwatch:PutMetricData (limited by namespace)',
      'ecr:GetAuthorizationToken',
    ]);
  }
}
