/**
 * Errors the local SageMaker executor raises where AWS would answer an API call with an error.
 *
 * `code` is the error shape name of the service model (the awsJson1_1 `__type`), so a gateway can turn the error into
 * the same HTTP response the SDK would get from AWS and the SDK raises the same exception class
 * (`ResourceInUse`, `ValidationException`, ...).
 */

/**
 * Error shape names used here. Which operation raises which is taken from the botocore / SDK v3 service models and
 * waiters: `DescribeTrainingJob`/`StopTrainingJob` declare `ResourceNotFound`; the endpoint waiters treat a missing
 * endpoint as `ValidationException`; the runtime's `InvokeEndpoint` declares `ValidationError` and `ModelError`.
 */
export type SageMakerErrorCode =
  | 'ValidationException'
  | 'ResourceInUse'
  | 'ResourceNotFound'
  | 'ResourceLimitExceeded'
  | 'ValidationError'
  | 'ModelError'
  | 'ModelNotReadyException';

const STATUS_BY_CODE: Readonly<Record<SageMakerErrorCode, number>> = {
  ValidationException: 400,
  ResourceInUse: 400,
  ResourceNotFound: 400,
  ResourceLimitExceeded: 400,
  ValidationError: 400,
  // The runtime answers a failing container with HTTP 424 (Failed Dependency).
  ModelError: 424,
  ModelNotReadyException: 429,
};

/** An error the real API would return for the same call; `code` and `statusCode` say which. */
export class SageMakerApiError extends Error {
  override readonly name = 'SageMakerApiError';
  readonly code: SageMakerErrorCode;
  readonly statusCode: number;
  /** Extra members of the error body (e.g. `OriginalStatusCode` of a `ModelError`). */
  readonly details: Readonly<Record<string, string | number>>;

  constructor(
    code: SageMakerErrorCode,
    message: string,
    options: { cause?: unknown; details?: Readonly<Record<string, string | number>> } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.statusCode = STATUS_BY_CODE[code];
    this.details = options.details ?? {};
  }
}

/** Shorthand for the most common case: a request that breaks a documented constraint. */
export function validationError(message: string, cause?: unknown): SageMakerApiError {
  return new SageMakerApiError('ValidationException', message, { cause });
}

/**
 * A step of a job or deployment failed in a way that becomes a `FailureReason` rather than an API error
 * (a data download that fails, a container that never answers `/ping`, ...).
 */
export class LocalExecutionError extends Error {
  override readonly name = 'LocalExecutionError';
  /** Text for `FailureReason`, in the `ClientError: ...` / `AlgorithmError: ...` style SageMaker uses. */
  readonly failureReason: string;

  constructor(failureReason: string, options: { cause?: unknown } = {}) {
    super(failureReason, { cause: options.cause });
    this.failureReason = failureReason;
  }
}

/** The message of any thrown value, for failure reasons and logs. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
