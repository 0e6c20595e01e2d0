import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LocalFunction } from '../runtime-model';
import type { FunctionError, InvocationResult, LocalFunctionHost } from './function-host';

/** Why an asynchronous invocation ended in the on-failure destination (Lambda's `requestContext.condition`). */
export type FailureCondition = 'RetriesExhausted' | 'EventAgeExceeded';

/** The record Lambda sends to an on-failure destination (Lambda DG, "Capturing records of asynchronous invocations"). */
export interface OnFailureRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: FailureCondition;
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: unknown;
  readonly responseContext: {
    readonly statusCode: 200;
    readonly executedVersion: '$LATEST';
    readonly functionError: 'Unhandled';
  };
  readonly responsePayload: {
    readonly errorType: string;
    readonly errorMessage: string;
    readonly trace: readonly string[];
  };
}

/** How one asynchronous invocation ended. */
export type AsyncOutcome =
  | { readonly kind: 'succeeded'; readonly attempts: number; readonly value: unknown }
  | {
      readonly kind: 'failed';
      readonly attempts: number;
      readonly condition: FailureCondition;
      readonly error: FunctionError;
      readonly deadLettered: boolean;
    };

export interface AsyncInvokerOptions {
  /**
   * Waits before the first and the second retry. Lambda waits about one and two minutes; locally they are short
   * so that tests and the demo see the retries in seconds. The number of retries is the template's.
   * @default [100, 200] ms
   */
  readonly retryDelaysMs?: readonly number[];
  /** Time source, for event-age checks. @default Date.now */
  readonly now?: () => number;
}

/**
 * Lambda's asynchronous invocation (the `Event` invocation type, which EventBridge uses): the handler runs, a
 * failure is retried `MaximumRetryAttempts` times, an event older than `MaximumEventAgeInSeconds` is not retried,
 * and a finally failed event goes to the on-failure destination with Lambda's record shape.
 */
export class LocalAsyncInvoker {
  private readonly retryDelaysMs: readonly number[];
  private readonly now: () => number;

  public constructor(
    private readonly host: LocalFunctionHost,
    private readonly sqs: SQSClient,
    options: AsyncInvokerOptions = {},
  ) {
    this.retryDelaysMs = options.retryDelaysMs ?? [100, 200];
    this.now = options.now ?? Date.now;
  }

  public async invoke(fn: LocalFunction, event: unknown, enqueuedAt = this.now()): Promise<AsyncOutcome> {
    const { maximumRetryAttempts, maximumEventAgeSeconds, onFailureQueueUrl } = fn.asyncInvoke;
    let attempts = 0;
    for (;;) {
      const last: InvocationResult = await this.host.invoke(fn, event);
      attempts++;
      if (last.ok) return { kind: 'succeeded', attempts, value: last.value };
      if (attempts > maximumRetryAttempts)
        return this.fail(fn, event, attempts, 'RetriesExhausted', last, onFailureQueueUrl);
      const delay = this.retryDelaysMs[Math.min(attempts - 1, this.retryDelaysMs.length - 1)] ?? 0;
      if (this.now() + delay - enqueuedAt > maximumEventAgeSeconds * 1000) {
        return this.fail(fn, event, attempts, 'EventAgeExceeded', last, onFailureQueueUrl);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private async fail(
    fn: LocalFunction,
    event: unknown,
    attempts: number,
    condition: FailureCondition,
    last: Extract<InvocationResult, { ok: false }>,
    queueUrl: string | undefined,
  ): Promise<AsyncOutcome> {
    if (queueUrl) {
      const record: OnFailureRecord = {
        version: '1.0',
        timestamp: new Date(this.now()).toISOString(),
        requestContext: {
          requestId: last.requestId,
          functionArn: `${this.host.functionArn(fn)}:$LATEST`,
          condition,
          approximateInvokeCount: attempts,
        },
        requestPayload: event,
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: last.error,
      };
      await this.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(record) }));
    }
    return { kind: 'failed', attempts, condition, error: last.error, deadLettered: queueUrl !== undefined };
  }
}
