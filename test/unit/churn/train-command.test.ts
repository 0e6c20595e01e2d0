import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { loadChurnModel } from '../../../pipelines/churn/local/churn-model';
import { goodBatch, malformedBatch } from '../../../pipelines/churn/world/batch-files';
import { churnPipeline, mlRoot, parseMetrics, runTraining, writeHyperparameters } from './churn-harness';

const roots: string[] = [];
function job(files: Record<string, Uint8Array | string>, hyperparameters: Record<string, string>): string {
  const root = mlRoot();
  roots.push(root);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(root, 'input/data/train', name), bytes);
  writeHyperparameters(root, hyperparameters);
  return root;
}
const failure = (root: string) => readFileSync(join(root, 'output/failure'), 'utf8');
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('train.ts as the training container', () => {
  it("trains on accepted files as they landed, with the pipeline's hyperparameters, and clears the gate", async () => {
    const pipeline = churnPipeline();
    const root = job(
      {
        'snapshot-a.csv': goodBatch(81, { rows: 3000 }).bytes,
        'snapshot-b.csv.gz': goodBatch(82, {
          rows: 3000,
          dialect: { gzip: true, lineEnding: '\r\n', byteOrderMark: true, quoteText: true },
        }).bytes,
      },
      pipeline.training.hyperparameters,
    );

    const result = await runTraining(root);
    const metrics = parseMetrics(result.stdout);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ignoring hyperparameter max_depth=5');
    expect(result.stdout).toMatch(/train: \d+ rows, \d+ churned from 2 file\(s\); validation \(holdout\): \d+ rows/);
    expect(result.stdout.match(/^\[\d+\]#011/gm)).toHaveLength(200);
    expect(metrics['validation:auc']).toBeGreaterThan((pipeline.gate.minimum ?? 1) + 0.05);
    expect(metrics['validation:logloss']).toBeLessThan(pipeline.gate.guards[0]?.maximum ?? 0);
    const model = loadChurnModel(readFileSync(join(root, 'model/model.json'), 'utf8'));
    expect(model.featureOrder).toContain('contract_type=month-to-month');
    expect(existsSync(join(root, 'output/failure'))).toBe(false);
  });

  it('validates on the validation channel when the job has one', async () => {
    const root = job({ 'a.csv': goodBatch(83, { rows: 2000 }).bytes }, { num_round: '30', eta: '0.2' });
    mkdirSync(join(root, 'input/data/validation'));
    writeFileSync(join(root, 'input/data/validation/v.csv'), goodBatch(84, { rows: 800 }).bytes);

    const result = await runTraining(root, { SM_CHANNEL_VALIDATION: join(root, 'input/data/validation') });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/train: 2000 rows, \d+ churned from 1 file\(s\); validation \(channel\): 800 rows/);
    expect(parseMetrics(result.stdout)['validation:auc']).toBeGreaterThan(0.7);
  });

  it('fails with a ClientError naming the file and the column when the data breaks the contract', async () => {
    const root = job({ 'bad.csv': malformedBatch(85, { defects: ['missing-column'], rows: 200 }).bytes }, {});

    const result = await runTraining(root);

    expect(result.code).toBe(2);
    expect(failure(root)).toMatch(/^ClientError: bad\.csv: missing column\(s\) support_calls in the header/);
    expect(existsSync(join(root, 'model/model.json'))).toBe(false);
  });

  it('fails with a ClientError on an unparsable value, an empty channel or a bad hyperparameter', async () => {
    const badValue = job({ 'a.csv': malformedBatch(86, { defects: ['negative-charge'], rows: 100 }).bytes }, {});
    const empty = job({}, {});
    const badHyperparameter = job({ 'a.csv': goodBatch(87, { rows: 200 }).bytes }, { eta: 'fast' });

    const results = await Promise.all([runTraining(badValue), runTraining(empty), runTraining(badHyperparameter)]);

    expect(results.map((r) => r.code)).toEqual([2, 2, 2]);
    expect(failure(badValue)).toMatch(
      /^ClientError: a\.csv:\d+: column monthly_charges: expected a number >= 0, got "-/,
    );
    expect(failure(empty)).toMatch(/^ClientError: the train channel \(.*\) has no data rows/);
    expect(failure(badHyperparameter)).toBe(
      'ClientError: hyperparameter eta: expected a number above 0, at most 10, got "fast"',
    );
  });

  it('fails on purpose with fail_with, before reading any data', async () => {
    const root = job({}, { fail_with: 'ClientError: forced by the test' });

    const result = await runTraining(root);

    expect(result.code).toBe(2);
    expect(failure(root)).toBe('ClientError: forced by the test');
  });
});
