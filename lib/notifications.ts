import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PipelineConfig } from '../functions/config/pipeline-config';
import { LIFECYCLE_EVENTS, lifecyclePattern } from '../functions/events/lifecycle';
import { NOTIFIER_ENV } from '../functions/notifier/environment';
import { serializeNotificationRoutes } from '../functions/slack/notification-routes';
import { acknowledge } from './acknowledge';
import { nagResourceId } from './grants';
import { MlopsFunction } from './mlops-function';
import type { Observability } from './observability';

export interface NotificationsProps {
  /** The project's bus, carrying the lifecycle events. */
  readonly bus: events.IEventBus;
  /** Holds the notification markers (`NOTIFICATION#<eventId>`) that keep an event from being posted twice. */
  readonly metadataTable: dynamodb.ITable;
  /** Encrypts the notification queue and the notifier's environment, log group and dead-letter queue. */
  readonly key: kms.IKey;
  /** Slack webhook URL, or a JSON map of key to URL (docs/notifications.md). */
  readonly webhookSecret: secretsmanager.ISecret;
  /** Gets the dead-letter-queue alarm, a backlog-age alarm and a dashboard row. */
  readonly observability: Observability;
  readonly stage: string;
  /** Pipeline configs, already validated; their `notifications` sections decide what is sent. */
  readonly pipelines: readonly PipelineConfig[];
  /**
   * Bucket of contract and evaluation reports; messages link to them in the S3 console.
   * @default - reports are named by key, without a link
   */
  readonly artifactsBucket?: s3.IBucket;
  /**
   * Bucket of quarantined files; `Dataset Rejected` links to the quarantined copy.
   * @default - the quarantined copy is named by key, without a link
   */
  readonly quarantineBucket?: s3.IBucket;
  /**
   * Messages per notifier invocation (posted one after the other, at least a second apart per webhook).
   * @default 5
   */
  readonly batchSize?: number;
  /**
   * Receives of a message before the queue moves it to the dead-letter queue. Handed-back messages (Slack 429 or
   * 5xx) and throttled deliveries (reserved concurrency 1) both count, hence more than the usual 3 to 5.
   * @default 10
   */
  readonly maxReceiveCount?: number;
  /**
   * Notifier timeout; the queue's visibility timeout is six times it (AWS's advice for SQS event sources).
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * Age of the oldest queued notification that raises an alarm (Slack unreachable, or a backlog).
   * @default Duration.hours(1)
   */
  readonly maxBacklogAge?: Duration;
}

/**
 * The dashboard's name as a literal: its `Ref` would make the function depend on the dashboard, whose widgets
 * already depend on the function (a cycle).
 */
function dashboardNameOf(observability: Observability): Record<string, string> {
  const cfn = observability.dashboard.node.defaultChild;
  return cfn instanceof cloudwatch.CfnDashboard && typeof cfn.dashboardName === 'string'
    ? { [NOTIFIER_ENV.dashboardName]: cfn.dashboardName }
    : {};
}

/** Lambda's limit for all environment variables together is 4 KB; the routes must leave room for the others. */
const MAX_ROUTES_BYTES = 2500;

/**
 * Slack notifications: a rule on the bus for the lifecycle events any pipeline wants, an encrypted queue that
 * buffers bursts, and the notifier (reserved concurrency 1, so posts are serialised and paced to Slack's
 * rate limit). A message that cannot be posted ends in the notifier's dead-letter queue, with an alarm.
 * Wiring only: what is sent, and how, lives in `functions/slack/`.
 */
export class Notifications extends Construct {
  /** Posts to Slack; fed by `queue`. */
  public readonly notifier: MlopsFunction;
  /** Buffers lifecycle events between the bus and the notifier. */
  public readonly queue: sqs.Queue;
  /**
   * The notifier's dead-letter queue: events the rule could not deliver, messages received `maxReceiveCount`
   * times, and messages Slack refused for good (with the reason). Alarmed; redrive it to `queue`.
   */
  public readonly deadLetterQueue: sqs.Queue;
  /** Routes the subscribed lifecycle events of the configured pipelines to `queue`. */
  public readonly rule: events.Rule;

  public constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const batchSize = props.batchSize ?? 5;
    const maxReceiveCount = props.maxReceiveCount ?? 10;
    const timeout = props.timeout ?? Duration.seconds(60);
    if (props.pipelines.length === 0) throw new Error('Notifications needs at least one pipeline, got none');
    const routes = serializeNotificationRoutes(props.pipelines);
    // Checked here, before SqsEventSource and Queue throw their own, less specific errors.
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
      throw new Error(`Notifications: batchSize must be an integer from 1 to 10, got ${batchSize}`);
    }
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new Error(`Notifications: maxReceiveCount must be an integer from 1 to 1000, got ${maxReceiveCount}`);
    }
    this.node.addValidation({
      validate: () => [
        ...(routes.length <= MAX_ROUTES_BYTES
          ? []
          : [
              `the notification routes of ${props.pipelines.length} pipelines take ${routes.length} bytes of environment (max ${MAX_ROUTES_BYTES}); use notifications.events: all where possible`,
            ]),
      ],
    });

    this.notifier = new MlopsFunction(this, 'Notifier', {
      entry: 'functions/notifier/handler.ts',
      description: 'Posts mlops lifecycle events to Slack',
      encryptionKey: props.key,
      stage: props.stage,
      timeout,
      // One post at a time for the whole deployment: Slack allows about one message per second per webhook.
      reservedConcurrentExecutions: 1,
      environment: {
        [NOTIFIER_ENV.metadataTable]: props.metadataTable.tableName,
        [NOTIFIER_ENV.webhookSecretArn]: props.webhookSecret.secretArn,
        [NOTIFIER_ENV.routes]: routes,
        ...dashboardNameOf(props.observability),
        ...(props.artifactsBucket ? { [NOTIFIER_ENV.artifactsBucket]: props.artifactsBucket.bucketName } : {}),
        ...(props.quarantineBucket ? { [NOTIFIER_ENV.quarantineBucket]: props.quarantineBucket.bucketName } : {}),
      },
    });
    this.deadLetterQueue = this.notifier.deadLetterQueue;

    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
    this.notifier.function.addEnvironment(NOTIFIER_ENV.queueUrl, this.queue.queueUrl);

    const names = props.pipelines.map((p) => p.name);
    const subscribed = LIFECYCLE_EVENTS.filter((def) =>
      props.pipelines.some((p) => p.notifications.events.includes(def.detailType)),
    );
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.bus,
      description: 'Lifecycle events that a pipeline sends to Slack',
      eventPattern: lifecyclePattern(subscribed, names),
    });
    this.rule.addTarget({
      // Not `targets.SqsQueue`: it grants kms:ReEncrypt* and kms:GenerateDataKey* to EventBridge. The exact
      // statements are below.
      bind: () => ({
        arn: this.queue.queueArn,
        targetResource: this.queue,
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 },
      }),
    });
    for (const queue of [this.queue, this.deadLetterQueue]) {
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: { ArnEquals: { 'aws:SourceArn': this.rule.ruleArn } },
        }),
      );
    }
    // EventBridge encrypts into the queues with the data-plane key: DataPlane's key policy allows it for this account.

    // Grants ReceiveMessage, DeleteMessage, ChangeMessageVisibility, GetQueueAttributes, GetQueueUrl and kms:Decrypt.
    this.notifier.function.addEventSource(new SqsEventSource(this.queue, { batchSize, reportBatchItemFailures: true }));
    this.grantRuntimeAccess(props);

    props.observability.monitorDeadLetterQueue(this, this.deadLetterQueue, 'Slack notifications');
    this.monitorBacklog(props.observability, props.maxBacklogAge ?? Duration.hours(1));
  }

  /** Exactly what the handler calls: the notification markers, the secret, and the keys behind them. */
  private grantRuntimeAccess(props: NotificationsProps): void {
    const stack = Stack.of(this);
    const role = this.notifier.role;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'NotificationMarkers',
        actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [props.metadataTable.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['NOTIFICATION#*'] } },
      }),
    );
    const tableKey = props.metadataTable.encryptionKey;
    if (tableKey) {
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'MetadataTableKey',
          actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
          resources: [tableKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } },
        }),
      );
    }
    // A secret imported by name has a partial ARN; IAM needs the six random characters Secrets Manager appends.
    const secretArn =
      props.webhookSecret.secretFullArn === undefined
        ? `${props.webhookSecret.secretArn}-??????`
        : props.webhookSecret.secretArn;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'SlackWebhookSecret',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secretArn],
      }),
    );
    const secretKey = props.webhookSecret.encryptionKey;
    if (secretKey) {
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'SlackWebhookSecretKey',
          actions: ['kms:Decrypt'],
          resources: [secretKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
        }),
      );
    }
    const renderedArn = nagResourceId(stack, secretArn);
    if (/[?*]/.test(renderedArn)) {
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::${renderedArn}]`,
        'The Slack secret is imported by name; its ARN ends in the six random characters Secrets Manager adds, matched by "??????".',
      );
    }
  }

  /** An alarm when the oldest queued notification is older than `maxAge`, and a dashboard row. */
  private monitorBacklog(observability: Observability, maxAge: Duration): void {
    const age = this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' });
    const alarm = new cloudwatch.Alarm(this, 'BacklogAgeAlarm', {
      metric: age,
      threshold: maxAge.toSeconds(),
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `Slack notifications: a queued notification is older than ${maxAge.toHumanString()} (Slack unreachable or a backlog)`,
    });
    const action = new actions.SnsAction(observability.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    observability.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Slack notifications: queue and dead-letter queue',
        width: 12,
        left: [
          this.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }),
          this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }),
        ],
        right: [age],
      }),
      new cloudwatch.GraphWidget({
        title: 'Slack notifications: notifier invocations, errors, throttles',
        width: 12,
        left: [
          this.notifier.function.metricInvocations(),
          this.notifier.function.metricErrors(),
          this.notifier.function.metricThrottles(),
        ],
        right: [this.notifier.function.metricDuration({ statistic: 'p99' })],
      }),
    );
  }
}
