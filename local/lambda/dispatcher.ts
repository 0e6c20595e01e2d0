import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { LocalFunction, LocalQueueSource, LocalRuleTarget, LocalSchedule, ProvisionedApp } from '../runtime-model';
import type { LocalAsyncInvoker, AsyncOutcome } from './async-invoker';
import type { LocalFunctionHost } from './function-host';
import { parseJsonOrText, targetInput } from './target-input';

/** One delivery the dispatcher made, for tests, the demo's summary and debugging. */
export interface Delivery {
  readonly via: 'rule' | 'schedule' | 'queue';
  /** Rule, schedule or queue logical id. */
  readonly source: string;
  readonly functionLogicalId: string;
  readonly event: unknown;
  readonly outcome: AsyncOutcome | { readonly kind: 'batch'; readonly failedMessageIds: readonly string[] };
}

export interface DispatcherOptions {
  readonly accountId: string;
  readonly region: string;
  /** Called after every delivery (progress output, test probes). */
  readonly onDelivery?: (delivery: Delivery) => void;
}

/**
 * Delivers what AWS would deliver to the functions: events that rules put in their inbox queues (each rule target
 * that is a Lambda function was re-pointed to an SQS inbox by the provisioner), scheduled events on demand, and
 * messages of SQS event sources. Everything goes through the same handlers with Lambda's invocation semantics.
 */
export class LocalDispatcher {
  private readonly functions: ReadonlyMap<string, LocalFunction>;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly deliveries: Delivery[] = [];
  private polling: AbortController | undefined;
  private loop: Promise<void> | undefined;

  public constructor(
    private readonly app: ProvisionedApp,
    private readonly sqs: SQSClient,
    private readonly host: LocalFunctionHost,
    private readonly asyncInvoker: LocalAsyncInvoker,
    private readonly options: DispatcherOptions,
  ) {
    this.functions = new Map(app.functions.map((f) => [f.logicalId, f]));
  }

  /** Every delivery so far, oldest first. */
  public get history(): readonly Delivery[] {
    return this.deliveries;
  }

  /**
   * Delivers until nothing is left: drains every inbox and event-source queue, waits for the invocations (and
   * their retries) to end, and repeats until a pass finds nothing, so the events those invocations emitted are
   * delivered too. Deterministic: tests and the demo call it instead of sleeping.
   */
  public async settle(options: { maxPasses?: number } = {}): Promise<readonly Delivery[]> {
    const start = this.deliveries.length;
    const maxPasses = options.maxPasses ?? 1000;
    for (let pass = 0; pass < maxPasses; pass++) {
      const received = await this.pollOnce(0);
      if (this.inFlight.size > 0) {
        await Promise.allSettled([...this.inFlight]);
        continue;
      }
      if (received === 0) return this.deliveries.slice(start);
    }
    throw new Error(`the local runtime did not settle after ${maxPasses} passes: an event loop between functions?`);
  }

  /** Starts delivering continuously in the background (long polling), as the deployed system does. */
  public start(): void {
    if (this.polling) return;
    const controller = new AbortController();
    this.polling = controller;
    this.loop = (async () => {
      while (!controller.signal.aborted) {
        const received = await this.pollOnce(1).catch(() => 0);
        if (received === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
  }

  /** Stops background delivery and waits for the invocations in flight. */
  public async stop(): Promise<void> {
    this.polling?.abort();
    await this.loop;
    this.polling = undefined;
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Fires a schedule now, as EventBridge would at its time: the target function is invoked asynchronously with a
   * `Scheduled Event` for `time`, shaped by the target's input settings (constant input, input path or input
   * transformer). Resolves when the invocation (with retries) ends.
   * @param nameOrLogicalId the schedule's rule name or logical id
   */
  public async fireSchedule(nameOrLogicalId: string, time = new Date()): Promise<AsyncOutcome> {
    const schedule = this.findSchedule(nameOrLogicalId);
    const fn = this.functionFor(schedule.functionLogicalId);
    const event = targetInput(schedule, this.scheduledEvent(schedule, time));
    const outcome = await this.track(this.asyncInvoker.invoke(fn, event));
    this.record({ via: 'schedule', source: schedule.logicalId, functionLogicalId: fn.logicalId, event, outcome });
    return outcome;
  }

  /** The schedules of the app, for commands that list or fire them. */
  public get schedules(): readonly LocalSchedule[] {
    return this.app.schedules;
  }

  private findSchedule(nameOrLogicalId: string): LocalSchedule {
    const schedule = this.app.schedules.find((s) => s.name === nameOrLogicalId || s.logicalId === nameOrLogicalId);
    if (!schedule) {
      const known = this.app.schedules.map((s) => s.name).join(', ') || 'none';
      throw new Error(`no schedule named "${nameOrLogicalId}" (schedules: ${known})`);
    }
    return schedule;
  }

  private scheduledEvent(schedule: LocalSchedule, time: Date) {
    const { accountId, region } = this.options;
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: accountId,
      time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region,
      resources: [`arn:aws:events:${region}:${accountId}:rule/${schedule.name}`],
      detail: {},
    };
  }

  /** Receives one batch from every queue and starts the deliveries; returns how many messages it received. */
  private async pollOnce(waitTimeSeconds: number): Promise<number> {
    const counts = await Promise.all([
      ...this.app.ruleTargets.map((target) => this.pollRuleTarget(target, waitTimeSeconds)),
      ...this.app.queueSources.map((source) => this.pollQueueSource(source, waitTimeSeconds)),
    ]);
    return counts.reduce((a, b) => a + b, 0);
  }

  private async pollRuleTarget(target: LocalRuleTarget, waitTimeSeconds: number): Promise<number> {
    const messages = await this.receive(target.inboxQueueUrl, 10, waitTimeSeconds);
    for (const message of messages) {
      // The rule matched and the event is handed to Lambda's async queue: the inbox message is done with.
      await this.sqs.send(
        new DeleteMessageCommand({ QueueUrl: target.inboxQueueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      const event = targetInput(target, parseJsonOrText(message.Body ?? ''));
      const fn = this.functions.get(target.functionLogicalId);
      if (!fn) {
        await this.handOverFailed(target, event, `function ${target.functionLogicalId} is not provisioned locally`);
        continue;
      }
      void this.track(
        this.asyncInvoker.invoke(fn, event).then((outcome) => {
          this.record({ via: 'rule', source: target.ruleLogicalId, functionLogicalId: fn.logicalId, event, outcome });
          return outcome;
        }),
      );
    }
    return messages.length;
  }

  /** SQS event source mapping: a batch per invocation; failed messages stay for the redrive policy to count. */
  private async pollQueueSource(source: LocalQueueSource, waitTimeSeconds: number): Promise<number> {
    const messages = await this.receive(source.queueUrl, Math.min(10, source.batchSize), waitTimeSeconds);
    if (messages.length === 0) return 0;
    const fn = this.functionFor(source.functionLogicalId);
    const event = { Records: messages.map((m) => this.sqsRecord(source, m)) };
    void this.track(
      this.host.invoke(fn, event).then(async (result) => {
        const failed = new Set<string>();
        if (!result.ok) messages.forEach((m) => failed.add(m.MessageId ?? ''));
        else if (source.reportBatchItemFailures) {
          for (const id of batchItemFailures(result.value)) failed.add(id);
        }
        for (const message of messages) {
          if (failed.has(message.MessageId ?? '')) {
            // Visible again at once locally (Lambda waits for the visibility timeout); the queue's redrive policy counts receives.
            await this.sqs.send(
              new ChangeMessageVisibilityCommand({
                QueueUrl: source.queueUrl,
                ReceiptHandle: message.ReceiptHandle,
                VisibilityTimeout: 0,
              }),
            );
          } else {
            await this.sqs.send(
              new DeleteMessageCommand({ QueueUrl: source.queueUrl, ReceiptHandle: message.ReceiptHandle }),
            );
          }
        }
        this.record({
          via: 'queue',
          source: source.logicalId,
          functionLogicalId: fn.logicalId,
          event,
          outcome: { kind: 'batch', failedMessageIds: [...failed] },
        });
      }),
    );
    return messages.length;
  }

  private async receive(queueUrl: string, max: number, waitTimeSeconds: number): Promise<Message[]> {
    const response = await this.sqs.send(
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

  private sqsRecord(source: LocalQueueSource, message: Message) {
    const { accountId, region } = this.options;
    const queueName = source.queueUrl.split('/').pop() ?? source.logicalId;
    return {
      messageId: message.MessageId,
      receiptHandle: message.ReceiptHandle,
      body: message.Body,
      attributes: message.Attributes ?? {},
      messageAttributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [
          k,
          { stringValue: v.StringValue, dataType: v.DataType, stringListValues: [], binaryListValues: [] },
        ]),
      ),
      md5OfBody: message.MD5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${region}:${accountId}:${queueName}`,
      awsRegion: region,
    };
  }

  /** EventBridge could not hand the event to Lambda: its retry policy ends in the rule target's dead-letter queue. */
  private async handOverFailed(target: LocalRuleTarget, event: unknown, reason: string): Promise<void> {
    if (!target.deadLetterQueueUrl)
      throw new Error(`${target.ruleName}: ${reason}, and the target has no dead-letter queue`);
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: target.deadLetterQueueUrl,
        MessageBody: JSON.stringify(event),
        MessageAttributes: {
          RULE_ARN: {
            DataType: 'String',
            StringValue: `arn:aws:events:${this.options.region}:${this.options.accountId}:rule/${target.ruleName}`,
          },
          ERROR_MESSAGE: { DataType: 'String', StringValue: reason },
        },
      }),
    );
  }

  private functionFor(logicalId: string): LocalFunction {
    const fn = this.functions.get(logicalId);
    if (!fn) throw new Error(`function ${logicalId} is not provisioned locally`);
    return fn;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }

  private record(delivery: Delivery): void {
    this.deliveries.push(delivery);
    this.options.onDelivery?.(delivery);
  }
}

/** Message ids of `{ batchItemFailures: [{ itemIdentifier }] }`, the partial-batch response. */
function batchItemFailures(value: unknown): string[] {
  if (
    typeof value !== 'object' ||
    value === null ||
    !('batchItemFailures' in value) ||
    !Array.isArray(value.batchItemFailures)
  )
    return [];
  return value.batchItemFailures.flatMap((f: unknown) =>
    typeof f === 'object' && f !== null && 'itemIdentifier' in f && typeof f.itemIdentifier === 'string'
      ? [f.itemIdentifier]
      : [],
  );
}
