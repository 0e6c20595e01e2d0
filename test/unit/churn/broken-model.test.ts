import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { goodBatch } from '../../../pipelines/churn/world/batch-files';
import { inferenceRequests } from '../../../pipelines/churn/world/inference-traffic';
import { mlRoot, parseMetrics, runTraining, startServer, writeHyperparameters } from './churn-harness';

const roots: string[] = [];
async function trainCorrupted(corruption: string): Promise<{ root: string; stdout: string }> {
  const root = mlRoot();
  roots.push(root);
  writeFileSync(join(root, 'input/data/train/a.csv'), goodBatch(101, { rows: 1500 }).bytes);
  writeHyperparameters(root, { num_round: '20', eta: '0.2', corrupt_model: corruption });
  const result = await runTraining(root);
  expect(result.code).toBe(0);
  return { root, stdout: result.stdout };
}
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('corrupt_model: a model that passes the gate and breaks in serving', () => {
  it('nan-weights: healthy on /ping, every invocation answers 500 with a ModelError', async () => {
    const { root, stdout } = await trainCorrupted('true');
    expect(parseMetrics(stdout)['validation:auc']).toBeGreaterThan(0.7); // the gate sees a good model
    expect(stdout).toContain('corrupt_model=nan-weights: the saved artifact is broken on purpose');

    const server = await startServer(join(root, 'model'));
    try {
      const ping = await fetch(`http://127.0.0.1:${server.port}/ping`);
      const invocation = await fetch(`http://127.0.0.1:${server.port}/invocations`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv' },
        body: inferenceRequests(102, 1)[0]!.body,
      });

      expect(ping.status).toBe(200);
      expect(invocation.status).toBe(500);
      expect(await invocation.text()).toMatch(/^ModelError: the model produced a non-finite score \(NaN\)/);
    } finally {
      await server.stop();
    }
  });

  it('truncated: the server cannot load the model and exits, so /ping never answers', async () => {
    const { root } = await trainCorrupted('truncated');

    const server = await startServer(join(root, 'model'));

    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/cannot load the model from .*model\.json: model\.json is not valid JSON/);
    await expect(fetch(`http://127.0.0.1:${server.port}/ping`)).rejects.toThrow();
  });

  it('no model at all: the server exits with the reason', async () => {
    const root = mlRoot();
    roots.push(root);

    const server = await startServer(join(root, 'model'));

    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/cannot load the model from .*model\.json: .*ENOENT/);
  });
});
