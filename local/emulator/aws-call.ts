import { randomUUID } from 'node:crypto';
import { escapeXml } from './xml-text';

/** One AWS API request as the gateway sees it, identified and fully read. */
export interface AwsCall {
  /**
   * Signing name from the SigV4 credential scope (`s3`, `sqs`, `events`, `sagemaker`, ...). The SageMaker
   * runtime signs as `sagemaker` too; its calls (`/endpoints/<name>/invocations`) get `sagemaker-runtime`.
   */
  readonly service: string;
  /** API operation name, e.g. `CreateTrainingJob`, `PutObject`; `Unknown` when it cannot be told. */
  readonly operation: string;
  readonly region: string;
  /** Account the call runs in (the `x-moto-account-id` sent to moto). */
  readonly accountId: string;
  readonly method: string;
  /** Raw (still percent-encoded) path. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The body parsed as JSON (`unknown`), or validated by `schema` (anything with `parse`, e.g. a zod schema). */
  json(): unknown;
  json<T>(schema: { parse(value: unknown): T }): T;
}

/** A complete HTTP reply, from moto or built by an interceptor. */
export interface AwsReply {
  readonly status: number;
  /** Lower-case names. `content-length` is recomputed from `body` when the reply is sent (except for HEAD). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Changes an interceptor may apply to the request it forwards. A header set to `undefined` is removed. */
export interface ForwardOverrides {
  readonly body?: Buffer;
  readonly headers?: Readonly<Record<string, string | undefined>>;
}

/** Sends the (possibly modified) call on: to the next interceptor, finally to moto. */
export type Forward = (overrides?: ForwardOverrides) => Promise<AwsReply>;

/**
 * Handles one identified call. Call `forward()` to get moto's answer (and change it), or answer without
 * forwarding (e.g. `awsJsonError(...)`) to serve the operation locally.
 */
export type Interceptor = (call: AwsCall, forward: Forward) => Promise<AwsReply>;

/** Parses a reply body as JSON; `undefined` when it is not JSON. */
export function replyJson(reply: AwsReply): unknown {
  try {
    return JSON.parse(reply.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * A JSON-protocol success reply (awsJson1_0/1_1 services: SageMaker, SQS, EventBridge, DynamoDB, ...).
 * @param protocolVersion `1.1` for most services; `1.0` for DynamoDB, SQS and CloudWatch.
 */
export function awsJsonReply(body: unknown, status = 200, protocolVersion: '1.0' | '1.1' = '1.1'): AwsReply {
  return {
    status,
    headers: { 'content-type': `application/x-amz-json-${protocolVersion}`, 'x-amzn-requestid': randomUUID() },
    body: Buffer.from(JSON.stringify(body), 'utf8'),
  };
}

/**
 * A JSON-protocol error reply shaped like AWS's, so SDK v3 raises an exception with this `name`:
 * `{"__type": "ValidationException", "message": "..."}` plus the `x-amzn-errortype` header.
 */
export function awsJsonError(
  type: string,
  message: string,
  status = 400,
  protocolVersion: '1.0' | '1.1' = '1.1',
): AwsReply {
  return {
    status,
    headers: {
      'content-type': `application/x-amz-json-${protocolVersion}`,
      'x-amzn-errortype': type,
      'x-amzn-requestid': randomUUID(),
    },
    body: Buffer.from(JSON.stringify({ __type: type, message }), 'utf8'),
  };
}

/** An S3 (REST-XML) error reply: `<Error><Code>NoSuchKey</Code><Message>...</Message></Error>`. */
export function s3XmlError(code: string, message: string, status = 400): AwsReply {
  const requestId = randomUUID();
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message><RequestId>${requestId}</RequestId></Error>`;
  return {
    status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body: Buffer.from(xml, 'utf8'),
  };
}
