import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerEvaluateCommand, runOfflineEvaluation } from '../../../cli/commands/evaluate';
import { UsageError } from '../../../cli/exit-codes';
import { CHURN_FEATURES, churnBaseline, churnTraffic } from '../evaluation/churn-traffic';

const ROOT = path.resolve(import.meta.dirname, '../../..');
let dir: string;
let capture: string;
let groundTruth: string;
let baseline: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-evaluate-'));
  capture = path.join(dir, 'capture');
  groundTruth = path.join(dir, 'ground-truth');
  const { captures, labels } = churnTraffic(600, 3);
  // The S3 layout: <endpoint>/<variant>/yyyy/mm/dd/hh/<file>; one file gzip-compressed, one bad line.
  const hour = (h: string) => path.join(capture, 'churn-prod', 'AllTraffic', '2026', '11', '21', h);
  fs.mkdirSync(hour('09'), { recursive: true });
  fs.mkdirSync(hour('10'), { recursive: true });
  fs.writeFileSync(
    path.join(hour('09'), '00-00-000-a.jsonl'),
    `${captures.slice(0, 300).join('\n')}\n{"captureData":\n`,
  );
  fs.writeFileSync(path.join(hour('10'), '00-00-000-b.jsonl.gz'), gzipSync(`${captures.slice(300).join('\n')}\n`));
  fs.mkdirSync(path.join(groundTruth, '2026', '11', '21', '12'), { recursive: true });
  fs.writeFileSync(
    path.join(groundTruth, '2026', '11', '21', '12', 'labels.jsonl'),
    `${labels.slice(0, 550).join('\n')}\n`,
  );
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a data file');
  baseline = path.join(dir, 'profile.json');
  fs.writeFileSync(baseline, JSON.stringify(await churnBaseline(1500, 1)));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `mlops evaluate ...` in-process: its stdout, and the exit code it set (or the usage error it threw). */
async function mlops(...args: string[]): Promise<{ stdout: string; exitCode: number | undefined }> {
  const program = new Command('mlops').exitOverride();
  registerEvaluateCommand(program, () => ROOT);
  const chunks: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  const previous = process.exitCode;
  try {
    process.exitCode = undefined;
    await program.parseAsync(['node', 'mlops', 'evaluate', ...args]);
    return { stdout: chunks.join(''), exitCode: process.exitCode === undefined ? undefined : Number(process.exitCode) };
  } finally {
    write.mockRestore();
    process.exitCode = previous;
  }
}

describe('mlops evaluate (offline)', () => {
  it('prints the report as JSON with the documented keys (exit 0)', async () => {
    const { stdout, exitCode } = await mlops(
      '--capture',
      capture,
      '--ground-truth',
      groundTruth,
      '--problem',
      'binary',
      '--json',
    );
    expect(exitCode).toBe(0);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining(['samples', 'matched', 'metrics', 'confidenceIntervals', 'counts', 'drift', 'verdict']),
    );
    expect(report).toMatchObject({ samples: 600, matched: 550, verdict: 'ok', drift: null });
    expect(Object.keys(report.metrics)).toEqual([
      'accuracy',
      'precision',
      'recall',
      'f1',
      'roc_auc',
      'pr_auc',
      'log_loss',
    ]);
    expect(report.metrics.roc_auc).toBeGreaterThan(0.7);
    expect(report.confidenceIntervals.roc_auc).toMatchObject({ method: 'delong' });
    expect(report.counts.capture).toMatchObject({ files: 2, unparseable: 1 });
    expect(report.examples[0]).toMatchObject({
      file: 'churn-prod/AllTraffic/2026/11/21/09/00-00-000-a.jsonl',
      line: 301,
    });
    expect(report.variants.map((v: { name: string }) => v.name)).toEqual(['AllTraffic']);
  });

  it('prints a table for people, and drift with a baseline and features', async () => {
    const { stdout } = await mlops(
      '--capture',
      capture,
      '--ground-truth',
      groundTruth,
      '--problem',
      'binary',
      '--baseline',
      baseline,
      '--features',
      CHURN_FEATURES.join(','),
      '--target',
      'churned',
    );
    expect(stdout).toMatch(/^OK: binary model, 600 samples, 550 matched \(91\.7 %\), threshold 0\.5/);
    expect(stdout).toMatch(/│ roc_auc\s+│ 0\.\d{4} │ 0\.\d{4} – 0\.\d{4} \(delong\)/);
    expect(stdout).toMatch(/│ monthly_charges\s+│ numeric/);
    expect(stdout).toContain('join: 550 matched, 50 unlabeled, 0 label(s) without capture');
  });

  it("takes problem type, label, features and bound from a pipeline's configuration", async () => {
    const { stdout } = await mlops(
      'churn',
      '--capture',
      capture,
      '--ground-truth',
      groundTruth,
      '--baseline',
      baseline,
      '--json',
    );
    const report = JSON.parse(stdout);
    expect(report.drift.features.map((f: { feature: string }) => f.feature)).toEqual(CHURN_FEATURES);
    expect(report.degradation).toMatchObject({ metric: 'roc_auc', bound: 'minimum', threshold: 0.7, status: 'within' });
  });

  it('exits 1 when the gate fails', async () => {
    const { stdout, exitCode } = await mlops(
      '--capture',
      capture,
      '--ground-truth',
      groundTruth,
      '--problem',
      'binary',
      '--fail-under',
      'roc_auc=0.99',
    );
    expect(exitCode).toBe(1);
    expect(stdout).toMatch(/^DEGRADED/);
    expect(stdout).toMatch(/gate: roc_auc >= 0\.99: breached/);
  });

  it('reports usage errors with one clear message', async () => {
    const run = (...args: string[]) => mlops(...args);
    await expect(run('--capture', capture, '--problem', 'binary')).rejects.toThrow(
      new UsageError('--ground-truth <dir> is required (or name a pipeline for the online form)'),
    );
    await expect(
      run('--capture', path.join(dir, 'nope'), '--ground-truth', groundTruth, '--problem', 'binary'),
    ).rejects.toThrow(/--capture: .*nope: no such folder/);
    await expect(run('--capture', capture, '--ground-truth', groundTruth)).rejects.toThrow(
      /--problem <binary\|multiclass\|regression> is required/,
    );
    await expect(run('--capture', capture, '--ground-truth', groundTruth, '--problem', 'ranking')).rejects.toThrow(
      /--problem: expected one of binary, multiclass, regression, got 'ranking'/,
    );
    await expect(
      run('--capture', capture, '--ground-truth', groundTruth, '--problem', 'binary', '--threshold', '2'),
    ).rejects.toThrow(/--threshold: expected a number from 0 to 1, got '2'/);
    await expect(
      run(
        '--capture',
        capture,
        '--ground-truth',
        groundTruth,
        '--problem',
        'binary',
        '--baseline',
        path.join(dir, 'notes.txt'),
      ),
    ).rejects.toThrow(/--baseline: .*cannot read the profile/);
    await expect(
      run(
        '--capture',
        capture,
        '--ground-truth',
        groundTruth,
        '--problem',
        'regression',
        '--fail-under',
        'roc_auc=0.7',
      ),
    ).rejects.toThrow(/roc_auc is not a regression metric/);
    await expect(run('nope', '--capture', capture, '--ground-truth', groundTruth)).rejects.toThrow(
      /no pipeline 'nope'/,
    );
    await expect(run()).rejects.toThrow(/give --capture <dir> and --ground-truth <dir>/);
  });

  it('exports the offline runner for other commands', async () => {
    const report = await runOfflineEvaluation({
      captureDir: capture,
      groundTruthDir: groundTruth,
      problemType: 'binary',
      outcome: {
        minSamples: 1000,
        drift: { psiThreshold: 0.2, consecutiveWindows: 1 },
        onDegradation: 'notify',
        onDrift: 'notify',
      },
    });
    expect(report.verdict).toBe('insufficient-data');
  });
});
