/**
 * Who sends a recorded item's lifecycle events. The invocation that records an item (a dataset's object marker, an
 * evaluation) holds a short lease to send its events; another delivery of the same input that finds them unsent
 * may send them only once the lease has lapsed (the holder died between recording and sending), else it fails
 * with {@link EventsInFlightError} so that its retry comes back later. Without the lease, two concurrent
 * deliveries both saw "not sent yet" and both sent: two `Dataset Accepted` events, two trainings.
 *
 * The attribute is `sendingSince` (epoch milliseconds) on the recorded item, next to its sent flag.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * How long the recording invocation holds the lease. Sending follows the record at once (one PutEvents call per
 * event, with the SDK's retries), so this only has to outlast that; a retry after a crash (Lambda's asynchronous
 * retries come after 1 and 3 minutes, an SQS message after its visibility timeout) then finds it lapsed.
 */
export const SEND_LEASE_MS = 2 * 60 * 1000;

/** The attribute holding the lease. */
const SENDING_SINCE = 'sendingSince';

/** Another invocation is sending these events now: retry later (the error makes the platform redeliver). */
export class EventsInFlightError extends Error {
  public override readonly name = 'EventsInFlightError';
}

/** The lease attribute to write with a new record whose events the writer sends. */
export function sendLease(now: Date): Record<typeof SENDING_SINCE, number> {
  return { [SENDING_SINCE]: now.getTime() };
}

/**
 * Takes the lease on an item whose events are unsent (`sentAttribute` is false) when nobody holds it or its
 * holder's lease has lapsed. Conditional: send it through `writeIfCondition` (false when not taken).
 */
export function claimSendCommand(
  tableName: string,
  key: Record<string, string>,
  sentAttribute: string,
  now: Date,
): UpdateCommand {
  return new UpdateCommand({
    TableName: tableName,
    Key: key,
    UpdateExpression: 'SET #since = :now',
    ConditionExpression: '#sent = :false AND (attribute_not_exists(#since) OR #since < :lapsed)',
    ExpressionAttributeNames: { '#since': SENDING_SINCE, '#sent': sentAttribute },
    ExpressionAttributeValues: { ':now': now.getTime(), ':false': false, ':lapsed': now.getTime() - SEND_LEASE_MS },
  });
}

/** Marks the events sent (`true`), or gives the lease back after a failed send (`false`) so a retry can take it. */
export function settleSendCommand(
  tableName: string,
  key: Record<string, string>,
  sentAttribute: string,
  sent: boolean,
): UpdateCommand {
  return new UpdateCommand({
    TableName: tableName,
    Key: key,
    UpdateExpression: 'SET #sent = :sent REMOVE #since',
    ExpressionAttributeNames: { '#since': SENDING_SINCE, '#sent': sentAttribute },
    ExpressionAttributeValues: { ':sent': sent },
  });
}
