import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type RequestOptions,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AwsCall, AwsReply, ForwardOverrides, Interceptor } from './aws-call';
import { oneAtATime, SERIALISED_DYNAMODB_WRITES } from './serial-writes';
import { awsJsonError } from './aws-call';
import { identifyCall, isFormEncoded, type CallIdentity } from './call-identity';
import { normaliseEventEnvelopes } from './event-envelope-account';
import { enableS3EventBridge } from './s3-event-bridge';

/** moto's account when a request names none. */
export const MOTO_DEFAULT_ACCOUNT_ID = '123456789012';

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  /** moto's base URL, e.g. `http://127.0.0.1:5000`. */
  readonly motoEndpoint: string;
  /**
   * Account every call runs in: sent to moto as `x-moto-account-id` unless the request carries one.
   * @default moto's default account (123456789012), and no header is added
   */
  readonly accountId?: string;
  /**
   * Region of calls whose request names none (unsigned requests).
   * @default 'us-east-1'
   */
  readonly region?: string;
  /**
   * Emulate S3 -> EventBridge with AWS's event shape (see `s3-event-bridge.ts`).
   * @default true
   */
  readonly s3EventBridge?: boolean;
  /**
   * Add the `account` field that moto leaves out of EventBridge events delivered to SQS.
   * @default true
   */
  readonly normaliseEventEnvelopes?: boolean;
  /**
   * Receives faults of the gateway's own work, e.g. a PutEvents that failed after a PutObject succeeded.
   * @default writes the error to stderr
   */
  readonly onError?: (error: Error) => void;
}

/** A request the gateway sends through itself on behalf of an account (so interceptors see it too). */
export interface GatewaySendRequest {
  readonly service: string;
  readonly region: string;
  readonly accountId: string;
  readonly method: string;
  /** Path and query, already encoded. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
}

/** The loopback endpoint SDK clients use (`AWS_ENDPOINT_URL`); it forwards to moto. */
export interface Gateway {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  readonly motoEndpoint: string;
  /** The configured account, or moto's default. */
  readonly accountId: string;
  readonly region: string;
  /**
   * Registers `fn` for calls of `service` (signing name, or `sagemaker-runtime`) and `operation`
   * (`'*'` for every operation of the service). The most recently registered interceptor runs first; its
   * `forward` reaches the one registered before it, and finally moto. Returns a function that unregisters it.
   */
  intercept(service: string, operation: string, fn: Interceptor): () => void;
  /** Sends a request through this gateway, as if an SDK client had made it. */
  send(request: GatewaySendRequest): Promise<AwsReply>;
  /** Reports a fault of the gateway's own work (see {@link GatewayOptions.onError}). */
  reportError(error: Error): void;
  /** Closes the listener and every open connection. */
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
]);

/**
 * Starts the gateway on a free loopback port. Requests are forwarded to moto unchanged (the `Host` header is
 * kept, because moto builds queue URLs from it and the SQS client sends later calls to the queue URL's host).
 */
export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const moto = new URL(opts.motoEndpoint);
  const defaultRegion = opts.region ?? 'us-east-1';
  const accountId = opts.accountId ?? MOTO_DEFAULT_ACCOUNT_ID;
  const interceptors = new Map<string, Interceptor[]>();
  const reportError =
    opts.onError ?? ((error: Error) => process.stderr.write(`[gateway] ${error.stack ?? error.message}\n`));

  // moto applies concurrent DynamoDB writes without isolation; DynamoDB does not (serial-writes.ts).
  const writes = oneAtATime();
  for (const operation of SERIALISED_DYNAMODB_WRITES) interceptors.set(`dynamodb ${operation}`, [writes]);

  const chainFor = (identity: CallIdentity): Interceptor[] => [
    ...(interceptors.get(`${identity.service} *`) ?? []),
    ...(interceptors.get(`${identity.service} ${identity.operation}`) ?? []),
  ];

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const fault = error instanceof Error ? error : new Error(String(error));
      reportError(fault);
      if (!res.headersSent) writeReply(res, awsJsonError('InternalFailure', `gateway: ${fault.message}`, 500), 'GET');
      else res.destroy(fault);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, 'http://gateway.invalid');
    const method = req.method ?? 'GET';
    const headers = singleValued(req.headers);
    const formBody = isFormEncoded(headers) && headers['x-amz-target'] === undefined ? await readBody(req) : undefined;
    const identity = identifyCall(
      { method, path: url.pathname, query: url.searchParams, headers, ...(formBody ? { body: formBody } : {}) },
      defaultRegion,
    );
    const callAccount = headers['x-moto-account-id'] ?? accountId;
    const upstreamHeaders =
      opts.accountId !== undefined && headers['x-moto-account-id'] === undefined
        ? { ...headers, 'x-moto-account-id': opts.accountId }
        : headers;

    const chain = chainFor(identity);
    if (chain.length === 0 && formBody === undefined) {
      streamThrough(req, res, method, rawUrl, upstreamHeaders);
      return;
    }
    const body = formBody ?? (await readBody(req));
    const call = makeCall(identity, callAccount, method, url, upstreamHeaders, body);
    const run = (index: number, current: AwsCall): Promise<AwsReply> => {
      const fn = chain[index];
      if (fn === undefined) return forwardBuffered(current, rawUrl);
      return fn(current, (overrides) => run(index - 1, withOverrides(current, overrides)));
    };
    const reply = await run(chain.length - 1, call);
    writeReply(res, reply, method);
  }

  function streamThrough(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    rawUrl: string,
    headers: Readonly<Record<string, string>>,
  ): void {
    const upstream = httpRequest(
      { host: moto.hostname, port: moto.port, method, path: rawUrl, headers: requestHeaders(headers), agent: false },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, responseRawHeaders(reply.rawHeaders));
        reply.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) {
        writeReply(res, awsJsonError('ServiceUnavailable', `gateway: moto unreachable: ${error.message}`, 502), method);
      } else {
        res.destroy(error);
      }
    });
    req.pipe(upstream);
  }

  function forwardBuffered(call: AwsCall, rawUrl: string): Promise<AwsReply> {
    const headers = requestHeaders(call.headers);
    // The body is complete now: send it with a length, never re-chunked.
    delete headers['transfer-encoding'];
    headers['content-length'] = String(call.body.length);
    return exchange({ host: moto.hostname, port: moto.port, method: call.method, path: rawUrl, headers }, call.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const address = server.address();
  if (!isAddressInfo(address)) throw new Error(`gateway listener has no TCP address: ${String(address)}`);
  const { port } = address;
  const endpoint = `http://127.0.0.1:${port}`;

  const gateway: Gateway = {
    endpoint,
    port,
    motoEndpoint: opts.motoEndpoint,
    accountId,
    region: defaultRegion,
    intercept(service, operation, fn) {
      const key = `${service} ${operation}`;
      const list = interceptors.get(key) ?? [];
      list.push(fn);
      interceptors.set(key, list);
      return () => {
        const index = list.indexOf(fn);
        if (index >= 0) list.splice(index, 1);
      };
    },
    send: (request) => sendThrough(endpoint, request),
    reportError,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  if (opts.s3EventBridge ?? true) enableS3EventBridge(gateway);
  if (opts.normaliseEventEnvelopes ?? true) normaliseEventEnvelopes(gateway);
  return gateway;
}

function isAddressInfo(address: string | AddressInfo | null): address is AddressInfo {
  return typeof address === 'object' && address !== null;
}

function makeCall(
  identity: CallIdentity,
  accountId: string,
  method: string,
  url: URL,
  headers: Readonly<Record<string, string>>,
  body: Buffer,
): AwsCall {
  function json(): unknown;
  function json<T>(schema: { parse(value: unknown): T }): T;
  function json<T>(schema?: { parse(value: unknown): T }): unknown {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return schema === undefined ? value : schema.parse(value);
  }
  return {
    ...identity,
    accountId,
    method,
    path: url.pathname,
    query: new URLSearchParams(url.search),
    headers,
    body,
    json,
  };
}

function withOverrides(call: AwsCall, overrides: ForwardOverrides | undefined): AwsCall {
  if (overrides === undefined) return call;
  const headers: Record<string, string> = { ...call.headers };
  if (overrides.body !== undefined) {
    // The old digests describe the old body; moto would reject a mismatching Content-MD5.
    for (const name of Object.keys(headers)) {
      if (name === 'content-md5' || name.startsWith('x-amz-checksum-')) delete headers[name];
    }
  }
  for (const [name, value] of Object.entries(overrides.headers ?? {})) {
    if (value === undefined) delete headers[name.toLowerCase()];
    else headers[name.toLowerCase()] = value;
  }
  const body = overrides.body ?? call.body;
  return makeCall(
    call,
    call.accountId,
    call.method,
    new URL(`${call.path}?${call.query.toString()}`, 'http://gateway.invalid'),
    headers,
    body,
  );
}

function sendThrough(endpoint: string, request: GatewaySendRequest): Promise<AwsReply> {
  const url = new URL(request.path, endpoint);
  const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : (request.body ?? Buffer.alloc(0));
  const date = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  // moto routes by the credential scope and does not check signatures.
  const headers: Record<string, string> = {
    authorization: `AWS4-HMAC-SHA256 Credential=test/${date}/${request.region}/${request.service}/aws4_request, SignedHeaders=host, Signature=0`,
    'x-moto-account-id': request.accountId,
    'content-length': String(body.length),
    ...request.headers,
  };
  return exchange(
    { host: url.hostname, port: url.port, method: request.method, path: url.pathname + url.search, headers },
    body,
  );
}

function writeReply(res: ServerResponse, reply: AwsReply, method: string): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.headers)) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  // A HEAD reply carries the length of the body it does not send.
  if (method !== 'HEAD') headers['content-length'] = String(reply.body.length);
  res.writeHead(reply.status, headers);
  res.end(method === 'HEAD' ? undefined : reply.body);
}

function requestHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'transfer-encoding' || !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

function responseRawHeaders(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    if (!HOP_BY_HOP.has(name.toLowerCase())) out.push(name, raw[i + 1] ?? '');
  }
  return out;
}

/** Sends one complete request and reads the complete reply. */
function exchange(options: RequestOptions, body: Buffer): Promise<AwsReply> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ ...options, agent: false }, (reply) => {
      const chunks: Buffer[] = [];
      reply.on('data', (chunk: Buffer) => chunks.push(chunk));
      reply.on('error', reject);
      reply.on('end', () =>
        resolve({ status: reply.statusCode ?? 502, headers: singleValued(reply.headers), body: Buffer.concat(chunks) }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function singleValued(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', reject);
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}
