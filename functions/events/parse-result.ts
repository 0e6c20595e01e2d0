import * as z from 'zod';

/**
 * Outcome of parsing an incoming event. A malformed event is an expected outcome (it goes to the dead-letter queue
 * once, with `error` as the reason), so it is a value, not an exception.
 */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** Renders a zod issue path the way the rest of the project prints paths: `detail.object.key`, `a.b.0.c`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

/** One line per issue, `path: message`, so a DLQ message says which field was wrong and why. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.length === 0 ? '(event)' : formatIssuePath(i.path)}: ${i.message}`).join('; ');
}

/** `schema.safeParse(input)` as a `ParseResult`, with a message prefixed by what was being parsed. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string): ParseResult<z.output<S>> {
  const result = schema.safeParse(input);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, error: `not a valid ${what}: ${formatIssues(result.error.issues)}` };
}

/** `z.literal(value)` whose error says what was found, e.g. `expected "Object Created", got "Object Deleted"`. */
export function literal<const T extends string>(value: T) {
  return z.literal(value, {
    error: (issue) => `expected ${JSON.stringify(value)}, got ${quote(issue.input)}`,
  });
}

/** A value as it may appear in an error message: JSON, cut at 80 characters so a DLQ reason stays readable. */
function quote(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
