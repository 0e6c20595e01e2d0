import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const mlops = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(ROOT, 'cli/bin.mjs'), ...args], { encoding: 'utf8', cwd: ROOT });

describe('mlops config', () => {
  it('validates the example pipelines and prints them as JSON with defaults applied (exit 0)', () => {
    const result = mlops('config', '--json');
    expect(result.status).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.valid).toBe(true);
    expect(output.pipelines.map((p: { name: string }) => p.name)).toContain('churn');
  });

  it('prints a table for people', () => {
    const result = mlops('config');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/churn .*binary .*churn\/incoming\//);
  });

  it('exits 2 with the precise message when a pipeline file is invalid', () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-cli-'));
    fs.cpSync(path.join(ROOT, 'pipelines/churn'), path.join(project, 'pipelines/churn'), { recursive: true });
    const file = path.join(project, 'pipelines/churn/pipeline.yaml');
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .replace('instanceType: ml.m5.large\n  instanceCount', 'instanceType: m5.large\n  instanceCount'),
    );

    const result = mlops('-C', project, 'config');

    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'pipelines/churn/pipeline.yaml: training.instanceType: expected an ml.* instance type, got "m5.large"',
    );
    fs.rmSync(project, { recursive: true, force: true });
  });

  it('exits 2 on an unknown command', () => {
    expect(mlops('bogus').status).toBe(2);
  });
});
