// Entry of one local "Lambda container": a worker thread with the function's own environment. It loads the
// handler's TypeScript module once (the init phase) and then serves one invocation at a time, as Lambda does.
// Plain JavaScript because TypeScript can only be loaded after tsx is registered.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();

const serializeError = (error) => ({
  errorType: error instanceof Error ? error.name : typeof error,
  errorMessage: error instanceof Error ? error.message : String(error),
  trace: error instanceof Error && error.stack ? error.stack.split('\n') : [],
});

let handler;
try {
  const module = await import(pathToFileURL(workerData.entryPath).href);
  handler = module[workerData.handlerExport];
  if (typeof handler !== 'function') {
    throw new TypeError(`${workerData.entryPath} does not export a function named "${workerData.handlerExport}"`);
  }
  parentPort.postMessage({ type: 'ready' });
} catch (error) {
  parentPort.postMessage({ type: 'init-error', error: serializeError(error) });
}

parentPort.on('message', async (message) => {
  if (message.type !== 'invoke' || !handler) return;
  const { id, event, context: fields } = message;
  const context = {
    ...fields,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, fields.deadlineMs - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const value = await handler(event, context);
    parentPort.postMessage({ type: 'result', id, ok: true, value: value === undefined ? null : value });
  } catch (error) {
    parentPort.postMessage({ type: 'result', id, ok: false, error: serializeError(error) });
  }
});
