import { createHash } from 'node:crypto';

/** How a generated physical name must look for one resource type. */
export interface PhysicalNameOptions {
  /** Longest name the service accepts. */
  readonly maxLength: number;
  /** S3 bucket names must be lower case. @default false */
  readonly lowerCase?: boolean;
  /** Appended after truncation (e.g. `.fifo`), counted in `maxLength`. @default '' */
  readonly suffix?: string;
  /** Extra input that makes the name differ, e.g. the account id for globally unique bucket names. */
  readonly uniqueIn?: string;
}

const ALLOWED = /[^A-Za-z0-9-]/g;

/**
 * A deterministic stand-in for the name CloudFormation generates (`<stack>-<logicalId>-<random>`):
 * `<stack>-<logicalId>` (plus a short hash of `uniqueIn`), shortened with a hash when too long, so
 * provisioning the same template twice yields the same names.
 */
export function physicalName(stackName: string, logicalId: string, opts: PhysicalNameOptions): string {
  const suffix = opts.suffix ?? '';
  const unique = opts.uniqueIn === undefined ? '' : `-${hash(opts.uniqueIn).slice(0, 8)}`;
  let base = `${stackName}-${logicalId}`.replace(ALLOWED, '-');
  if (opts.lowerCase === true) base = base.toLowerCase();
  const room = opts.maxLength - suffix.length - unique.length;
  if (base.length > room) base = `${base.slice(0, room - 9)}-${hash(base).slice(0, 8)}`;
  return `${base.replace(/-+$/, '')}${unique}${suffix}`;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
