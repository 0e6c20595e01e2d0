import type { Interceptor } from './aws-call';

/**
 * DynamoDB writes that moto must apply one at a time. moto checks a write's conditions and applies it without
 * isolation from concurrent requests, so two conditional transactions on the same item can both succeed (seen in
 * this project's tests: two champions promoted, two training jobs for one trigger). DynamoDB serialises writes
 * to an item; the gateway gets the same guarantee by sending these operations to moto one at a time.
 */
export const SERIALISED_DYNAMODB_WRITES = [
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'TransactWriteItems',
  'BatchWriteItem',
] as const;

/** An interceptor that forwards the calls it sees one after another, in arrival order. */
export function oneAtATime(): Interceptor {
  let tail: Promise<unknown> = Promise.resolve();
  return (_call, forward) => {
    const reply = tail.then(() => forward());
    tail = reply.catch(() => undefined);
    return reply;
  };
}
