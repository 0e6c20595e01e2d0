/**
 * SageMaker name rules and ARNs (REFERENCE 3.1, botocore model `sagemaker/2017-07-24`).
 */
import { validationError } from './errors';

/** Training job, endpoint, endpoint config, model and package group names: 1-63 chars, no `_`/`.`, no edge `-`. */
const RESOURCE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
/** `ChannelName`: 1-64 chars. */
const CHANNEL_NAME = /^[A-Za-z0-9.\-_]+$/;

/**
 * Throws a `ValidationException` worded like AWS's ("1 validation error detected: Value 'x' at 'trainingJobName'
 * failed to satisfy constraint: ...") when `value` is not a valid SageMaker resource name.
 * @param member the request member in camelCase, as AWS names it in the message (e.g. `trainingJobName`).
 */
export function assertResourceName(member: string, value: string): void {
  if (value.length < 1 || value.length > 63) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ` +
        `Member must have length between 1 and 63`,
    );
  }
  if (!RESOURCE_NAME.test(value)) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ` +
        `Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`,
    );
  }
}

/** Throws a `ValidationException` when `value` is not a valid `ChannelName`. */
export function assertChannelName(value: string): void {
  if (value.length < 1 || value.length > 64 || !CHANNEL_NAME.test(value)) {
    throw validationError(
      `1 validation error detected: Value '${value}' at 'inputDataConfig.member.channelName' failed to satisfy ` +
        `constraint: Member must satisfy regular expression pattern: [A-Za-z0-9\\.\\-_]+ and have length between 1 and 64`,
    );
  }
}

/** Where resources "live" locally; only used to build ARNs. */
export interface AwsLocation {
  readonly region: string;
  readonly accountId: string;
}

/**
 * The resource's ARN. SageMaker lower-cases the name part (`MyEndpoint` -> `endpoint/myendpoint`, as in the
 * documented Endpoint State Change sample), so a name compared with an ARN must be lower-cased too.
 */
export function sageMakerArn(location: AwsLocation, resourceType: string, name: string): string {
  return `arn:aws:sagemaker:${location.region}:${location.accountId}:${resourceType}/${name.toLowerCase()}`;
}
