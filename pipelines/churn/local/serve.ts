/**
 * The churn example's inference server, honouring the SageMaker hosting contract (REFERENCE 4.2);
 * `pipeline.yaml` `deployment.local.command` runs it.
 *
 * - Loads `model.json` from `SM_MODEL_DIR`, else `MLOPS_SM_MODEL_DIR`, else `/opt/ml/model`. A model it cannot load
 *   (missing, truncated, wrong format) makes it exit with the reason: `/ping` never answers, so the deployment fails.
 * - Listens on 127.0.0.1, port `SAGEMAKER_BIND_TO_PORT`, else `PORT`, else 8080.
 * - `GET /ping`: 200 once the model is loaded.
 * - `POST /invocations`: `text/csv` or `application/json` (see `invocation-payloads.ts`), the response in the
 *   request's type unless `Accept` asks for the other; 400 with the reason for a bad body, 415 for another content
 *   type, 406 for an `Accept` it cannot meet, 413 over 6 MB (InvokeEndpoint's payload limit), and 500 when the model
 *   yields a non-finite score (the `corrupt_model=nan-weights` artifact).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';

import { loadChurnModel, MODEL_FILE, ModelFormatError, type ChurnPredictor } from './churn-model';
import {
  formatCsvPredictions,
  formatJsonPredictions,
  parseCsvInstances,
  parseJsonInstances,
  payloadType,
  responseType,
} from './invocation-payloads';

/** InvokeEndpoint accepts at most 6 MB per request. */
const MAX_BODY_BYTES = 6 * 1024 * 1024;

const modelDir = process.env.SM_MODEL_DIR ?? process.env.MLOPS_SM_MODEL_DIR ?? '/opt/ml/model';
const port = Number(process.env.SAGEMAKER_BIND_TO_PORT ?? process.env.PORT ?? '8080');

function loadModel(): ChurnPredictor {
  const file = join(modelDir, MODEL_FILE);
  try {
    return loadChurnModel(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof ModelFormatError ? error.message : String(error);
    console.error(`cannot load the model from ${file}: ${reason}`);
    process.exit(1);
  }
}

const model = loadModel();

function answer(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

/** The body, or undefined (and a 413 sent) once it passes the limit. */
async function readBody(request: IncomingMessage, response: ServerResponse): Promise<Buffer | undefined> {
  const declared = Number(request.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES) {
    answer(response, 413, 'text/plain', `the body has ${declared} bytes; at most ${MAX_BODY_BYTES} are accepted`);
    request.resume();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      answer(response, 413, 'text/plain', `the body is larger than ${MAX_BODY_BYTES} bytes`);
      request.resume();
      return undefined;
    }
    chunks.push(buffer);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

async function invocations(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestType = payloadType(request.headers['content-type']);
  if (requestType === undefined) {
    request.resume();
    return answer(
      response,
      415,
      'text/plain',
      `unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')}; send text/csv or application/json`,
    );
  }
  const outputType = responseType(request.headers.accept, requestType);
  if (outputType === undefined) {
    request.resume();
    return answer(
      response,
      406,
      'text/plain',
      `cannot answer in ${request.headers.accept}; accept text/csv or application/json`,
    );
  }
  const body = await readBody(request, response);
  if (body === undefined) return;
  const parsed = requestType === 'text/csv' ? parseCsvInstances(body) : parseJsonInstances(body);
  if (parsed.kind === 'invalid') return answer(response, 400, 'text/plain', parsed.message);
  const scores = parsed.rows.map((row) => model.score(row));
  const broken = scores.findIndex((score) => !Number.isFinite(score));
  if (broken !== -1) {
    return answer(
      response,
      500,
      'text/plain',
      `ModelError: the model produced a non-finite score (${scores[broken]}) for instance ${broken + 1}; the model artifact is broken`,
    );
  }
  if (outputType === 'text/csv') return answer(response, 200, 'text/csv', formatCsvPredictions(scores));
  return answer(response, 200, 'application/json', formatJsonPredictions(scores, model.threshold));
}

const server = createServer((request, response) => {
  const path = (request.url ?? '').split('?')[0];
  if (path === '/ping') {
    if (request.method === 'GET' || request.method === 'HEAD') return answer(response, 200, 'text/plain', '');
    return answer(response, 405, 'text/plain', 'use GET /ping');
  }
  if (path === '/invocations') {
    if (request.method !== 'POST') return answer(response, 405, 'text/plain', 'use POST /invocations');
    invocations(request, response).catch((error: unknown) => {
      console.error(error);
      if (!response.headersSent) answer(response, 500, 'text/plain', 'internal error; see the server log');
    });
    return;
  }
  answer(response, 404, 'text/plain', 'not found: the server answers GET /ping and POST /invocations');
});
// SageMaker keeps connections to the container open; a short Node default would make it reconnect all the time.
server.keepAliveTimeout = 65_000;

server.listen(port, '127.0.0.1', () => {
  console.log(`churn model server on 127.0.0.1:${port} (${model.featureOrder.length} encoded features)`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
