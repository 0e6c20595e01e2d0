import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalFunctionHost } from '../../../../local/lambda/function-host';
import type { LocalFunction } from '../../../../local/runtime-model';

const ROOT = path.resolve(import.meta.dirname, '../../../..');

const probe = (overrides: Partial<LocalFunction> = {}): LocalFunction => ({
  logicalId: 'Probe',
  functionName: 'probe',
  entry: 'test/fixtures/functions/probe/handler.ts',
  handlerExport: 'handler',
  environment: { PROBE_GREETING: 'hello' },
  timeoutSeconds: 5,
  memorySizeMb: 256,
  asyncInvoke: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600 },
  ...overrides,
});

describe('LocalFunctionHost', () => {
  const host = new LocalFunctionHost({
    projectRoot: ROOT,
    region: 'eu-west-1',
    accountId: '111122223333',
    baseEnvironment: {},
  });
  afterAll(() => host.close());

  it('runs the TypeScript handler with its own environment and a Lambda-like context', async () => {
    const result = await host.invoke(probe(), {});
    expect(result.ok).toBe(true);
    expect(result.ok && result.value).toMatchObject({
      greeting: 'hello',
      functionName: 'probe',
      region: 'eu-west-1',
      requestId: result.requestId,
    });
    expect(result.ok && (result.value as { remainingMs: number }).remainingMs).toBeGreaterThan(4000);
  });

  it('keeps a warm container between invocations, as Lambda reuses its sandbox', async () => {
    const fn = probe({ logicalId: 'Warm' });
    const first = await host.invoke(fn, {});
    const second = await host.invoke(fn, {});
    expect(first.ok && second.ok).toBe(true);
    expect((second.ok && (second.value as { invocations: number }).invocations) || 0).toBe(2);
  });

  it('gives two functions different environments even when they share modules', async () => {
    const a = await host.invoke(probe({ logicalId: 'A', environment: { PROBE_GREETING: 'from a' } }), {});
    const b = await host.invoke(probe({ logicalId: 'B', environment: { PROBE_GREETING: 'from b' } }), {});
    expect(a.ok && (a.value as { greeting: string }).greeting).toBe('from a');
    expect(b.ok && (b.value as { greeting: string }).greeting).toBe('from b');
  });

  it('serves concurrent invocations from separate containers, one invocation each', async () => {
    const fn = probe({ logicalId: 'Concurrent' });
    const results = await Promise.all([host.invoke(fn, { sleepMs: 300 }), host.invoke(fn, { sleepMs: 300 })]);
    const threads = new Set(results.map((r) => r.ok && (r.value as { threadId: number }).threadId));
    expect(threads.size).toBe(2);
  });

  it('honours reserved concurrency by queueing invocations', async () => {
    const fn = probe({ logicalId: 'Reserved', reservedConcurrentExecutions: 1 });
    const results = await Promise.all([host.invoke(fn, { sleepMs: 100 }), host.invoke(fn, { sleepMs: 100 })]);
    const threads = new Set(results.map((r) => r.ok && (r.value as { threadId: number }).threadId));
    expect(threads.size).toBe(1);
  });

  it('reports a handler error as Lambda does, with type, message and trace', async () => {
    const result = await host.invoke(probe(), { fail: 'bad input' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatchObject({ errorType: 'RangeError', errorMessage: 'bad input' });
  });

  it('stops a handler at its timeout and starts the next invocation cold', async () => {
    const fn = probe({ logicalId: 'Slow', timeoutSeconds: 0.3 });
    const timedOut = await host.invoke(fn, { sleepMs: 5000 });
    expect(!timedOut.ok && timedOut.error).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 0.30 seconds',
    });
    const next = await host.invoke(fn, {});
    expect(next.ok && (next.value as { invocations: number }).invocations).toBe(1);
  });

  it('reports an init failure of the handler module', async () => {
    const result = await host.invoke(probe({ logicalId: 'Broken', environment: { PROBE_FAIL_INIT: 'true' } }), {});
    expect(!result.ok && result.error).toMatchObject({ errorType: 'Error', errorMessage: 'init failed on request' });
  });
});
