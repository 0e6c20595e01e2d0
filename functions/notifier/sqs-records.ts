import * as z from 'zod';
import { formatIssues } from '../events/parse-result';
import { MalformedEventError } from '../runtime/errors';

/** The fields of an SQS event-source record the notifier uses (Lambda's `SQSRecord` has more). */
export interface QueueRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** `ApproximateReceiveCount`; 1 when absent. */
  readonly receiveCount: number;
}

const SqsEventSchema = z.object({
  Records: z.array(
    z.object({
      messageId: z.string().min(1),
      receiptHandle: z.string().min(1),
      body: z.string(),
      attributes: z.looseObject({ ApproximateReceiveCount: z.string().optional() }).optional(),
    }),
  ),
});

/**
 * Reads the records of an SQS event-source invocation. A malformed record *body* is handled per message; an
 * invocation that is not an SQS batch at all is a `MalformedEventError` for the shared error policy.
 * @throws MalformedEventError if `event` is not `{ Records: [...] }` with message ids, receipt handles and bodies.
 */
export function readQueueRecords(event: unknown): QueueRecord[] {
  const parsed = SqsEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new MalformedEventError(`not an SQS event: ${formatIssues(parsed.error.issues)}`, 'Records');
  }
  return parsed.data.Records.map((record) => {
    const count = Number(record.attributes?.ApproximateReceiveCount ?? '1');
    return {
      messageId: record.messageId,
      receiptHandle: record.receiptHandle,
      body: record.body,
      receiveCount: Number.isInteger(count) && count > 0 ? count : 1,
    };
  });
}
