// Posts lifecycle events to Slack. Wiring: rule on the mlops bus -> notification queue -> this function (batch,
// ReportBatchItemFailures, reserved concurrency 1). The domain is functions/slack/; this module maps its results
// to SQS calls and logs. See docs/notifications.md.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { lambdaHandler, sqsMalformedEventSink } from '../runtime/lambda-handler';
import { logger, metrics } from '../runtime/powertools';
import { DEFAULT_DELIVERY_POLICY, scaleDeliveryPolicy, systemClock, WebhookPacer } from '../slack/delivery-policy';
import {
  deliverNotification,
  type NotificationResult,
  type NotifierDependencies,
} from '../slack/notification-delivery';
import { DynamoDbNotificationStore } from '../slack/notification-store';
import { postToWebhook } from '../slack/webhook-client';
import { cacheWebhookSecret } from '../slack/webhook-secret';
import { readNotifierEnvironment } from './environment';
import { readQueueRecords, type QueueRecord } from './sqs-records';

/** Time kept back at the end of an invocation for the SQS calls that follow a post. */
const SAFETY_MARGIN_MS = 3000;

const env = readNotifierEnvironment();
const sqs = new SQSClient({});
const secrets = new SecretsManagerClient({});
const policy = scaleDeliveryPolicy(DEFAULT_DELIVERY_POLICY, env.timeScale);

const loadSecret = async (): Promise<string | undefined> => {
  if (env.webhookUrlOverride !== undefined) return env.webhookUrlOverride; // local runtime and demo (DESIGN 6)
  const response = await secrets.send(new GetSecretValueCommand({ SecretId: env.webhookSecretArn }));
  return response.SecretString;
};

const deps: NotifierDependencies = {
  routes: env.routes,
  webhooks: cacheWebhookSecret(loadSecret),
  store: new DynamoDbNotificationStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), env.metadataTable),
  post: (url, message, timeoutMs) => postToWebhook(url, message, { timeoutMs }),
  pacer: new WebhookPacer(policy.minIntervalMs, systemClock),
  clock: systemClock,
  policy,
  random: Math.random,
  newToken: randomUUID,
  defaultRegion: env.region,
  links: {
    ...(env.artifactsBucket === undefined ? {} : { artifactsBucket: env.artifactsBucket }),
    ...(env.quarantineBucket === undefined ? {} : { quarantineBucket: env.quarantineBucket }),
    ...(env.dashboardName === undefined ? {} : { dashboardName: env.dashboardName }),
  },
};

/** Lambda's partial-batch response: the listed messages stay in the queue, the others are deleted. */
interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** Parks an undeliverable message in the dead-letter queue with its reason, then removes it from the queue. */
async function deadLetter(record: QueueRecord, reason: string, code: string): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: env.deadLetterQueueUrl,
      // The original event, so a redrive to the notification queue posts it once the cause is fixed.
      MessageBody: record.body,
      MessageAttributes: {
        reason: { DataType: 'String', StringValue: reason.slice(0, 1024) },
        errorCode: { DataType: 'String', StringValue: code },
        sourceMessageId: { DataType: 'String', StringValue: record.messageId },
      },
    }),
  );
  try {
    // Deleted now rather than by Lambda at the end of the batch, so a later failure of the batch cannot park it twice.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: env.queueUrl, ReceiptHandle: record.receiptHandle }));
  } catch (error) {
    logger.warn('dead-lettered message could not be deleted; Lambda deletes it when the batch succeeds', {
      messageId: record.messageId,
      error,
    });
  }
}

/** Gives a message back to the queue, to be received again after `delaySeconds`. */
async function handBack(record: QueueRecord, delaySeconds: number): Promise<void> {
  try {
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: env.queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: delaySeconds,
      }),
    );
  } catch (error) {
    // Not fatal: the message still comes back, after the queue's visibility timeout instead.
    logger.warn('could not set the retry delay; the queue visibility timeout applies', {
      messageId: record.messageId,
      error,
    });
  }
}

/** Logs the result, makes the SQS calls it needs; returns true if the message must stay in the queue. */
async function settle(record: QueueRecord, result: NotificationResult): Promise<boolean> {
  const keys = {
    messageId: record.messageId,
    receiveCount: record.receiveCount,
    ...('event' in result ? result.event : {}),
  };
  switch (result.kind) {
    case 'sent':
      metrics.addMetric('SlackMessagesSent', 'Count', 1);
      logger.info('posted to Slack', { ...keys, webhook: result.webhookKey, attempts: result.attempts });
      if (result.missingKey !== undefined) {
        logger.warn("the pipeline's webhookKey is not in the Slack secret; another webhook was used", {
          ...keys,
          webhookKey: result.missingKey,
          webhook: result.webhookKey,
        });
      }
      if (result.markerError !== undefined) {
        logger.warn('posted, but the notification marker could not be updated', { ...keys, error: result.markerError });
      }
      return false;
    case 'duplicate':
      logger.info('already posted to Slack; duplicate delivery skipped', keys);
      return false;
    case 'skipped':
      logger.debug('not sent: the pipeline does not notify this event', { ...keys, reason: result.reason });
      return false;
    case 'not-configured':
      metrics.addMetric('SlackMessagesNotConfigured', 'Count', 1);
      logger.warn('not sent: no webhook configured', { ...keys, text: result.message.text });
      return false;
    case 'retry-later':
      metrics.addMetric('SlackMessagesRetried', 'Count', 1);
      logger.warn('not posted yet; handed back to the queue', {
        ...keys,
        reason: result.reason,
        attempts: result.attempts,
        delaySeconds: result.delaySeconds,
      });
      await handBack(record, result.delaySeconds);
      return true;
    case 'dead-letter':
      metrics.addMetric('SlackMessagesDeadLettered', 'Count', 1);
      logger.error('not deliverable; sent to the dead-letter queue', {
        ...keys,
        reason: result.reason,
        errorCode: result.code,
        attempts: result.attempts,
      });
      await deadLetter(record, result.reason, result.code);
      return false;
  }
}

export const handler = lambdaHandler(
  sqsMalformedEventSink(sqs, env.deadLetterQueueUrl),
  async (event: unknown, context: Context): Promise<BatchResponse> => {
    const records = readQueueRecords(event);
    const failed: string[] = [];
    for (const [index, record] of records.entries()) {
      try {
        const result = await deliverNotification(
          {
            body: record.body,
            receiveCount: record.receiveCount,
            deadlineMs: Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS,
          },
          deps,
        );
        if (await settle(record, result)) failed.push(record.messageId);
      } catch (error) {
        // A fault (DynamoDB, Secrets Manager, SQS): this and the remaining messages go back to the queue; its redrive
        // policy moves a message that keeps failing to the dead-letter queue, whose alarm fires.
        metrics.addMetric('NotifierFaults', 'Count', 1);
        logger.error('fault while notifying; the rest of the batch is handed back', {
          messageId: record.messageId,
          error,
        });
        failed.push(...records.slice(index).map((r) => r.messageId));
        break;
      }
    }
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  },
);
