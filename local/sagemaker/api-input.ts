/**
 * Parsing of raw API JSON (awsJson1_1 request bodies, or what a lookup returns) into typed values, with
 * `ValidationException`s that say what was wrong, where.
 */
import * as z from 'zod';

import { validationError } from './errors';

/**
 * Parses `input` with `schema`; a mismatch becomes a `ValidationException` that lists every problem with its path.
 * @param what the operation or shape, for the message (e.g. `CreateTrainingJob`).
 */
export function parseApiInput<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(`${what}: ${z.prettifyError(result.error)}`, result.error);
  return result.data;
}
