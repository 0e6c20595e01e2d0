import { App, CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { loadPipelines } from '../../functions/config/load-pipelines';
import type { PipelineConfig } from '../../functions/config/pipeline-config';
import { LIFECYCLE_EVENTS, lifecyclePattern } from '../../functions/events/lifecycle';
import { toEventBridgePattern } from '../../functions/events/event-pattern';
import { NOTIFIER_ENV } from '../../functions/notifier/environment';
import { DataPlane } from '../../lib/data-plane';
import { Notifications, type NotificationsProps } from '../../lib/notifications';
import { Observability } from '../../lib/observability';
import { cdkJsonContext, PROJECT_ROOT } from './cdk-context';
import { onlyBundle } from './stack-fixture';

function examplePipeline(): PipelineConfig {
  const [pipeline] = loadPipelines(PROJECT_ROOT);
  if (pipeline === undefined) throw new Error('the example pipeline is missing');
  return pipeline;
}
const churn = examplePipeline();
const fraud: PipelineConfig = {
  ...churn,
  name: 'fraud',
  notifications: { events: ['Dataset Rejected', 'Training Failed'], webhookKey: 'fraud-team' },
};

interface StackOptions {
  readonly pipelines?: readonly PipelineConfig[];
  readonly slackSecretName?: string;
  readonly bundling?: boolean;
  readonly props?: Partial<NotificationsProps>;
}

function notificationsStack(options: StackOptions = {}) {
  const app = new App({
    context: { ...cdkJsonContext(), ...(options.bundling ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const stack = new Stack(app, 'NotificationsTest', { env: { account: '123456789012', region: 'eu-west-1' } });
  const dataPlane = new DataPlane(stack, 'DataPlane', { stage: 'test', slackSecretName: options.slackSecretName });
  const observability = new Observability(stack, 'Observability', { stage: 'test', encryptionKey: dataPlane.key });
  const notifications = new Notifications(stack, 'Notifications', {
    bus: dataPlane.bus,
    metadataTable: dataPlane.metadataTable,
    key: dataPlane.key,
    webhookSecret: dataPlane.slackWebhookSecret,
    observability,
    stage: 'test',
    pipelines: options.pipelines ?? [churn, fraud],
    artifactsBucket: dataPlane.artifactsBucket,
    quarantineBucket: dataPlane.quarantineBucket,
    ...options.props,
  });
  return { app, stack, dataPlane, notifications };
}

function logicalId(stack: Stack, construct: IConstruct): string {
  const child = construct.node.defaultChild;
  if (!(child instanceof CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return stack.getLogicalId(child);
}

function nagFindings(app: App): string[] {
  return new AwsSolutionsChecks()
    .validateScope(app)
    .violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`);
}

describe('Notifications', () => {
  const { app, stack, dataPlane, notifications } = notificationsStack();
  const template = Template.fromStack(stack);
  const queueId = logicalId(stack, notifications.queue);
  const dlqId = logicalId(stack, notifications.deadLetterQueue);
  const keyId = logicalId(stack, dataPlane.key);
  const fnId = logicalId(stack, notifications.notifier.function);

  it('routes the subscribed lifecycle events of the configured pipelines from the mlops bus to the queue', () => {
    const expected = toEventBridgePattern(lifecyclePattern(LIFECYCLE_EVENTS, ['churn', 'fraud']));
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId(stack, dataPlane.bus) },
      EventPattern: expected,
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [queueId, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
        }),
      ],
    });
  });

  it('subscribes only to the events some pipeline wants', () => {
    const only = notificationsStack({
      pipelines: [{ ...churn, notifications: { events: ['Dataset Rejected', 'Model Degraded'] } }],
    });
    const rules = Template.fromStack(only.stack).findResources('AWS::Events::Rule');
    const patterns = Object.values(rules).map((r) => r.Properties.EventPattern);
    expect(patterns).toContainEqual({
      source: ['mlops.contracts', 'mlops.evaluation'],
      'detail-type': ['Dataset Rejected', 'Model Degraded'],
      detail: { pipeline: ['churn'] },
    });
  });

  it('buffers events in a KMS-encrypted queue with a dead-letter queue and a visibility timeout of six function timeouts', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      VisibilityTimeout: 360,
      MessageRetentionPeriod: 4 * 24 * 3600,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 10 },
    });
    const dlq = template.findResources('AWS::SQS::Queue')[dlqId];
    expect(dlq?.Properties.KmsMasterKeyId).toBeDefined();
  });

  it('lets only this rule send to the queue and the dead-letter queue, and EventBridge use the key', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    for (const id of [queueId, dlqId]) {
      const policy = policies.find((p) => p.Properties.Queues.some((q: { Ref?: string }) => q.Ref === id));
      expect(policy?.Properties.PolicyDocument.Statement).toContainEqual({
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [id, 'Arn'] },
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(stack, notifications.rule), 'Arn'] } } },
      });
    }
    const key = template.findResources('AWS::KMS::Key')[keyId];
    // The data plane's key policy lets EventBridge encrypt into queues, for this account's rules only.
    expect(key?.Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': expect.anything() } },
      }),
    );
  });

  it('feeds the notifier from the queue in small batches with partial batch failures, one invocation at a time', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: fnId },
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 1,
      Timeout: 60,
    });
  });

  it('passes the handler every variable it reads, and the routes of each pipeline', () => {
    const fn = template.findResources('AWS::Lambda::Function')[fnId];
    const variables = fn?.Properties.Environment.Variables;
    for (const name of [
      NOTIFIER_ENV.metadataTable,
      NOTIFIER_ENV.webhookSecretArn,
      NOTIFIER_ENV.queueUrl,
      NOTIFIER_ENV.deadLetterQueueUrl,
      NOTIFIER_ENV.routes,
      NOTIFIER_ENV.dashboardName,
      NOTIFIER_ENV.artifactsBucket,
      NOTIFIER_ENV.quarantineBucket,
    ]) {
      expect(variables, name).toHaveProperty(name);
    }
    expect(variables).not.toHaveProperty(NOTIFIER_ENV.webhookUrlOverride);
    expect(variables).not.toHaveProperty(NOTIFIER_ENV.timeScale);
    expect(JSON.parse(variables[NOTIFIER_ENV.routes])).toEqual({
      churn: { events: 'all', mention: '<!subteam^S0123ONCALL>' },
      fraud: { events: ['Dataset Rejected', 'Training Failed'], webhookKey: 'fraud-team' },
    });
    expect(variables[NOTIFIER_ENV.queueUrl]).toEqual({ Ref: queueId });
  });

  it('grants exact actions: markers under NOTIFICATION# only, the secret, and the queue', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      p.Properties.Roles.some((r: { Ref: string }) => r.Ref === logicalId(stack, notifications.notifier.role)),
    );
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a: string) => a.includes('*'))).toEqual([]);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'NotificationMarkers',
        Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['NOTIFICATION#*'] } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'secretsmanager:GetSecretValue',
        Resource: { Ref: logicalId(stack, dataPlane.slackWebhookSecret) },
      }),
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:SendMessage',
      ]),
    );
  });

  it('alarms on any message in the dead-letter queue and on an old backlog, notifying the alarm topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const dlqAlarm = alarms.find(
      (a) =>
        a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
        a.Dimensions?.[0]?.Value?.['Fn::GetAtt']?.[0] === dlqId,
    );
    expect(dlqAlarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(dlqAlarm?.AlarmActions).toHaveLength(1);
    const backlog = alarms.find((a) => a.MetricName === 'ApproximateAgeOfOldestMessage');
    expect(backlog).toMatchObject({ Threshold: 3600 });
  });

  it('has no unacknowledged AwsSolutions findings', () => {
    expect(nagFindings(app)).toEqual([]);
  });

  it('has no unacknowledged AwsSolutions findings with a Slack secret imported by name', () => {
    const imported = notificationsStack({ slackSecretName: 'team/slack-webhook' });
    const statements = Object.values(Template.fromStack(imported.stack).findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );
    expect(JSON.stringify(statements.find((s) => s.Sid === 'SlackWebhookSecret')?.Resource)).toContain(
      'secret:team/slack-webhook-??????',
    );
    expect(nagFindings(imported.app)).toEqual([]);
  });

  it('fails if batchSize or maxReceiveCount are out of range', () => {
    expect(() => notificationsStack({ props: { batchSize: 11 } })).toThrow(
      /batchSize must be an integer from 1 to 10, got 11/,
    );
    expect(() => notificationsStack({ props: { maxReceiveCount: 0 } })).toThrow(
      /maxReceiveCount must be an integer from 1 to 1000, got 0/,
    );
  });

  it('fails if the routes of many pipelines would not fit the 4 KB environment', () => {
    const many = Array.from({ length: 30 }, (_, i): PipelineConfig => ({
      ...fraud,
      name: `pipeline-${i}`,
      notifications: { events: ['Dataset Rejected', 'Training Failed', 'Model Degraded'], mention: '<!here>' },
    }));
    expect(() => notificationsStack({ pipelines: many }).app.synth()).toThrow(
      /the notification routes of 30 pipelines take \d+ bytes of environment \(max 2500\)/,
    );
  });

  it('fails without pipelines', () => {
    expect(() => notificationsStack({ pipelines: [] })).toThrow(/needs at least one pipeline/);
  });
});

describe('Notifications bundling', () => {
  it('bundles the notifier into a minified ESM file under 1 MB', () => {
    const { app } = notificationsStack({ bundling: true });
    const { size } = onlyBundle(app);
    process.stdout.write(`notifier bundle: ${size} bytes\n`);
    expect(size).toBeLessThan(1024 * 1024);
  }, 180_000);
});
