import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadChurnModel, type ChurnModel } from '../../../pipelines/churn/local/churn-model';
import { holdOut, trainChurnModel } from '../../../pipelines/churn/local/churn-training';
import { drawBatchRows } from '../../../pipelines/churn/world/batch-files';
import { inferenceRequests } from '../../../pipelines/churn/world/inference-traffic';
import { startServer, type ServerProcess } from './churn-harness';

let folder: string;
let model: ChurnModel;
let server: ServerProcess;
const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;
const post = (body: string, headers: Record<string, string>) =>
  fetch(url('/invocations'), { method: 'POST', body, headers });

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'churn-serve-'));
  model = trainChurnModel(
    { ...holdOut(drawBatchRows(91, 3000), 0.2), validationSource: 'holdout', files: [] },
    { epochs: 60, learningRate: 0.2, l2: 1, log: () => undefined },
  );
  writeFileSync(join(folder, 'model.json'), JSON.stringify(model));
  server = await startServer(folder);
});

afterAll(async () => {
  await server?.stop();
  rmSync(folder, { recursive: true, force: true });
});

describe('serve.ts as the inference container', () => {
  it('answers GET /ping with 200 once the model is loaded', async () => {
    const response = await fetch(url('/ping'));

    expect(response.status).toBe(200);
    expect(server.output()).toMatch(/churn model server on 127\.0\.0\.1:\d+ \(16 encoded features\)/);
  });

  it('scores CSV rows in the serving feature order, one probability per line, as the model does', async () => {
    const requests = inferenceRequests(92, 50);
    const predictor = loadChurnModel(JSON.stringify(model));

    const response = await post(requests.map((r) => r.body).join('\n'), { 'Content-Type': 'text/csv' });
    const lines = (await response.text()).split('\n');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv');
    expect(lines).toEqual(requests.map((r) => predictor.score(r.features).toFixed(6)));
  });

  it('answers one request per customer fast enough for live traffic', async () => {
    const requests = inferenceRequests(93, 400);
    const started = performance.now();

    const statuses = await Promise.all(
      requests.map((r) =>
        post(r.body, { 'Content-Type': 'text/csv' }).then(async (res) => (await res.text(), res.status)),
      ),
    );

    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('scores JSON instances with labels at the threshold, and answers CSV in JSON when asked', async () => {
    const [request] = inferenceRequests(94, 1);
    const predictor = loadChurnModel(JSON.stringify(model));
    const score = Number(predictor.score(request!.features).toFixed(6));

    const json = await post(JSON.stringify({ instances: [request!.features] }), { 'Content-Type': 'application/json' });
    const accept = await post(request!.body, { 'Content-Type': 'text/csv', Accept: 'application/json' });

    const expected = { predictions: [{ score, predicted_label: score >= 0.5 ? 1 : 0 }] };
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual(expected);
    expect(accept.headers.get('content-type')).toBe('application/json');
    expect(await accept.json()).toEqual(expected);
  });

  it('refuses bad bodies with 400, other content types with 415, other answers with 406, other paths with 404', async () => {
    const bad = await post('12,abc,3,one-year,x,0,basic', { 'Content-Type': 'text/csv' });
    const type = await post('{}', { 'Content-Type': 'text/plain' });
    const accept = await post('1,2,3,one-year,x,0,basic', { 'Content-Type': 'text/csv', Accept: 'image/png' });
    const path = await fetch(url('/predict'), { method: 'POST', body: 'x' });
    const method = await fetch(url('/invocations'));

    expect([bad.status, type.status, accept.status, path.status, method.status]).toEqual([400, 415, 406, 404, 405]);
    expect(await bad.text()).toBe('row 1: column monthly_charges: expected a number >= 0, got "abc"');
    expect(await type.text()).toMatch(/unsupported content type "text\/plain"/);
  });

  it('refuses a body over the 6 MB InvokeEndpoint limit with 413', async () => {
    const row = '12,70.5,846,month-to-month,Electronic check,3,standard\n';
    const response = await post(row.repeat(Math.ceil((6 * 1024 * 1024) / row.length) + 10), {
      'Content-Type': 'text/csv',
    });

    expect(response.status).toBe(413);
  });

  it('stops on SIGTERM', async () => {
    const other = await startServer(folder);

    await other.stop();

    expect(await other.exited).toBe(0);
  });
});
