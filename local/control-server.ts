import * as http from 'node:http';
import type { LocalRuntime } from './runtime';

/** Where a running `mlops local up` can be reached by other commands (`.local/runtime.json`). */
export interface RuntimeHandle {
  readonly controlUrl: string;
  readonly endpoint: string;
  readonly accountId: string;
  readonly region: string;
  readonly pid: number;
}

/**
 * A loopback HTTP endpoint through which other processes drive a running local runtime: list and fire schedules
 * (`mlops local fire <schedule>`), invoke a function synchronously (`mlops evaluate <pipeline> --local`), read its status. Bound to 127.0.0.1 only.
 */
/** The whole body of a request, as text (at most 6 MB, Lambda's synchronous payload limit). */
function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 6 * 1024 * 1024) {
        reject(new Error('the event is larger than 6 MB'));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startControlServer(runtime: LocalRuntime): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const fire = /^\/schedules\/([^/]+)\/fire$/.exec(url.pathname);
    const invoke = /^\/functions\/([^/]+)\/invoke$/.exec(url.pathname);
    if (request.method === 'GET' && url.pathname === '/schedules') {
      reply(200, runtime.dispatcher.schedules);
    } else if (request.method === 'POST' && fire) {
      const name = decodeURIComponent(fire[1] ?? '');
      const at = url.searchParams.get('time');
      const time = at === null ? new Date() : new Date(at);
      if (Number.isNaN(time.getTime())) {
        reply(400, { error: `time: expected an ISO-8601 time, got ${at}` });
        return;
      }
      runtime.dispatcher.fireSchedule(name, time).then(
        async (outcome) => {
          await runtime.settle(); // deliver what the scheduled run emitted before answering
          reply(200, outcome);
        },
        (error: unknown) => reply(404, { error: error instanceof Error ? error.message : String(error) }),
      );
    } else if (request.method === 'POST' && invoke) {
      // A synchronous invoke (RequestResponse), as `aws lambda invoke` does: the body is the event.
      const name = decodeURIComponent(invoke[1] ?? '');
      const fn = runtime.stack.functions.find((f) => f.functionName === name || f.logicalId === name);
      if (fn === undefined) {
        reply(404, { error: `no function named ${name}` });
        return;
      }
      readBody(request).then(
        async (body) => {
          let event: unknown;
          try {
            event = body === '' ? {} : JSON.parse(body);
          } catch {
            reply(400, { error: 'the body must be the event, as JSON' });
            return;
          }
          const result = await runtime.functions.invoke(fn, event);
          await runtime.settle(); // deliver what the invocation emitted before answering
          reply(200, result);
        },
        (error: unknown) => reply(500, { error: error instanceof Error ? error.message : String(error) }),
      );
    } else if (request.method === 'GET' && url.pathname === '/status') {
      reply(200, {
        accountId: runtime.accountId,
        region: runtime.region,
        endpoint: runtime.gateway.endpoint,
        deliveries: runtime.dispatcher.history.length,
        functions: runtime.stack.functions.map((f) => f.functionName),
        outputs: runtime.stack.outputs,
      });
    } else {
      reply(404, { error: `no route ${request.method} ${url.pathname}` });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
