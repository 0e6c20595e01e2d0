import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import type { RuntimeHandle } from '../local/control-server';
import type { LocalRuntime } from '../local/runtime';
import { UsageError } from './exit-codes';

const HandleSchema = z.object({
  controlUrl: z.string(),
  endpoint: z.string(),
  accountId: z.string(),
  region: z.string(),
  pid: z.number(),
});

/** Where `mlops local up` announces itself to other commands. */
export const handleFile = (root: string) => path.join(root, '.local', 'runtime.json');

/**
 * Announces a running local runtime and its control endpoint to the `mlops … --local` commands of the project at
 * `root` (`mlops local up`, the demo and tests write it; the commands read it).
 */
export function writeHandle(root: string, runtime: LocalRuntime, controlUrl: string): RuntimeHandle {
  const handle: RuntimeHandle = {
    controlUrl,
    endpoint: runtime.gateway.endpoint,
    accountId: runtime.accountId,
    region: runtime.region,
    pid: process.pid,
  };
  fs.mkdirSync(path.dirname(handleFile(root)), { recursive: true });
  fs.writeFileSync(handleFile(root), JSON.stringify(handle, null, 2));
  return handle;
}

/** The running local runtime's handle. @throws UsageError when none is running. */
export function readHandle(root: string): RuntimeHandle {
  const file = handleFile(root);
  if (!fs.existsSync(file))
    throw new UsageError('no local runtime is running: start one with `npm run local` (mlops local up)');
  const parsed = HandleSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new UsageError(`${file} is not a local runtime handle; remove it and start again`);
  return parsed.data;
}

/** One request to the running local runtime's control endpoint (with `event` as a JSON body); its JSON answer. */
export async function control(root: string, method: 'GET' | 'POST', route: string, event?: string): Promise<unknown> {
  const handle = readHandle(root);
  let response: Response;
  try {
    response = await fetch(`${handle.controlUrl}${route}`, {
      method,
      ...(event === undefined ? {} : { body: event, headers: { 'content-type': 'application/json' } }),
    });
  } catch {
    throw new UsageError(
      `the local runtime of ${handleFile(root)} (pid ${handle.pid}) does not answer; start it again`,
    );
  }
  const body: unknown = await response.json();
  if (!response.ok) {
    const message =
      typeof body === 'object' && body !== null && 'error' in body ? String(body.error) : response.statusText;
    throw new UsageError(message);
  }
  return body;
}
