/**
 * Sees what the system announces: a rule on the project's bus for every lifecycle event of the demo's pipelines,
 * with an SQS queue as its target, as an operator would subscribe to the bus. Only the demo reads the queue.
 */
import { PutRuleCommand, PutTargetsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type * as z from 'zod';
import { toEventBridgePattern } from '../functions/events/event-pattern';
import {
  LIFECYCLE_EVENTS,
  lifecyclePattern,
  parseLifecycleEvent,
  type LifecycleEnvelope,
  type LifecycleEventDefinition,
  type LifecycleSource,
} from '../functions/events/lifecycle';

const RULE_NAME = 'mlops-demo-lifecycle-events';

/** One received event: its detail-type and the raw event as EventBridge delivered it. */
interface ReceivedEvent {
  readonly detailType: string;
  readonly raw: unknown;
}

/** Lifecycle events put on the project's bus since the recorder started, in arrival order. */
export class LifecycleRecorder {
  private readonly received: ReceivedEvent[] = [];

  private constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** Subscribes a new queue to every lifecycle event of `pipelines` on `busName`. */
  public static async start(
    clients: { readonly sqs: SQSClient; readonly eventbridge: EventBridgeClient },
    busName: string,
    pipelines: readonly string[],
  ): Promise<LifecycleRecorder> {
    const { sqs, eventbridge } = clients;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: RULE_NAME }))).QueueUrl;
    if (queueUrl === undefined) throw new Error('CreateQueue returned no queue URL');
    const queueArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.['QueueArn'];
    await eventbridge.send(
      new PutRuleCommand({
        Name: RULE_NAME,
        EventBusName: busName,
        EventPattern: JSON.stringify(toEventBridgePattern(lifecyclePattern(LIFECYCLE_EVENTS, pipelines))),
      }),
    );
    await eventbridge.send(
      new PutTargetsCommand({ Rule: RULE_NAME, EventBusName: busName, Targets: [{ Id: 'demo', Arn: queueArn }] }),
    );
    return new LifecycleRecorder(sqs, queueUrl);
  }

  /** Reads what arrived since the last call. */
  public async drain(): Promise<void> {
    for (;;) {
      const batch = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10 }),
      );
      const messages = batch.Messages ?? [];
      if (messages.length === 0) return;
      for (const message of messages) {
        const raw: unknown = JSON.parse(message.Body ?? 'null');
        const detailType =
          typeof raw === 'object' && raw !== null && 'detail-type' in raw ? String(raw['detail-type']) : '';
        this.received.push({ detailType, raw });
      }
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }

  /** Every detail-type received, in order. */
  public get detailTypes(): readonly string[] {
    return this.received.map((e) => e.detailType);
  }

  /** How many events were received so far (a mark for {@link events} `since`). */
  public get count(): number {
    return this.received.length;
  }

  /**
   * The received events of one kind, parsed with the event's own schema (an event that does not parse is a fault
   * of the system, so it throws).
   */
  public events<S extends z.ZodType>(
    def: LifecycleEventDefinition<LifecycleSource, string, S>,
    since = 0,
  ): LifecycleEnvelope<z.output<S>>[] {
    return this.received
      .slice(since)
      .filter((e) => e.detailType === def.detailType)
      .map((e) => {
        const parsed = parseLifecycleEvent(def, e.raw);
        if (!parsed.ok) throw new Error(`the bus carried a malformed "${def.detailType}" event: ${parsed.error}`);
        return parsed.value;
      });
  }
}
