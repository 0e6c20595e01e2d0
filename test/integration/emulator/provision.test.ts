import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeArchiveCommand, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import {
  GetBucketEncryptionCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { formatProvisionReport } from '../../../local/provision/provision-report';
import { provision, type ProvisionedStack } from '../../../local/provision/provisioner';
import { loadSynthesizedStack, type SynthesizedStack } from '../../../local/provision/template';
import { useLocalAws } from '../setup/local-env';
import { SAMPLE_STACK_NAME, synthesizeSampleStack } from './sample-stack';

const aws = await useLocalAws();
const { s3, sqs, dynamodb, eventbridge, secretsManager, cloudwatch } = aws.clients;

let outdir = '';
let stack: SynthesizedStack;
let app: ProvisionedStack;
let provisionMs = 0;

/** The logical id CDK made for construct `id` (the id plus an 8-digit hash). */
function logicalId(id: string): string {
  const found = Object.keys(stack.template.Resources).find((candidate) =>
    new RegExp(`^${id}[0-9A-F]{8}$`).test(candidate),
  );
  if (found === undefined) throw new Error(`no resource ${id} in the template`);
  return found;
}

function onlyOfType(type: string): string {
  const ids = Object.entries(stack.template.Resources).flatMap(([id, resource]) =>
    resource.Type === type ? [id] : [],
  );
  if (ids.length !== 1 || ids[0] === undefined) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0];
}

function physical(id: string): string {
  const value = app.physicalIds[logicalId(id)];
  if (value === undefined) throw new Error(`${id} was not provisioned`);
  return value;
}

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'mlops-provision-'));
  synthesizeSampleStack(outdir);
  stack = loadSynthesizedStack(outdir);
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('provision', () => {
  beforeAll(async () => {
    const started = performance.now();
    app = await provision(stack.template, aws.clients, {
      stackName: stack.stackName,
      accountId: aws.accountId,
      region: aws.region,
    });
    provisionMs = performance.now() - started;
  });

  it('reads the stack name from the cloud assembly', () => {
    expect(stack.stackName).toBe(SAMPLE_STACK_NAME);
    expect(provisionMs).toBeGreaterThan(0);
  });

  it('creates the versioned, KMS-encrypted bucket with EventBridge notifications on', async () => {
    const bucket = physical('LandingBucket');
    const keyArn = app.attributes[logicalId('DataKey')]?.['Arn'];

    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    const notifications = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));

    expect(bucket).toMatch(/^localsample-landingbucket[0-9a-f]{8}-[0-9a-f]{8}$/);
    expect(versioning.Status).toBe('Enabled');
    expect(encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: keyArn,
    });
    expect(keyArn).toMatch(new RegExp(`^arn:aws:kms:us-east-1:${aws.accountId}:key/`));
    expect(notifications.EventBridgeConfiguration).toEqual({});
  });

  it('creates the table with its GSI, TTL and point-in-time recovery', async () => {
    const tableName = physical('MetadataTable');

    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const backups = await dynamodb.send(new DescribeContinuousBackupsCommand({ TableName: tableName }));

    expect(tableName).toBe(`${SAMPLE_STACK_NAME}-${logicalId('MetadataTable')}`);
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.KeySchema])).toEqual([
      [
        'byStatus',
        [
          { AttributeName: 'status', KeyType: 'HASH' },
          { AttributeName: 'updatedAt', KeyType: 'RANGE' },
        ],
      ],
    ]);
    expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    expect(backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus).toBe(
      'ENABLED',
    );
  });

  it('creates the custom bus, its archive and the pattern rules, but not the schedule rule', async () => {
    const archive = await eventbridge.send(
      new DescribeArchiveCommand({ ArchiveName: physical('MlopsBusMlopsArchive') }),
    );
    const defaultRules = await eventbridge.send(new ListRulesCommand({ NamePrefix: SAMPLE_STACK_NAME }));
    const busRules = await eventbridge.send(
      new ListRulesCommand({ EventBusName: 'mlops-local-bus', NamePrefix: SAMPLE_STACK_NAME }),
    );
    const landingRule = defaultRules.Rules?.find((rule) => rule.Name === physical('OnLandingObject'));
    const landingTargets = await eventbridge.send(new ListTargetsByRuleCommand({ Rule: physical('OnLandingObject') }));
    const busTargets = await eventbridge.send(
      new ListTargetsByRuleCommand({ Rule: physical('OnAcceptedToQueue'), EventBusName: 'mlops-local-bus' }),
    );

    expect(physical('MlopsBus')).toBe('mlops-local-bus');
    expect(archive.EventSourceArn).toBe(`arn:aws:events:us-east-1:${aws.accountId}:event-bus/mlops-local-bus`);
    expect(archive.RetentionDays).toBe(7);
    expect(defaultRules.Rules?.map((rule) => rule.Name)).toEqual([physical('OnLandingObject')]);
    expect(JSON.parse(landingRule?.EventPattern ?? '{}')).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [physical('LandingBucket')] }, object: { key: [{ prefix: 'incoming/' }] } },
    });
    expect(landingTargets.Targets?.map((target) => target.Arn)).toEqual([
      `arn:aws:sqs:us-east-1:${aws.accountId}:${physical('OnLandingObject')}-Target0-inbox`,
    ]);
    expect(busRules.Rules?.map((rule) => rule.Name)).toEqual([physical('OnAcceptedToQueue')]);
    expect(busTargets.Targets?.map((target) => target.Arn)).toEqual([app.attributes[logicalId('WorkQueue')]?.['Arn']]);
  });

  it('creates the queues with redrive policy, visibility timeout and FIFO naming', async () => {
    const work = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: physical('WorkQueue'), AttributeNames: ['All'] }),
    );
    const ordered = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: physical('OrderedQueue'), AttributeNames: ['All'] }),
    );

    expect(work.Attributes?.['VisibilityTimeout']).toBe('90');
    expect(JSON.parse(work.Attributes?.['RedrivePolicy'] ?? '{}')).toEqual({
      deadLetterTargetArn: app.attributes[logicalId('DeadLetterQueue')]?.['Arn'],
      maxReceiveCount: 3,
    });
    expect(physical('OrderedQueue')).toMatch(/\.fifo$/);
    expect(ordered.Attributes).toMatchObject({ FifoQueue: 'true', ContentBasedDeduplication: 'true' });
  });

  it('creates the secret with a generated value in its template', async () => {
    const value = await secretsManager.send(new GetSecretValueCommand({ SecretId: physical('WebhookSecret') }));

    const secret = z
      .object({ user: z.literal('mlops'), token: z.string().length(32) })
      .parse(JSON.parse(value.SecretString ?? ''));
    expect(secret.user).toBe('mlops');
  });

  it('puts the alarm', async () => {
    const { MetricAlarms } = await cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: [physical('DeadLetterAlarm')] }),
    );

    expect(MetricAlarms?.[0]).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'QueueName', Value: app.attributes[logicalId('DeadLetterQueue')]?.['QueueName'] }],
    });
  });

  it('records the functions with resolved environment and async-invoke settings', () => {
    const [check, worker] = app.functions;

    expect(app.functions.map((fn) => fn.entry)).toEqual([
      'functions/contract-check/handler.ts',
      'functions/worker/handler.ts',
    ]);
    expect(check).toEqual({
      logicalId: logicalId('ContractCheck'),
      functionName: logicalId('ContractCheck'),
      entry: 'functions/contract-check/handler.ts',
      handlerExport: 'handler',
      environment: {
        TABLE_NAME: physical('MetadataTable'),
        BUCKET_ARN: `arn:aws:s3:::${physical('LandingBucket')}`,
        BUS_NAME: 'mlops-local-bus',
        SECRET_ARN: physical('WebhookSecret'),
        WORK_QUEUE_URL: physical('WorkQueue'),
        REGION_AND_ACCOUNT: `us-east-1/${aws.accountId}`,
      },
      timeoutSeconds: 60,
      memorySizeMb: 512,
      asyncInvoke: {
        maximumRetryAttempts: 1,
        maximumEventAgeSeconds: 3600,
        onFailureQueueUrl: physical('DeadLetterQueue'),
      },
    });
    expect(worker?.asyncInvoke).toEqual({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 });
    expect(worker?.reservedConcurrentExecutions).toBe(2);
    expect(check).not.toHaveProperty('reservedConcurrentExecutions');
    expect(worker?.handlerExport).toBe('handler');
  });

  it('records the Lambda rule target, the schedule and the queue source', () => {
    expect(app.ruleTargets).toEqual([
      {
        ruleLogicalId: logicalId('OnLandingObject'),
        ruleName: physical('OnLandingObject'),
        eventBusName: 'default',
        eventPattern: {
          source: ['aws.s3'],
          'detail-type': ['Object Created'],
          detail: { bucket: { name: [physical('LandingBucket')] }, object: { key: [{ prefix: 'incoming/' }] } },
        },
        functionLogicalId: logicalId('ContractCheck'),
        inboxQueueUrl: `${aws.endpoint}/${aws.accountId}/${physical('OnLandingObject')}-Target0-inbox`,
        retryPolicy: { maximumRetryAttempts: 4, maximumEventAgeSeconds: 7200 },
        deadLetterQueueUrl: physical('DeadLetterQueue'),
      },
    ]);
    expect(app.schedules).toEqual([
      {
        logicalId: logicalId('NightlyEvaluation'),
        name: physical('NightlyEvaluation'),
        scheduleExpression: 'cron(0 3 * * ? *)',
        functionLogicalId: logicalId('Worker'),
        input: '{"run":"nightly"}',
      },
    ]);
    expect(app.queueSources).toEqual([
      {
        logicalId: onlyOfType('AWS::Lambda::EventSourceMapping'),
        queueUrl: physical('WorkQueue'),
        functionLogicalId: logicalId('Worker'),
        batchSize: 5,
        reportBatchItemFailures: true,
      },
    ]);
  });

  it('reports what it did not provision, with reasons', () => {
    const reasons = Object.fromEntries(app.notProvisioned.map((entry) => [entry.type, entry.reason]));
    const ids = (type: string) =>
      app.notProvisioned.filter((entry) => entry.type === type).flatMap((entry) => entry.logicalIds);

    expect(reasons['AWS::IAM::Role']).toBe('IAM is not enforced by the emulator');
    expect(ids('AWS::IAM::Role')).toHaveLength(4);
    expect(ids('AWS::Lambda::Function')).toEqual([
      expect.stringMatching(/^CustomS3AutoDeleteObjectsCustomResourceProviderHandler/),
      expect.stringMatching(/^BucketNotificationsHandler/),
    ]);
    expect(reasons['AWS::Lambda::Function']).toMatch(/mlops:entry/);
    expect(Object.keys(reasons).sort()).toEqual([
      'AWS::IAM::Policy',
      'AWS::IAM::Role',
      'AWS::Lambda::Function',
      'AWS::Lambda::Permission',
      'AWS::S3::BucketPolicy',
      'AWS::SQS::QueuePolicy',
      'Custom::S3AutoDeleteObjects',
    ]);
    const report = formatProvisionReport(app);
    expect(report).toContain(`Provisioned stack ${SAMPLE_STACK_NAME} into account ${aws.accountId} (us-east-1):`);
    expect(report).toMatch(/AWS::SQS::Queue\s+3/);
    expect(report).toContain('Not provisioned (15):');
  });

  it('routes an S3 upload through the rule to the function inbox queue', async () => {
    await s3.send(
      new PutObjectCommand({ Bucket: physical('LandingBucket'), Key: 'incoming/batch.csv', Body: 'id\n1\n' }),
    );
    await s3.send(new PutObjectCommand({ Bucket: physical('LandingBucket'), Key: 'other/batch.csv', Body: 'id\n1\n' }));

    const inbox = app.ruleTargets[0]?.inboxQueueUrl ?? '';
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: inbox, MaxNumberOfMessages: 10 }));

    expect(Messages.map((message) => JSON.parse(message.Body ?? '{}'))).toEqual([
      expect.objectContaining({
        'detail-type': 'Object Created',
        account: aws.accountId,
        detail: expect.objectContaining({
          object: expect.objectContaining({ key: 'incoming/batch.csv', 'version-id': expect.any(String) }),
        }),
      }),
    ]);
  });

  it('is idempotent: provisioning again into the same account gives the same resources', async () => {
    const again = await provision(stack.template, aws.clients, {
      stackName: stack.stackName,
      accountId: aws.accountId,
      region: aws.region,
    });

    expect(again.physicalIds).toEqual(app.physicalIds);
    expect(again.functions).toEqual(app.functions);
    expect(again.ruleTargets).toEqual(app.ruleTargets);
  });
});
