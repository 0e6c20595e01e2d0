import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sample } from '../../fixtures/samples';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const FIXTURES = sample('odcs/datacontract-cli/fixtures');
const mlops = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(ROOT, 'cli/bin.mjs'), 'validate', ...args], {
    encoding: 'utf8',
    cwd: FIXTURES,
  });
const json = (...args: string[]) => {
  const result = mlops(...args, '--json');
  return {
    status: result.status,
    report: JSON.parse(result.stdout) as { status: string; rows: number; checks: { id: string; status: string }[] },
  };
};
const failed = (report: { checks: { id: string; status: string }[] }) =>
  report.checks.filter((c) => c.status === 'failed').map((c) => c.id);

const V2 = 'schema-evolution/odcs-datacontract-cities-version-2.yaml';
const V3 = 'schema-evolution/odcs-datacontract-cities-version-3.yaml';

describe('mlops validate: datacontract-cli fixture verdicts (shared/samples/SOURCES.md P1-P12)', () => {
  it.each([
    ['P1', V2, ['schema-evolution/cities-version-1.csv'], 1, ['population.columnPresent']],
    ['P2', V2, ['schema-evolution/cities-version-2.csv'], 0, []],
    ['P3', V2, ['schema-evolution/*.csv'], 0, []],
    ['P4', V2, ['schema-evolution/invalid/cities-version-2-invalid.csv'], 1, ['population.invalidValues']],
    ['P5', V3, ['schema-evolution/cities-version-1.csv'], 1, ['population.columnPresent']],
    ['P6', V2, ['schema-evolution/cities-version-1.json'], 1, ['population.columnPresent']],
    ['P7', V2, ['schema-evolution/cities-version-2.json'], 0, []],
    ['P8', V2, ['schema-evolution/cities-version-*.json'], 0, []],
    ['P9', 'row-filter/datacontract.yaml', ['diagnostics/data/orders.csv'], 1, ['schema.rowCount']],
  ])('%s', (_, contract, files, exit, failures) => {
    const { status, report } = json(...files, '--contract', contract);
    expect(status).toBe(exit);
    expect(failed(report)).toEqual(failures);
  });

  it('P3: a glob is one dataset with columns unioned by name', () => {
    const { report } = json('schema-evolution/*.csv', '--contract', V2);
    expect(report.rows).toBe(6);
  });

  it('P11: --dimension selects quality rules; a dimension that matches nothing is a usage error', () => {
    expect(
      mlops(
        'diagnostics/data/orders.csv',
        '--contract',
        'quality-dimensions/datacontract.yaml',
        '--dimension',
        'completeness',
      ).status,
    ).toBe(0);
    const none = mlops(
      'diagnostics/data/orders.csv',
      '--contract',
      'quality-dimensions/datacontract.yaml',
      '--dimension',
      'freshness',
    );
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("no check of the contract has dimension 'freshness'");
  });

  it('P12: --quality-id selects one rule; a typo is a usage error', () => {
    expect(
      mlops(
        'diagnostics/data/orders.csv',
        '--contract',
        'quality-id/datacontract.yaml',
        '--quality-id',
        'orders_not_empty',
      ).status,
    ).toBe(0);
    expect(
      mlops('diagnostics/data/orders.csv', '--contract', 'quality-id/datacontract.yaml', '--quality-id', 'typo').status,
    ).toBe(2);
  });
});

describe('mlops validate: for people and for errors', () => {
  it('prints a readable report with the reason and the first example', () => {
    const result = mlops('schema-evolution/invalid/cities-version-2-invalid.csv', '--contract', V2);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^REJECTED: cities-version-2-invalid.csv against cities 2.0.0/);
    expect(result.stdout).toMatch(/FAIL .*population has no invalid values.*line 2: "9000" below minimum 10000/);
  });

  it('writes the profile and reads it back as a baseline', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-validate-'));
    const profile = path.join(dir, 'profile.json');
    expect(mlops('schema-evolution/cities-version-2.csv', '--contract', V2, '--write-profile', profile).status).toBe(0);
    expect(JSON.parse(fs.readFileSync(profile, 'utf8'))).toMatchObject({ version: 1, rows: 2, contractId: 'cities' });
    expect(mlops('schema-evolution/cities-version-2.csv', '--contract', V2, '--baseline', profile).status).toBe(0);
    fs.writeFileSync(profile, '{"version": 2}');
    const bad = mlops('schema-evolution/cities-version-2.csv', '--contract', V2, '--baseline', profile);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/not a dataset profile/);
    fs.rmSync(dir, { recursive: true });
  });

  it('exits 2 for a missing file, a glob matching nothing, a bad contract or a bad option', () => {
    expect(mlops('nope.csv', '--contract', V2)).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('nope.csv: no such file'),
    });
    expect(mlops('schema-evolution/*.xlsx', '--contract', V2)).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('no file matches'),
    });
    expect(mlops('diagnostics/data/orders.csv', '--contract', 'lint/invalid.odcs.yaml').status).toBe(2);
    expect(mlops('diagnostics/data/orders.csv', '--contract', 'missing.yaml')).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('no such contract file'),
    });
    expect(mlops('diagnostics/data/orders.csv', '--contract', V2, '--workers', 'zero').status).toBe(2);
    expect(mlops('diagnostics/data/orders.csv').status).toBe(2);
  });
});
