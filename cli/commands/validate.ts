import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { fileSource } from '../../functions/contracts/byte-source';
import type { ContractPlan } from '../../functions/contracts/contract-plan';
import {
  type CheckResult,
  parseDatasetProfile,
  ProfileFormatError,
  type ValidationReport,
} from '../../functions/contracts/contract-report';
import { describeThreshold } from '../../functions/contracts/dataset-outcome';
import { ContractDefinitionError, loadContract } from '../../functions/contracts/odcs-contract';
import { validateSources } from '../../functions/contracts/validate-stream';
import { EXIT, UsageError } from '../exit-codes';
import { printJson, renderTable } from '../output';

interface ValidateOptions {
  contract: string;
  schema?: string;
  json?: boolean;
  baseline?: string;
  workers?: number;
  writeProfile?: string;
  qualityId?: string;
  dimension?: string;
}

/** Files named on the command line; a quoted glob (`'data/*.csv'`, `*` and `?` in the file name) is expanded here. */
export function expandFiles(args: readonly string[]): string[] {
  const files: string[] = [];
  for (const arg of args) {
    if (fs.existsSync(arg) || !/[*?]/.test(path.basename(arg))) {
      if (!fs.existsSync(arg)) throw new UsageError(`${arg}: no such file`);
      if (!fs.statSync(arg).isFile()) throw new UsageError(`${arg}: not a file`);
      files.push(arg);
      continue;
    }
    const dir = path.dirname(arg);
    if (/[*?]/.test(dir)) throw new UsageError(`${arg}: a glob may only match file names, not folders`);
    const escaped = path.basename(arg).replace(/[.+^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`^${escaped.replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
    const matches = fs.existsSync(dir)
      ? fs
          .readdirSync(dir, { withFileTypes: true })
          .filter((e) => e.isFile() && pattern.test(e.name))
          .map((e) => path.join(dir, e.name))
          .sort()
      : [];
    if (matches.length === 0) throw new UsageError(`${arg}: no file matches`);
    files.push(...matches);
  }
  return files;
}

/**
 * The plan restricted to the quality rules a selector names (datacontract-cli's `--quality-id` and `--dimension`):
 * only those are evaluated, so undeclared columns are not judged either. A selector that matches nothing is a typo.
 */
function selectChecks(plan: ContractPlan, options: ValidateOptions): ContractPlan {
  if (options.qualityId === undefined && options.dimension === undefined) return plan;
  const checks = plan.checks.filter(
    (c) =>
      (options.qualityId === undefined || c.qualityId === options.qualityId) &&
      (options.dimension === undefined || c.dimension === options.dimension),
  );
  if (checks.length === 0) {
    const wanted = [
      options.qualityId === undefined ? null : `quality id '${options.qualityId}'`,
      options.dimension === undefined ? null : `dimension '${options.dimension}'`,
    ].filter((s) => s !== null);
    throw new UsageError(`no check of the contract has ${wanted.join(' and ')}`);
  }
  return {
    ...plan,
    checks,
    allowExtraColumns: true,
    warnings: [...plan.warnings, `only ${checks.length} selected check(s) evaluated`],
  };
}

function readBaseline(file: string) {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `${file}: cannot read the baseline profile: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    return parseDatasetProfile(json);
  } catch (error) {
    if (error instanceof ProfileFormatError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

const STATUS = { passed: 'ok', failed: 'FAIL', 'not evaluated': 'n/a' } as const;

function formatObserved(check: CheckResult): string {
  if (check.observed === null) return '';
  const value = Number.isInteger(check.observed) ? String(check.observed) : check.observed.toPrecision(4);
  return check.unit === 'percent' ? `${value} %` : check.unit === 'seconds' ? `${value} s` : value;
}

function formatExample(check: CheckResult): string {
  const e = check.examples[0];
  if (e === undefined) return check.status === 'passed' ? '' : (check.reason ?? '');
  const where = [e.file, e.line !== null ? `line ${e.line}` : e.row !== null ? `row ${e.row}` : null]
    .filter((p) => p !== null && p !== undefined)
    .join(' ');
  const value =
    e.value === null ? '(null)' : JSON.stringify(e.value.length > 40 ? `${e.value.slice(0, 40)}…` : e.value);
  return `${where}${where ? ': ' : ''}${value}${e.reason ? ` ${e.reason}` : ''}${check.examples.length > 1 ? ` (+${check.examples.length - 1})` : ''}`;
}

/** The report for people: the verdict, then one row per check. */
export function renderReport(report: ValidationReport): string {
  const mb = (report.bytes / 1e6).toFixed(report.bytes < 1e6 ? 3 : 1);
  const lines = [
    `${report.status === 'accepted' ? 'ACCEPTED' : 'REJECTED'}: ${report.source} against ${report.contractId} ${report.contractVersion} (${report.schemaName})`,
    `${report.format ?? 'unknown format'}${report.compression === 'gzip' ? ' (gzip)' : ''}, ${report.rows} rows, ${mb} MB in ${report.durationMs} ms, ${report.workers} worker(s)`,
  ];
  if (report.rejectionReason !== undefined) lines.push(`reason: ${report.rejectionReason}`);
  const rows = report.checks.map((c) => [
    STATUS[c.status],
    c.name,
    formatObserved(c),
    c.status === 'not evaluated' ? '' : (describeThreshold(c.expected) ?? ''),
    formatExample(c),
  ]);
  lines.push(renderTable(['', 'check', 'observed', 'expected', 'first example / reason'], rows));
  for (const n of report.notEvaluated) lines.push(`not evaluated: ${n.path}: ${n.reason}`);
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

export function registerValidateCommand(program: Command, _projectRoot: () => string): void {
  program
    .command('validate')
    .description('check data files (CSV, JSON Lines, Parquet; gzip) against an ODCS data contract, as one dataset')
    .argument('<file...>', 'data files, or a quoted glob such as "data/*.csv" (columns are matched by name)')
    .requiredOption('--contract <contract.yaml>', 'the ODCS 3.0/3.1 data contract')
    .option('--schema <name>', 'the schema object to check against, when the contract has several')
    .option('--json', 'print the report as JSON')
    .option('--baseline <profile.json>', 'the profile of earlier accepted data (drift checks, histogram bins)')
    .option('--workers <n>', 'worker threads for large uncompressed files (default: the cores, at most 4)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--workers: expected a positive integer, got '${v}'`);
      return n;
    })
    .option('--write-profile <file>', 'write the profile of the data as JSON (a baseline for later runs)')
    .option('--quality-id <id>', 'evaluate only the quality rule with this id')
    .option('--dimension <name>', 'evaluate only the quality rules of this dimension')
    .action(async (args: string[], options: ValidateOptions) => {
      let plan: ContractPlan;
      try {
        const text = fs.readFileSync(options.contract, 'utf8');
        plan = loadContract(
          text,
          options.contract,
          options.schema === undefined ? {} : { schemaName: options.schema },
        ).plan;
      } catch (error) {
        if (error instanceof ContractDefinitionError) throw new UsageError(error.message);
        if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
          throw new UsageError(`${options.contract}: no such contract file`);
        }
        throw error;
      }
      plan = selectChecks(plan, options);
      const files = expandFiles(args);
      const baseline = options.baseline === undefined ? undefined : readBaseline(options.baseline);
      const report = await validateSources(
        plan,
        files.map((f) => fileSource(f)),
        {
          workers: options.workers ?? Math.min(availableParallelism(), 4),
          ...(baseline === undefined ? {} : { baseline }),
        },
      );
      if (options.writeProfile !== undefined) {
        fs.writeFileSync(options.writeProfile, `${JSON.stringify(report.profile, null, 2)}\n`);
      }
      if (options.json) printJson(report);
      else process.stdout.write(renderReport(report));
      process.exitCode = report.status === 'accepted' ? EXIT.ok : EXIT.negative;
    });
}
