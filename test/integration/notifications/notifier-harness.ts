// Runs the REAL notifier handler module against the local emulator (DynamoDB, SQS, Secrets Manager through the
// test file's gateway) and a local Slack receiver, delivering SQS messages the way Lambda's event source does.
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { vi } from 'vitest';
import { LIFECYCLE_EVENT_NAMES } from '../../../functions/events/lifecycle';
import { METADATA_TABLE_KEYS } from '../../../functions/metadata/table-keys';
import { NOTIFIER_ENV } from '../../../functions/notifier/environment';
import type * as NotifierModule from '../../../functions/notifier/handler';
import { serializeNotificationRoutes } from '../../../functions/slack/notification-routes';
import type { LocalAws } from '../setup/local-env';
import { lambdaContext as contextFor } from '../../fixtures/lambda-context';

/** The handler's type, as the module exports it. */
export type NotifierHandler = typeof NotifierModule.handler;

/** Waits scale: pacing 100 ms instead of 1 s, Retry-After 1 s becomes 100 ms, hand-back 30 s becomes 3 s. */
export const TIME_SCALE = 0.1;

export const ROUTES = serializeNotificationRoutes([
  {
    name: 'churn',
    notifications: { events: [...LIFECYCLE_EVENT_NAMES], mention: '<!subteam^S0123ONCALL>' },
  },
  { name: 'fraud', notifications: { events: ['Dataset Rejected'], webhookKey: 'fraud-team' } },
]);

/** A Lambda context whose remaining time counts down from `timeoutMs`. */
export function lambdaContext(timeoutMs = 60_000): Context {
  return contextFor('notifier', { timeoutMs });
}

/** A notification queue and its dead-letter queue, as `lib/notifications.ts` wires them. */
export interface Queues {
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
}

export class NotifierHarness {
  public readonly tableName = `mlops-notifications-${randomUUID().slice(0, 8)}`;

  public constructor(private readonly aws: LocalAws) {}

  public async createTable(): Promise<void> {
    const { partitionKey, sortKey, timeToLive } = METADATA_TABLE_KEYS;
    await this.aws.clients.dynamodb.send(
      new CreateTableCommand({
        TableName: this.tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: partitionKey, AttributeType: 'S' },
          { AttributeName: sortKey, AttributeType: 'S' },
        ],
      }),
    );
    await this.aws.clients.dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: this.tableName,
        TimeToLiveSpecification: { AttributeName: timeToLive, Enabled: true },
      }),
    );
  }

  /** A secret holding `value`; returns its ARN. */
  public async createSecret(value: string): Promise<string> {
    const created = await this.aws.clients.secretsManager.send(
      new CreateSecretCommand({ Name: `slack-${randomUUID()}`, SecretString: value }),
    );
    if (created.ARN === undefined) throw new Error('CreateSecret returned no ARN');
    return created.ARN;
  }

  public async createQueues(maxReceiveCount = 3): Promise<Queues> {
    const name = `notify-${randomUUID().slice(0, 8)}`;
    const dlq = await this.aws.clients.sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
    const dlqArn = await this.aws.clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queue = await this.aws.clients.sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          VisibilityTimeout: '360',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn.Attributes?.QueueArn,
            maxReceiveCount,
          }),
        },
      }),
    );
    if (queue.QueueUrl === undefined || dlq.QueueUrl === undefined) throw new Error('CreateQueue returned no URL');
    return { queueUrl: queue.QueueUrl, deadLetterQueueUrl: dlq.QueueUrl };
  }

  /**
   * Imports a fresh copy of the handler module with this environment (the module reads it at init, as on Lambda).
   * `SLACK_WEBHOOK_URL` from the developer's shell is removed unless given.
   */
  public async loadHandler(
    queues: Queues,
    secretArn: string,
    extra: Readonly<Record<string, string>> = {},
  ): Promise<NotifierHandler> {
    vi.resetModules();
    delete process.env[NOTIFIER_ENV.webhookUrlOverride];
    Object.assign(process.env, {
      [NOTIFIER_ENV.metadataTable]: this.tableName,
      [NOTIFIER_ENV.webhookSecretArn]: secretArn,
      [NOTIFIER_ENV.queueUrl]: queues.queueUrl,
      [NOTIFIER_ENV.deadLetterQueueUrl]: queues.deadLetterQueueUrl,
      [NOTIFIER_ENV.routes]: ROUTES,
      [NOTIFIER_ENV.dashboardName]: 'mlops-test',
      [NOTIFIER_ENV.artifactsBucket]: 'mlops-artifacts-test',
      [NOTIFIER_ENV.quarantineBucket]: 'mlops-quarantine-test',
      [NOTIFIER_ENV.timeScale]: String(TIME_SCALE),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...extra,
    });
    const module = await import('../../../functions/notifier/handler');
    return module.handler;
  }

  public async send(queueUrl: string, body: unknown): Promise<void> {
    await this.aws.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
  }

  public async receive(queueUrl: string, max = 10, waitTimeSeconds = 0): Promise<Message[]> {
    const response = await this.aws.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return response.Messages ?? [];
  }

  /** The SQS event Lambda's event source would pass for `messages`. */
  public sqsEvent(queueUrl: string, messages: readonly Message[]) {
    return {
      Records: messages.map((m) => ({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        attributes: m.Attributes ?? {},
        messageAttributes: {},
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${this.aws.region}:${this.aws.accountId}:${queueUrl.split('/').pop() ?? ''}`,
        awsRegion: this.aws.region,
      })),
    };
  }

  /**
   * What Lambda's SQS event source does: receive a batch, invoke, delete the messages not reported as failures
   * (failures stay in flight until their visibility timeout, which the handler may have changed).
   */
  public async deliver(
    handler: NotifierHandler,
    queueUrl: string,
    max = 10,
  ): Promise<{ messages: Message[]; failed: string[] }> {
    const messages = await this.receive(queueUrl, max, 1);
    if (messages.length === 0) return { messages, failed: [] };
    const response = await handler(this.sqsEvent(queueUrl, messages), lambdaContext());
    const failed =
      response !== undefined && 'batchItemFailures' in response
        ? response.batchItemFailures.map((f) => f.itemIdentifier)
        : [];
    for (const message of messages) {
      if (failed.includes(message.MessageId ?? '')) continue;
      try {
        await this.aws.clients.sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      } catch {
        // already deleted by the handler (dead-lettered messages)
      }
    }
    return { messages, failed };
  }
}
