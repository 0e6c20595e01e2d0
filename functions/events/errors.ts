/**
 * Errors thrown by `functions/events/`. Only faults are thrown: a malformed *incoming* event is an expected outcome
 * and comes back as a `ParseResult` value instead (see `parse-result.ts`).
 */

/** Base class of every error thrown by `functions/events/`. */
export class EventsError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventsError';
  }
}

/**
 * An event pattern that EventBridge would refuse (unknown operator, empty array, malformed `numeric`, ...).
 * Thrown when the pattern is compiled, whatever event it is later matched against: unlike moto, which matches
 * everything on an unknown operator, a typo must fail at once.
 */
export class EventPatternSyntaxError extends EventsError {
  /** Dotted path of the offending part of the pattern, e.g. `detail.object.key[0]`. */
  public readonly path: string;

  public constructor(path: string, message: string) {
    super(`invalid event pattern at ${path === '' ? '(root)' : path}: ${message}`);
    this.name = 'EventPatternSyntaxError';
    this.path = path;
  }
}

/** A pattern builder was called with arguments that would produce a pattern matching nothing (or everything). */
export class PatternArgumentError extends EventsError {
  public constructor(message: string) {
    super(message);
    this.name = 'PatternArgumentError';
  }
}

/** One problem found by a schema, with the path of the offending field. */
export interface DetailIssue {
  /** Dotted path inside `detail`, e.g. `failedChecks.3.examples`; empty for the detail itself. */
  readonly path: string;
  readonly message: string;
}

/**
 * The `detail` given for one of the project's own events does not match its schema. This is a bug in the producer
 * (the event was never sent), so it is thrown rather than returned.
 */
export class EventDetailValidationError extends EventsError {
  public readonly detailType: string;
  public readonly issues: readonly DetailIssue[];

  public constructor(detailType: string, issues: readonly DetailIssue[], options?: ErrorOptions) {
    super(
      `invalid detail for "${detailType}": ${issues.map((i) => `${i.path === '' ? '(detail)' : i.path}: ${i.message}`).join('; ')}`,
      options,
    );
    this.name = 'EventDetailValidationError';
    this.detailType = detailType;
    this.issues = issues;
  }
}

/** A PutEvents entry would exceed the EventBridge entry size limit; put the bulky part in S3 and send its key. */
export class EventTooLargeError extends EventsError {
  public readonly detailType: string;
  /** Entry size as EventBridge computes it (REFERENCE 8.1). */
  public readonly sizeBytes: number;
  public readonly limitBytes: number;

  public constructor(detailType: string, sizeBytes: number, limitBytes: number) {
    super(
      `"${detailType}" PutEvents entry is ${sizeBytes} bytes; it must be under ${limitBytes} bytes (move large data to S3 and reference it by key)`,
    );
    this.name = 'EventTooLargeError';
    this.detailType = detailType;
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/** `objectIdentity` was given an object with neither a version id nor an ETag, so no version of it can be named. */
export class MissingObjectIdentityError extends EventsError {
  public constructor(bucket: string, key: string) {
    super(`s3://${bucket}/${key} has neither a version id nor an ETag; cannot build its identity`);
    this.name = 'MissingObjectIdentityError';
  }
}
