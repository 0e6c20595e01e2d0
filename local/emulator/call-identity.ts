import { s3Operation } from './s3-operations';

/** What a request is: the AWS service, region and operation. */
export interface CallIdentity {
  readonly service: string;
  readonly region: string;
  readonly operation: string;
}

/** The parts of a request {@link identifyCall} looks at. */
export interface RequestParts {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Only needed for the query protocol (form-encoded `Action=`); pass it when the body is form-encoded. */
  readonly body?: Buffer;
}

const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;
const PRESIGNED_SCOPE = /^[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request$/;
const RPC_V2_PATH = /^\/service\/[^/]+\/operation\/([^/?]+)$/;
const RUNTIME_PATH = /^\/endpoints\/[^/]+\/(invocations|async-invocations|invocations-response-stream)$/;
const RUNTIME_OPERATIONS: Readonly<Record<string, string>> = {
  invocations: 'InvokeEndpoint',
  'async-invocations': 'InvokeEndpointAsync',
  'invocations-response-stream': 'InvokeEndpointWithResponseStream',
};

/**
 * Identifies a request: service and region from the SigV4 credential scope (`Authorization` header, or
 * `X-Amz-Credential` of a presigned URL), operation from `X-Amz-Target` (JSON protocols), the RPCv2 path,
 * the query protocol's `Action`, or the REST method and path (S3, SageMaker runtime).
 */
export function identifyCall(request: RequestParts, defaultRegion: string): CallIdentity {
  const scope = credentialScope(request);
  const region = scope?.region ?? defaultRegion;
  if (request.path.startsWith('/moto-api')) return { service: 'moto-api', region, operation: 'Unknown' };
  // A browser upload (S3 POST Object) carries its credential inside the form, not in a header.
  const browserUpload =
    scope === undefined &&
    request.method === 'POST' &&
    (request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
  let service = scope?.service ?? (browserUpload ? 's3' : 'unknown');

  const runtime = RUNTIME_PATH.exec(request.path);
  if (service === 'sagemaker' && runtime?.[1] !== undefined) {
    service = 'sagemaker-runtime';
    return { service, region, operation: RUNTIME_OPERATIONS[runtime[1]] ?? 'Unknown' };
  }
  if (service === 's3') {
    return { service, region, operation: s3Operation(request.method, request.path, request.query, request.headers) };
  }
  return { service, region, operation: rpcOperation(request) };
}

function credentialScope(request: RequestParts): { region: string; service: string } | undefined {
  const authorization = request.headers['authorization'];
  const fromHeader = authorization === undefined ? null : CREDENTIAL_SCOPE.exec(authorization);
  const credential = request.query.get('X-Amz-Credential');
  const match = fromHeader ?? (credential === null ? null : PRESIGNED_SCOPE.exec(credential));
  const region = match?.[1];
  const service = match?.[2];
  return region === undefined || service === undefined ? undefined : { region, service };
}

function rpcOperation(request: RequestParts): string {
  const target = request.headers['x-amz-target'];
  if (target !== undefined) return target.slice(target.lastIndexOf('.') + 1);
  const rpcV2 = RPC_V2_PATH.exec(request.path);
  if (rpcV2?.[1] !== undefined) return rpcV2[1];
  const action = request.query.get('Action') ?? formAction(request);
  return action ?? 'Unknown';
}

function formAction(request: RequestParts): string | undefined {
  if (request.body === undefined || !isFormEncoded(request.headers)) return undefined;
  return new URLSearchParams(request.body.toString('utf8')).get('Action') ?? undefined;
}

/** True for `application/x-www-form-urlencoded` bodies (the query protocol, S3 POST forms use multipart). */
export function isFormEncoded(headers: Readonly<Record<string, string>>): boolean {
  return (headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}
