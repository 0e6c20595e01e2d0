import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import middy, { type MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { MalformedEventError } from './errors';
import { logger, metrics, tracer } from './powertools';

/** The response of an invocation whose malformed event was parked in the dead-letter queue. */
export interface DeadLettered {
  readonly deadLettered: true;
  readonly reason: string;
}

/** Where the error policy parks malformed events. */
export interface MalformedEventSink {
  park(
    record: { readonly reason: string; readonly path?: string; readonly event: unknown },
    functionName: string,
  ): Promise<void>;
}

/** Parks malformed events in the function's dead-letter queue (`DEAD_LETTER_QUEUE_URL`, set by `MlopsFunction`). */
export const sqsMalformedEventSink = (sqs: SQSClient, queueUrl: string): MalformedEventSink => ({
  park: async (record, functionName) => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(record),
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: 'MalformedEvent' },
          functionName: { DataType: 'String', StringValue: functionName },
        },
      }),
    );
  },
});

/**
 * The one error-handling policy of every function (see docs/architecture.md, "Errors"):
 * a {@link MalformedEventError} is sent to the dead-letter queue once, with the reason, and the invocation
 * succeeds; any other error is logged with the event's correlation keys and rethrown, so Lambda retries the
 * asynchronous invocation and finally hands it to the on-failure destination.
 */
export const errorPolicy = <TEvent, TResult>(
  sink: MalformedEventSink,
): MiddlewareObj<TEvent, TResult | DeadLettered, Error, Context> => ({
  onError: async (request) => {
    const error = request.error;
    if (!(error instanceof MalformedEventError)) {
      logger.error('invocation failed; it will be retried, then sent to the on-failure destination', { error });
      return; // middy rethrows request.error
    }
    logger.warn('malformed event sent to the dead-letter queue', { reason: error.message, path: error.path });
    metrics.addMetric('MalformedEvents', 'Count', 1);
    await sink.park({ reason: error.message, path: error.path, event: request.event }, request.context.functionName);
    request.response = { deadLettered: true, reason: error.message };
  },
});

/**
 * Wraps a handler with the shared middleware, in this order (middy runs `after`/`onError` in reverse):
 * Lambda context and correlation keys in every log line, metrics flushed in embedded metric format with a
 * cold-start metric, tracing of the handler, then the error policy innermost so the others observe its result.
 */
export function lambdaHandler<TEvent, TResult>(
  sink: MalformedEventSink,
  handler: (event: TEvent, context: Context) => Promise<TResult>,
) {
  return middy<TEvent, TResult | DeadLettered, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(errorPolicy<TEvent, TResult>(sink))
    .handler(handler);
}
