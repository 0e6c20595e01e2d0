import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/**
 * True when a write failed on its condition: someone else changed the item first. For a transaction, `index`
 * names the item whose condition matters (e.g. the marker at 0); without it, any item's condition counts.
 */
export function conditionFailed(error: unknown, index?: number): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  if (!(error instanceof TransactionCanceledException)) return false;
  const reasons = error.CancellationReasons ?? [];
  return index === undefined
    ? reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')
    : reasons[index]?.Code === 'ConditionalCheckFailed';
}

/**
 * Awaits a conditional write (`client.send(...)`); false when its condition failed (the invariant held against this writer), every
 * other error thrown. Every "one winner" write of the metadata stores goes through here.
 */
export async function writeIfCondition(write: Promise<unknown>, index?: number): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (conditionFailed(error, index)) return false;
    throw error;
  }
}
