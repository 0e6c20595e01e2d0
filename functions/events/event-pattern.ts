import { PatternArgumentError } from './errors';

/**
 * Event pattern shapes, as plain data, so that code under `functions/` never imports aws-cdk-lib.
 *
 * Two forms exist:
 * - {@link EventPattern}: the CDK form (`detailType`), assignable to `aws-cdk-lib/aws-events` `EventPattern`.
 *   Pattern builders return it and `lib/` passes it to `new events.Rule(..., { eventPattern })` as is.
 * - {@link EventBridgePattern}: the JSON form EventBridge stores (`detail-type`), as found in `cdk.out`. The local
 *   runtime and the tests match events against it with `matchesPattern` (`pattern-match.ts`).
 */

/** `"equals-ignore-case"` nested in `prefix` or `suffix`. */
export interface IgnoreCaseOperand {
  readonly 'equals-ignore-case': string;
}

/** The comparison operators EventBridge supports, in their JSON form. */
export type PatternOperator =
  | { readonly prefix: string | IgnoreCaseOperand }
  | { readonly suffix: string | IgnoreCaseOperand }
  | { readonly 'equals-ignore-case': string }
  | { readonly wildcard: string }
  | { readonly 'anything-but': AnythingButOperand }
  | { readonly numeric: readonly (string | number)[] }
  | { readonly exists: boolean }
  | { readonly cidr: string };

/** What `anything-but` accepts: a value, a list of strings or of numbers, or one of four string operators. */
export type AnythingButOperand =
  | string
  | number
  | readonly string[]
  | readonly number[]
  | { readonly prefix: string | readonly string[] }
  | { readonly suffix: string | readonly string[] }
  | { readonly 'equals-ignore-case': string | readonly string[] }
  | { readonly wildcard: string | readonly string[] };

/** One element of a field's array: an exact value or an operator. The elements of one array are OR'ed. */
export type PatternMatcher = string | number | boolean | null | PatternOperator;

/**
 * A level of a pattern: each field is a list of matchers (leaf), a nested level, or, for the key `$or`, a list of
 * alternative levels. Fields are AND'ed.
 */
export interface PatternObject {
  readonly [field: string]: readonly PatternMatcher[] | PatternObject | readonly PatternObject[];
}

/**
 * An event pattern in the CDK's shape (`aws-cdk-lib/aws-events` `EventPattern`): envelope fields are plain string
 * lists (mutable arrays because the CDK type says `string[]`), `detail` is free-form.
 */
export interface EventPattern {
  version?: string[];
  id?: string[];
  detailType?: string[];
  source?: string[];
  account?: string[];
  time?: string[];
  region?: string[];
  resources?: string[];
  detail?: PatternObject;
}

/** An event pattern in EventBridge's JSON form (`detail-type`), as stored in a rule and in `cdk.out`. */
export type EventBridgePattern = PatternObject;

/**
 * Renders a CDK-shaped pattern in EventBridge's JSON form, exactly as the CDK does when it synthesizes a rule
 * (`detailType` becomes `detail-type`; absent fields are left out).
 */
export function toEventBridgePattern(pattern: EventPattern): EventBridgePattern {
  const fields: [string, readonly PatternMatcher[] | PatternObject | undefined][] = [
    ['version', pattern.version],
    ['id', pattern.id],
    ['detail-type', pattern.detailType],
    ['source', pattern.source],
    ['account', pattern.account],
    ['time', pattern.time],
    ['region', pattern.region],
    ['resources', pattern.resources],
    ['detail', pattern.detail],
  ];
  const out: Record<string, readonly PatternMatcher[] | PatternObject> = {};
  for (const [key, value] of fields) {
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** `[{ prefix: p }, ...]`, rejecting an empty list: a rule with no prefix would be a typo, not "match all". */
export function prefixMatchers(prefixes: readonly string[], what: string): PatternOperator[] {
  return nonEmpty(prefixes, what).map((prefix) => ({ prefix }));
}

/** A copy of `values`, rejecting an empty list or an empty string (EventBridge rejects empty arrays too). */
export function nonEmpty<T extends string>(values: readonly T[], what: string): T[] {
  if (values.length === 0) throw new PatternArgumentError(`${what}: needs at least one value`);
  for (const v of values) {
    if (v.length === 0) throw new PatternArgumentError(`${what}: empty string in ${JSON.stringify(values)}`);
  }
  return [...new Set(values)];
}
