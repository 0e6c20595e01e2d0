/**
 * Deterministic names of what a deployment creates. A model or endpoint config is named after its pipeline, the
 * model version and a fingerprint of the request that creates it, so a redelivered approval (or a retried
 * invocation) finds the resource it created before, and a changed setting (instance type, capture, role of another
 * stage) gets a new resource instead of silently reusing an old one.
 */
import { createHash } from 'node:crypto';

/** SageMaker resource names: 1 to 63 characters, `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$` (REFERENCE 3.1). */
export const SAGEMAKER_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** Hex digits of a fingerprint in a name: 32 bits, so two requests of one model version practically never share one. */
const FINGERPRINT_LENGTH = 8;

/** JSON with object keys sorted, so equal requests give equal text whatever order their fields were set in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The first `length` hex digits of the SHA-256 of `text`. */
export function shortHash(text: string, length = FINGERPRINT_LENGTH): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * `<pipeline>-v<version>-<fingerprint of request>`: the name of a model or endpoint config of `pipeline`'s model
 * `version`. Pipeline names have at most 32 characters, so the name stays within 63. Starting with `<pipeline>-`
 * also lets the local runtime find the pipeline's serving command.
 * @throws RangeError if the result is not a valid SageMaker name (a pipeline name the config would have refused).
 */
export function versionedResourceName(pipeline: string, version: number, request: unknown): string {
  const name = `${pipeline}-v${version}-${shortHash(canonicalJson(request))}`;
  if (!SAGEMAKER_NAME_PATTERN.test(name)) throw new RangeError(`not a valid SageMaker resource name: ${name}`);
  return name;
}

/** The model version in a name built by {@link versionedResourceName} for `pipeline`, or undefined. */
export function versionOfResourceName(pipeline: string, name: string): number | undefined {
  if (!name.startsWith(`${pipeline}-v`)) return undefined;
  const match = /^(\d+)-[0-9a-f]+$/.exec(name.slice(pipeline.length + 2));
  return match ? Number(match[1]) : undefined;
}

/**
 * Id of a deployment: the model version and a hash of what caused it (the triggering event's id, and the package).
 * EventBridge and Lambda redeliver an event with its id, so a retry resumes the deployment it started.
 */
export function deploymentIdFor(modelVersion: number, trigger: string, modelPackageArn: string): string {
  return `v${modelVersion}-${shortHash(`${trigger}\n${modelPackageArn}`, 12)}`;
}

/** Id of the deployment a rollback request starts: one per request, whatever version it puts back. */
export function rollbackDeploymentId(requestId: string): string {
  return `rollback-${shortHash(requestId, 12)}`;
}
